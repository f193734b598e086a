package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/models"
)

// Provisioning end to end (FEATURES PR1–PR3): the real order process, PostgreSQL, SMTP, and the
// fulfillment service simulated over HTTP.

// shipped is when commerce says these tests' lines shipped.
const shipped = "2026-11-05T08:00:00Z"

// shipLines reports lines of an order shipped.
func shipLines(t *testing.T, orderID string, lineIDs ...string) response {
	t.Helper()
	st, body := commerce(t).post("/api/v1/orders/"+orderID+"/shipments", map[string]any{"lines": lineIDs, "shippedAt": shipped})
	if st != http.StatusOK {
		t.Fatalf("ship %s: %d %v", orderID, st, body)
	}
	return body
}

// line reads one line of an order.
func line(t *testing.T, orderID, lineID string) models.OrderLine {
	t.Helper()
	for _, l := range lines(t, orderID) {
		if l.ID == lineID {
			return l
		}
	}
	t.Fatalf("order %s has no line %s", orderID, lineID)
	return models.OrderLine{}
}

// provisioned waits until the line is PROVISIONED.
func provisioned(t *testing.T, orderID, lineID string) models.OrderLine {
	t.Helper()
	eventually(t, orderID+"/"+lineID+" provisioned", func() bool {
		return line(t, orderID, lineID).ProvisioningStatus == models.ProvisionProvisioned
	})
	return line(t, orderID, lineID)
}

// licensesOf reads an order line's license rows.
func licensesOf(t *testing.T, orderID, lineID string) []models.License {
	t.Helper()
	var out []models.License
	if err := sys.db.Where("order_id = ? AND line_id = ?", orderID, lineID).Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// quantityByVA is how many licenses of an order line each virtual account holds.
func quantityByVA(t *testing.T, orderID, lineID string) map[string]int {
	t.Helper()
	byVA := map[string]int{}
	for _, l := range licensesOf(t, orderID, lineID) {
		byVA[l.VirtualAccountID] += l.Quantity
	}
	return byVA
}

// labAccount is a fresh account with a second virtual account, Lab, and an order whose line 1 (10
// licenses) is provisioned in the default one, for the tests that move licenses between the two.
type labAccount struct {
	tld   string
	admin *user
	// saID is the account's id, order the order's; def and lab the virtual accounts'.
	saID, order, def, lab string
}

// provisionedBesideLab makes a labAccount for label, its order's id <prefix>-….
func provisionedBesideLab(t *testing.T, label, prefix string) labAccount {
	t.Helper()
	var a labAccount
	a.tld, a.admin, a.saID = activeAccount(t, label)
	st, va := a.admin.post("/api/v1/smart-accounts/"+a.saID+"/virtual-accounts", map[string]any{"name": "Lab"})
	if st != http.StatusCreated {
		t.Fatalf("create VA: %d %v", st, va)
	}
	a.order, a.def, a.lab = prefix+"-"+uniq(), defaultVA(t, a.saID), str(va["id"])
	ingest(t, orderBody(a.order, "STANDARD", "fc@"+a.tld, ""))
	shipLines(t, a.order, "1")
	a.admin.post("/api/v1/orders/assignments", assignment([]string{a.order}, to("domain", a.tld, "")))
	provisioned(t, a.order, "1")
	return a
}

// controlFulfillment changes how the simulator misbehaves until the test ends.
func controlFulfillment(t *testing.T, c fulfillment.Control) {
	t.Helper()
	sys.fulfillment.Set(c)
	t.Cleanup(func() { sys.fulfillment.Set(fulfillment.Control{}) })
}

// defaultVA is the id of an account's DEFAULT virtual account.
func defaultVA(t *testing.T, saID string) string {
	t.Helper()
	va, err := models.ResolveVirtualAccount(context.Background(), sys.db, saID, "", "virtualAccount")
	if err != nil {
		t.Fatal(err)
	}
	return va.ID
}

// Shipped before any account, assigned a day later: the license's term runs from the shipment, and the
// account's members see it with its totals.
func TestProvisionShippedBeforeAssigned(t *testing.T) {
	tld, admin, saID := activeAccount(t, "termco")
	id := "WP-" + uniq()
	ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
	body := shipLines(t, id, "1", "2")
	if got := fmt.Sprint(body["shipped"]); got != "[1 2]" {
		t.Errorf("shipped %s", got)
	}
	if l := line(t, id, "1"); l.DelayReason != models.DelayNoSmartAccount || l.ShippedAt == nil {
		t.Fatalf("shipped, unassigned: %+v", l)
	}
	if l := line(t, id, "2"); l.ProvisioningStatus != models.ProvisionProvisioned {
		t.Errorf("a service line is provisioned at shipment: %s", l.ProvisioningStatus)
	}
	// The same shipment again changes nothing; another date for it is a conflict.
	if body := shipLines(t, id, "1"); fmt.Sprint(body["shipped"]) != "[]" {
		t.Errorf("repeat shipped %v", body["shipped"])
	}
	if st, body := commerce(t).post("/api/v1/orders/"+id+"/shipments", map[string]any{"lines": []string{"1"},
		"shippedAt": "2026-11-06T08:00:00Z"}); st != http.StatusConflict {
		t.Errorf("changed shipment: %d %v", st, body)
	}
	if st, _ := admin.post("/api/v1/orders/"+id+"/shipments", map[string]any{"lines": []string{"1"}, "shippedAt": shipped}); st != http.StatusForbidden {
		t.Errorf("a customer reported a shipment: %d", st)
	}

	if st, body := admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, ""))); st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	l := provisioned(t, id, "1")
	lics := licensesOf(t, id, "1")
	if len(lics) != 1 || lics[0].Quantity != 10 || lics[0].SmartAccountID != saID || lics[0].Status != models.LicenseActive {
		t.Fatalf("licenses %+v", lics)
	}
	start, _ := time.Parse(time.RFC3339, shipped)
	if !lics[0].StartsAt.Equal(start) || !lics[0].EndsAt.Equal(start.AddDate(0, 36, 0)) {
		t.Errorf("term %v – %v, want from the shipment %v for 36 months", lics[0].StartsAt, lics[0].EndsAt, start)
	}
	if l.ProvisionedAt == nil || sys.fulfillment.Deposits(id, "1") != 1 {
		t.Errorf("provisioned at %v, %d deposits", l.ProvisionedAt, sys.fulfillment.Deposits(id, "1"))
	}
	st, resp := admin.get("/api/v1/smart-accounts/" + saID + "/licenses?sku=c9300-dna-e-3y")
	if st != http.StatusOK {
		t.Fatalf("licenses: %d %v", st, resp)
	}
	if n := len(resp["licenses"].([]any)); n != 1 {
		t.Errorf("%d licenses listed", n)
	}
	totals := resp["totals"].([]any)
	if len(totals) != 1 || totals[0].(map[string]any)["quantity"] != float64(10) || totals[0].(map[string]any)["status"] != "ACTIVE" {
		t.Errorf("totals %v", totals)
	}
	if st, _ := as(t, "stranger@"+domainOf("other")).get("/api/v1/smart-accounts/" + saID + "/licenses"); st != http.StatusNotFound {
		t.Errorf("a stranger read the licenses: %d", st)
	}
	// The order, read again, says it is provisioned and waits for nobody.
	_, o := admin.get("/api/v1/orders/" + id)
	p := o["lines"].([]any)[0].(map[string]any)["provisioning"].(map[string]any)
	if p["status"] != "PROVISIONED" || len(p["waitingOn"].([]any)) != 0 || p["termEndsAt"] == nil {
		t.Errorf("provisioning %v", p)
	}
}

