package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

var alice = auth.Identity{Email: "alice@acme.com", Name: "Alice", CCOID: "alice01", Roles: []string{"licensing-ops"},
	Company: "acme.com"}

// devApp is an app without an identity provider, whose sessions the tests make directly.
func devApp(t *testing.T) *app {
	t.Helper()
	return listenApp(t).start(t, Config{DevLogin: true})
}

// record writes id's user row, as a sign-in does.
func record(t *testing.T, a *app, id auth.Identity) models.User {
	t.Helper()
	u, err := models.UpsertUser(t.Context(), a.db, models.User{Email: id.Email, Name: id.Name, CCOID: id.CCOID,
		Company: id.Company, PlatformRoles: id.Roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signedIn is a browser holding a session for id (recorded first) issued at the given time.
func signedIn(t *testing.T, a *app, id auth.Identity, issued time.Time) *browser {
	t.Helper()
	ck, err := a.signIn.Sessions().cookie(record(t, a, id), issued)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.setCookie(a.url, ck.Name, ck.Value)
	return b
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		publicURL, name string
		secure          bool
	}{
		{"http://localhost:8080", "clc_session", false},
		{"https://licensecentral.example.com", "__Host-clc_session", true},
	} {
		t.Run(tc.publicURL, func(t *testing.T) {
			s, err := New(t.Context(), Config{PublicURL: tc.publicURL, SessionKey: testKey, DevLogin: true,
				DB: testdb.NewSQLite(t), Log: discard})
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
			if err := s.Sessions().Set(c, models.User{ID: "u1", Email: alice.Email}); err != nil {
				t.Fatal(err)
			}
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v", cookies)
			}
			ck := cookies[0]
			if ck.Name != tc.name || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" ||
				ck.Secure != tc.secure || ck.MaxAge != int(DefaultSessionTTL.Seconds()) || ck.Domain != "" {
				t.Fatalf("cookie = %s", ck)
			}
			if strings.Contains(ck.Value, "alice") {
				t.Fatalf("the identity is readable in the cookie: %s", ck.Value)
			}
		})
	}
}

func TestSessionIdentifiesRequests(t *testing.T) {
	a := devApp(t)
	b := signedIn(t, a, alice, time.Now())
	id, redirect := b.whoami(a)
	if redirect != "" || !reflect.DeepEqual(id, alice) {
		t.Fatalf("whoami = %+v, redirect %q", id, redirect)
	}
	_, body := b.do(b.stay, http.MethodGet, a.url+"/maybe", nil, nil)
	if !strings.Contains(body, `"email":"alice@acme.com"`) {
		t.Fatalf("optional page with a session: %s", body)
	}
}

func TestNoSessionSendsBrowserToSignIn(t *testing.T) {
	a := devApp(t)
	b := newBrowser(t)
	resp, _ := b.do(b.stay, http.MethodGet, a.url+"/whoami?tab=orders&q=WO-1", nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303", resp.StatusCode)
	}
	want := "/dev/login?next=" + url.QueryEscape("/whoami?tab=orders&q=WO-1")
	if got := resp.Header.Get("Location"); got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
	_, body := b.do(b.stay, http.MethodGet, a.url+"/maybe", nil, nil)
	if body != `{"anonymous":true}` {
		t.Fatalf("optional page without a session: %s", body)
	}
}

func TestNoSessionAnswersDataRequestsWith401(t *testing.T) {
	a := devApp(t)
	b := newBrowser(t)
	for name, h := range map[string]http.Header{
		"json":         {"Accept": {"application/json"}},
		"any":          {"Accept": {"*/*"}},
		"htmx request": {"Accept": {"text/html"}, "Hx-Request": {"true"}},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := b.do(b.stay, http.MethodGet, a.url+"/whoami", nil, h)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401: %s", resp.StatusCode, body)
			}
			var e struct {
				Error struct{ Code, Message string }
			}
			err := json.Unmarshal([]byte(body), &e)
			if err != nil || e.Error.Code != "UNAUTHENTICATED" || e.Error.Message == "" {
				t.Fatalf("body = %s (%v)", body, err)
			}
		})
	}
}

