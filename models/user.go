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
