package web

import (
	"errors"
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

// DevRoutes mounts the dev stack's sign-in at the root of r: GET /dev/login?next= (a form, and the
// known users to pick from), POST /dev/login and POST /dev/logout. It signs anyone in as anyone with
// any roles, so only the dev stack may mount it; set Config.LoginPath to "/dev/login" there.
func (s *SignIn) DevRoutes(r gin.IRouter) {
	r.GET("/dev/login", s.devLoginPage)
	// Guarded even here: a cross-site form could otherwise sign a browser in as someone else.
	r.POST("/dev/login", s.sessions.CrossOrigin, s.devLogin)
	r.POST("/dev/logout", s.sessions.CrossOrigin, s.logout("/dev/login"))
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

// devLogin signs in as the posted email with the posted roles. A known user keeps their name, CCO id
// and company (shown only: partner rights come from the partner rows of the address); the roles are
// what the form says, so one user can be tried with different roles.
func (s *SignIn) devLogin(c *gin.Context) {
	email := models.NormalizeEmail(c.PostForm("email"))
	roles := c.PostForm("roles")
	next := localPath(c.PostForm("next"))
	if !models.ValidEmail(email) {
		s.renderDevLogin(c, http.StatusBadRequest, devLogin{Next: next, Email: c.PostForm("email"), Roles: roles,
			ErrorField: "email", Error: "not an email address (name@example.com)"})
		return
	}
	var known models.User
	err := s.db.WithContext(c.Request.Context()).Where("email = ?", email).Take(&known).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		s.log.ErrorContext(c.Request.Context(), "dev sign-in: read user", "user", email, "error", err)
		fail(c, s.log, http.StatusInternalServerError, &models.Error{Code: models.CodeInternal,
			Message: "Reading the user failed; it was logged."})
		return
	}
	// The same claims mapping as a token's, so roles split and deduplicate as they would there.
	id, err := auth.IdentityFromClaims(map[string]any{"email": email, "roles": roles, "name": known.Name,
		"cco_id": known.CCOID, "company": known.Company}, "roles")
	if err != nil {
		s.renderDevLogin(c, http.StatusBadRequest, devLogin{Next: next, Email: email, Roles: roles,
			ErrorField: "email", Error: err.Error()})
		return
	}
	s.signIn(c, id, "dev", next)
}