func TestBadSessionCookiesAreNoSession(t *testing.T) {
	a := devApp(t)
	good, err := a.signIn.Sessions().cookie(record(t, a, alice), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Another deployment's key: a well-formed cookie this server did not sign.
	other := listenApp(t).start(t, Config{DevLogin: true, SessionKey: []byte(strings.Repeat("k", 40))})
	forged, err := other.signIn.Sessions().cookie(record(t, other, alice), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	flip := []byte(good.Value)
	flip[len(flip)/2] ^= 1
	for name, value := range map[string]string{
		"garbage":          "not-a-session",
		"signed elsewhere": forged.Value,
		"tampered":         string(flip),
		"truncated":        good.Value[:len(good.Value)-4],
		"plain JSON":       `{"uid":"x","email":"alice@acme.com","csrf":"x","exp":99999999999}`,
		"empty":            "",
	} {
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t)
			b.setCookie(a.url, a.signIn.Sessions().name, value)
			if id, redirect := b.whoami(a); !strings.HasPrefix(redirect, "/dev/login?next=") {
				t.Fatalf("whoami = %+v, redirect %q; want the sign-in page", id, redirect)
			}
		})
	}
}

func TestExpiredSessionIsNoSession(t *testing.T) {
	a := devApp(t)
	ttl := a.signIn.Sessions().ttl
	b := signedIn(t, a, alice, time.Now().Add(-ttl-time.Minute))
	if id, redirect := b.whoami(a); !strings.HasPrefix(redirect, "/dev/login?next=") {
		t.Fatalf("expired session: whoami = %+v, redirect %q", id, redirect)
	}
	if v := b.cookie(a.url, a.signIn.Sessions().name); v != "" {
		t.Fatalf("the refused cookie is still there: %q", v)
	}
	// The same session an hour before its end still works: the refusal above is the expiry's.
	b = signedIn(t, a, alice, time.Now().Add(-ttl+time.Hour))
	if _, redirect := b.whoami(a); redirect != "" {
		t.Fatalf("live session refused: redirect %q", redirect)
	}
}

func TestCrossOriginProtection(t *testing.T) {
	a := devApp(t)
	b := signedIn(t, a, alice, time.Now())
	token := b.csrf(a)
	for name, tc := range map[string]struct {
		header http.Header
		want   int
	}{
		"other site's origin":     {http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		"browser says cross-site": {http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		"browser says same-site":  {http.Header{"Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		"both say evil": {http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}},
			http.StatusForbidden},
		"same origin":                {sameOrigin(a.url), http.StatusOK},
		"same origin, old browser":   {http.Header{"Origin": {a.url}}, http.StatusOK},
		"typed in the address bar":   {http.Header{"Sec-Fetch-Site": {"none"}}, http.StatusOK},
		"not a browser (no headers)": {nil, http.StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"x": {"1"}, CSRFField: {token}}
			resp, body := b.do(b.stay, http.MethodPost, a.url+"/form", form, tc.header)
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(body, "another site") {
				t.Fatalf("refusal does not say why: %s", body)
			}
		})
	}
}

func TestCSRFTokenGuardsTheSessionsForms(t *testing.T) {
	a := devApp(t)
	b := signedIn(t, a, alice, time.Now())
	token := b.csrf(a)
	bob := signedIn(t, a, auth.Identity{Email: "bob@acme.com"}, time.Now())
	bobs := bob.csrf(a)
	if bobs == token {
		t.Fatal("two sessions share a CSRF token")
	}
	for name, tc := range map[string]struct {
		form   url.Values
		header http.Header
		want   int
	}{
		"no token":                {url.Values{"x": {"1"}}, nil, http.StatusForbidden},
		"empty token":             {url.Values{CSRFField: {""}}, nil, http.StatusForbidden},
		"wrong token":             {url.Values{CSRFField: {"guessed"}}, nil, http.StatusForbidden},
		"another session's token": {url.Values{CSRFField: {bobs}}, nil, http.StatusForbidden},
		"the session's token":     {url.Values{CSRFField: {token}}, nil, http.StatusOK},
		"the token in the header": {url.Values{"x": {"1"}}, http.Header{CSRFHeader: {token}}, http.StatusOK},
		"wrong header, good field": {url.Values{CSRFField: {token}}, http.Header{CSRFHeader: {"guessed"}},
			http.StatusForbidden},
	} {
		t.Run(name, func(t *testing.T) {
			h := sameOrigin(a.url)
			for k, v := range tc.header {
				h[k] = v
			}
			resp, body := b.do(b.stay, http.MethodPost, a.url+"/form", tc.form, h)
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(body, "not from your current session") {
				t.Fatalf("refusal does not say why: %s", body)
			}
		})
	}
	// A fresh sign-in gets a fresh token: a form rendered before it no longer posts.
	b2 := signedIn(t, a, alice, time.Now())
	if again := b2.csrf(a); again == token {
		t.Fatal("a new session kept the old CSRF token")
	}
	resp, _ := b2.do(b2.stay, http.MethodPost, a.url+"/form", url.Values{CSRFField: {token}}, sameOrigin(a.url))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the old session's token was accepted: %d", resp.StatusCode)
	}
}

