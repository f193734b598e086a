package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// devKnownUsers bounds the list of users the dev sign-in page offers.
const devKnownUsers = 50

// devLogin is the data of the dev sign-in page.
type devLogin struct {
	Title      string
	Next       string
	Email      string
	Roles      string
	Error      string
	ErrorField string
	Users      []devUser
}

// devUser is one known user offered for a one-click sign-in, with the roles they have now.
type devUser struct {
	Email, Name, Roles string
}

// DevUser is whom the dev stack signs in: POST /dev/token's body and POST /dev/login's form.
type DevUser struct {
	Email, Name, Company string
	// Roles are the platform roles to hold from now on, as a token would carry them.
	Roles []string
}

// RecordDevUser records the user the dev stack signs in as, creating them when unknown: the one
// place both /dev/token (bearer tokens) and /dev/login (browser sessions) take their user from, so the
// two sign in the same person. The roles are the given ones, so one user can be tried with different
// roles; a name or company left empty keeps the known one (shown only: partner rights come from the
// partner rows of the address). A bad email is a models.Invalid error naming "email".
func RecordDevUser(ctx context.Context, db *gorm.DB, in DevUser) (models.User, error) {
	email := models.NormalizeEmail(in.Email)
	if !models.ValidEmail(email) {
		return models.User{}, models.Invalid("email", "not an email address (name@example.com)")
	}
	var known models.User
	err := db.WithContext(ctx).Where("email = ?", email).Take(&known).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.User{}, fmt.Errorf("dev sign-in: read user %s: %w", email, err)
	}
	u := models.User{Email: email, Name: in.Name, CCOID: known.CCOID, Company: in.Company, PlatformRoles: in.Roles}
	if u.Name == "" {
		u.Name = known.Name
	}
	if u.Company == "" {
		u.Company = known.Company
	}
	if u.PlatformRoles == nil {
		u.PlatformRoles = []string{}
	}
	return models.UpsertUser(ctx, db, u)
}

func (s *SignIn) devLoginPage(c *gin.Context) {
	s.renderDevLogin(c, http.StatusOK, devLogin{Next: localPath(c.Query("next"))})
}

func (s *SignIn) renderDevLogin(c *gin.Context, status int, page devLogin) {
	page.Title = "Sign in"
	var users []models.User
	if err := s.db.WithContext(c.Request.Context()).Order("email").Limit(devKnownUsers).Find(&users).Error; err != nil {
		// The form works without the list; say why it is missing in the log only.
		s.log.WarnContext(c.Request.Context(), "dev sign-in: list users", "error", err)
	}
	for _, u := range users {
		page.Users = append(page.Users, devUser{Email: u.Email, Name: u.Name, Roles: strings.Join(u.PlatformRoles, ", ")})
	}
	render(c, s.log, status, devLoginPage, page)
}

// devLogin signs in as the posted email with the posted roles (comma- or space-separated).
func (s *SignIn) devLogin(c *gin.Context) {
	email, roles := c.PostForm("email"), c.PostForm("roles")
	next := localPath(c.PostForm("next"))
	// The same claims mapping as a token's, so roles split and deduplicate as they would there.
	id, err := auth.IdentityFromClaims(map[string]any{"email": models.NormalizeEmail(email), "roles": roles}, "roles")
	if err != nil && models.ValidEmail(models.NormalizeEmail(email)) {
		s.renderDevLogin(c, http.StatusBadRequest, devLogin{Next: next, Email: email, Roles: roles,
			ErrorField: "roles", Error: err.Error()})
		return
	}
	u, err := RecordDevUser(c.Request.Context(), s.db, DevUser{Email: email, Roles: id.Roles})
	var bad *models.Error
	if errors.As(err, &bad) && bad.Code == models.CodeInvalid {
		s.renderDevLogin(c, http.StatusBadRequest, devLogin{Next: next, Email: email, Roles: roles,
			ErrorField: bad.Field, Error: bad.Message})
		return
	}
	if err != nil {
		u.Email = models.NormalizeEmail(email)
	}
	s.start(c, u, err, "dev", next)
}
