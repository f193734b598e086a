package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// oidcHTTPTimeout bounds discovery and JWKS requests when the caller did not
// supply its own client; http.DefaultClient would wait forever.
const oidcHTTPTimeout = 10 * time.Second

// DiscoverOIDC reads the issuer's discovery document with the HTTP client ctx
// carries (oauth2.HTTPClient), or with one bounded by a timeout when it
// carries none, and returns that client for the caller's later calls to the
// provider (the key set is fetched with it too). Errors are go-oidc's, for
// the caller to wrap with the setting it read the issuer from.
func DiscoverOIDC(ctx context.Context, issuer string) (*oidc.Provider, *http.Client, error) {
	client, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok {
		client = &http.Client{Timeout: oidcHTTPTimeout}
		ctx = oidc.ClientContext(ctx, client)
	}
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, nil, err
	}
	return provider, client, nil
}

type oidcVerifier struct {
	claimRules
	idTokens *oidc.IDTokenVerifier
	times    *jwt.Validator
}

func newOIDCVerifier(ctx context.Context, cfg Config) (*oidcVerifier, error) {
	// Refused before discovery so the error names the setting, not a
	// network failure that may also be there.
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("auth: OIDC needs an audience: set CLC_AUTH_AUDIENCE to the client id " +
			"the identity provider issues the API's tokens for")
	}
	provider, _, err := DiscoverOIDC(ctx, cfg.OIDCIssuer)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery for %q: %w", cfg.OIDCIssuer, err)
	}
	idTokens := provider.Verifier(&oidc.Config{
		ClientID: cfg.Audience,
		// go-oidc checks exp without leeway and nbf with a fixed five
		// minutes; times are checked below with the configured leeway
		// instead, so both verifiers treat clock skew the same way.
		SkipExpiryCheck: true,
	})
	return &oidcVerifier{
		idTokens: idTokens,
		times: jwt.NewValidator(
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		),
		claimRules: claimRulesOf(cfg),
	}, nil
}

func (v *oidcVerifier) Verify(ctx context.Context, raw string) (Identity, error) {
	if raw == "" {
		return Identity{}, invalid(errors.New("empty token"))
	}
	tok, err := v.idTokens.Verify(ctx, raw)
	if err != nil {
		// go-oidc flattens a cancelled JWKS fetch into a plain message;
		// keep the context error in the chain so callers can tell an
		// abandoned request from a forged token.
		if cerr := ctx.Err(); cerr != nil {
			return Identity{}, invalid(errors.Join(err, cerr))
		}
		return Identity{}, invalid(err)
	}
	claims := map[string]any{}
	if err := tok.Claims(&claims); err != nil {
		return Identity{}, invalid(err)
	}
	if err := v.times.Validate(jwt.MapClaims(claims)); err != nil {
		return Identity{}, invalid(err)
	}
	id, err := v.identity(claims)
	if err != nil {
		return Identity{}, err
	}
	// The email is the key the system grants ownership and approvals by; only the provider's word that
	// its owner proved control of it makes it safe to key on, else anyone who can register at the
	// provider with someone else's address becomes them.
	if !EmailVerified(claims) {
		return Identity{}, invalid(fmt.Errorf("email %s is not verified (email_verified %v)",
			id.Email, claims["email_verified"]))
	}
	return id, nil
}
