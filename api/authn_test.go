package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

func TestUnauthenticatedRequestsGet401(t *testing.T) {
	h := newHarness(t)
	expired := h.sign(auth.Signer{Secret: []byte(testSecret), TTL: -time.Hour}, auth.Identity{Email: "alice@acme.com"})
	otherKey := h.sign(auth.Signer{Secret: []byte("another-secret-at-least-32-bytes-long"), TTL: time.Hour},
		auth.Identity{Email: "alice@acme.com"})
	cases := []struct {
		name, header string
		invalid      bool // the token was there but is refused: error="invalid_token"
	}{
		{"no Authorization header", "", false},
		{"not a bearer scheme", "Basic YWxpY2U6c2VjcmV0", false},
		{"garbage token", "Bearer not.a.jwt", true},
		{"expired token", "Bearer " + expired, true},
		{"token signed with another secret", "Bearer " + otherKey, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, route := range []struct{ method, path string }{
				{http.MethodGet, "/api/v1/me"},
				{http.MethodGet, "/api/v1/smart-accounts?name=acme"},
				{http.MethodPost, "/api/v1/smart-accounts"},
			} {
				var body any
				if route.method == http.MethodPost {
					body = createBody("Acme", "acme.com")
				}
				rec := h.do(route.method, route.path, "", body, "Authorization", tc.header)
				e := errorOf(t, rec, http.StatusUnauthorized)
				if e.Code != models.CodeUnauthenticated {
					t.Errorf("%s %s: code %q, want %s", route.method, route.path, e.Code, models.CodeUnauthenticated)
				}
				www := rec.Header().Get("WWW-Authenticate")
				if !strings.HasPrefix(www, "Bearer") {
					t.Errorf("%s %s: WWW-Authenticate %q, want a Bearer challenge", route.method, route.path, www)
				}
				if tc.invalid != strings.Contains(www, `error="invalid_token"`) {
					t.Errorf("%s %s: WWW-Authenticate %q, invalid_token expected: %v", route.method, route.path, www, tc.invalid)
				}
			}
		})
	}
	if n := len(h.fake.startCalls()); n != 0 {
		t.Errorf("StartSACreate called %d times by unauthenticated requests", n)
	}
	if users := h.count(&models.User{}); users != 0 {
		t.Errorf("%d user rows after unauthenticated requests, want none", users)
	}
}

func TestFirstAuthenticatedCallRecordsTheUser(t *testing.T) {
	h := newHarness(t)
	if h.count(&models.User{}, "email = ?", "alice@acme.com") != 0 {
		t.Fatalf("alice exists before signing in")
	}
	tok := h.sign(auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}, auth.Identity{Email: "Alice@ACME.com",
		Name: "Alice Smith", CCOID: "asmith", Roles: []string{"cisco-approver"}, Company: "partner.example"})

	me := jsonOf(t, h.do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusOK)
	if me["email"] != "alice@acme.com" {
		t.Errorf("email %v, want the lowercased alice@acme.com", me["email"])
	}
	if me["name"] != "Alice Smith" || me["ccoId"] != "asmith" || me["company"] != "partner.example" {
		t.Errorf("me = %v, want the identity's name, ccoId and company", me)
	}
	if roles := strs(t, me["platformRoles"], "platformRoles"); !slices.Equal(roles, []string{"cisco-approver"}) {
		t.Errorf("platformRoles %v, want [cisco-approver]", roles)
	}
	var u models.User
	if err := h.db.Where("email = ?", "alice@acme.com").Take(&u).Error; err != nil {
		t.Fatalf("user row after the first call: %v", err)
	}
	if u.Name != "Alice Smith" || !slices.Equal(u.PlatformRoles, []string{"cisco-approver"}) {
		t.Errorf("user row %+v", u)
	}

	// The identity's roles change at the provider: the next call shows the new ones, in one row.
	tok2 := h.sign(auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}, auth.Identity{Email: "alice@acme.com",
		Name: "Alice Smith", CCOID: "asmith", Roles: []string{"licensing-ops"}, Company: "partner.example"})
	me = jsonOf(t, h.do(http.MethodGet, "/api/v1/me", tok2, nil), http.StatusOK)
	if roles := strs(t, me["platformRoles"], "platformRoles"); !slices.Equal(roles, []string{"licensing-ops"}) {
		t.Errorf("platformRoles after the roles changed: %v, want [licensing-ops]", roles)
	}
	if n := h.count(&models.User{}); n != 1 {
		t.Errorf("%d user rows, want 1", n)
	}
}

func TestAnyAuthenticatedRouteRecordsTheUser(t *testing.T) {
	h := newHarness(t)
	rec := h.do(http.MethodGet, "/api/v1/smart-accounts?name=nothing", h.token("Erin@Acme.COM"), nil)
	jsonOf(t, rec, http.StatusOK)
	var u models.User
	if err := h.db.Where("email = ?", "erin@acme.com").Take(&u).Error; err != nil {
		t.Fatalf("user row after a search: %v", err)
	}
}
