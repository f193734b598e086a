package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultMaxLifetime is the longest token lifetime accepted when Config.MaxLifetime is zero: a working
// day and more covers any sign-in, while a token minted for years is refused.
const DefaultMaxLifetime = 24 * time.Hour

// checkLifetime refuses a token that lives longer than limit. It runs after the exp/nbf/iat checks, so
// exp is present and iat, when present, is not in the future.
func checkLifetime(c jwt.MapClaims, limit, leeway time.Duration, now time.Time) error {
	exp, err := c.GetExpirationTime()
	if err != nil {
		return fmt.Errorf("lifetime: %w", err)
	}
	if exp == nil {
		return errors.New("lifetime: missing exp")
	}
	iat, err := c.GetIssuedAt()
	if err != nil {
		return fmt.Errorf("lifetime: %w", err)
	}
	if iat != nil {
		if life := exp.Sub(iat.Time); life > limit {
			return fmt.Errorf("token lifetime %v exceeds the maximum %v", life, limit)
		}
		return nil
	}
	// Without iat only what is left is known. The leeway allows for an issuer whose clock is ahead of
	// ours, so a token minted for exactly limit is not refused for the skew.
	if left := exp.Sub(now); left > limit+leeway {
		return fmt.Errorf("token without iat expires in %v, beyond the maximum lifetime %v",
			left.Round(time.Second), limit)
	}
	return nil
}

// claimRules is what both bearer verifiers check of a token's claims once its signature and times are
// verified: its lifetime, then the identity it names.
type claimRules struct {
	rolesClaim  string
	maxLifetime time.Duration
	leeway      time.Duration
}

func claimRulesOf(cfg Config) claimRules {
	return claimRules{rolesClaim: cfg.RolesClaim, maxLifetime: cfg.MaxLifetime, leeway: cfg.Leeway}
}

// identity refuses a token living too long and maps the claims to an Identity; errors wrap
// ErrInvalidToken.
func (r claimRules) identity(claims map[string]any) (Identity, error) {
	if err := checkLifetime(claims, r.maxLifetime, r.leeway, time.Now()); err != nil {
		return Identity{}, invalid(err)
	}
	id, err := identityFromClaims(claims, r.rolesClaim)
	if err != nil {
		return Identity{}, invalid(err)
	}
	return id, nil
}