// Assigned to a provisional account, the line is held; the account's approval by its emailed link
// provisions it, with no other call.
func TestProvisionHeldUntilApprovedByLink(t *testing.T) {
	tld, admin, _ := activeAccount(t, "heldco")
	bob, body := provisionalAccount(t, tld, "Held Labs", "labs."+tld)
	labs := str(body["id"])
	id := "WH-" + uniq()
	ingest(t, orderBody(id, "STANDARD", bob.email, ""))
	shipLines(t, id, "1", "2")
	if st, body := bob.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", "labs."+tld, ""))); st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	eventually(t, "held", func() bool { return line(t, id, "1").DelayReason == models.DelaySmartAccountPending })
	_, o := bob.get("/api/v1/orders/" + id)
	waits := fmt.Sprint(o["lines"].([]any)[0].(map[string]any)["provisioning"].(map[string]any)["waitingOn"])
	if !strings.Contains(waits, "smart-account:"+labs) || !strings.Contains(waits, admin.email) {
		t.Errorf("a held line waits on %s", waits)
	}
	if n := len(licensesOf(t, id, "1")); n != 0 {
		t.Fatalf("a provisional account got %d licenses", n)
	}

	link := actionLink(t, mailTo(t, admin.email, "Held Labs"))
	if st, page := page(t, link, url.Values{"decision": {"APPROVE"}}); st != http.StatusOK {
		t.Fatalf("approve by link: %d %s", st, page)
	}
	provisioned(t, id, "1")
	if lics := licensesOf(t, id, "1"); len(lics) != 1 || lics[0].SmartAccountID != labs {
		t.Errorf("licenses %+v", lics)
	}
}

