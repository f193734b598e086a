package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/models"
)

// withConsole rebuilds the server with the dev sign-in and order processes that record the ops
// actions they are handed.
func (h *harness) withConsole() *fakeOrders {
	h.t.Helper()
	signIn, err := web.New(h.t.Context(), web.Config{PublicURL: "http://clc.test", DevLogin: true, DB: h.db, Log: discard,
		SessionKey: []byte(testSecret)})
	if err != nil {
		h.t.Fatal(err)
	}
	orders := &fakeOrders{db: h.db}
	h.srv = api.New(api.Options{DB: h.db, Processes: h.fake, Orders: orders, Verifier: h.v, Log: discard, SignIn: signIn,
		PublicURL: "http://clc.test"}).Handler()
	return orders
}

// signInAs signs a browser in on the dev sign-in page and returns its session cookie.
func (h *harness) signInAs(email string, roles ...string) string {
	h.t.Helper()
	rec := h.page(http.MethodPost, "/dev/login", "", url.Values{"email": {email}, "roles": {strings.Join(roles, ",")},
		"next": {"/ops"}})
	cookie, ok := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || !ok {
		h.t.Fatalf("sign in as %s: %d %s", email, rec.Code, rec.Body)
	}
	return cookie
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// The console lists the pending lines with the counts per reason and filters, each with its trail and
// the forms of the actions it allows; only licensing ops see it; a bad filter says which.
func TestOpsConsolePage(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	now := time.Now().UTC().Truncate(time.Second)
	h.pendingLine("WO-1", acme.ID, models.DelayFulfillmentError, now.Add(-72*time.Hour), true)
	h.pendingLine("WO-2", "", models.DelayNoSmartAccount, now.Add(-48*time.Hour), false)
	h.withConsole()

	rec := h.page(http.MethodGet, "/ops?stuck=true", "", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dev/login?next=%2Fops%3Fstuck%3Dtrue" {
		t.Fatalf("without a session: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := h.page(http.MethodGet, "/ops", h.signInAs("alice@acme.com"), nil); rec.Code != http.StatusForbidden ||
		!strings.Contains(rec.Body.String(), "licensing-ops") {
		t.Errorf("a customer opened the console: %d %s", rec.Code, rec.Body)
	}

	ops := h.signInAs("olga@cisco.com", models.RoleLicensingOps)
	rec = h.page(http.MethodGet, "/ops", ops, nil)
	page := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("console: %d %s", rec.Code, page)
	}
	for _, want := range []string{`data-reason="FULFILLMENT_ERROR"><b>1</b>`, `data-reason="NO_SMART_ACCOUNT"><b>1</b>`,
		`data-reason="STUCK"><b>1</b>`, `id="line-WO-1-1"`, `id="line-WO-2-1"`, `<span class="stuck">stuck</span>`,
		`action="/ops/provisioning/WO-1/retry"`, `action="/ops/provisioning/WO-1/manual-review"`,
		`<label for="reason-retry-0">`, `id="reason-retry-0" name="reason" required`, `<label for="delayReason">`,
		"fulfillment: 503 Service Unavailable", "olga@cisco.com"} {
		if !strings.Contains(page, want) {
			t.Errorf("console lacks %s", want)
		}
	}
	if strings.Contains(page, `action="/ops/provisioning/WO-2/retry"`) {
		t.Errorf("a line with no account offers a retry")
	}
	if strings.Index(page, `id="line-WO-1-1"`) > strings.Index(page, `id="line-WO-2-1"`) {
		t.Errorf("not oldest first")
	}
	rec = h.page(http.MethodGet, "/ops?delayReason=NO_SMART_ACCOUNT", ops, nil)
	if page := rec.Body.String(); strings.Contains(page, `id="line-WO-1-1"`) || !strings.Contains(page, `id="line-WO-2-1"`) ||
		!strings.Contains(page, `<option value="NO_SMART_ACCOUNT" selected>`) {
		t.Errorf("filtered by reason: %s", page)
	}
	rec = h.page(http.MethodGet, "/ops?olderThan=soon", ops, nil)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "olderThan is a positive duration") ||
		!strings.Contains(rec.Body.String(), `value="soon"`) {
		t.Errorf("bad filter: %d %s", rec.Code, rec.Body)
	}
}

// A console action needs the session's CSRF token and a reason, and goes to the order process as the
// API's does, with who and why; then the order's page says it was done and shows the trail.
func TestOpsConsoleActions(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	h.pendingLine("WO-1", acme.ID, models.DelayFulfillmentError, time.Now().UTC().Add(-time.Hour), false)
	orders := h.withConsole()
	ops := h.signInAs("olga@cisco.com", models.RoleLicensingOps)
	m := csrfInput.FindStringSubmatch(h.page(http.MethodGet, "/ops", ops, nil).Body.String())
	if m == nil {
		t.Fatal("no CSRF token in the console's forms")
	}
	csrf := m[1]
	form := func(v url.Values) url.Values {
		v.Set("line", "1")
		v.Set("back", "delayReason=FULFILLMENT_ERROR&evil=1")
		return v
	}
	if rec := h.page(http.MethodPost, "/ops/provisioning/WO-1/retry", ops, form(url.Values{"reason": {"x"}})); rec.Code != http.StatusForbidden {
		t.Errorf("a form without the CSRF token: %d", rec.Code)
	}
	rec := h.page(http.MethodPost, "/ops/provisioning/WO-1/retry", ops, form(url.Values{"csrf": {csrf}, "reason": {"  "}}))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "a reason is required") {
		t.Errorf("no reason: %d %s", rec.Code, rec.Body)
	}
	if rec := h.page(http.MethodPost, "/ops/provisioning/WO-1/cancel", ops, form(url.Values{"csrf": {csrf}, "reason": {"x"}})); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown action: %d", rec.Code)
	}
	if n := len(orders.ops); n != 0 {
		t.Fatalf("%d refused actions reached the process", n)
	}
	rec = h.page(http.MethodPost, "/ops/provisioning/WO-1/retry", ops, form(url.Values{"csrf": {csrf}, "reason": {"service back"}}))
	want := "/ops/orders/WO-1?back=delayReason%3DFULFILLMENT_ERROR&done=RETRY%3A1"
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
		t.Fatalf("retry: %d to %q, want %q", rec.Code, rec.Header().Get("Location"), want)
	}
	if len(orders.ops) != 1 || orders.ops[0].Action != models.OpsRetry || orders.ops[0].Reason != "service back" ||
		orders.ops[0].Actor.Email != "olga@cisco.com" || len(orders.ops[0].Lines) != 1 || orders.ops[0].Lines[0] != "1" {
		t.Fatalf("the process was handed %+v", orders.ops)
	}
	page := h.page(http.MethodGet, want, ops, nil).Body.String()
	if !strings.Contains(page, "Retry now: recorded for line 1.") || !strings.Contains(page, `href="/ops?delayReason=FULFILLMENT_ERROR"`) ||
		!strings.Contains(page, `id="line-WO-1-1"`) || !strings.Contains(page, "<details open>") {
		t.Errorf("the order's page: %s", page)
	}
	if rec := h.page(http.MethodGet, "/ops/orders/WO-9", ops, nil); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown order's page: %d", rec.Code)
	}
}
