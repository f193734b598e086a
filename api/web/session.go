package web

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/webguard"
	"github.com/licensecentral/clc/models"
)

// DefaultSessionTTL is how long a sign-in lasts when Config.SessionTTL is zero: a working day, so
// nobody signs in twice a day and a forgotten browser does not stay signed in overnight.
const DefaultSessionTTL = 8 * time.Hour

// minKeyLen is the shortest SessionKey accepted: the cookie keys are derived from it, and fewer than
// 256 bits of secret would make them guessable.
const minKeyLen = 32

// Sessions reads and writes the session cookie and guards the pages with it.
type Sessions struct {
	codec     *securecookie.SecureCookie
	name      string
	ttl       time.Duration
	secure    bool
	loginPath string
	origins   *webguard.Origins
	db        *gorm.DB
	log       *slog.Logger
	// now is the clock the session's own expiry is checked against.
	now func() time.Time
}

// session is what the cookie holds: who signed in (the user row's id and email, never their roles:
// those are read from the row on every request, as the bearer-token API's rights come from rows), the
// session's CSRF token, and its expiry. The expiry is inside the signed value, not only in the
// cookie's Max-Age, because a browser (or an attacker replaying a copied cookie) need not honour
// Max-Age.
type session struct {
	UserID    string `json:"uid"`
	Email     string `json:"email"`
	CSRF      string `json:"csrf"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
}

// CSRFField is the name of the hidden form field that carries the session's CSRF token; htmx and
// scripts may send it in the CSRFHeader header instead.
const (
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// sessionKey is where identify leaves the session on the gin context, for CSRFToken.
const sessionKey = "clc.web.session"

var (
	errNoSession = errors.New("web: no session cookie")
	// errLookup is a session that could not be checked against its user row: the database failed,
	// which is our fault, not the browser's, so it is not answered by signing the browser out.
	errLookup = errors.New("web: session user lookup failed")
)

func newSessions(cfg Config, log *slog.Logger) (*Sessions, error) {
	if len(cfg.SessionKey) < minKeyLen {
		return nil, fmt.Errorf("web: session key has %d bytes, want at least %d", len(cfg.SessionKey), minKeyLen)
	}
	if cfg.SessionTTL < 0 {
		return nil, fmt.Errorf("web: negative session TTL %v", cfg.SessionTTL)
	}
	ttl := cfg.SessionTTL
	if ttl == 0 {
		ttl = DefaultSessionTTL
	}
	public, err := url.Parse(cfg.PublicURL)
	if err != nil || public.Host == "" || (public.Scheme != "http" && public.Scheme != "https") {
		return nil, fmt.Errorf("web: public URL %q is not an http(s) URL", cfg.PublicURL)
	}
	origins, err := webguard.NewOrigins(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	codec, err := newCodec(cfg.SessionKey, "session", ttl)
	if err != nil {
		return nil, err
	}
	secure := public.Scheme == "https"
	return &Sessions{
		codec:     codec,
		name:      cookieName("clc_session", secure),
		ttl:       ttl,
		secure:    secure,
		loginPath: cfg.loginPath(),
		origins:   origins,
		db:        cfg.DB,
		log:       log,
		now:       time.Now,
	}, nil
}

// newCodec derives a MAC key and an AES key for one purpose from the configured secret, so the
// operator manages one secret and a value made for one cookie never verifies as another. maxAge bounds
// the codec's own timestamp check, a second line behind the expiry inside the value.
func newCodec(secret []byte, purpose string, maxAge time.Duration) (*securecookie.SecureCookie, error) {
	hashKey, err := hkdf.Key(sha256.New, secret, nil, "clc web "+purpose+" mac", 32)
	if err != nil {
		return nil, fmt.Errorf("web: derive %s mac key: %w", purpose, err)
	}
	blockKey, err := hkdf.Key(sha256.New, secret, nil, "clc web "+purpose+" aes", 32)
	if err != nil {
		return nil, fmt.Errorf("web: derive %s aes key: %w", purpose, err)
	}
	return securecookie.New(hashKey, blockKey).
		SetSerializer(securecookie.JSONEncoder{}).
		MaxAge(int(math.Ceil(maxAge.Seconds()))), nil
}

// cookieName adds the __Host- prefix on https: browsers then refuse the cookie unless it is Secure,
// host-only and for Path=/, so a sibling subdomain cannot plant a session of its choosing.
func cookieName(base string, secure bool) string {
	if secure {
		return "__Host-" + base
	}
	return base
}

// Set signs the user in: it writes a fresh session cookie valid for the TTL, with a new CSRF token.
// The user must be a recorded row (models.UpsertUser's answer): the session names its id.
func (s *Sessions) Set(c *gin.Context, u models.User) error {
	ck, err := s.cookie(u, s.now())
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, ck)
	return nil
}

func (s *Sessions) cookie(u models.User, issued time.Time) (*http.Cookie, error) {
	if u.ID == "" || u.Email == "" {
		return nil, fmt.Errorf("web: session of an unrecorded user %q", u.Email)
	}
	v, err := s.codec.Encode(s.name, session{UserID: u.ID, Email: u.Email, CSRF: rand.Text(),
		IssuedAt: issued.Unix(), ExpiresAt: issued.Add(s.ttl).Unix()})
	if err != nil {
		return nil, fmt.Errorf("web: encode session of %s: %w", u.Email, err)
	}
	return s.attrs(&http.Cookie{Name: s.name, Value: v, MaxAge: int(s.ttl.Seconds())}), nil
}

// attrs sets what every cookie of the package carries. SameSite=Lax rather than Strict: the return
// from the identity provider, and a link followed from a mail, are top-level navigations from another
// site that must arrive signed in.
func (s *Sessions) attrs(ck *http.Cookie) *http.Cookie {
	ck.Path = "/"
	ck.HttpOnly = true
	ck.Secure = s.secure
	ck.SameSite = http.SameSiteLaxMode
	return ck
}

// Clear signs the browser out by expiring the session cookie.
func (s *Sessions) Clear(c *gin.Context) {
	http.SetCookie(c.Writer, s.attrs(&http.Cookie{Name: s.name, Value: "", MaxAge: -1}))
}

// read returns the session in the request's cookie; any cookie that is forged, tampered with,
// expired or undecodable is an error, which callers treat as no session.
func (s *Sessions) read(r *http.Request) (session, error) {
	ck, err := r.Cookie(s.name)
	if err != nil {
		return session{}, errNoSession
	}
	var sess session
	if err := s.codec.Decode(s.name, ck.Value, &sess); err != nil {
		return session{}, fmt.Errorf("web: session cookie: %w", err)
	}
	if now := s.now().Unix(); now >= sess.ExpiresAt {
		return session{}, fmt.Errorf("web: session of %s expired at %d", sess.Email, sess.ExpiresAt)
	}
	if sess.Email == "" || sess.UserID == "" || sess.CSRF == "" {
		return session{}, errors.New("web: session without a user or a CSRF token")
	}
	return sess, nil
}

// actor is the signed-in person as the user row says now: name, company and platform roles are the
// row's (what the last sign-in or bearer token recorded), so the session carries no right of its own.
// A row that is gone, or is another user's under the same email, ends the session.
func (s *Sessions) actor(ctx context.Context, sess session) (auth.Identity, error) {
	var u models.User
	err := s.db.WithContext(ctx).Where("email = ?", sess.Email).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.ID != sess.UserID) {
		return auth.Identity{}, fmt.Errorf("web: the session's user %s (%s) is no longer recorded", sess.Email, sess.UserID)
	}
	if err != nil {
		return auth.Identity{}, fmt.Errorf("%w: %s: %w", errLookup, sess.Email, err)
	}
	roles := u.PlatformRoles
	if roles == nil {
		roles = []string{}
	}
	return auth.Identity{Email: u.Email, Name: u.Name, CCOID: u.CCOID, Company: u.Company, Roles: roles}, nil
}

// identify puts the session's identity on the request's context and the session on the gin context.
// A cookie that fails is also removed, so the browser stops sending it; errNoSession means there was
// none, errLookup that the database could not say.
func (s *Sessions) identify(c *gin.Context) error {
	ctx := c.Request.Context()
	sess, err := s.read(c.Request)
	if err != nil {
		if !errors.Is(err, errNoSession) {
			s.log.InfoContext(ctx, "session refused", "path", c.Request.URL.Path, "error", err)
			s.Clear(c)
		}
		return err
	}
	id, err := s.actor(ctx, sess)
	if errors.Is(err, errLookup) {
		s.log.ErrorContext(ctx, "session not checked", "path", c.Request.URL.Path, "error", err)
		return err
	}
	if err != nil {
		s.log.InfoContext(ctx, "session refused", "path", c.Request.URL.Path, "error", err)
		s.Clear(c)
		return err
	}
	c.Set(sessionKey, sess)
	c.Request = c.Request.WithContext(auth.WithIdentity(ctx, id))
	return nil
}

// Require is middleware for pages only a signed-in person may see or post to. Without a valid
// session, a browser is sent to sign in and brought back afterwards (303 to the sign-in page with
// ?next=); a request that is not for a page (an htmx or API call, which cannot follow a sign-in) gets
// 401 JSON instead. A state-changing request must also pass the session's form check (CheckForm).
func (s *Sessions) Require(c *gin.Context) {
	err := s.identify(c)
	switch {
	case errors.Is(err, errLookup):
		fail(c, s.log, http.StatusInternalServerError, &models.Error{Code: models.CodeInternal,
			Message: "Checking your session failed on our side; it was logged. Try again in a moment."})
		return
	case err != nil:
		s.toSignIn(c)
		return
	}
	if !s.formOK(c) {
		return
	}
	c.Next()
}

// toSignIn answers a request that needs a session and has none.
func (s *Sessions) toSignIn(c *gin.Context) {
	if wantsPage(c.Request) && safeMethod(c.Request.Method) {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, s.loginPath+"?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	if wantsPage(c.Request) {
		// A form posted after the session ended: its answer cannot be replayed after signing in.
		fail(c, s.log, http.StatusUnauthorized, &models.Error{Code: models.CodeUnauthenticated,
			Message: "Your session has ended, so this form was not sent. Sign in again, then send it again."})
		return
	}
	c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": &models.Error{Code: models.CodeUnauthenticated,
		Message: "sign in first: this page needs a signed-in session"}})
}

// Optional is middleware for pages that anyone may see but that say more to a signed-in person: the
// identity is on the context when the session is valid, and the request goes on either way. A
// state-changing request made with a session must pass the form check as under Require.
func (s *Sessions) Optional(c *gin.Context) {
	if s.identify(c) == nil && !s.formOK(c) {
		return
	}
	c.Next()
}

// formOK is the one CSRF check of every request made under a session: GET, HEAD and OPTIONS pass
// (they change nothing); anything else must come from this site (webguard.Origins) and carry the
// session's CSRF token in the CSRFField form field or the CSRFHeader header. Otherwise it answers 403
// and reports false.
func (s *Sessions) formOK(c *gin.Context) bool {
	if safeMethod(c.Request.Method) {
		return true
	}
	if !s.sameSite(c) {
		return false
	}
	sess, ok := c.Get(sessionKey)
	want, _ := sess.(session)
	got := c.GetHeader(CSRFHeader)
	if got == "" {
		got = c.PostForm(CSRFField)
	}
	if !ok || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want.CSRF)) != 1 {
		s.log.WarnContext(c.Request.Context(), "form without the session's CSRF token refused",
			"path", c.Request.URL.Path, "user", want.Email, "tokenSent", got != "")
		fail(c, s.log, http.StatusForbidden, &models.Error{Code: models.CodeForbidden, Field: CSRFField,
			Message: "This form is not from your current session (it is older than your last sign-in, or another " +
				"site made it), so it was refused. Open the page again and send it from there."})
		return false
	}
	return true
}

// CrossOrigin is middleware that refuses (403) a state-changing request a browser says another site
// made (webguard.Origins: Sec-Fetch-Site, or an Origin other than this host or the public URL). The
// session's own forms get this check and the CSRF token's from Require; CrossOrigin is for the forms
// posted before there is a session (the dev sign-in), so no other site can sign a browser in.
func (s *Sessions) CrossOrigin(c *gin.Context) {
	if s.sameSite(c) {
		c.Next()
	}
}

// sameSite answers 403 and reports false when a browser says another site made the request.
func (s *Sessions) sameSite(c *gin.Context) bool {
	if err := s.origins.Check(c.Request); err != nil {
		s.log.WarnContext(c.Request.Context(), "cross-site request refused", "path", c.Request.URL.Path,
			"origin", c.GetHeader("Origin"), "secFetchSite", c.GetHeader("Sec-Fetch-Site"))
		fail(c, s.log, http.StatusForbidden, &models.Error{Code: models.CodeForbidden,
			Message: "This form was sent from another site, so it was refused. Open the page here and send it again."})
		return false
	}
	return true
}

// Identity is the signed-in person of a request that went through Require or Optional, as their
// user row says (platform roles included); ok=false when nobody is signed in. It is the same value
// the bearer-token API puts on the context, so auth.FromContext reads it too.
func Identity(c *gin.Context) (auth.Identity, bool) {
	return auth.FromContext(c.Request.Context())
}

// CSRFToken is the token a page rendered under Require or Optional puts in a hidden CSRFField input
// of each of its POST forms (or htmx sends as the CSRFHeader header); "" without a session.
func CSRFToken(c *gin.Context) string {
	v, _ := c.Get(sessionKey)
	sess, _ := v.(session)
	return sess.CSRF
}

// Account is what a page shows of the signed-in person (its header's "signed in as") and the fields
// of its sign-out form: <form method="post" action="{{.LogoutPath}}"> with a hidden CSRFField input
// holding CSRF.
type Account struct {
	Email, Name string
	Roles       []string
	CSRF        string
	LogoutPath  string
}

// AccountOf is the Account of a request that went through Require or Optional; ok=false when nobody
// is signed in.
func AccountOf(c *gin.Context) (Account, bool) {
	id, ok := Identity(c)
	if !ok {
		return Account{}, false
	}
	return Account{Email: id.Email, Name: id.Name, Roles: id.Roles, CSRF: CSRFToken(c), LogoutPath: LogoutPath}, true
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// wantsPage reports whether the request is a browser navigation, which can follow a redirect to the
// sign-in page, rather than a fetch whose caller expects data.
func wantsPage(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "" && strings.Contains(r.Header.Get("Accept"), "text/html")
}