// The fulfillment contact of an unassigned SA-mandatory line is mailed once; the link's page assigns
// the order by the same rules as the API.
func TestProvisionContactAssignsFromTheMail(t *testing.T) {
	tld, _, saID := activeAccount(t, "mailco")
	fc := as(t, "fc@"+tld)
	id := "WM-" + uniq()
	ingest(t, orderBody(id, "STANDARD", fc.email, ""))
	m := mailTo(t, fc.email, "Assign Cisco order "+id)
	link := actionLink(t, m)
	st, html := page(t, link, nil)
	if st != http.StatusOK || !strings.Contains(html, `name="smartAccount"`) || !strings.Contains(html, `value="DELEGATE"`) ||
		!strings.Contains(html, `value="CREATE"`) {
		t.Fatalf("the page: %d %s", st, html)
	}
	if l := line(t, id, "1"); l.SmartAccountID != "" {
		t.Fatalf("opening the page assigned the order")
	}
	if st, html := page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}}); st != http.StatusOK ||
		!strings.Contains(html, "Assigned.") {
		t.Fatalf("assign from the page: %d %s", st, html)
	}
	assignedTo(t, id, saID, "1", "2")
	if st, html := page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}}); st != http.StatusGone ||
		!strings.Contains(html, "already used") {
		t.Errorf("the link used again: %d %s", st, html)
	}
	shipLines(t, id, "1")
	provisioned(t, id, "1")
	if n := len(mailsTo(fc.email, "Assign Cisco order "+id)); n != 1 {
		t.Errorf("the contact was mailed %d times", n)
	}
}

// Having no account, the contact requests one from the same page: the order goes to it and its lines
// wait until it is active (seed 003: assign their Smart Account or create one).
func TestProvisionContactRequestsAnAccount(t *testing.T) {
	tld := domainOf("newco")
	fc := as(t, "fc@"+tld)
	id := "WN-" + uniq()
	ingest(t, orderBody(id, "STANDARD", fc.email, ""))
	link := actionLink(t, mailTo(t, fc.email, "Assign Cisco order "+id))
	form := url.Values{"decision": {"CREATE"}, "name": {"Newco"}, "headquarters.company": {"Newco"},
		"headquarters.line1": {"1 Main St"}, "headquarters.city": {"Austin"}, "headquarters.country": {"US"}}
	bad := url.Values{"decision": {"CREATE"}, "name": {"Newco"}}
	if st, html := page(t, link, bad); st != http.StatusBadRequest || !strings.Contains(html, "headquarters") {
		t.Fatalf("no address: %d %s", st, html)
	}
	if st, html := page(t, link, form); st != http.StatusOK {
		t.Fatalf("request from the page: %d %s", st, html)
	}
	var sa models.SmartAccount
	if err := sys.db.Where("domain = ?", tld).Take(&sa).Error; err != nil {
		t.Fatalf("no account made: %v", err)
	}
	assignedTo(t, id, sa.ID, "1")
	shipLines(t, id, "1")
	if sa.Status == models.SAActive {
		provisioned(t, id, "1")
	}
}

// The service down for a while: the line shows the error and the attempts; once the service is back
// it is provisioned by itself, exactly once.
func TestProvisionFulfillmentDownThenUp(t *testing.T) {
	tld, admin, saID := activeAccount(t, "downco")
	id := "WD-" + uniq()
	ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
	controlFulfillment(t, fulfillment.Control{Down: true})
	shipLines(t, id, "1")
	admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, "")))
	eventually(t, "three failed attempts", func() bool {
		l := line(t, id, "1")
		return l.DelayReason == models.DelayFulfillmentError && l.ProvAttempts >= 3
	})
	_, o := admin.get("/api/v1/orders/" + id)
	p := o["lines"].([]any)[0].(map[string]any)["provisioning"].(map[string]any)
	if p["delayReason"] != "FULFILLMENT_ERROR" || p["attempts"].(float64) < 3 || !strings.Contains(str(p["lastError"]), "503") {
		t.Errorf("while down: %v", p)
	}
	_, pending := admin.get("/api/v1/orders?provisioningStatus=PENDING&delayReason=FULFILLMENT_ERROR&smartAccountId=" + saID)
	if n := len(pending["orders"].([]any)); n != 1 {
		t.Errorf("%d orders pending FULFILLMENT_ERROR", n)
	}
	_, card := admin.get("/api/v1/orders/summary?smartAccountId=" + saID)
	if r := card["linesByDelayReason"].(map[string]any)["FULFILLMENT_ERROR"]; r != float64(1) {
		t.Errorf("card by delay reason: %v", card["linesByDelayReason"])
	}
	sys.fulfillment.Set(fulfillment.Control{})
	provisioned(t, id, "1")
	time.Sleep(1500 * time.Millisecond) // a second attempt, if any, would land within the retry window
	lics := licensesOf(t, id, "1")
	if len(lics) != 1 || lics[0].Quantity != 10 || sys.fulfillment.Deposits(id, "1") != 1 {
		t.Errorf("licenses %+v, %d deposits", lics, sys.fulfillment.Deposits(id, "1"))
	}
}

