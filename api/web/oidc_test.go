package web

// Production sign-in against a real OpenID provider: zitadel's op package with its example storage
// and login page, started in the test.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

const (
	clientID     = "clc-web"
	clientSecret = "clc-web-secret"
	password     = "correct horse"
)

// idpUsers are the provider's accounts: Alice, whose email the provider verified, and Mallory, whose
// email it did not.
type idpUsers map[string]*storage.User

func (u idpUsers) GetUserByID(id string) *storage.User { return u[id] }

func (u idpUsers) GetUserByUsername(name string) *storage.User {
	for _, user := range u {
		if user.Username == name {
			return user
		}
	}
	return nil
}

func (idpUsers) ExampleClientID() string { return storage.ServiceUserID }

// idpStorage adds the claims License Central reads beyond the standard ones (roles, company) to the
// example storage's, and can make the provider put the profile claims into the ID token itself
// rather than only behind the UserInfo endpoint.
type idpStorage struct {
	*storage.Storage
	extra           map[string]map[string]any // by subject
	claimsInIDToken bool
}

func (s *idpStorage) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo,
	tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.addClaims(info)
	return nil
}

func (s *idpStorage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo,
	req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	s.addClaims(info)
	return nil
}

func (s *idpStorage) addClaims(info *zoidc.UserInfo) {
	for k, v := range s.extra[info.Subject] {
		info.AppendClaims(k, v)
	}
}

func (s *idpStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || !s.claimsInIDToken {
		return c, err
	}
	return claimsInIDToken{c}, nil
}

type claimsInIDToken struct{ op.Client }

func (claimsInIDToken) IDTokenUserinfoClaimsAssertion() bool { return true }

// startIdP starts the provider with License Central registered as a web client returning to
// callback.
func startIdP(t *testing.T, callback string, claimsInToken bool) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	issuer := "http://" + srv.Listener.Addr().String()
	users := idpUsers{
		"u-alice": {ID: "u-alice", Username: "alice", Password: password, FirstName: "Alice", LastName: "Admin",
			Email: "Alice@Acme.com", EmailVerified: true},
		"u-mallory": {ID: "u-mallory", Username: "mallory", Password: password, FirstName: "Mallory",
			LastName: "Unverified", Email: "mallory@acme.com", EmailVerified: false},
	}
	st := &idpStorage{
		Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{
			clientID: storage.WebClient(clientID, clientSecret, callback),
		}),
		extra: map[string]map[string]any{
			"u-alice": {"roles": []string{"licensing-ops", "cisco-support"}, "company": "acme.com"},
		},
		claimsInIDToken: claimsInToken,
	}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	srv.Start()
	return issuer
}

// oidcApp is the app signing in with a provider started for it.
func oidcApp(t *testing.T, claimsInToken bool) *app {
	t.Helper()
	a := listenApp(t)
	issuer := startIdP(t, a.url+"/login/callback", claimsInToken)
	return a.start(t, Config{OIDC: &OIDCConfig{Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret}})
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	hiddenID   = regexp.MustCompile(`<input type="hidden" name="id" value="([^"]*)"`)
)

// signInAtProvider follows a page's sign-in redirect to the provider's login page, posts its form
// as the person would, and returns where the browser ends up.
func signInAtProvider(t *testing.T, b *browser, a *app, page, username string) (*http.Response, string) {
	t.Helper()
	_, redirect := b.whoami(a)
	if !strings.HasPrefix(redirect, "/login?next=") {
		t.Fatalf("no sign-in redirect from %s: %q", page, redirect)
	}
	return loginAtProvider(t, b, a.url+page, username)
}