func TestSessionRolesAreTheUserRows(t *testing.T) {
	a := devApp(t)
	b := signedIn(t, a, alice, time.Now())
	// The roles change in the row (a later sign-in or bearer token recorded others): the session says so.
	if err := a.db.Model(&models.User{}).Where("email = ?", alice.Email).
		Update("platform_roles", `["cisco-support"]`).Error; err != nil {
		t.Fatal(err)
	}
	id, redirect := b.whoami(a)
	if redirect != "" || !reflect.DeepEqual(id.Roles, []string{"cisco-support"}) {
		t.Fatalf("whoami = %+v (redirect %q); want the row's roles", id, redirect)
	}
	// The row is gone: the session is no session.
	if err := a.db.Where("email = ?", alice.Email).Delete(&models.User{}).Error; err != nil {
		t.Fatal(err)
	}
	if id, redirect := b.whoami(a); !strings.HasPrefix(redirect, "/dev/login?next=") {
		t.Fatalf("session of a removed user: whoami = %+v, redirect %q", id, redirect)
	}
}

func TestFormPostedAfterTheSessionEnded(t *testing.T) {
	a := devApp(t)
	b := newBrowser(t)
	resp, body := b.do(b.stay, http.MethodPost, a.url+"/form", url.Values{CSRFField: {"x"}}, sameOrigin(a.url))
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Sign in again") {
		t.Fatalf("form without a session: %d %s", resp.StatusCode, body)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "/",
		"/":                               "/",
		"/ops":                            "/ops",
		"/app/orders?status=OPEN&q=a%20b": "/app/orders?status=OPEN&q=a%20b",
		"https://evil.example/":           "/",
		"//evil.example/x":                "/",
		"/\\evil.example":                 "/",
		"/\t/evil.example":                "/",
		"/\n/evil.example":                "/",
		"ops":                             "/",
		"javascript:alert(1)":             "/",
		"http:/evil.example":              "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	db := testdb.NewSQLite(t)
	for name, cfg := range map[string]Config{
		"short key":        {PublicURL: "http://localhost", SessionKey: []byte("short"), DevLogin: true, DB: db},
		"no public URL":    {SessionKey: testKey, DevLogin: true, DB: db},
		"nowhere to login": {PublicURL: "http://localhost", SessionKey: testKey, DB: db},
		"no database":      {PublicURL: "http://localhost", SessionKey: testKey, DevLogin: true},
		"bad redirect URL": {PublicURL: "http://localhost", SessionKey: testKey, DB: db,
			OIDC: &OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "clc", RedirectURL: "http://localhost/other"}},
		"negative TTL": {PublicURL: "http://localhost", SessionKey: testKey, DevLogin: true, DB: db,
			SessionTTL: -time.Hour},
		"unreachable provider": {PublicURL: "http://localhost", SessionKey: testKey, DB: db,
			OIDC: &OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "clc"}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(t.Context(), cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}
