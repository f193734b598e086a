package web

// The tests run the package's routes on a real Gin router and HTTP server over a SQLite database, and
// drive them with an http.Client that keeps cookies as a browser does.

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/testdb"
)

var (
	testKey = []byte("test-session-key-0123456789abcdef0123456789")
	discard = slog.New(slog.NewTextHandler(io.Discard, nil))
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	// The example provider logs every request to the default logger.
	slog.SetDefault(discard)
	os.Exit(m.Run())
}

// app is the server under test: the sign-in routes plus test pages behind the middleware.
type app struct {
	srv    *httptest.Server
	url    string
	signIn *SignIn
	db     *gorm.DB
}

// listenApp reserves the app's address first: the identity provider must know the callback URL
// before the app can run its discovery.
func listenApp(t *testing.T) *app {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	return &app{srv: srv, url: "http://" + srv.Listener.Addr().String()}
}

// start builds the SignIn from cfg (PublicURL, SessionKey, DB and Log default to the test's) and
// serves it with these test routes:
//
//	GET  /whoami  (Require)  the identity as JSON
//	GET  /maybe   (Optional) the identity, or {"anonymous":true}
//	GET  /token   (Require)  the session's CSRF token, as a page puts it in its forms
//	POST /form    (Require)  "done"
func (a *app) start(t *testing.T, cfg Config) *app {
	t.Helper()
	if cfg.PublicURL == "" {
		cfg.PublicURL = a.url
	}
	if cfg.SessionKey == nil {
		cfg.SessionKey = testKey
	}
	if cfg.DB == nil {
		cfg.DB = testdb.NewSQLite(t)
	}
	cfg.Log = discard
	s, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	a.signIn, a.db = s, cfg.DB
	r := gin.New()
	s.Routes(r)
	r.GET("/whoami", s.Sessions().Require, func(c *gin.Context) {
		id, _ := Identity(c)
		c.JSON(http.StatusOK, id)
	})
	r.GET("/maybe", s.Sessions().Optional, func(c *gin.Context) {
		if id, ok := Identity(c); ok {
			c.JSON(http.StatusOK, id)
			return
		}
		if _, ok := AccountOf(c); ok {
			c.JSON(http.StatusInternalServerError, gin.H{"error": "an account without an identity"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"anonymous": true})
	})
	r.GET("/token", s.Sessions().Require, func(c *gin.Context) {
		if acc, ok := AccountOf(c); !ok || acc.CSRF != CSRFToken(c) || acc.LogoutPath != LogoutPath {
			c.JSON(http.StatusInternalServerError, acc)
			return
		}
		c.String(http.StatusOK, CSRFToken(c))
	})
	r.POST("/form", s.Sessions().Require, func(c *gin.Context) {
		c.String(http.StatusOK, "done")
	})
	a.srv.Config.Handler = r
	a.srv.Start()
	return a
}

// browser keeps cookies and asks for pages, as a person's browser does.
type browser struct {
	t      *testing.T
	jar    *cookiejar.Jar
	follow *http.Client // follows redirects
	stay   *http.Client // answers the redirect itself
}

// pageAccept makes every request ask for HTML first, as a browser's navigations do.
type pageAccept struct{}

func (pageAccept) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Accept") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, jar: jar,
		follow: &http.Client{Jar: jar, Transport: pageAccept{}},
		stay: &http.Client{Jar: jar, Transport: pageAccept{}, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// do sends a request and reads the whole answer.
func (b *browser) do(c *http.Client, method, u string, form url.Values, header http.Header) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(raw)
}

// sameOrigin is what a browser sends with a form posted from a page of the app.
func sameOrigin(appURL string) http.Header {
	return http.Header{"Origin": {appURL}, "Sec-Fetch-Site": {"same-origin"}}
}

// cookie is the jar's cookie of that name for u, "" when there is none.
func (b *browser) cookie(u, name string) string {
	pu, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.jar.Cookies(pu) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setCookie(u, name, value string) {
	pu, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	b.jar.SetCookies(pu, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// whoami is what the protected test page says about the browser's session: the identity, or the
// sign-in redirect it got instead.
func (b *browser) whoami(a *app) (id auth.Identity, redirect string) {
	b.t.Helper()
	resp, body := b.do(b.stay, http.MethodGet, a.url+"/whoami", nil, nil)
	switch resp.StatusCode {
	case http.StatusOK:
		if err := json.Unmarshal([]byte(body), &id); err != nil {
			b.t.Fatalf("whoami: %v: %s", err, body)
		}
		return id, ""
	case http.StatusSeeOther:
		return auth.Identity{}, resp.Header.Get("Location")
	default:
		b.t.Fatalf("whoami: %d %s", resp.StatusCode, body)
		return auth.Identity{}, ""
	}
}

// csrf is the CSRF token of the browser's session, read from a page as a form would carry it.
func (b *browser) csrf(a *app) string {
	b.t.Helper()
	resp, body := b.do(b.stay, http.MethodGet, a.url+"/token", nil, nil)
	if resp.StatusCode != http.StatusOK || body == "" {
		b.t.Fatalf("GET /token: %d %q", resp.StatusCode, body)
	}
	return body
}
