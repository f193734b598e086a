package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func TestProbes(t *testing.T) {
	h := newHarness(t)
	if v := jsonOf(t, h.do(http.MethodGet, "/healthz", "", nil), http.StatusOK); v["status"] != "ok" {
		t.Errorf("healthz %v", v)
	}
	if v := jsonOf(t, h.do(http.MethodGet, "/readyz", "", nil), http.StatusOK); v["status"] != "ready" {
		t.Errorf("readyz %v", v)
	}
}

// /readyz asks the database and every check it is given (Temporal, in production) and names what is
// down, never why (the cause is logged).
func TestReadyzNamesWhatIsDown(t *testing.T) {
	h := newHarness(t)
	temporalUp := true
	h.reconfigure(func(o *api.Options) {
		o.Checks = []api.Check{{Name: "temporal", Ping: func(context.Context) error {
			if temporalUp {
				return nil
			}
			return errors.New("dial tcp 10.0.0.7:7233: connection refused")
		}}}
	})
	v := jsonOf(t, h.do(http.MethodGet, "/readyz", "", nil), http.StatusOK)
	if checks, _ := v["checks"].(map[string]any); v["status"] != "ready" || checks["database"] != "ok" || checks["temporal"] != "ok" {
		t.Errorf("all up: %v", v)
	}
	temporalUp = false
	rec := h.do(http.MethodGet, "/readyz", "", nil)
	v = jsonOf(t, rec, http.StatusServiceUnavailable)
	if checks, _ := v["checks"].(map[string]any); v["status"] != "temporal unreachable" || checks["database"] != "ok" ||
		checks["temporal"] != "unreachable" {
		t.Errorf("temporal down: %v", v)
	}
	if strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Errorf("/readyz shows the cause: %s", rec.Body)
	}
	// /healthz says the process lives: it asks nothing, so an outage does not restart every copy.
	jsonOf(t, h.do(http.MethodGet, "/healthz", "", nil), http.StatusOK)
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	h := newHarness(t)
	tok := h.token("alice@acme.com")
	for _, path := range []string{"/api/v1/nothing", "/api/v2/smart-accounts", "/nothing"} {
		e := errorOf(t, h.do(http.MethodGet, path, tok, nil), http.StatusNotFound)
		if e.Code != models.CodeNotFound {
			t.Errorf("%s: code %q", path, e.Code)
		}
	}
}

// TestWrongMethodAnswersJSON: a client calling an /api route with the wrong method gets the same
// {"error":{…}} JSON as for every other error, not a text body.
func TestWrongMethodAnswersJSON(t *testing.T) {
	h := newHarness(t)
	tok := h.token("alice@acme.com")
	for _, r := range []struct{ method, path string }{
		{http.MethodDelete, "/api/v1/smart-accounts"},
		{http.MethodPut, "/api/v1/me"},
	} {
		rec := h.do(r.method, r.path, tok, nil)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", r.method, r.path, rec.Code)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: 405 with Content-Type %q and body %q, want {\"error\":{…}} JSON", r.method, r.path, ct, rec.Body)
			continue
		}
		errorOf(t, rec, http.StatusMethodNotAllowed)
	}
}

func TestPanicsAnswerJSON(t *testing.T) {
	h := newHarness(t)
	h.acme()
	eng := h.engineering()
	h.fake.decideFn = func(context.Context, string, process.DecideInput) (process.DecideResult, error) {
		panic("boom: internal detail")
	}
	rec := h.do(http.MethodPost, decisionPath(eng.ID), h.token("alice@acme.com"), map[string]any{"decision": "APPROVE"})
	e := errorOf(t, rec, http.StatusInternalServerError)
	if e.Code != models.CodeInternal || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("500 body %s, want INTERNAL without the panic's detail", rec.Body)
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	raw, _ := h.issueToken(models.PurposeSAApproval, "sa-create/req-x", acme.ID, "alice@acme.com", acme.CreatedAt)
	h.do(http.MethodGet, "/healthz", "", nil)
	h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID, h.token("alice@acme.com"), nil)
	h.do(http.MethodGet, "/a/"+raw, "", nil)
	h.do(http.MethodGet, "/nothing/here", "", nil)

	rec := h.do(http.MethodGet, "/metrics", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"# TYPE clc_http_request_duration_seconds histogram",
		`clc_http_request_duration_seconds_count{code="200",method="GET",route="/healthz"} 1`,
		`clc_http_request_duration_seconds_count{code="200",method="GET",route="/api/v1/smart-accounts/:id"} 1`,
		`route="/a/:token"`,
		`clc_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Routes are labelled by pattern: no ids, and no emailed token, in the metrics.
	for _, leak := range []string{acme.ID, raw, "/nothing/here"} {
		if strings.Contains(body, leak) {
			t.Errorf("metrics contain %q", leak)
		}
	}
}
