package auth

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
)

// IdentityFromClaims maps the verified claims of an ID token to an Identity
// exactly as the bearer verifiers do, for callers that verify the token
// themselves (the browser sign-in's authorization-code flow). rolesClaim
// defaults to "roles". The email claim is required: preferred_username is
// not accepted in its place because callers check email_verified, which
// says nothing about any other claim. Errors wrap ErrInvalidToken.
func IdentityFromClaims(claims map[string]any, rolesClaim string) (Identity, error) {
	rolesClaim = strings.TrimSpace(rolesClaim)
	if rolesClaim == "" {
		rolesClaim = defaultRolesClaim
	}
	id, err := identityFromClaims(claims, rolesClaim)
	if err != nil {
		return Identity{}, invalid(err)
	}
	return id, nil
}

// EmailVerified reads email_verified, which some providers send as the string "true"; absent, null
// or anything else means not verified. The bearer verifier and the browser sign-in both refuse an
// identity whose email it does not vouch for.
func EmailVerified(claims map[string]any) bool {
	switch v := claims["email_verified"].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// identityFromClaims maps verified claims to an Identity. Claims of the wrong
// JSON type are rejected rather than ignored: a token we cannot fully
// interpret is safer refused than partially trusted.
func identityFromClaims(c map[string]any, rolesClaim string) (Identity, error) {
	email, err := emailFromClaims(c)
	if err != nil {
		return Identity{}, err
	}
	name, err := stringClaim(c, "name")
	if err != nil {
		return Identity{}, err
	}
	ccoID, err := stringClaim(c, "cco_id")
	if err != nil {
		return Identity{}, err
	}
	company, err := stringClaim(c, "company")
	if err != nil {
		return Identity{}, err
	}
	roles, err := parseRoles(c[rolesClaim])
	if err != nil {
		return Identity{}, fmt.Errorf("claim %q: %w", rolesClaim, err)
	}
	return Identity{
		Email:   email,
		Name:    name,
		CCOID:   ccoID,
		Roles:   roles,
		Company: company,
	}, nil
}

// emailFromClaims requires the email claim itself: preferred_username and
// the like are not accepted in its place, because email_verified vouches for
// the email claim only and many providers let users choose their username.
func emailFromClaims(c map[string]any) (string, error) {
	raw, err := stringClaim(c, "email")
	if err != nil {
		return "", err
	}
	if raw == "" {
		return "", errors.New("missing email claim")
	}
	email, err := normalizeEmail(raw)
	if err != nil {
		return "", fmt.Errorf("claim \"email\": %w", err)
	}
	return email, nil
}

// normalizeEmail accepts only a bare addr-spec: net/mail also parses display
// names and comments ("Eve <a@b.c>"), which must not become identity keys.
func normalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "@") {
		return "", errors.New("not an email address")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("not an email address: %w", err)
	}
	if addr.Name != "" || addr.Address != s {
		return "", errors.New("not a bare email address")
	}
	return strings.ToLower(s), nil
}

// stringClaim treats an absent or null claim as empty.
func stringClaim(c map[string]any, name string) (string, error) {
	switch v := c[name].(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	default:
		return "", fmt.Errorf("claim %q: want string, got %T", name, v)
	}
}

// parseRoles returns a non-nil slice so an Identity without roles encodes as
// [] rather than null for API clients.
func parseRoles(v any) ([]string, error) {
	var raw []string
	switch t := v.(type) {
	case nil:
	case string:
		raw = strings.FieldsFunc(t, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	case []string:
		raw = t
	case []any:
		raw = make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want array of strings, got element %T", e)
			}
			raw = append(raw, s)
		}
	default:
		return nil, fmt.Errorf("want string or array of strings, got %T", v)
	}
	roles := make([]string, 0, len(raw))
	for _, r := range raw {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles, nil
}
