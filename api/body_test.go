package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/models"
)

// A body over the limit is refused with 413 on every route, whether it says its length or not, as the
// API's error for API calls and as a page on an emailed link, and nothing behind it runs.
func TestBodyOverTheLimitIs413(t *testing.T) {
	h, eng, raw, tok := approvalTask(t)
	h.fake.decideWithStore(eng.ID)
	h.reconfigure(func(o *api.Options) { o.MaxBodyBytes = 4 << 10 })
	alice := h.token("alice@acme.com")
	big := createBody("Big", "big.acme.com")
	big["noteToApprover"] = strings.Repeat("x", 5<<10)

	for name, chunked := range map[string]bool{"with Content-Length": false, "chunked": true} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/smart-accounts", "/api/v1/me", "/nothing"} {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"x":"`+strings.Repeat("x", 5<<10)+`"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+alice)
				if chunked {
					req.ContentLength = -1
					req.Body = io.NopCloser(req.Body)
				}
				rec := httptest.NewRecorder()
				h.srv.ServeHTTP(rec, req)
				if path != "/api/v1/smart-accounts" && chunked {
					// A route that never reads its body answers as it would: the body is cut where read.
					continue
				}
				e := errorOf(t, rec, http.StatusRequestEntityTooLarge)
				if e.Code != models.CodeTooLarge || !strings.Contains(e.Message, "4 KiB") {
					t.Errorf("%s: %+v", path, e)
				}
			}
		})
	}
	errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", alice, big), http.StatusRequestEntityTooLarge)
	if n := len(h.fake.startCalls()); n != 0 {
		t.Errorf("%d processes started by refused bodies", n)
	}
	// Under the limit, the same call goes through.
	jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", alice, createBody("Small", "small.acme.com")), http.StatusAccepted)

	p := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"DECLINE"}, "reason": {strings.Repeat("x", 5<<10)}}),
		http.StatusRequestEntityTooLarge)
	if !strings.Contains(p.text(), "4 KiB") || h.tokenRow(tok.ID).UsedAt != nil || len(h.fake.decideCalls()) != 0 {
		t.Errorf("an oversized form: %s", p.text())
	}
}

// Without a setting the limit is 1 MiB.
func TestBodyLimitDefault(t *testing.T) {
	h := newHarness(t)
	alice := h.token("alice@acme.com")
	body := createBody("Big", "big.acme.com")
	body["noteToApprover"] = strings.Repeat("x", api.DefaultMaxBodyBytes)
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", alice, body), http.StatusRequestEntityTooLarge); !strings.Contains(e.Message, "1 MiB") {
		t.Errorf("%+v", e)
	}
	if api.DefaultMaxBodyBytes != 1<<20 {
		t.Errorf("default limit %d", api.DefaultMaxBodyBytes)
	}
}

// A body must be declared as JSON (415 otherwise), and name each field once, exactly as it is spelt
// (400 naming the field otherwise): encoding/json would take all of these, the last name or the
// case-folded one winning.
func TestJSONBodiesAreStrict(t *testing.T) {
	h := newHarness(t)
	h.acme()
	alice := h.token("alice@acme.com")
	const good = `{"name":"Acme Labs","domain":"labs.acme.com","headquarters":{"company":"Acme","line1":"1 Main St",` +
		`"city":"San Jose","country":"US"}}`
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "", "application/json; charset=iso-8859-1"} {
		e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", alice, deliberatelyBad(good), "Content-Type", ct), http.StatusUnsupportedMediaType)
		if e.Code != models.CodeNotJSON || !strings.Contains(e.Message, "application/json") {
			t.Errorf("Content-Type %q: %+v", ct, e)
		}
	}
	for body, field := range map[string]string{
		`{"name":"Acme Labs","name":"Other","domain":"labs.acme.com"}`:      "name",
		`{"NAME":"Acme Labs","domain":"labs.acme.com"}`:                     "NAME",
		`{"name":"Acme Labs","Domain":"labs.acme.com"}`:                     "Domain",
		`{"name":"Acme Labs","headquarters":{"city":"A","city":"B"}}`:       "headquarters.city",
		`{"name":"Acme Labs","headquarters":{"Company":"Acme","city":"A"}}`: "headquarters.Company",
	} {
		e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", alice, deliberatelyBad(body)), http.StatusBadRequest)
		if e.Code != models.CodeInvalid || e.Field != field {
			t.Errorf("%s: %+v, want field %s", body, e, field)
		}
	}
	if n := len(h.fake.startCalls()); n != 0 {
		t.Fatalf("%d processes started by refused bodies", n)
	}
	jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", alice, good, "Content-Type", "application/json; charset=utf-8"),
		http.StatusAccepted)
}
