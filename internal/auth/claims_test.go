package auth

import (
	"errors"
	"reflect"
	"testing"
)

// TestIdentityFromClaims checks the exported mapping gives what a bearer
// token with the same claims gives, as decoded from JSON (roles as []any).
func TestIdentityFromClaims(t *testing.T) {
	claims := map[string]any{
		"email":   " Carol@Partner.Example ",
		"name":    "Carol",
		"cco_id":  "carol01",
		"company": "partner.example",
		"roles":   []any{"ofm", "commerce", "ofm"},
		"groups":  "licensing-ops, cisco-support",
	}
	id, err := IdentityFromClaims(claims, "")
	if err != nil {
		t.Fatalf("IdentityFromClaims: %v", err)
	}
	want := Identity{Email: "carol@partner.example", Name: "Carol", CCOID: "carol01",
		Roles: []string{"ofm", "commerce"}, Company: "partner.example"}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("got %+v, want %+v", id, want)
	}

	id, err = IdentityFromClaims(claims, " groups ")
	if err != nil {
		t.Fatalf("custom roles claim: %v", err)
	}
	if want := []string{"licensing-ops", "cisco-support"}; !reflect.DeepEqual(id.Roles, want) {
		t.Fatalf("roles from groups = %v, want %v", id.Roles, want)
	}
}

func TestIdentityFromClaimsRefuses(t *testing.T) {
	for name, claims := range map[string]map[string]any{
		// Browser sign-in checks email_verified, which vouches for email only.
		"preferred_username instead of email": {"preferred_username": "dave@example.com"},
		"no email":                            {"name": "Dave"},
		"display name in email":               {"email": "Dave <dave@example.com>"},
		"email not a string":                  {"email": 42},
		"roles of the wrong type":             {"email": "dave@example.com", "roles": 7.0},
		"name of the wrong type":              {"email": "dave@example.com", "name": []any{"Dave"}},
	} {
		t.Run(name, func(t *testing.T) {
			id, err := IdentityFromClaims(claims, "roles")
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("got (%+v, %v), want ErrInvalidToken", id, err)
			}
		})
	}
}

func TestEmailVerified(t *testing.T) {
	for v, want := range map[any]bool{true: true, "true": true, "TRUE": true,
		false: false, "false": false, nil: false, 1.0: false} {
		claims := map[string]any{"email": "a@b.example"}
		if v != nil {
			claims["email_verified"] = v
		}
		if got := EmailVerified(claims); got != want {
			t.Errorf("email_verified %#v: %v, want %v", v, got, want)
		}
	}
}
