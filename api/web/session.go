package web

import (
	"crypto/hkdf"
	"crypto/sha256"
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
	log       *slog.Logger
	// now is the clock the session's own expiry is checked against.
	now func() time.Time
}

// session is what the cookie holds. The expiry is inside the signed value, not only in the cookie's
// Max-Age, because a browser (or an attacker replaying a copied cookie) need not honour Max-Age.
type session struct {
	Identity  auth.Identity `json:"id"`
	IssuedAt  int64         `json:"iat"`
	ExpiresAt int64         `json:"exp"`
}

var errNoSession = errors.New("web: no session cookie")

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
		loginPath: cfg.LoginPath,
		origins:   origins,
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

// Set signs id in: it writes a fresh session cookie valid for the TTL.
func (s *Sessions) Set(c *gin.Context, id auth.Identity) error {
	ck, err := s.cookie(id, s.now())
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, ck)
	return nil
}

func (s *Sessions) cookie(id auth.Identity, issued time.Time) (*http.Cookie, error) {
	if id.Roles == nil {
		id.Roles = []string{}
	}
	v, err := s.codec.Encode(s.name, session{Identity: id, IssuedAt: issued.Unix(), ExpiresAt: issued.Add(s.ttl).Unix()})
	if err != nil {
		return nil, fmt.Errorf("web: encode session of %s: %w", id.Email, err)
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
		return session{}, fmt.Errorf("web: session of %s expired at %d", sess.Identity.Email, sess.ExpiresAt)
	}
	if sess.Identity.Email == "" {
		return session{}, errors.New("web: session without an email")
	}
	return sess, nil
}

// identify puts the session's identity on the request's context. A cookie that fails is also
// removed, so the browser stops sending it.
func (s *Sessions) identify(c *gin.Context) bool {
	sess, err := s.read(c.Request)
	if err != nil {
		if !errors.Is(err, errNoSession) {
			s.log.InfoContext(c.Request.Context(), "session refused", "path", c.Request.URL.Path, "error", err)
			s.Clear(c)
		}
		return false
	}
	c.Request = c.Request.WithContext(auth.WithIdentity(c.Request.Context(), sess.Identity))
	return true
}

// Require is middleware for pages only a signed-in person may see. Without a session, a browser is
// sent to sign in and brought back afterwards (303 to the sign-in page with ?next=); a request that
// is not for a page (an htmx or API call, which cannot follow a sign-in) gets 401 JSON instead.
func (s *Sessions) Require(c *gin.Context) {
	if s.identify(c) {
		c.Next()
		return
	}
	if wantsPage(c.Request) {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, s.loginPath+"?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": &models.Error{Code: models.CodeUnauthenticated,
		Message: "sign in first: this page needs a signed-in session"}})
}

// Optional is middleware for pages that anyone may see but that say more to a signed-in person: the
// identity is on the context when the session is valid, and the request goes on either way.
func (s *Sessions) Optional(c *gin.Context) {
	s.identify(c)
	c.Next()
}

// CrossOrigin is middleware that refuses (403) a state-changing request a browser says another site
// made (webguard.Origins: Sec-Fetch-Site, or an Origin other than this host or the public URL), so no
// other site can make a signed-in browser submit the session's forms. Requests without those headers
// pass: they do not come from a browser, and so carry no one's session by accident.
func (s *Sessions) CrossOrigin(c *gin.Context) {
	if err := s.origins.Check(c.Request); err != nil {
		s.log.WarnContext(c.Request.Context(), "cross-site request refused", "path", c.Request.URL.Path,
			"origin", c.GetHeader("Origin"), "secFetchSite", c.GetHeader("Sec-Fetch-Site"))
		fail(c, s.log, http.StatusForbidden, &models.Error{Code: models.CodeForbidden,
			Message: "This form was sent from another site, so it was refused. Open the page here and send it again."})
		return
	}
	c.Next()
}

// Identity is the signed-in person of a request that went through Require or Optional; ok=false when
// nobody is signed in.
func Identity(c *gin.Context) (auth.Identity, bool) {
	return auth.FromContext(c.Request.Context())
}

// wantsPage reports whether the request is a browser navigation, which can follow a redirect to the
// sign-in page, rather than a fetch whose caller expects data.
func wantsPage(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "" && strings.Contains(r.Header.Get("Accept"), "text/html")
}
