package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// A partner's access request (FEATURES AC8): only the partner's administrators and OFMs, by the rows and
// their own address, ask (a claim, a colleague without a role, an unregistered partner are refused
// naming why); it goes to the customer's administrators, never to the requester, whatever the
// automation rules say; the emailed page names the partner and offers no delegation; approved, the
// partner holds the grant, with its event, and its people read the account.
func TestPartnerAccessRequest(t *testing.T) {
	h := newHarness(t)
	h.registerPartnerX()
	acme := h.acme()
	path := "/api/v1/smart-accounts/" + acme.ID + "/access-requests"
	body := func(extra ...any) map[string]any {
		b := map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "we manage your renewals", "partnerDomain": "PartnerX.com"}
		for i := 0; i+1 < len(extra); i += 2 {
			b[extra[i].(string)] = extra[i+1]
		}
		return b
	}
	// An automation rule that approves anything decides no partner's request.
	jsonOf(t, h.do(http.MethodPut, "/api/v1/smart-accounts/"+acme.ID+"/access-rules", h.token("alice@acme.com"),
		map[string]any{"rules": []map[string]any{{"action": "APPROVE", "requesterDomain": "ANY"}}}), http.StatusOK)

	refusals := []struct {
		name, tok string
		body      map[string]any
		status    int
		field     string
		says      string
	}{
		{"a claim of the partner's company", h.claiming("eve@evil.com", "partnerx.com", "ofm"), body(), http.StatusForbidden,
			"partnerDomain", "administrators and Order Fulfillment Managers"},
		{"a colleague who is no OFM", h.token("pat@partnerx.com"), body(), http.StatusForbidden, "partnerDomain", "pat@partnerx.com is neither"},
		{"an unregistered partner", h.token("olivia@partnerx.com"), body("partnerDomain", "partnery.com"), http.StatusNotFound,
			"partnerDomain", "no partner is registered"},
		{"people named", h.token("olivia@partnerx.com"), body("forEmails", []string{"myself"}), http.StatusBadRequest, "forEmails", "partner's people"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			e := errorOf(t, h.do(http.MethodPost, path, tc.tok, tc.body), tc.status)
			if e.Field != tc.field || !strings.Contains(e.Message, tc.says) {
				t.Errorf("%s: field %q message %q", tc.name, e.Field, e.Message)
			}
		})
	}

	olivia := h.token("olivia@partnerx.com")
	v := jsonOf(t, h.do(http.MethodPost, path, olivia, body(), "Idempotency-Key", "p1"), http.StatusAccepted)
	if v["status"] != "PENDING" || v["partnerDomain"] != "partnerx.com" || v["partnerName"] != "Partner X" ||
		len(list(t, v["forEmails"], "forEmails")) != 0 {
		t.Fatalf("answer %v", v)
	}
	var waiting []string
	for _, w := range list(t, v["waitingOn"], "waitingOn") {
		waiting = append(waiting, w["who"].(string))
	}
	slices.Sort(waiting)
	if !slices.Equal(waiting, []string{"alice@acme.com", "bob@acme.com"}) {
		t.Errorf("waits for %v, want the customer's administrators", waiting)
	}
	again := jsonOf(t, h.do(http.MethodPost, path, olivia, body(), "Idempotency-Key", "p1"), http.StatusAccepted)
	if again["id"] != v["id"] {
		t.Errorf("the same request again made another: %v", again["id"])
	}
	id := v["id"].(string)
	mine := list(t, jsonOf(t, h.do(http.MethodGet, path, olivia, nil), http.StatusOK)["accessRequests"], "accessRequests")
	if len(mine) != 1 || mine[0]["id"] != id {
		t.Errorf("the requester's list %v", mine)
	}

	// The emailed page names the partner and what it asks; it has no delegation and changes nothing.
	raw, _ := h.issueToken(models.PurposeAccessApproval, process.AccessRequestID(id), id, "alice@acme.com", time.Now().Add(time.Hour))
	before := h.snapshot()
	p := parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusOK)
	for _, want := range []string{"Decide a partner&#39;s access request", "Partner X (partnerx.com)", "Smart Account User",
		"every address of partnerx.com", "olivia@partnerx.com", `value="APPROVE"`, `value="DECLINE"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %s:\n%s", want, p.body)
		}
	}
	if strings.Contains(p.body, `value="DELEGATE"`) || strings.Contains(p.body, `name="delegateTo"`) {
		t.Errorf("a partner's request offers delegation:\n%s", p.body)
	}
	if h.snapshot() != before {
		t.Fatal("GET changed the database")
	}

	// Approved through the page: the grant in the decision's transaction, with both events.
	h.decideAccessWithStore(id)
	p = parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}), http.StatusOK)
	if !strings.Contains(p.body, "The people of the partner partnerx.com now hold Smart Account User") {
		t.Errorf("outcome page:\n%s", p.body)
	}
	if calls := h.fake.decideCalls(); len(calls) != 1 || calls[0].In.Actor != "alice@acme.com" {
		t.Errorf("decisions sent %+v", calls)
	}
	grants, err := models.PartnerGrants(context.Background(), h.db, acme.ID)
	if err != nil || len(grants) != 1 || grants[0].PartnerDomain != "partnerx.com" || grants[0].AccessRequestID != id ||
		grants[0].Role != models.RoleSAUser || grants[0].GrantedBy != "alice@acme.com" {
		t.Fatalf("grants %+v %v", grants, err)
	}
	for _, action := range []string{models.EventAccessApproved, models.EventPartnerGranted} {
		if n := h.count(&models.Event{}, "smart_account_id = ? AND action = ?", acme.ID, action); n != 1 {
			t.Errorf("%d %s events", n, action)
		}
	}
	if h.accessRow(id).Status != models.AccessApproved {
		t.Errorf("request %+v", h.accessRow(id))
	}
	// Every address of the partner now holds the role; nobody got it by address.
	for _, who := range []string{"olivia@partnerx.com", "pat@emea.partnerx.com"} {
		jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/licenses", h.token(who), nil), http.StatusOK)
	}
	direct := h.count(&models.AccountRole{}, "smart_account_id = ? AND user_email LIKE ?", acme.ID, "%partnerx.com")
	if direct != 0 {
		t.Errorf("%d roles granted by address", direct)
	}
}

// A partner's request on an account administered by nobody but the partner's own people is refused:
// the customer has nobody to consent, and Cisco does not consent for them.
func TestPartnerAccessRequestWithoutCustomerAdmin(t *testing.T) {
	h := newHarness(t)
	h.registerPartnerX()
	acme := h.acme()
	if err := h.db.Where("smart_account_id = ? AND user_email = ?", acme.ID, "bob@acme.com").Delete(&models.AccountRole{}).Error; err != nil {
		t.Fatal(err)
	}
	if err := h.db.Model(&models.AccountRole{}).Where("smart_account_id = ?", acme.ID).Update("user_email", "admin@partnerx.com").Error; err != nil {
		t.Fatal(err)
	}
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+acme.ID+"/access-requests", h.token("olivia@partnerx.com"),
		map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "renewals", "partnerDomain": "partnerx.com"}), http.StatusConflict)
	if !strings.Contains(e.Message, "no administrator outside partnerx.com") {
		t.Errorf("message %q", e.Message)
	}
}
