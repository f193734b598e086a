package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Partner Holding Accounts end to end (FEATURES SA12, HA1–HA3, NO2): the real order and holding-transfer
// processes, PostgreSQL, SMTP with its links followed, and the fulfillment service over HTTP.

// holdingAccount has a registered partner's OFM create its holding account; it returns the OFM, the
// account's name and id.
func holdingAccount(t *testing.T, label string) (partner string, ofm *user, name, id string) {
	t.Helper()
	partner = domainOf(label)
	registerPartner(t, partner, nil, "olivia@"+partner)
	ofm = as(t, "olivia@"+partner)
	name = "Holding " + partner
	body := account(name, partner, "type", "HOLDING")
	st, resp := ofm.post("/api/v1/smart-accounts", body)
	if st != http.StatusAccepted || resp["status"] != "ACTIVE" || resp["type"] != "HOLDING" {
		t.Fatalf("holding account of %s: %d %v", partner, st, resp)
	}
	return partner, ofm, name, str(resp["id"])
}

// where says, for a line, how much of it each account holds and in which status, from the license rows.
func where(t *testing.T, orderID, lineID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	total := 0
	for _, l := range licensesOf(t, orderID, lineID) {
		out[l.SmartAccountID] += string(l.Status)
		total += l.Quantity
	}
	if len(out) > 1 || len(out) == 1 && total != 10 {
		t.Fatalf("licenses of %s/%s are in %v (%d in all): never in two places, never part", orderID, lineID, out, total)
	}
	return out
}

// totals reads an account's license totals through the API, as its member sees them.
func totals(t *testing.T, u *user, saID string) string {
	t.Helper()
	st, body := u.get("/api/v1/smart-accounts/" + saID + "/licenses")
	if st != http.StatusOK {
		t.Fatalf("licenses of %s: %d %v", saID, st, body)
	}
	var parts []string
	for _, x := range body["totals"].([]any) {
		m := x.(map[string]any)
		parts = append(parts, fmt.Sprintf("%s=%v", m["status"], m["quantity"]))
	}
	return strings.Join(parts, ",")
}

