package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// Config configures browser sign-in.
type Config struct {
	// PublicURL is where browsers reach the server (CLC_PUBLIC_URL). On https the cookies are Secure;
	// the identity provider returns to PublicURL + "/auth/callback".
	PublicURL string
	// SessionKey is the secret the cookies are signed and encrypted with, at least 32 bytes. Every
	// copy of the server needs the same key; changing it signs everybody out.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts; zero means DefaultSessionTTL.
	SessionTTL time.Duration
	// LoginPath is where Require sends a browser without a session; default "/auth/login". The dev
	// stack, which has no identity provider, sets "/dev/login".
	LoginPath string
	// OIDC is the identity provider production signs in with; nil means no OIDC sign-in (dev stack).
	OIDC *OIDCConfig
	// DB is where the signed-in users are recorded.
	DB *gorm.DB
	// Log receives sign-ins and refusals; nil means slog.Default().
	Log *slog.Logger
}

// SignIn is the browser sign-in of one server: its sessions and the routes that start and end them.
type SignIn struct {
	sessions *Sessions
	oidc     *oidcSignIn
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
	if cfg.LoginPath == "" {
		if cfg.OIDC == nil {
			return nil, errors.New("web: no OIDC provider and no LoginPath: browsers would have nowhere to sign in")
		}
		cfg.LoginPath = "/auth/login"
	}
	if localPath(cfg.LoginPath) != cfg.LoginPath || strings.Contains(cfg.LoginPath, "?") {
		return nil, fmt.Errorf("web: login path %q is not a plain local path", cfg.LoginPath)
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	sessions, err := newSessions(cfg, log)
	if err != nil {
		return nil, err
	}
	s := &SignIn{sessions: sessions, db: cfg.DB, log: log}
	if cfg.OIDC != nil {
		if s.oidc, err = newOIDCSignIn(ctx, cfg, sessions); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Sessions is the session middleware the signed-in pages use.
func (s *SignIn) Sessions() *Sessions { return s.sessions }

// Routes mounts the production sign-in at the root of r: GET /auth/login?next= and GET
// /auth/callback (when OIDC is configured) and POST /auth/logout.
func (s *SignIn) Routes(r gin.IRouter) {
	if s.oidc != nil {
		r.GET("/auth/login", s.login)
		r.GET("/auth/callback", s.callback)
	}
	r.POST("/auth/logout", s.sessions.CrossOrigin, s.logout("/"))
}

// logout signs the browser out and sends it to target. It is a POST behind CrossOrigin, so another
// site cannot sign people out.
func (s *SignIn) logout(target string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if sess, err := s.sessions.read(c.Request); err == nil {
			s.log.InfoContext(c.Request.Context(), "web sign-out", "user", sess.Identity.Email)
		}
		s.sessions.Clear(c)
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, target)
	}
}

// signIn records the user as the bearer-token API does, starts the session and sends the browser on
// to next.
func (s *SignIn) signIn(c *gin.Context, id auth.Identity, via, next string) {
	ctx := c.Request.Context()
	_, err := models.UpsertUser(ctx, s.db, models.User{Email: id.Email, Name: id.Name, CCOID: id.CCOID,
		Company: id.Company, PlatformRoles: id.Roles})
	if err == nil {
		err = s.sessions.Set(c, id)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "web sign-in failed", "user", id.Email, "via", via, "error", err)
		fail(c, s.log, http.StatusInternalServerError, &models.Error{Code: models.CodeInternal,
			Message: "Signing you in failed on our side; it was logged. Try again in a moment."})
		return
	}
	s.log.InfoContext(ctx, "web sign-in", "user", id.Email, "via", via, "roles", id.Roles)
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, localPath(next))
}
