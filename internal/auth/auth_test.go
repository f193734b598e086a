package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testSecret   = "test-secret-0123456789abcdef0123456789"
	testIssuer   = "https://clc.test"
	testAudience = "clc-api"
)

func newHSVerifier(t *testing.T) Verifier {
	t.Helper()
	v, err := NewVerifier(context.Background(), Config{
		HS256Secret: testSecret,
		Issuer:      testIssuer,
		Audience:    testAudience,
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// validClaims returns claims the HS256 test verifier accepts, for tests that
// break exactly one thing.
func validClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":   testIssuer,
		"aud":   testAudience,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"email": "alice@example.com",
	}
}

// hsWith is a token case: validClaims changed by edit, signed with the test secret.
func hsWith(edit func(c jwt.MapClaims)) func(t *testing.T) string {
	return func(t *testing.T) string {
		c := validClaims()
		edit(c)
		return signHS(t, testSecret, c)
	}
}

// signWith is a token case: claims signed by method with key (the algorithms a verifier refuses).
func signWith(method jwt.SigningMethod, claims jwt.MapClaims, key any) func(t *testing.T) string {
	return func(t *testing.T) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

func signHS(t *testing.T, secret string, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return tok
}

func wantInvalid(t *testing.T, v Verifier, tok string) {
	t.Helper()
	id, err := v.Verify(context.Background(), tok)
	if !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify: got (%+v, %v), want ErrInvalidToken", id, err)
	}
	t.Logf("rejected: %v", err)
}

func TestHS256RoundTrip(t *testing.T) {
	v := newHSVerifier(t)
	s := Signer{Secret: []byte(testSecret), Issuer: testIssuer, Audience: testAudience, TTL: time.Minute}
	in := Identity{
		Email:   "  Alice.Smith@Example.COM ",
		Name:    "Alice Smith",
		CCOID:   "asmith",
		Roles:   []string{"cisco-approver", "licensing-ops"},
		Company: "partner.example",
	}
	tok, err := s.Sign(in)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	got, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := in
	want.Email = "alice.smith@example.com"
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("identity mismatch:\n got %+v\nwant %+v", got, want)
	}
	if !got.HasRole("licensing-ops") || got.HasRole("ofm") {
		t.Fatalf("HasRole wrong for %v", got.Roles)
	}
}

func TestHS256RolesClaimForms(t *testing.T) {
	cases := []struct {
		name  string
		roles any
		want  []string
	}{
		{"array", []string{"commerce", "ofm"}, []string{"commerce", "ofm"}},
		{"space separated", "commerce ofm", []string{"commerce", "ofm"}},
		{"comma separated", "commerce, ofm,,cisco-support", []string{"commerce", "ofm", "cisco-support"}},
		{"absent", nil, []string{}},
	}
	v := newHSVerifier(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validClaims()
			if tc.roles != nil {
				c["roles"] = tc.roles
			}
			id, err := v.Verify(context.Background(), signHS(t, testSecret, c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !reflect.DeepEqual(id.Roles, tc.want) {
				t.Fatalf("roles = %#v, want %#v", id.Roles, tc.want)
			}
		})
	}
}

func TestCustomRolesClaim(t *testing.T) {
	v, err := NewVerifier(context.Background(), Config{HS256Secret: testSecret, RolesClaim: "groups"})
	if err != nil {
		t.Fatal(err)
	}
	c := validClaims()
	c["groups"] = []any{"cisco-support"}
	c["roles"] = []any{"ignored"}
	id, err := v.Verify(context.Background(), signHS(t, testSecret, c))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(id.Roles, []string{"cisco-support"}) {
		t.Fatalf("roles = %v", id.Roles)
	}
}

