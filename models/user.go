package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Platform roles carried by the identity, not by an account.
const (
	RoleCiscoApprover = "cisco-approver"
	RoleLicensingOps  = "licensing-ops"
	RoleCiscoSupport  = "cisco-support"
)

// Address is a postal address: a user's, or an account's headquarters.
type Address struct {
	Company    string `json:"company,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// IsZero reports whether no field is set.
func (a Address) IsZero() bool { return a == Address{} }

// OneLine is the address on one line, its empty parts left out.
func (a Address) OneLine() string {
	kept := []string{}
	for _, p := range []string{a.Company, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country} {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ", ")
}

// ValidAddress checks a postal address (company, first line, city and an ISO 3166 country code are
// required; no field over 200 characters) and returns it trimmed, with the country in capitals. field
// names the address in the error (headquarters), so the error names the part at fault.
func ValidAddress(field string, a Address) (Address, error) {
	trim := func(s string) string { return strings.TrimSpace(s) }
	a = Address{Company: trim(a.Company), Line1: trim(a.Line1), Line2: trim(a.Line2), City: trim(a.City),
		Region: trim(a.Region), PostalCode: trim(a.PostalCode), Country: strings.ToUpper(trim(a.Country))}
	required := []struct{ name, v string }{{"company", a.Company}, {"line1", a.Line1}, {"city", a.City}, {"country", a.Country}}
	for _, r := range required {
		if r.v == "" {
			return a, Invalid(field+"."+r.name, "%s.%s is required", field, r.name)
		}
	}
	if len(a.Country) != 2 || strings.IndexFunc(a.Country, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return a, Invalid(field+".country", "%s.country must be an ISO 3166 two-letter code such as US", field)
	}
	for _, f := range []struct{ name, v string }{{"company", a.Company}, {"line1", a.Line1}, {"line2", a.Line2},
		{"city", a.City}, {"region", a.Region}, {"postalCode", a.PostalCode}} {
		if len(f.v) > 200 {
			return a, Invalid(field+"."+f.name, "%s.%s is longer than 200 characters", field, f.name)
		}
	}
	return a, nil
}

// User is a person known to the system: anyone who signed in, and anyone named by email since.
type User struct {
	ID            string    `gorm:"primaryKey" json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	CCOID         string    `gorm:"column:cco_id" json:"ccoId"`
	Company       string    `json:"company"`
	Address       Address   `gorm:"serializer:json" json:"address"`
	PlatformRoles []string  `gorm:"serializer:json" json:"platformRoles"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// HasRole reports whether the user holds a platform role.
func (u User) HasRole(role string) bool { return slices.Contains(u.PlatformRoles, role) }

// UpsertUser records who signed in: created when unknown, name, CCO id, company and roles refreshed
// from the identity otherwise.
func UpsertUser(ctx context.Context, db *gorm.DB, u User) (User, error) {
	u.Email = NormalizeEmail(u.Email)
	if u.ID == "" {
		u.ID = NewID()
	}
	if u.PlatformRoles == nil {
		u.PlatformRoles = []string{}
	}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "email"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "cco_id", "company", "platform_roles", "updated_at"}),
	}).Create(&u).Error
	if err != nil {
		return User{}, fmt.Errorf("upsert user %s: %w", u.Email, err)
	}
	var out User
	if err := db.WithContext(ctx).Where("email = ?", u.Email).Take(&out).Error; err != nil {
		return User{}, fmt.Errorf("read user %s: %w", u.Email, err)
	}
	return out, nil
}

// UsersWithRole lists the users holding a platform role, by email.
func UsersWithRole(ctx context.Context, db *gorm.DB, role string) ([]User, error) {
	var users []User
	// Roles are a JSON array in a TEXT column; the quoted match cannot hit a role that merely contains it.
	err := db.WithContext(ctx).Where("platform_roles LIKE ?", `%"`+role+`"%`).Order("email").Find(&users).Error
	if err != nil {
		return nil, fmt.Errorf("users with role %s: %w", role, err)
	}
	// LIKE is case-insensitive on SQLite and knows no JSON: the exact check decides.
	return slices.DeleteFunc(users, func(u User) bool { return !u.HasRole(role) }), nil
}

// NormalizeEmail lowercases and trims an address; identity everywhere is the normalized email.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Person names a user in process inputs.
type Person struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}