// loginAtProvider follows start to the provider's login page and posts its form.
func loginAtProvider(t *testing.T, b *browser, start, username string) (*http.Response, string) {
	t.Helper()
	resp, body := b.do(b.follow, http.MethodGet, start, nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.String(), "/login/username") {
		t.Fatalf("provider's login page: %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	action, id := formAction.FindStringSubmatch(body), hiddenID.FindStringSubmatch(body)
	if action == nil || id == nil {
		t.Fatalf("no login form on the provider's page: %s", body)
	}
	target, err := resp.Request.URL.Parse(action[1])
	if err != nil {
		t.Fatal(err)
	}
	return b.do(b.follow, http.MethodPost, target.String(),
		url.Values{"id": {id[1]}, "username": {username}, "password": {password}}, nil)
}

func TestOIDCSignInAndOut(t *testing.T) {
	for name, claimsInToken := range map[string]bool{"claims from userinfo": false, "claims in the id token": true} {
		t.Run(name, func(t *testing.T) {
			a := oidcApp(t, claimsInToken)
			b := newBrowser(t)

			// A page asks for a session: the browser goes to the provider and back to the page.
			_, redirect := b.whoami(a)
			if want := "/login?next=%2Fwhoami"; redirect != want {
				t.Fatalf("redirect = %q, want %q", redirect, want)
			}
			resp, body := signInAtProvider(t, b, a, "/whoami?tab=orders", "alice")
			if resp.StatusCode != http.StatusOK || resp.Request.URL.RequestURI() != "/whoami?tab=orders" {
				t.Fatalf("after sign-in: %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
			}
			want := auth.Identity{Email: "alice@acme.com", Name: "Alice Admin",
				Roles: []string{"licensing-ops", "cisco-support"}, Company: "acme.com"}
			id, redirect := b.whoami(a)
			if redirect != "" || !reflect.DeepEqual(id, want) {
				t.Fatalf("signed in as %+v (redirect %q), want %+v", id, redirect, want)
			}
			if b.cookie(a.url, "clc_session") == "" || b.cookie(a.url, "clc_signin") != "" {
				t.Fatalf("cookies: session %q, flow %q", b.cookie(a.url, "clc_session"), b.cookie(a.url, "clc_signin"))
			}
			u := user(t, a.db, "alice@acme.com")
			if u == nil || u.Name != "Alice Admin" || u.Company != "acme.com" ||
				!reflect.DeepEqual(u.PlatformRoles, want.Roles) {
				t.Fatalf("user row = %+v", u)
			}

			// Another site cannot sign her out, nor can a form without her session's token.
			token := b.csrf(a)
			for name, tc := range map[string]struct {
				form   url.Values
				header http.Header
			}{
				"cross-site":  {url.Values{CSRFField: {token}}, http.Header{"Origin": {"https://evil.example"}}},
				"no token":    {nil, sameOrigin(a.url)},
				"wrong token": {url.Values{CSRFField: {"guessed"}}, sameOrigin(a.url)},
			} {
				resp, _ = b.do(b.stay, http.MethodPost, a.url+"/logout", tc.form, tc.header)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("%s sign-out: %d", name, resp.StatusCode)
				}
				if _, redirect := b.whoami(a); redirect != "" {
					t.Fatalf("the %s sign-out signed her out", name)
				}
			}

			// A copy of her cookie that was tampered with, or one of hers that expired, is no session.
			good := b.cookie(a.url, "clc_session")
			flip := []byte(good)
			flip[len(flip)/2] ^= 1
			expired, err := a.signIn.Sessions().cookie(*u, time.Now().Add(-a.signIn.Sessions().ttl-time.Second))
			if err != nil {
				t.Fatal(err)
			}
			for name, v := range map[string]string{"tampered": string(flip), "expired": expired.Value} {
				thief := newBrowser(t)
				thief.setCookie(a.url, "clc_session", v)
				if _, redirect := thief.whoami(a); redirect != "/login?next=%2Fwhoami" {
					t.Fatalf("%s cookie: redirect %q", name, redirect)
				}
			}

			resp, body = b.do(b.stay, http.MethodPost, a.url+"/logout", url.Values{CSRFField: {token}}, sameOrigin(a.url))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "signed out") {
				t.Fatalf("sign-out: %d %s", resp.StatusCode, body)
			}
			if b.cookie(a.url, "clc_session") != "" {
				t.Fatal("the session cookie is still there after sign-out")
			}
			if _, redirect := b.whoami(a); redirect != "/login?next=%2Fwhoami" {
				t.Fatalf("after sign-out: redirect %q", redirect)
			}
		})
	}
}

func TestOIDCNextStaysOnSite(t *testing.T) {
	a := oidcApp(t, false)
	b := newBrowser(t)
	resp, _ := b.do(b.stay, http.MethodGet, a.url+"/login?next="+url.QueryEscape("//evil.example/x"), nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, body := signInAtProvider(t, b, a, "/login?next="+url.QueryEscape("https://evil.example/x"), "alice")
	if resp.Request.URL.Host != strings.TrimPrefix(a.url, "http://") || resp.Request.URL.Path != "/" {
		t.Fatalf("after sign-in the browser is at %s (%d %s)", resp.Request.URL, resp.StatusCode, body)
	}
}

func TestOIDCCallbackWithWrongStateIsRefused(t *testing.T) {
	a := oidcApp(t, false)
	b := newBrowser(t)
	resp, _ := b.do(b.stay, http.MethodGet, a.url+"/login?next=%2Fwhoami", nil, nil)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("state") == "" ||
		loc.Query().Get("nonce") == "" || loc.Query().Get("code_challenge_method") != "S256" {
		t.Fatalf("login redirect: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for name, q := range map[string]string{
		"wrong state": "code=stolen&state=forged",
		"no state":    "code=stolen",
	} {
		resp, body := b.do(b.stay, http.MethodGet, a.url+"/login/callback?"+q, nil, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "sign in again") {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
	// A callback in a browser that never started a sign-in is refused the same way.
	fresh := newBrowser(t)
	stolen := a.url + "/login/callback?code=stolen&state=" + loc.Query().Get("state")
	resp, _ = fresh.do(fresh.stay, http.MethodGet, stolen, nil, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback without a flow: %d", resp.StatusCode)
	}
	if _, redirect := b.whoami(a); redirect == "" {
		t.Fatal("a refused callback left a session")
	}
}

// TestOIDCCallbackChecksNonceAndPKCE swaps the flow cookie, after the browser left for the provider,
// for one with the same state but another nonce or PKCE verifier: the provider's answer then belongs
// to a different sign-in and must not start a session.
func TestOIDCCallbackChecksNonceAndPKCE(t *testing.T) {
	for name, change := range map[string]func(f *flow){
		"other nonce":    func(f *flow) { f.Nonce = "replayed" },
		"other verifier": func(f *flow) { f.Verifier = oauth2.GenerateVerifier() },
		"flow expired":   func(f *flow) { f.ExpiresAt = time.Now().Add(-time.Second).Unix() },
	} {
		t.Run(name, func(t *testing.T) {
			a := oidcApp(t, false)
			o := a.signIn.oidc
			b := newBrowser(t)
			resp, _ := b.do(b.stay, http.MethodGet, a.url+"/login?next=%2Fwhoami", nil, nil)
			var f flow
			if err := o.flows.Decode(o.flowName, b.cookie(a.url, o.flowName), &f); err != nil {
				t.Fatalf("flow cookie: %v", err)
			}
			change(&f)
			v, err := o.flows.Encode(o.flowName, f)
			if err != nil {
				t.Fatal(err)
			}
			b.setCookie(a.url, o.flowName, v)
			resp, body := loginAtProvider(t, b, resp.Header.Get("Location"), "alice")
			if resp.StatusCode < 400 || !strings.Contains(strings.ToLower(body), "sign in again") {
				t.Fatalf("callback: %d %s", resp.StatusCode, body)
			}
			noSignIn(t, a, b, "alice@acme.com", "the callback")
		})
	}
}

func TestOIDCUnverifiedEmailIsRefused(t *testing.T) {
	a := oidcApp(t, false)
	b := newBrowser(t)
	resp, body := signInAtProvider(t, b, a, "/whoami", "mallory")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not verified your email") {
		t.Fatalf("unverified sign-in: %d %s", resp.StatusCode, body)
	}
	noSignIn(t, a, b, "mallory@acme.com", "an unverified email")
}

// user is the recorded user with that email, nil when there is none.
// noSignIn fails the test when a refused sign-in (what) left the browser a session or recorded the user.
func noSignIn(t *testing.T, a *app, b *browser, email, what string) {
	t.Helper()
	if _, redirect := b.whoami(a); redirect == "" {
		t.Fatalf("%s started a session", what)
	}
	if u := user(t, a.db, email); u != nil {
		t.Fatalf("%s recorded the user: %+v", what, u)
	}
}

func user(t *testing.T, db *gorm.DB, email string) *models.User {
	t.Helper()
	var u models.User
	err := db.Where("email = ?", email).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return &u
}