func TestHS256Rejects(t *testing.T) {
	rsaKey := genRSA(t)
	cases := []struct {
		name string
		tok  func(t *testing.T) string
	}{
		{"expired", func(t *testing.T) string {
			tok, err := Signer{Secret: []byte(testSecret), Issuer: testIssuer, Audience: testAudience, TTL: -time.Hour}.
				Sign(Identity{Email: "alice@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}},
		{"expired beyond leeway", hsWith(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })},
		{"missing exp", hsWith(func(c jwt.MapClaims) { delete(c, "exp") })},
		{"not yet valid", hsWith(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Minute).Unix() })},
		{"issued in the future", hsWith(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Minute).Unix() })},
		{"wrong secret", func(t *testing.T) string {
			return signHS(t, "another-secret", validClaims())
		}},
		{"wrong audience", hsWith(func(c jwt.MapClaims) { c["aud"] = "someone-else" })},
		{"missing audience", hsWith(func(c jwt.MapClaims) { delete(c, "aud") })},
		{"wrong issuer", hsWith(func(c jwt.MapClaims) { c["iss"] = "https://evil.test" })},
		{"alg none", signWith(jwt.SigningMethodNone, validClaims(), jwt.UnsafeAllowNoneSignatureType)},
		{"HS512", signWith(jwt.SigningMethodHS512, validClaims(), []byte(testSecret))},
		{"RS256", signWith(jwt.SigningMethodRS256, validClaims(), rsaKey)},
		{"missing email", hsWith(func(c jwt.MapClaims) { delete(c, "email") })},
		{"email without at", hsWith(func(c jwt.MapClaims) { c["email"] = "alice" })},
		{"email with display name", hsWith(func(c jwt.MapClaims) { c["email"] = "Eve <eve@example.com>" })},
		{"email not a string", hsWith(func(c jwt.MapClaims) { c["email"] = 42 })},
		{"preferred_username not accepted for HS256", hsWith(func(c jwt.MapClaims) {
			delete(c, "email")
			c["preferred_username"] = "alice@example.com"
		})},
		{"roles wrong type", hsWith(func(c jwt.MapClaims) { c["roles"] = map[string]any{"admin": true} })},
		{"garbage", func(t *testing.T) string { return "not.a.jwt" }},
		{"empty", func(t *testing.T) string { return "" }},
	}
	v := newHSVerifier(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, v, tc.tok(t))
		})
	}
}

func TestHS256LeewayAllowsSmallSkew(t *testing.T) {
	v := newHSVerifier(t)
	c := validClaims()
	c["exp"] = time.Now().Add(-10 * time.Second).Unix()
	c["nbf"] = time.Now().Add(10 * time.Second).Unix()
	c["iat"] = time.Now().Add(10 * time.Second).Unix()
	if _, err := v.Verify(context.Background(), signHS(t, testSecret, c)); err != nil {
		t.Fatalf("token within default 30s leeway rejected: %v", err)
	}
}

