// Package auth verifies API bearer tokens and mints HS256 tokens for the dev
// stack and tests.
//
// Every request is attributed to an Identity whose lowercased email is the
// stable key the rest of the system uses for ownership and audit, so the
// verifiers refuse any token that does not carry a usable email rather than
// letting an anonymous caller through.
package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Identity is who made a request.
type Identity struct {
	Email   string   `json:"email"` // lowercased, trimmed
	Name    string   `json:"name"`
	CCOID   string   `json:"ccoId"`
	Roles   []string `json:"roles"`   // platform roles, e.g. "cisco-approver", "licensing-ops", "cisco-support", "commerce"
	Company string   `json:"company"` // the company the identity provider names, may be empty; shown, never a right
}

// HasRole reports whether the identity holds a platform role. The comparison
// is exact because role names are identifiers agreed with the identity
// provider, and a loose match could grant a role nobody assigned.
func (i Identity) HasRole(role string) bool {
	return slices.Contains(i.Roles, role)
}

// Verifier turns a raw bearer token into an Identity. It is an interface so
// handlers and middleware can be tested with a fake instead of real tokens.
type Verifier interface {
	Verify(ctx context.Context, raw string) (Identity, error)
}

// ErrInvalidToken is wrapped by every verification failure (expired, bad
// signature, wrong issuer/audience, missing or malformed email claim, an
// OIDC email not verified), so callers map it to 401 with errors.Is.
var ErrInvalidToken = errors.New("auth: invalid token")

// invalid wraps the underlying cause so logs keep the detail while callers
// only need to test for ErrInvalidToken.
func invalid(err error) error {
	return fmt.Errorf("%w: %w", ErrInvalidToken, err)
}

const (
	defaultRolesClaim = "roles"
	defaultLeeway     = 30 * time.Second
)

// Config selects and configures the verifier. HS256Secret takes precedence
// over OIDCIssuer so the dev stack can run without an identity provider;
// production deployments must therefore leave HS256Secret empty.
type Config struct {
	// HS256Secret, when set, makes the verifier accept HS256 tokens signed
	// with this secret (dev stack and tests).
	HS256Secret string
	// OIDCIssuer, when set and HS256Secret is empty, makes the verifier check
	// tokens against this issuer's discovery document and JWKS.
	OIDCIssuer string
	// Audience is the required "aud". OIDC needs one, the client id the
	// provider issues the API's tokens for: without it a token the provider
	// signed for any of its other clients would be accepted. HS256 checks it
	// when non-empty, since dev and test tokens have a single issuer.
	Audience string
	// Issuer is the required "iss" for HS256 when non-empty. OIDC always
	// checks "iss" against OIDCIssuer and ignores this field.
	Issuer string
	// RolesClaim names the claim holding platform roles, default "roles"; its
	// value may be a JSON array of strings or a space/comma separated string
	// because identity providers differ in how they emit multi-valued claims.
	RolesClaim string
	// Leeway is the clock skew tolerated on exp, nbf and iat, default 30s.
	// Zero selects the default; negative values are rejected.
	Leeway time.Duration
	// MaxLifetime bounds how long a token may live, in both modes: exp − iat,
	// or exp − now when iat is absent, default DefaultMaxLifetime. An issuer
	// minting tokens that live for years (a misconfigured client, a leaked
	// HS256 secret) would otherwise make a stolen token good for as long.
	// Zero selects the default; negative values are rejected.
	MaxLifetime time.Duration
}

// NewVerifier returns the verifier the Config asks for; error when neither
// HS256Secret nor OIDCIssuer is set, when OIDC has no Audience, or when OIDC
// discovery fails. Discovery runs
// here, not lazily, so a misconfigured issuer stops the server at startup
// instead of failing every request.
//
// ctx is used for the discovery request; an *http.Client carried by it (see
// oidc.ClientContext) is also used for later JWKS refreshes. Without one, a
// client with a request timeout is used so an unresponsive identity provider
// cannot stall startup or verification forever.
func NewVerifier(ctx context.Context, cfg Config) (Verifier, error) {
	if cfg.Leeway < 0 {
		return nil, fmt.Errorf("auth: negative leeway %v", cfg.Leeway)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = defaultLeeway
	}
	if cfg.MaxLifetime < 0 {
		return nil, fmt.Errorf("auth: negative maximum token lifetime %v", cfg.MaxLifetime)
	}
	if cfg.MaxLifetime == 0 {
		cfg.MaxLifetime = DefaultMaxLifetime
	}
	cfg.RolesClaim = strings.TrimSpace(cfg.RolesClaim)
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = defaultRolesClaim
	}
	switch {
	case cfg.HS256Secret != "":
		return newHS256Verifier(cfg), nil
	case cfg.OIDCIssuer != "":
		v, err := newOIDCVerifier(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return v, nil
	default:
		return nil, errors.New("auth: no verifier configured: set HS256Secret or OIDCIssuer")
	}
}

// FromBearer extracts the token from an Authorization header value ("Bearer
// x", case-insensitive scheme); ok=false when absent or malformed, so callers
// can answer 401 without attempting verification.
func FromBearer(header string) (token string, ok bool) {
	fields := strings.Fields(header)
	if len(fields) != 2 || !strings.EqualFold(fields[0], "Bearer") {
		return "", false
	}
	return fields[1], true
}

// identityKey is unexported so no other package can overwrite or forge the
// identity stored by WithIdentity.
type identityKey struct{}

// WithIdentity returns a context carrying id, so handlers deep in the call
// chain can learn the caller without threading it through every signature.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext returns the identity stored by WithIdentity; ok=false means the
// request was not authenticated and must be treated as anonymous.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
