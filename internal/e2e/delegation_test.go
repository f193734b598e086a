package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/internal/app"
	"github.com/licensecentral/clc/models"
)

// contactOrder ingests an order <prefix>-… for a fresh account's fulfillment contact fc@<tld>, signed in
// on the API a; it returns the account's TLD and id, the order's id and the contact.
func contactOrder(t *testing.T, a *app.App, label, prefix string) (tld, saID, id string, fc *user) {
	t.Helper()
	tld, _, saID = activeAccount(t, label)
	id = prefix + "-" + uniq()
	ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
	return tld, saID, id, asOn(t, a, "fc@"+tld)
}

// delegateOrder has owner delegate order id (body names the delegate and a note), failing unless the
// delegation is created; it returns the answer.
func delegateOrder(t *testing.T, owner *user, id string, body map[string]any) response {
	t.Helper()
	st, resp := owner.post("/api/v1/orders/"+id+"/delegations", body)
	if st != http.StatusCreated {
		t.Fatalf("delegate: %d %v", st, resp)
	}
	return resp
}

// The contact delegates by email; the delegate's link shows the order and changes nothing when opened;
// the delegate chooses the account and assigns; the lines are recorded, the delegation is used, both
// are mailed the outcome, and the link works no more.
func TestDelegationByMailedLink(t *testing.T) {
	tld, saID, id, owner := contactOrder(t, sys.app, "delegating", "WD")
	fc := owner.email
	helper := "helper@" + domainOf("integrator")

	body := delegateOrder(t, owner, id, map[string]any{"email": strings.ToUpper(helper), "note": "Use our main account"})
	d := body["delegation"].(map[string]any)
	if d["delegate"] != helper || d["status"] != "PENDING" || str(d["expiresAt"]) == "" {
		t.Fatalf("delegation %v", d)
	}
	if w := body["waitingOn"].([]any); len(w) != 1 || w[0].(map[string]any)["who"] != helper {
		t.Fatalf("waitingOn %v", w)
	}
	_, got := owner.get("/api/v1/orders/" + id)
	if len(got["waitingOn"].([]any)) != 2 || len(got["delegations"].([]any)) != 1 {
		t.Fatalf("the order waits for %v, delegations %v", got["waitingOn"], got["delegations"])
	}
	// The delegate sees that order, and only that one.
	delegate := as(t, helper)
	if st, _ := delegate.get("/api/v1/orders/" + id); st != http.StatusOK {
		t.Fatalf("the delegate cannot see the order: %d", st)
	}
	if _, list := delegate.get("/api/v1/orders"); len(list["orders"].([]any)) != 1 {
		t.Fatalf("the delegate's inventory: %v", list)
	}

	m := mailTo(t, helper, "asks you to assign order "+id)
	if !strings.Contains(m.Text, "Use our main account") {
		t.Fatalf("task mail: %s", m.Text)
	}
	link := actionLink(t, m)
	for i := 0; i < 2; i++ {
		code, html := page(t, link, nil)
		if code != http.StatusOK || !strings.Contains(html, id) || !strings.Contains(html, `name="smartAccount"`) ||
			!strings.Contains(html, `value="ASSIGN"`) || !strings.Contains(html, "C9300-DNA-E-3Y") {
			t.Fatalf("GET page: %d %s", code, html)
		}
	}
	if l := lines(t, id); l[0].SmartAccountID != "" {
		t.Fatal("opening the link assigned the order")
	}

	code, html := page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {"no-such-" + tld}})
	if code != http.StatusNotFound || !strings.Contains(html, `<form method="post">`) {
		t.Fatalf("unknown account: %d %s", code, html)
	}
	code, html = page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}, "virtualAccount": {"DEFAULT"}})
	if code != http.StatusOK || !strings.Contains(html, "Assigned") {
		t.Fatalf("POST page: %d %s", code, html)
	}
	for _, l := range lines(t, id) {
		if l.SmartAccountID != saID || l.AssignedBy != helper {
			t.Fatalf("line after the delegate's assignment: %+v", l)
		}
	}
	var dl models.OrderDelegation
	sys.db.Where("order_id = ?", id).Take(&dl)
	if dl.Status != models.DelegationUsed || dl.ClosedBy != helper {
		t.Fatalf("delegation %+v", dl)
	}
	for _, who := range []string{fc, helper} {
		if m := mailTo(t, who, "Order "+id+" was assigned"); !strings.Contains(m.Text, helper) {
			t.Fatalf("outcome mail to %s: %s", who, m.Text)
		}
	}
	if code, html := page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}}); code != http.StatusGone || !strings.Contains(html, "already used") {
		t.Fatalf("reused link: %d %s", code, html)
	}
	// Used, the delegation no longer lets its delegate see the order.
	if st, _ := delegate.get("/api/v1/orders/" + id); st != http.StatusNotFound {
		t.Fatalf("a used delegation still shows the order: %d", st)
	}
}

