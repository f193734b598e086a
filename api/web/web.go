package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// Config configures browser sign-in.
type Config struct {
	// PublicURL is where browsers reach the server (CLC_PUBLIC_URL). On https the cookies are Secure.
	PublicURL string
	// SessionKey is the secret the cookies are signed and encrypted with, at least 32 bytes. Every
	// copy of the server needs the same key; changing it signs everybody out.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts; zero means DefaultSessionTTL.
	SessionTTL time.Duration
	// DevLogin mounts the dev stack's sign-in (GET and POST /dev/login), which signs anyone in as anyone
	// with any roles, and sends browsers without a session there. Only the dev stack sets it.
	DevLogin bool
	// OIDC is the identity provider production signs in with (GET /login); nil means no OIDC sign-in.
	OIDC *OIDCConfig
	// DB is where the signed-in users are recorded and read back on every request.
	DB *gorm.DB
	// Log receives sign-ins and refusals; nil means slog.Default().
	Log *slog.Logger
}

// Paths of the sign-in routes.
const (
	LoginPath    = "/login"
	CallbackPath = "/login/callback"
	LogoutPath   = "/logout"
	DevLoginPath = "/dev/login"
)

// loginPath is where Require sends a browser without a session.
func (cfg Config) loginPath() string {
	if cfg.DevLogin {
		return DevLoginPath
	}
	return LoginPath
}

// SignIn is the browser sign-in of one server: its sessions and the routes that start and end them.
type SignIn struct {
	sessions *Sessions
	oidc     *oidcSignIn
	dev      bool
	db       *gorm.DB
	log      *slog.Logger
}

// New checks the configuration and, when OIDC is configured, runs the provider's discovery, so a
// misconfigured provider stops the server at startup rather than failing every sign-in.
//
// ctx must outlive the server, not be a request's: go-oidc keeps it to fetch the provider's signing
// keys when they rotate. An *http.Client it carries (oidc.ClientContext) is used for every call to the
// provider; without one, a client with a timeout is, so an unresponsive provider cannot hang sign-in.
func New(ctx context.Context, cfg Config) (*SignIn, error) {
	if cfg.DB == nil {
		return nil, errors.New("web: no database to record users in")
	}
	if cfg.OIDC == nil && !cfg.DevLogin {
		return nil, errors.New("web: no OIDC provider and no dev sign-in: browsers would have nowhere to sign in")
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	sessions, err := newSessions(cfg, log)
	if err != nil {
		return nil, err
	}
	s := &SignIn{sessions: sessions, dev: cfg.DevLogin, db: cfg.DB, log: log}
	if cfg.OIDC != nil {
		if s.oidc, err = newOIDCSignIn(ctx, cfg, sessions); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Sessions is the session middleware the signed-in pages use.
func (s *SignIn) Sessions() *Sessions { return s.sessions }

// Routes mounts the sign-in at the root of r: GET /login?next= and GET /login/callback when OIDC is
// configured, GET and POST /dev/login?next= on the dev stack, and POST /logout.
func (s *SignIn) Routes(r gin.IRouter) {
	if s.oidc != nil {
		r.GET(LoginPath, s.login)
		r.GET(CallbackPath, s.callback)
	}
	if s.dev {
		r.GET(DevLoginPath, s.devLoginPage)
		// Guarded even here: a cross-site form could otherwise sign a browser in as someone else.
		r.POST(DevLoginPath, s.sessions.CrossOrigin, s.devLogin)
	}
	r.POST(LogoutPath, s.logout)
}

// logout signs the browser out. With a live session it is one of the session's forms (its CSRF token
// and the cross-site check), so another site cannot sign people out; a dead session's cookie is
// removed whatever sent it.
func (s *SignIn) logout(c *gin.Context) {
	if s.sessions.identify(c) == nil {
		if !s.sessions.formOK(c) {
			return
		}
		id, _ := Identity(c)
		s.log.InfoContext(c.Request.Context(), "web sign-out", "user", id.Email)
	}
	s.sessions.Clear(c)
	render(c, s.log, http.StatusOK, messagePage, message{Title: "Signed out",
		Text: "You are signed out of License Central.", LinkHref: s.sessions.loginPath, LinkText: "Sign in again"})
}

// signIn records the user the provider vouched for as the bearer-token API records a token's (their
// platform roles included), then starts the session.
func (s *SignIn) signIn(c *gin.Context, id auth.Identity, via, next string) {
	u, err := models.UpsertUser(c.Request.Context(), s.db, models.User{Email: id.Email, Name: id.Name, CCOID: id.CCOID,
		Company: id.Company, PlatformRoles: id.Roles})
	if err != nil {
		u.Email = id.Email
	}
	s.start(c, u, err, via, next)
}

// start begins the session of a recorded user and sends the browser on to next.
func (s *SignIn) start(c *gin.Context, u models.User, err error, via, next string) {
	ctx := c.Request.Context()
	if err == nil {
		err = s.sessions.Set(c, u)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "web sign-in failed", "user", u.Email, "via", via, "error", err)
		fail(c, s.log, http.StatusInternalServerError, &models.Error{Code: models.CodeInternal,
			Message: "Signing you in failed on our side; it was logged. Try again in a moment."})
		return
	}
	s.log.InfoContext(ctx, "web sign-in", "user", u.Email, "via", via, "roles", u.PlatformRoles)
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, localPath(next))
}