func TestHS256NoAudienceOrIssuerConfigured(t *testing.T) {
	v, err := NewVerifier(context.Background(), Config{HS256Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Signer{Secret: []byte(testSecret)}.Sign(Identity{Email: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if id.Email != "bob@example.com" || id.Roles == nil {
		t.Fatalf("got %+v", id)
	}
}

func TestSignerRefuses(t *testing.T) {
	if _, err := (Signer{}).Sign(Identity{Email: "a@example.com"}); err == nil {
		t.Error("Sign without secret succeeded")
	}
	if _, err := (Signer{Secret: []byte(testSecret)}).Sign(Identity{Email: "nobody"}); err == nil {
		t.Error("Sign with invalid email succeeded")
	}
}

func TestNewVerifierConfigErrors(t *testing.T) {
	if v, err := NewVerifier(context.Background(), Config{}); err == nil || v != nil {
		t.Errorf("empty config: got (%v, %v), want error", v, err)
	}
	if _, err := NewVerifier(context.Background(), Config{HS256Secret: testSecret, Leeway: -time.Second}); err == nil {
		t.Error("negative leeway accepted")
	}
	if _, err := NewVerifier(context.Background(), Config{HS256Secret: testSecret, MaxLifetime: -time.Hour}); err == nil {
		t.Error("negative maximum lifetime accepted")
	}
}

func TestNewVerifierOIDCDiscoveryFails(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	v, err := NewVerifier(context.Background(), Config{OIDCIssuer: srv.URL, Audience: testAudience})
	if err == nil || v != nil || !strings.Contains(err.Error(), "discovery") {
		t.Fatalf("got (%v, %v), want discovery error", v, err)
	}
}

func TestFromBearer(t *testing.T) {
	cases := []struct {
		header string
		tok    string
		ok     bool
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", true},
		{"bearer abc", "abc", true},
		{"BEARER abc", "abc", true},
		{"  Bearer   abc  ", "abc", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer a b", "", false},
		{"Bearerabc", "", false},
		{"abc", "", false},
	}
	for _, tc := range cases {
		tok, ok := FromBearer(tc.header)
		if tok != tc.tok || ok != tc.ok {
			t.Errorf("FromBearer(%q) = (%q, %v), want (%q, %v)", tc.header, tok, ok, tc.tok, tc.ok)
		}
	}
}

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("identity found in empty context")
	}
	id := Identity{Email: "a@example.com", Roles: []string{"ofm"}}
	got, ok := FromContext(WithIdentity(context.Background(), id))
	if !ok || !reflect.DeepEqual(got, id) {
		t.Fatalf("FromContext = (%+v, %v)", got, ok)
	}
}

func TestIdentityJSONRolesNeverNull(t *testing.T) {
	v := newHSVerifier(t)
	id, err := v.Verify(context.Background(), signHS(t, testSecret, validClaims()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"email":"alice@example.com","name":"","ccoId":"","roles":[],"company":""}`
	if string(b) != want {
		t.Fatalf("json = %s, want %s", b, want)
	}
}

// --- OIDC ---

func genRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type fakeIdP struct {
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string
}

// newFakeIdP serves a discovery document and a JWKS holding one RSA key, the
// minimum go-oidc needs.
func newFakeIdP(t *testing.T) *fakeIdP {
	t.Helper()
	idp := &fakeIdP{key: genRSA(t), kid: "key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                idp.srv.URL,
			"jwks_uri":                              idp.srv.URL + "/jwks",
			"authorization_endpoint":                idp.srv.URL + "/authorize",
			"token_endpoint":                        idp.srv.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		pub := idp.key.PublicKey
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"keys": []map[string]string{{
				"kty": "RSA",
				"use": "sig",
				"alg": "RS256",
				"kid": idp.kid,
				"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
				"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			}},
		})
	})
	idp.srv = httptest.NewServer(mux)
	t.Cleanup(idp.srv.Close)
	return idp
}

func (idp *fakeIdP) claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":            idp.srv.URL,
		"aud":            testAudience,
		"sub":            "user-123",
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"email":          "Carol@Partner.Example",
		"email_verified": true,
		"name":           "Carol",
		"cco_id":         "carol01",
		"company":        "partner.example",
		"roles":          []string{"commerce"},
	}
}

// with is a token case: the IdP's claims changed by edit, signed with its key.
func (idp *fakeIdP) with(edit func(c jwt.MapClaims)) func(t *testing.T) string {
	return func(t *testing.T) string {
		c := idp.claims()
		edit(c)
		return signRS(t, idp.key, idp.kid, c)
	}
}

func signRS(t *testing.T, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newOIDC(t *testing.T, idp *fakeIdP, audience string) Verifier {
	t.Helper()
	v, err := NewVerifier(context.Background(), Config{OIDCIssuer: idp.srv.URL, Audience: audience})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func TestOIDCValidToken(t *testing.T) {
	idp := newFakeIdP(t)
	v := newOIDC(t, idp, testAudience)
	id, err := v.Verify(context.Background(), signRS(t, idp.key, idp.kid, idp.claims()))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := Identity{
		Email:   "carol@partner.example",
		Name:    "Carol",
		CCOID:   "carol01",
		Roles:   []string{"commerce"},
		Company: "partner.example",
	}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("got %+v, want %+v", id, want)
	}
}

// TestOIDCPreferredUsernameNotAnEmail: email_verified vouches for the email claim only, so a token
// without one must not be keyed on preferred_username, which users may often choose themselves.
func TestOIDCPreferredUsernameNotAnEmail(t *testing.T) {
	idp := newFakeIdP(t)
	v := newOIDC(t, idp, testAudience)
	c := idp.claims()
	delete(c, "email")
	c["preferred_username"] = "Dave@Example.com"
	wantInvalid(t, v, signRS(t, idp.key, idp.kid, c))
}

// TestOIDCAudienceRequired: without an audience any token the provider signed for any of its clients
// would be accepted, so an OIDC config without one must not start, whatever else it says.
func TestOIDCAudienceRequired(t *testing.T) {
	idp := newFakeIdP(t)
	for name, aud := range map[string]string{"empty": "", "blank": "  "} {
		t.Run(name, func(t *testing.T) {
			v, err := NewVerifier(context.Background(), Config{OIDCIssuer: idp.srv.URL, Audience: aud})
			if err == nil || v != nil {
				t.Fatalf("got (%v, %v), want a configuration error", v, err)
			}
			if !strings.Contains(err.Error(), "CLC_AUTH_AUDIENCE") {
				t.Fatalf("error %q does not name CLC_AUTH_AUDIENCE", err)
			}
		})
	}
}

func TestOIDCRejects(t *testing.T) {
	idp := newFakeIdP(t)
	otherKey := genRSA(t)
	v := newOIDC(t, idp, testAudience)
	cases := []struct {
		name string
		tok  func(t *testing.T) string
	}{
		{"signed by another key, same kid", func(t *testing.T) string {
			return signRS(t, otherKey, idp.kid, idp.claims())
		}},
		{"signed by another key, unknown kid", func(t *testing.T) string {
			return signRS(t, otherKey, "key-2", idp.claims())
		}},
		{"wrong issuer", idp.with(func(c jwt.MapClaims) { c["iss"] = "https://evil.test" })},
		{"wrong audience", idp.with(func(c jwt.MapClaims) { c["aud"] = "someone-else" })},
		{"expired", idp.with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })},
		{"missing exp", idp.with(func(c jwt.MapClaims) { delete(c, "exp") })},
		{"not yet valid", idp.with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Minute).Unix() })},
		{"missing email", idp.with(func(c jwt.MapClaims) { delete(c, "email") })},
		{"HS256 with secret", func(t *testing.T) string {
			return signHS(t, testSecret, idp.claims())
		}},
		{"alg none", signWith(jwt.SigningMethodNone, idp.claims(), jwt.UnsafeAllowNoneSignatureType)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantInvalid(t, v, tc.tok(t))
		})
	}
}

func TestOIDCIssuerMismatchAtDiscovery(t *testing.T) {
	idp := newFakeIdP(t)
	_, err := NewVerifier(context.Background(), Config{OIDCIssuer: idp.srv.URL + "/other", Audience: testAudience})
	if err == nil {
		t.Fatal("discovery with mismatched issuer succeeded")
	}
}

// TestOIDCIdentityHardening changes the valid claims of a token from a real (in-test) issuer in one way
// per case. The refusals are what a review of the running stack found accepted.
func TestOIDCIdentityHardening(t *testing.T) {
	idp := newFakeIdP(t)
	v := newOIDC(t, idp, testAudience)
	cases := []struct {
		name   string
		change func(c jwt.MapClaims)
		ok     bool
	}{
		{"verified email", func(jwt.MapClaims) {}, true},
		// Some providers send the claim as a string; the browser sign-in accepts it too.
		{"email_verified the string TRUE", func(c jwt.MapClaims) { c["email_verified"] = "TRUE" }, true},
		{"unverified email", func(c jwt.MapClaims) { c["email_verified"] = false }, false},
		{"missing email_verified", func(c jwt.MapClaims) { delete(c, "email_verified") }, false},
		{"email_verified null", func(c jwt.MapClaims) { c["email_verified"] = nil }, false},
		{"email_verified the string false", func(c jwt.MapClaims) { c["email_verified"] = "false" }, false},
		{"email_verified a number", func(c jwt.MapClaims) { c["email_verified"] = 1 }, false},
		{"audience mismatch", func(c jwt.MapClaims) { c["aud"] = "another-client" }, false},
		{"audience among several", func(c jwt.MapClaims) { c["aud"] = []string{"another-client", testAudience} }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := idp.claims()
			tc.change(c)
			tok := signRS(t, idp.key, idp.kid, c)
			if !tc.ok {
				wantInvalid(t, v, tok)
				return
			}
			if id, err := v.Verify(context.Background(), tok); err != nil || id.Email != "carol@partner.example" {
				t.Fatalf("Verify: got (%+v, %v), want carol@partner.example", id, err)
			}
		})
	}
}

// TestTokenLifetimeBounded: a token that lives for years is a stolen credential that never goes away,
// whoever minted it, so both verifiers bound exp − iat (exp − now without iat) by MaxLifetime.
func TestTokenLifetimeBounded(t *testing.T) {
	idp := newFakeIdP(t)
	modes := []struct {
		name   string
		v      Verifier
		claims func() jwt.MapClaims
		sign   func(t *testing.T, c jwt.MapClaims) string
	}{
		{"oidc", newOIDC(t, idp, testAudience), idp.claims,
			func(t *testing.T, c jwt.MapClaims) string { return signRS(t, idp.key, idp.kid, c) }},
		{"hs256", newHSVerifier(t), validClaims,
			func(t *testing.T, c jwt.MapClaims) string { return signHS(t, testSecret, c) }},
	}
	const year = 365 * 24 * time.Hour
	cases := []struct {
		name     string
		iat, exp time.Duration // from now; noIAT drops iat
		noIAT    bool
		ok       bool
	}{
		{name: "ten-year token", exp: 10 * year},
		{name: "23h token", exp: 23 * time.Hour, ok: true},
		{name: "24h token, the default maximum", exp: 24 * time.Hour, ok: true},
		{name: "a second over the maximum", exp: 24*time.Hour + time.Second},
		{name: "issued a year ago, an hour left", iat: -year, exp: time.Hour},
		{name: "no iat, exp far in the future", noIAT: true, exp: 10 * year},
		{name: "no iat, exp in 25h", noIAT: true, exp: 25 * time.Hour},
		{name: "no iat, exp in 23h", noIAT: true, exp: 23 * time.Hour, ok: true},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				now := time.Now()
				c := m.claims()
				c["iat"] = now.Add(tc.iat).Unix()
				c["exp"] = now.Add(tc.exp).Unix()
				if tc.noIAT {
					delete(c, "iat")
				}
				tok := m.sign(t, c)
				if !tc.ok {
					wantInvalid(t, m.v, tok)
					return
				}
				if _, err := m.v.Verify(context.Background(), tok); err != nil {
					t.Fatalf("Verify: %v", err)
				}
			})
		}
	}
}

func TestMaxLifetimeConfigurable(t *testing.T) {
	sign := func(ttl time.Duration) string {
		tok, err := Signer{Secret: []byte(testSecret), TTL: ttl}.Sign(Identity{Email: "bob@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	short, err := NewVerifier(context.Background(), Config{HS256Secret: testSecret, MaxLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.Verify(context.Background(), sign(time.Hour)); err != nil {
		t.Fatalf("1h token, 1h maximum: %v", err)
	}
	wantInvalid(t, short, sign(2*time.Hour))
	long, err := NewVerifier(context.Background(), Config{HS256Secret: testSecret, MaxLifetime: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := long.Verify(context.Background(), sign(30*time.Hour)); err != nil {
		t.Fatalf("30h token, 48h maximum: %v", err)
	}
}

// TestDevAndTestSignersWithinDefault: the dev stack mints 12h tokens and tests the Signer's default;
// both must stay under the default maximum or the dev stack signs tokens its own API refuses.
func TestDevAndTestSignersWithinDefault(t *testing.T) {
	v := newHSVerifier(t)
	for _, ttl := range []time.Duration{0, 12 * time.Hour} {
		tok, err := Signer{Secret: []byte(testSecret), Issuer: testIssuer, Audience: testAudience, TTL: ttl}.
			Sign(Identity{Email: "alice@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Errorf("TTL %v: %v", ttl, err)
		}
	}
}
