package api_test

// The browser sign-in as the server mounts it: the dev sign-in page, a page behind the pages'
// middleware, the CSRF check of its forms, and the actor resolved from the user row the bearer-token
// API writes too.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/internal/auth"
)

// withPage rebuilds the server with a test page behind the pages' middleware: GET answers the actor
// and the CSRF token a template would put in its forms, POST "done".
func (h *harness) withPage(signIn *web.SignIn) {
	h.t.Helper()
	var srv *api.Server
	o := api.Options{DB: h.db, Processes: h.fake, Verifier: h.v, Log: discard, SignIn: signIn,
		PublicURL: "http://clc.test", Extra: []func(*gin.Engine){func(r *gin.Engine) {
			page := func(c *gin.Context) { srv.SignedIn(c) }
			r.GET("/test-page", page, func(c *gin.Context) {
				id, _ := web.Identity(c)
				c.JSON(http.StatusOK, gin.H{"id": id, "csrf": web.CSRFToken(c)})
			})
			r.POST("/test-page", page, func(c *gin.Context) { c.String(http.StatusOK, "done") })
		}}}
	srv = api.New(o)
	h.srv = srv.Handler()
}

// page sends a browser's request with the session cookie (when not empty).
func (h *harness) page(method, path, cookie string, form url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, "http://clc.test"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, "http://clc.test"+path, nil)
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", "http://clc.test")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "clc_session", Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

func sessionCookie(rec *httptest.ResponseRecorder) (string, bool) {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "clc_session" {
			return c.Value, true
		}
	}
	return "", false
}

func TestPagesWithoutSignInConfigured(t *testing.T) {
	h := newHarness(t)
	h.withPage(nil)
	rec := h.page(http.MethodGet, "/test-page", "", nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "CLC_SESSION_KEY") {
		t.Fatalf("page without sign-in: %d %s", rec.Code, rec.Body)
	}
	if rec := h.page(http.MethodGet, "/dev/login", "", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("GET /dev/login outside the dev stack: %d", rec.Code)
	}
}

func TestDevSignInThroughTheServer(t *testing.T) {
	h := newHarness(t)
	signIn, err := web.New(t.Context(), web.Config{PublicURL: "http://clc.test", DevLogin: true, DB: h.db, Log: discard,
		SessionKey: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	h.withPage(signIn)

	rec := h.page(http.MethodGet, "/test-page?tab=stuck", "", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dev/login?next=%2Ftest-page%3Ftab%3Dstuck" {
		t.Fatalf("page without a session: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = h.page(http.MethodPost, "/dev/login", "", url.Values{"email": {"Ops@Cisco.com"}, "roles": {"licensing-ops"},
		"next": {"/test-page?tab=stuck"}})
	cookie, ok := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/test-page?tab=stuck" || !ok {
		t.Fatalf("POST /dev/login: %d to %q, cookie %v", rec.Code, rec.Header().Get("Location"), ok)
	}

	var got struct {
		ID   auth.Identity `json:"id"`
		CSRF string        `json:"csrf"`
	}
	read := func() {
		t.Helper()
		rec := h.page(http.MethodGet, "/test-page", cookie, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("page with a session: %d %s", rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
	}
	read()
	if got.ID.Email != "ops@cisco.com" || !reflect.DeepEqual(got.ID.Roles, []string{"licensing-ops"}) || got.CSRF == "" {
		t.Fatalf("page sees %+v", got)
	}

	// A bearer token of the same person with other roles records them; the page's actor is that row.
	if rec := h.do(http.MethodGet, "/api/v1/me", h.token("ops@cisco.com", "cisco-support"), nil); rec.Code != http.StatusOK {
		t.Fatalf("GET /me: %d %s", rec.Code, rec.Body)
	}
	read()
	if !reflect.DeepEqual(got.ID.Roles, []string{"cisco-support"}) {
		t.Fatalf("page's roles = %v, want the user row's", got.ID.Roles)
	}

	for name, form := range map[string]url.Values{"no token": {"x": {"1"}}, "wrong token": {web.CSRFField: {"x"}}} {
		if rec := h.page(http.MethodPost, "/test-page", cookie, form); rec.Code != http.StatusForbidden {
			t.Fatalf("form with %s: %d", name, rec.Code)
		}
	}
	if rec := h.page(http.MethodPost, "/test-page", cookie, url.Values{web.CSRFField: {got.CSRF}}); rec.Code != http.StatusOK {
		t.Fatalf("form with the session's token: %d %s", rec.Code, rec.Body)
	}

	rec = h.page(http.MethodPost, "/logout", cookie, url.Values{web.CSRFField: {got.CSRF}})
	if v, ok := sessionCookie(rec); rec.Code != http.StatusOK || !ok || v != "" {
		t.Fatalf("POST /logout: %d, cookie %q %v", rec.Code, v, ok)
	}
}
