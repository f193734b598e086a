package webguard

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// The headers are set before the handler runs, so an answer the handler aborts carries them too.
func TestHeadersOnAnAbortedAnswer(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(Headers)
	r.GET("/", func(c *gin.Context) { c.AbortWithStatus(http.StatusTeapot) })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusTeapot || rec.Header().Get("Content-Security-Policy") != ContentSecurityPolicy ||
		rec.Header().Get("X-Frame-Options") != "DENY" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%d %v", rec.Code, rec.Header())
	}
}

func TestOrigins(t *testing.T) {
	o, err := NewOrigins("https://licensing.example.com/some/path", "")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		method, host string
		hdr          map[string]string
		ok           bool
	}{
		"no browser headers":          {http.MethodPost, "clc:8080", nil, true},
		"same origin":                 {http.MethodPost, "clc:8080", map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		"typed in":                    {http.MethodPost, "clc:8080", map[string]string{"Sec-Fetch-Site": "none"}, true},
		"the public URL's origin":     {http.MethodPost, "clc:8080", map[string]string{"Origin": "https://licensing.example.com"}, true},
		"the request's host":          {http.MethodPost, "clc:8080", map[string]string{"Origin": "http://clc:8080"}, true},
		"another site":                {http.MethodPost, "clc:8080", map[string]string{"Origin": "https://evil.example"}, false},
		"cross-site":                  {http.MethodPost, "clc:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
		"the public host, other port": {http.MethodPost, "clc:8080", map[string]string{"Origin": "https://licensing.example.com:444"}, false},
		"a GET changes nothing":       {http.MethodGet, "clc:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, true},
	} {
		r := httptest.NewRequest(tc.method, "http://"+tc.host+"/a/x", nil)
		for k, v := range tc.hdr {
			r.Header.Set(k, v)
		}
		if err := o.Check(r); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", name, err, tc.ok)
		}
	}
	for _, bad := range []string{"licensing.example.com", "ftp://x", "https://"} {
		if _, err := NewOrigins(bad); err == nil {
			t.Errorf("NewOrigins(%q) accepted", bad)
		}
	}
}
