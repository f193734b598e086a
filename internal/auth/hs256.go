package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type hs256Verifier struct {
	claimRules
	secret []byte
	opts   []jwt.ParserOption
}

func newHS256Verifier(cfg Config) *hs256Verifier {
	opts := []jwt.ParserOption{
		// Only HS256: anything else (none, RS256 with the secret as a
		// "public key", ...) is an algorithm-confusion attempt.
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	return &hs256Verifier{claimRules: claimRulesOf(cfg), secret: []byte(cfg.HS256Secret), opts: opts}
}

// Verify builds a fresh parser per call so concurrent requests share no
// mutable parser state.
func (v *hs256Verifier) Verify(_ context.Context, raw string) (Identity, error) {
	if raw == "" {
		return Identity{}, invalid(errors.New("empty token"))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		// Re-checked here so the key is never handed out for another
		// method even if the parser options change.
		if t.Method != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return v.secret, nil
	}, v.opts...)
	if err != nil {
		return Identity{}, invalid(err)
	}
	return v.identity(claims)
}

// Signer mints HS256 tokens (dev stack and tests only). Tokens carry roles as
// a JSON array under "roles", so the verifier must use the default
// RolesClaim.
type Signer struct {
	Secret   []byte
	Issuer   string // "iss"; omitted when empty
	Audience string // "aud"; omitted when empty
	// TTL is the lifetime; zero means one hour. A negative TTL yields an
	// already expired token, which tests use to exercise expiry handling.
	// Verifiers refuse tokens living beyond their MaxLifetime (default a
	// day), so a longer TTL only mints tokens nobody accepts.
	TTL time.Duration
}

const defaultSignerTTL = time.Hour

// Sign returns a signed token for id. The email is written as given (not
// lowercased) so tests can check the verifier's normalisation, but it must
// be a valid address: a token every verifier would refuse is a caller bug.
func (s Signer) Sign(id Identity) (string, error) {
	if len(s.Secret) == 0 {
		return "", errors.New("auth: signer has no secret")
	}
	if _, err := normalizeEmail(id.Email); err != nil {
		return "", fmt.Errorf("auth: sign: email %q: %w", id.Email, err)
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = defaultSignerTTL
	}
	now := time.Now()
	claims := jwt.MapClaims{
		"email": id.Email,
		"iat":   jwt.NewNumericDate(now),
		"exp":   jwt.NewNumericDate(now.Add(ttl)),
	}
	setIf := func(k, v string) {
		if v != "" {
			claims[k] = v
		}
	}
	setIf("iss", s.Issuer)
	setIf("aud", s.Audience)
	setIf("name", id.Name)
	setIf("cco_id", id.CCOID)
	setIf("company", id.Company)
	if len(id.Roles) > 0 {
		claims[defaultRolesClaim] = id.Roles
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.Secret)
}