// A SKU the service refuses reaches manual review after two refusals; ops act on it only with the role
// and a reason, and their resolution provisions it.
func TestProvisionRejectedSKUResolvedByOps(t *testing.T) {
	tld, admin, _ := activeAccount(t, "rejectco")
	id := "WR-" + uniq()
	body := orderBody(id, "STANDARD", "fc@"+tld, "")
	sku := "REJ-" + strings.ToUpper(uniq())
	body["lines"].([]any)[0].(map[string]any)["sku"] = sku
	ingest(t, body)
	controlFulfillment(t, fulfillment.Control{RejectSKUs: []string{sku}})
	shipLines(t, id, "1")
	admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, "")))
	eventually(t, "manual review", func() bool { return line(t, id, "1").DelayReason == models.DelayManualReview })
	if l := line(t, id, "1"); l.ProvRejects != 2 {
		t.Errorf("%d refusals before review", l.ProvRejects)
	}

	path := "/api/v1/ops/provisioning/" + id + "/resolve"
	if st, _ := admin.post(path, map[string]any{"reason": "x"}); st != http.StatusForbidden {
		t.Errorf("a customer resolved: %d", st)
	}
	ops := as(t, "ops-"+uniq()+"@cisco.com", models.RoleLicensingOps)
	if st, body := ops.post(path, map[string]any{"reason": " "}); st != http.StatusBadRequest || body["error"].(map[string]any)["field"] != "reason" {
		t.Errorf("no reason: %d %v", st, body)
	}
	if st, _ := ops.post("/api/v1/ops/provisioning/"+id+"/retry", map[string]any{"reason": "x", "lines": []string{"2"}}); st != http.StatusConflict {
		t.Errorf("a retry of a line with nothing to retry: %d", st)
	}
	sys.fulfillment.Set(fulfillment.Control{})
	st, res := ops.post(path, map[string]any{"reason": "SKU mapped in the entitlement system"})
	if st != http.StatusOK || fmt.Sprint(res["changed"]) != "[1]" {
		t.Fatalf("resolve: %d %v", st, res)
	}
	provisioned(t, id, "1")
	var ev models.Event
	if err := sys.db.Where("target_id = ? AND action = ?", id+"/1", models.EventLineResolved).Take(&ev).Error; err != nil ||
		ev.Actor != ops.email || ev.Details["reason"] != "SKU mapped in the entitlement system" {
		t.Errorf("the resolution's event: %+v %v", ev, err)
	}
}

// Licenses move between virtual accounts of an account in one transaction, never below zero.
func TestProvisionLicenseTransfer(t *testing.T) {
	a := provisionedBesideLab(t, "moveco", "WT")
	tld, admin, saID, id, def, lab := a.tld, a.admin, a.saID, a.order, a.def, a.lab
	acknowledgeNotices(t, admin, saID) // transfers wait for the account's notices (SA11)
	move := func(qty int) (int, response) {
		return admin.post("/api/v1/smart-accounts/"+saID+"/licenses/transfers",
			map[string]any{"sku": "C9300-DNA-E-3Y", "quantity": qty, "from": def, "to": lab})
	}
	if st, body := move(4); st != http.StatusOK {
		t.Fatalf("transfer: %d %v", st, body)
	}
	if st, body := move(7); st != http.StatusConflict || body["error"].(map[string]any)["details"].(map[string]any)["available"] != float64(6) {
		t.Errorf("a transfer beyond the balance: %d %v", st, body)
	}
	if byVA := quantityByVA(t, id, "1"); byVA[def] != 6 || byVA[lab] != 4 {
		t.Errorf("after the transfer: %v", byVA)
	}
	viewer := as(t, "viewer@"+tld)
	if st, _ := viewer.post("/api/v1/smart-accounts/"+saID+"/licenses/transfers",
		map[string]any{"sku": "C9300-DNA-E-3Y", "quantity": 1, "from": def, "to": lab}); st != http.StatusForbidden && st != http.StatusNotFound {
		t.Errorf("someone without a role moved licenses: %d", st)
	}
	var n int64
	sys.db.Model(&models.Event{}).Where("smart_account_id = ? AND action = ?", saID, models.EventLicensesTransferred).Count(&n)
	if n != 1 {
		t.Errorf("%d transfer events", n)
	}
}