// An order names the partner's holding account at the point of sale: its licensed line ships into it,
// HELD and visible there; the members are mailed and reminded; Olivia follows her mailed link and moves
// it to the customer's ACTIVE account, where it is provisioned: the licenses leave the holding account as
// they arrive in the customer's (never both, never neither); the process ends; the holding members are
// told once that the order is fulfilled.
func TestHoldingDepositReminderTransferByLink(t *testing.T) {
	partner, olivia, name, holdID := holdingAccount(t, "holdpx")
	tld, admin, custID := activeAccount(t, "holdcust")
	id := "WHO-" + uniq()
	b := orderBody(id, "STANDARD", "fc@"+tld, partner)
	b["holdingAccount"] = map[string]any{"name": name}
	ingest(t, b)
	for _, l := range lines(t, id) {
		if l.AssignmentStatus != models.AssignInHolding || l.SmartAccountID != holdID {
			t.Fatalf("line %s deposited at sale: %+v", l.ID, l)
		}
	}
	if l := line(t, id, "1"); l.DelayReason != models.DelayInHolding {
		t.Fatalf("in holding: %s %s", l.ProvisioningStatus, l.DelayReason)
	}
	shipLines(t, id, "1", "2", "3")
	eventually(t, "held licenses", func() bool { return where(t, id, "1")[holdID] == "HELD" })
	if got := totals(t, olivia, holdID); got != "HELD=10" {
		t.Errorf("holding account's totals %q", got)
	}
	if got := totals(t, admin, custID); got != "" {
		t.Errorf("customer's totals before the move %q", got)
	}
	_, o := olivia.get("/api/v1/orders/" + id)
	if !strings.Contains(fmt.Sprint(o["waitingOn"]), "smart-account:"+holdID) {
		t.Errorf("the order waits on %v", o["waitingOn"])
	}

	task := mailTo(t, olivia.email, "Move Cisco order "+id)
	reminder := mailTo(t, olivia.email, "Reminder: Move Cisco order "+id)
	if actionLink(t, task) == actionLink(t, reminder) {
		t.Errorf("the reminder carries the same link")
	}
	link := actionLink(t, reminder)
	if st, body := page(t, link, nil); st != http.StatusOK || !strings.Contains(body, `name="smartAccount"`) ||
		!strings.Contains(body, `value="ASSIGN"`) {
		t.Fatalf("transfer page: %d %s", st, body)
	}
	if l := where(t, id, "1"); l[holdID] != "HELD" {
		t.Fatalf("opening the page moved something: %v", l)
	}
	if st, body := page(t, link, url.Values{"smartAccount": {tld}, "virtualAccount": {""}, "decision": {"ASSIGN"}}); st != http.StatusOK {
		t.Fatalf("transfer by link: %d %s", st, body)
	}
	after := where(t, id, "1")
	if after[custID] == "" || after[holdID] != "" {
		t.Fatalf("right after the transfer: %v", after)
	}
	provisioned(t, id, "1")
	if got := where(t, id, "1"); got[custID] != "ACTIVE" {
		t.Fatalf("after provisioning: %v", got)
	}
	if got := totals(t, admin, custID); got != "ACTIVE=10" {
		t.Errorf("customer's totals %q", got)
	}
	if got := totals(t, olivia, holdID); got != "" {
		t.Errorf("holding account's totals after the move %q", got)
	}
	if l := line(t, id, "3"); l.SmartAccountID != holdID {
		t.Errorf("the partner's own services line left holding: %+v", l)
	}
	eventually(t, "transfer process ended", func() bool {
		d, err := sys.tc.DescribeWorkflowExecution(context.Background(), process.HoldingTransferID(id), "")
		return err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	mailTo(t, olivia.email, "Cisco order "+id+" is fulfilled")
	if n := len(mailsTo(olivia.email, "Cisco order "+id+" is fulfilled")); n != 1 {
		t.Errorf("the fulfilled mail came %d times", n)
	}
	if st, _ := page(t, link, nil); st != http.StatusGone {
		t.Errorf("the used link answers %d", st)
	}
}

// Moved through the API to a provisional customer account: the licenses wait there, held, until its
// administrators' approval by link activates it and provisions them.
func TestHoldingTransferToProvisionalThenApproved(t *testing.T) {
	partner, olivia, _, holdID := holdingAccount(t, "holdpv")
	tld, admin, _ := activeAccount(t, "holdnew")
	bob, body := provisionalAccount(t, tld, "Held Labs", "labs."+tld)
	labs := str(body["id"])
	id := "WHP-" + uniq()
	b := orderBody(id, "STANDARD", bob.email, partner)
	b["holdingAccount"] = map[string]any{"domain": partner}
	ingest(t, b)
	shipLines(t, id, "1", "2", "3")
	eventually(t, "held licenses", func() bool { return where(t, id, "1")[holdID] == "HELD" })
	if st, body := as(t, "eve@evil.com").post("/api/v1/orders/"+id+"/transfer", map[string]any{"to": to("domain", "labs."+tld, "")}); st != http.StatusNotFound {
		t.Fatalf("a stranger's transfer: %d %v", st, body)
	}
	if st, body := olivia.post("/api/v1/orders/"+id+"/transfer", map[string]any{"to": to("domain", "labs."+tld, "")}); st != http.StatusOK {
		t.Fatalf("transfer: %d %v", st, body)
	}
	if got := where(t, id, "1"); got[labs] != "HELD" {
		t.Fatalf("after the transfer to a provisional account: %v", got)
	}
	if l := line(t, id, "1"); l.DelayReason != models.DelaySmartAccountPending {
		t.Fatalf("the line waits for %s", l.DelayReason)
	}
	link := actionLink(t, mailTo(t, admin.email, "Held Labs"))
	if st, page := page(t, link, url.Values{"decision": {"APPROVE"}}); st != http.StatusOK {
		t.Fatalf("approve by link: %d %s", st, page)
	}
	provisioned(t, id, "1")
	if got := where(t, id, "1"); got[labs] != "ACTIVE" {
		t.Fatalf("after the approval: %v", got)
	}
}
