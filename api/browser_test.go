package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// checkBrowserHeaders checks what every answer must tell a browser: never frame this (CSP
// frame-ancestors, and X-Frame-Options for older browsers), run no script, never guess the type.
func checkBrowserHeaders(t *testing.T, h http.Header, what string) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, directive := range []string{"frame-ancestors 'none'", "default-src 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, directive)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("%s: Content-Security-Policy %q allows scripts", what, csp)
	}
	if xfo := h.Get("X-Frame-Options"); xfo != "DENY" {
		t.Errorf("%s: X-Frame-Options %q, want DENY", what, xfo)
	}
	if nosniff := h.Get("X-Content-Type-Options"); nosniff != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, nosniff)
	}
}

// Every kind of answer carries the headers: pages of emailed links (open, unknown, refused), JSON
// answers and errors, the CSV export, probes and metrics, the routes the dev stack mounts, a panic.
func TestEveryAnswerCarriesTheBrowserHeaders(t *testing.T) {
	h, _, raw, _ := approvalTask(t)
	h.reconfigure(func(o *api.Options) {
		o.Extra = append(o.Extra, func(r *gin.Engine) {
			r.GET("/dev/page", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<p>dev</p>")) })
			r.GET("/dev/panic", func(*gin.Context) { panic("boom") })
		})
	})
	alice := h.token("alice@acme.com")
	for _, r := range []struct {
		method, path, token string
		status              int
	}{
		{http.MethodGet, "/a/" + raw, "", http.StatusOK},
		{http.MethodGet, "/a/not-a-token", "", http.StatusNotFound},
		{http.MethodGet, "/api/v1/me", alice, http.StatusOK},
		{http.MethodGet, "/api/v1/me", "", http.StatusUnauthorized},
		{http.MethodGet, "/api/v1/orders/export.csv", alice, http.StatusOK},
		{http.MethodDelete, "/api/v1/smart-accounts", alice, http.StatusMethodNotAllowed},
		{http.MethodGet, "/nothing", "", http.StatusNotFound},
		{http.MethodGet, "/healthz", "", http.StatusOK},
		{http.MethodGet, "/readyz", "", http.StatusOK},
		{http.MethodGet, "/metrics", "", http.StatusOK},
		{http.MethodGet, "/dev/page", "", http.StatusOK},
		{http.MethodGet, "/dev/panic", "", http.StatusInternalServerError},
	} {
		rec := h.do(r.method, r.path, r.token, nil)
		what := r.method + " " + r.path
		if rec.Code != r.status {
			t.Errorf("%s: %d, want %d", what, rec.Code, r.status)
		}
		checkBrowserHeaders(t, rec.Result().Header, what)
	}
	// A refused cross-site form's page too, and it is kept out of caches like every link page.
	rec := h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}, "Origin", "https://evil.example")
	parsePage(t, rec, http.StatusForbidden)
}

// A form another site makes a browser post to an emailed link is refused with a page that says why,
// and decides nothing; the link's own page, posted by the browser, and a client that is no browser
// decide as before.
func TestCrossSiteFormToALinkIsRefused(t *testing.T) {
	for name, hdr := range map[string][]string{
		"another site's origin":      {"Origin", "https://evil.example"},
		"the browser says so":        {"Sec-Fetch-Site", "cross-site"},
		"a sibling subdomain":        {"Sec-Fetch-Site", "same-site", "Origin", "http://evil.example.com"},
		"both":                       {"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		"an origin of another port":  {"Origin", "http://example.com:8443"},
		"an opaque origin (sandbox)": {"Origin", "null"},
	} {
		t.Run(name, func(t *testing.T) {
			h, eng, raw, tok := approvalTask(t)
			h.fake.decideWithStore(eng.ID)
			before := h.snapshot()
			p := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}, hdr...), http.StatusForbidden)
			if text := p.text(); !strings.Contains(text, "another site") || !strings.Contains(text, "nothing was decided") {
				t.Errorf("the page does not say why: %s", text)
			}
			if n := len(h.fake.decideCalls()); n != 0 {
				t.Errorf("Decide called %d times", n)
			}
			if h.snapshot() != before || h.tokenRow(tok.ID).UsedAt != nil {
				t.Errorf("a cross-site form changed the database")
			}
		})
	}

	// httptest's requests are for http://example.com.
	for name, hdr := range map[string][]string{
		"the page posted in the browser": {"Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"},
		"an older browser, same origin":  {"Origin", "http://example.com"},
		"no browser (curl, a script)":    nil,
	} {
		t.Run(name, func(t *testing.T) {
			h, eng, raw, _ := approvalTask(t)
			h.fake.decideWithStore(eng.ID)
			parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}, hdr...), http.StatusOK)
			if h.account(eng.ID).Status != models.SAActive {
				t.Errorf("account %s, want ACTIVE", h.account(eng.ID).Status)
			}
		})
	}

	// Behind a proxy that rewrites Host, the browser's Origin is the public URL: trusted.
	t.Run("behind a proxy", func(t *testing.T) {
		h, eng, raw, _ := approvalTask(t)
		h.fake.decideWithStore(eng.ID)
		h.reconfigure(func(o *api.Options) { o.PublicURL = "https://licensing.example.com" })
		req := httptest.NewRequest(http.MethodPost, "http://clc-api:8080/a/"+raw, strings.NewReader("decision=APPROVE"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://licensing.example.com")
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		parsePage(t, rec, http.StatusOK)
		if h.account(eng.ID).Status != models.SAActive {
			t.Errorf("account %s, want ACTIVE", h.account(eng.ID).Status)
		}
	})
}

// The cross-site check is for the link pages' forms: the API's calls carry a bearer token, which no
// browser adds by itself, so they pass whatever Origin they come with.
func TestCrossSiteCheckLeavesTheAPIAlone(t *testing.T) {
	h := newHarness(t)
	h.acme()
	eng := h.engineering()
	h.fake.decideFn = func(context.Context, string, process.DecideInput) (process.DecideResult, error) {
		return process.DecideResult{SmartAccountID: eng.ID, Decision: process.Approve, Status: models.SAActive}, nil
	}
	jsonOf(t, h.do(http.MethodPost, decisionPath(eng.ID), h.token("alice@acme.com"), map[string]any{"decision": "APPROVE"},
		"Origin", "https://app.example"), http.StatusOK)
}