// A line pending past its SLA is stuck: ops are mailed once, the line says so.
func TestProvisionStuckAlertsOps(t *testing.T) {
	tld, _, _ := activeAccount(t, "stuckco")
	opsEmail := "ops-" + uniq() + "@cisco.com"
	as(t, opsEmail, models.RoleLicensingOps)
	id := "WS-" + uniq()
	fast := commerceOn(t)
	if st, body := fast.post("/api/v1/orders", orderBody(id, "STANDARD", "fc@"+tld, "")); st != http.StatusCreated {
		t.Fatalf("ingest: %d %v", st, body)
	}
	if st, body := fast.post("/api/v1/orders/"+id+"/shipments", map[string]any{"lines": []string{"1"},
		"shippedAt": time.Now().UTC().Format(time.RFC3339)}); st != http.StatusOK {
		t.Fatalf("ship: %d %v", st, body)
	}
	eventually(t, "stuck", func() bool { return line(t, id, "1").StuckAt != nil })
	mailTo(t, opsEmail, "Provisioning stuck: order "+id)
	time.Sleep(time.Second)
	if n := len(mailsTo(opsEmail, "Provisioning stuck: order "+id)); n != 1 {
		t.Errorf("%d alerts", n)
	}
}

// commerceOn is commerce on the API whose processes get the short timings (a 2 s SLA).
func commerceOn(t *testing.T) *user {
	return asOn(t, sys.fast, "orders@commerce.cisco.com", models.RoleCommerce)
}

// Support moves a provisioned line to the customer's other account: its licenses go with it, in the same
// step, and the reason is recorded on the move (FEATURES PR2).
func TestProvisionSupportReassignMovesLicenses(t *testing.T) {
	tld, other, first := activeAccount(t, "reassignco")
	_, body := provisionalAccount(t, tld, "reassignco Labs", "labs."+tld)
	second := str(body["id"])
	if st, body := other.post("/api/v1/smart-accounts/"+second+"/decision", map[string]any{"decision": "APPROVE"}); st != http.StatusOK {
		t.Fatalf("approve the second account: %d %v", st, body)
	}
	eventually(t, "second account active", func() bool { return account1(t, second).Status == models.SAActive })
	id := "WR-" + uniq()
	ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
	shipLines(t, id, "1")
	if st, body := other.post("/api/v1/orders/assignments", assignment([]string{id}, map[string]any{
		"smartAccount": map[string]any{"name": "reassignco Corp"}})); st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	provisioned(t, id, "1")

	support := as(t, "tac-"+uniq()+"@cisco.com", models.RoleCiscoSupport)
	move := assignment([]string{id}, map[string]any{"smartAccount": map[string]any{"name": "reassignco Labs"}})
	if st, body := support.post("/api/v1/orders/assignments", move); st != http.StatusBadRequest {
		t.Errorf("support without a reason: %d %v", st, body)
	}
	move["reason"] = "customer consolidated its labs"
	if st, body := support.post("/api/v1/orders/assignments", move); st != http.StatusAccepted {
		t.Fatalf("support reassignment: %d %v", st, body)
	}
	eventually(t, "licenses moved", func() bool {
		lics := licensesOf(t, id, "1")
		return len(lics) == 1 && lics[0].SmartAccountID == second
	})
	lics := licensesOf(t, id, "1")
	if lics[0].Quantity != 10 || lics[0].VirtualAccountID != defaultVA(t, second) || lics[0].Status != models.LicenseActive {
		t.Errorf("moved license %+v", lics[0])
	}
	if sys.fulfillment.Deposits(id, "1") != 1 {
		t.Errorf("%d deposits: a move deposits nothing again", sys.fulfillment.Deposits(id, "1"))
	}
	var moved []models.Event
	sys.db.Where("target_id = ? AND action = ?", id+"/1", models.EventLicensesMoved).Find(&moved)
	if len(moved) != 1 || !strings.Contains(fmt.Sprint(moved[0].Details), "customer consolidated its labs") {
		t.Errorf("move events %+v", moved)
	}
	_, resp := other.get("/api/v1/smart-accounts/" + first + "/licenses")
	if n := len(resp["licenses"].([]any)); n != 0 {
		t.Errorf("%d licenses left in the first account", n)
	}
}