// The contact revokes; the delegate is told; the link then says "revoked" and its form does nothing.
func TestRevokeThenClick(t *testing.T) {
	tld, _, id, owner := contactOrder(t, sys.app, "revoking", "WR")
	fc := owner.email
	helper := "helper@" + domainOf("integrator")
	body := delegateOrder(t, owner, id, map[string]any{"email": helper})
	delegationID := str(body["delegation"].(map[string]any)["id"])
	link := actionLink(t, mailTo(t, helper, "asks you to assign order "+id))

	if st, _ := as(t, "colleague@"+tld).do(http.MethodDelete, "/api/v1/orders/"+id+"/delegations/"+delegationID, nil); st != http.StatusForbidden {
		t.Fatalf("a colleague revoked: %d", st)
	}
	st, body := owner.do(http.MethodDelete, "/api/v1/orders/"+id+"/delegations/"+delegationID, nil)
	if st != http.StatusOK || body["delegation"].(map[string]any)["status"] != "REVOKED" {
		t.Fatalf("revoke: %d %v", st, body)
	}
	mailTo(t, helper, "no longer need to assign order "+id)
	if st, again := owner.do(http.MethodDelete, "/api/v1/orders/"+id+"/delegations/"+delegationID, nil); st != http.StatusGone {
		t.Fatalf("revoke twice: %d %v", st, again)
	}

	code, html := page(t, link, nil)
	if code != http.StatusGone || !strings.Contains(html, "revoked by "+fc) || strings.Contains(html, `<form method="post">`) {
		t.Fatalf("GET after revoke: %d %s", code, html)
	}
	code, html = page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}})
	if code != http.StatusGone || !strings.Contains(html, "revoked") {
		t.Fatalf("POST after revoke: %d %s", code, html)
	}
	for _, l := range lines(t, id) {
		if l.SmartAccountID != "" {
			t.Fatalf("the revoked link assigned line %+v", l)
		}
	}
	if st, _ := as(t, helper).post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, ""))); st != http.StatusNotFound {
		t.Fatalf("the revoked delegate assigned through the API: %d", st)
	}
	_, got := owner.get("/api/v1/orders/" + id)
	if len(got["waitingOn"].([]any)) != 1 {
		t.Fatalf("the order still waits for the revoked delegate: %v", got["waitingOn"])
	}
}

// A delegation nobody uses expires (here after 3 s, the fast API's setting): the contact is told, the
// link says so and does nothing, and the order waits for its contact alone again.
func TestDelegationExpires(t *testing.T) {
	tld, _, id, owner := contactOrder(t, sys.fast, "expiring", "WE")
	fc := owner.email
	helper := "late@" + domainOf("integrator")
	delegateOrder(t, owner, id, map[string]any{"email": helper})
	link := actionLink(t, mailTo(t, helper, "asks you to assign order "+id))
	if m := mailTo(t, fc, "Your delegation of order "+id+" to "+helper+" expired"); !strings.Contains(m.Text, "assign the order yourself") {
		t.Fatalf("expiry mail: %s", m.Text)
	}
	var d models.OrderDelegation
	sys.db.Where("order_id = ?", id).Take(&d)
	if d.Status != models.DelegationExpired {
		t.Fatalf("delegation %+v", d)
	}
	code, html := page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}})
	if code != http.StatusGone || !strings.Contains(html, "expired") {
		t.Fatalf("POST after expiry: %d %s", code, html)
	}
	if l := lines(t, id); l[0].SmartAccountID != "" {
		t.Fatalf("an expired link assigned line %+v", l[0])
	}
	_, got := owner.get("/api/v1/orders/" + id)
	if w := got["waitingOn"].([]any); len(w) != 1 || w[0].(map[string]any)["who"] != fc {
		t.Fatalf("waitingOn after expiry: %v", w)
	}
}
