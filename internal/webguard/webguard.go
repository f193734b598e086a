// Package webguard holds what the HTTP server asks of browsers on every answer (no framing, no type
// sniffing, nothing loaded from anywhere) and the one check that refuses a form another site made a
// browser send. The emailed-link pages, the signed-in pages of api/web, the dev pages and the JSON
// API all use it, so the rules are written once.
package webguard

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// ContentSecurityPolicy lets a page use its inline style and post its forms to this site, and
// nothing else: no script, no image or font from anywhere, no <base> rewriting where links go, and
// no other site may frame it (so none can overlay a page to steal a click on "Approve").
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// Headers is middleware that sets, on every answer, before the handler runs (so refusals and
// panics carry them too): the policy above, X-Frame-Options DENY for browsers that do not read
// frame-ancestors, and nosniff, so a browser never runs a JSON or CSV answer as a script or page.
func Headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Next()
}

// Private marks an answer that carries a secret in its URL (an emailed link's token) or a person's
// state: never stored by a cache, and never sent on as the Referer of a link followed from it.
func Private(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
}

// Origins refuses a state-changing request that a browser says another site made: Sec-Fetch-Site
// other than same-origin or none, or (from browsers too old to send it) an Origin that is neither
// this request's host nor a trusted origin. Requests with neither header pass: they do not come from
// a browser (curl, a script, a test), so they carry nobody's cookie or open page by accident.
type Origins struct {
	protection *http.CrossOriginProtection
}

// NewOrigins builds the check. trusted are the origins to accept besides the request's own host:
// the public URL, since behind a proxy that rewrites Host the browser's Origin no longer matches the
// request's Host. An empty entry is skipped; a malformed one is an error.
func NewOrigins(trusted ...string) (*Origins, error) {
	p := http.NewCrossOriginProtection()
	for _, t := range trusted {
		if t == "" {
			continue
		}
		u, err := url.Parse(t)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("webguard: trusted origin %q is not an http(s) URL", t)
		}
		if err := p.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("webguard: trust origin %q: %w", t, err)
		}
	}
	return &Origins{protection: p}, nil
}

// Check reports why r is refused, or nil. GET, HEAD and OPTIONS always pass: they change nothing.
func (o *Origins) Check(r *http.Request) error {
	return o.protection.Check(r)
}
