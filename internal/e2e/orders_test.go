package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// partnerUser is someone whose identity claims a company, with platform roles: the claim is shown, it
// gives no right (partner rights come from the partner's rows: registerPartner).
func partnerUser(t *testing.T, email, company string, roles ...string) *user {
	t.Helper()
	if roles == nil {
		roles = []string{}
	}
	tok, err := sys.signer.Sign(auth.Identity{Email: email, Name: strings.Split(email, "@")[0], Roles: roles, Company: company})
	if err != nil {
		t.Fatal(err)
	}
	u := &user{t: t, email: email, token: tok, base: sys.app.Config.PublicURL}
	if st, body := u.get("/api/v1/me"); st != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %v", email, st, body)
	}
	return u
}

// commerce is the service identity that books orders.
func commerce(t *testing.T) *user { return as(t, "orders@commerce.cisco.com", models.RoleCommerce) }

// orderBody is a partner's order of a customer: a licensed product, a Cisco service and a partner
// service, with the given fulfillment contact (none when empty).
func orderBody(id, typ, fc, resellerDomain string) map[string]any {
	b := map[string]any{"id": id, "type": typ, "purchaseOrder": "PO-" + id,
		"endCustomer": map[string]any{"name": "Customer of " + id, "email": fc},
		"bookedAt":    "2026-11-01T10:00:00Z",
		"lines": []any{
			map[string]any{"id": "1", "sku": "C9300-DNA-E-3Y", "kind": "PRODUCT", "quantity": 10, "smartLicense": true, "saMandatory": true, "termMonths": 36},
			map[string]any{"id": "2", "sku": "CON-SNT-C9300", "kind": "CISCO_SERVICE", "quantity": 1},
		}}
	if fc != "" {
		b["fulfillmentContact"] = fc
	} else {
		b["endCustomer"] = map[string]any{"name": "Customer of " + id}
	}
	if resellerDomain != "" {
		b["reseller"] = map[string]any{"name": "Partner " + resellerDomain, "domain": resellerDomain}
		b["lines"] = append(b["lines"].([]any), map[string]any{"id": "3", "sku": "PSS-ADVISE", "kind": "PARTNER_SERVICE", "quantity": 1})
	}
	return b
}

// ingest sends orders from commerce, a few at a time.
func ingest(t *testing.T, bodies ...map[string]any) {
	t.Helper()
	c := commerce(t)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make(chan string, len(bodies))
	for _, b := range bodies {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			// A 503 says try again, as commerce's client would: on a loaded machine an Update can miss the
			// API's deadline. A retry that finds the first attempt applied is answered 200.
			st, resp := c.post("/api/v1/orders", b)
			for try := 0; st == http.StatusServiceUnavailable && try < 5; try++ {
				time.Sleep(time.Second)
				if st, resp = c.post("/api/v1/orders", b); st == http.StatusOK {
					st = http.StatusCreated
				}
			}
			if st != http.StatusCreated {
				errs <- fmt.Sprintf("ingest %v: %d %v", b["id"], st, resp)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// assignment is the body of POST /orders/assignments.
func assignment(orders []string, products map[string]any, extra ...any) map[string]any {
	b := map[string]any{"orders": orders, "productsTo": products}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}

func to(selector, value, va string) map[string]any {
	return map[string]any{"smartAccount": map[string]any{selector: value}, "virtualAccount": va}
}

// lines reads an order's lines as recorded.
func lines(t *testing.T, orderID string) []models.OrderLine {
	t.Helper()
	_, ls, err := models.FindOrder(context.Background(), sys.db, orderID)
	if err != nil {
		t.Fatalf("read order %s: %v", orderID, err)
	}
	return ls
}

// assignedTo waits until every listed line of the order sits in the account.
func assignedTo(t *testing.T, orderID, saID string, lineIDs ...string) {
	t.Helper()
	eventually(t, "order "+orderID+" lines "+strings.Join(lineIDs, ",")+" in "+saID, func() bool {
		for _, l := range lines(t, orderID) {
			if contains(lineIDs, l.ID) && l.SmartAccountID != saID {
				return false
			}
		}
		return true
	})
}

func results(t *testing.T, body response) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	rs, ok := body["results"].([]any)
	if !ok {
		t.Fatalf("no results in %v", body)
	}
	for _, r := range rs {
		m := r.(map[string]any)
		out[str(m["order"])] = m
	}
	return out
}

func errCode(r map[string]any) string {
	e, _ := r["error"].(map[string]any)
	return str(e["code"])
}

// Commerce sends an order twice: one order, one process; a changed resubmission is a 409 naming what
// differs; nobody but commerce may send orders.
func TestOrderIngestTwice(t *testing.T) {
	tld := domainOf("ingest")
	id := "WO-" + uniq()
	c := commerce(t)
	body := orderBody(id, "STANDARD", "fc@"+tld, "")
	st, first := c.post("/api/v1/orders", body)
	if st != http.StatusCreated || first["id"] != id || first["assignmentStatus"] != "UNASSIGNED" {
		t.Fatalf("first ingest: %d %v", st, first)
	}
	st, second := c.post("/api/v1/orders", body)
	if st != http.StatusOK || second["id"] != id {
		t.Fatalf("second ingest: %d %v", st, second)
	}
	var n int64
	sys.db.Model(&models.Order{}).Where("id = ?", id).Count(&n)
	if n != 1 {
		t.Fatalf("%d orders %s", n, id)
	}
	var evs int64
	sys.db.Model(&models.Event{}).Where("target_id = ? AND action = ?", id, models.EventOrderIngested).Count(&evs)
	if evs != 1 {
		t.Fatalf("%d ingest events", evs)
	}
	changed := orderBody(id, "STANDARD", "other@"+tld, "")
	st, conflict := c.post("/api/v1/orders", changed)
	e, _ := conflict["error"].(map[string]any)
	if st != http.StatusConflict || !strings.Contains(fmt.Sprint(e["details"]), "fulfillmentContact") {
		t.Fatalf("changed ingest: %d %v", st, conflict)
	}
	if st, _ := as(t, "fc@"+tld).post("/api/v1/orders", orderBody("WO-"+uniq(), "STANDARD", "fc@"+tld, "")); st != http.StatusForbidden {
		t.Fatalf("ingest by a person: %d", st)
	}
	if st, bad := c.post("/api/v1/orders", map[string]any{"id": "WO-" + uniq(), "type": "RENTAL"}); st != http.StatusBadRequest || str(bad["error"].(map[string]any)["field"]) != "type" {
		t.Fatalf("bad type: %d %v", st, bad)
	}

	// The order as its contact sees it: each line unassigned, its licenses pending for want of an account.
	st, got := as(t, "fc@"+tld).get("/api/v1/orders/" + id)
	if st != http.StatusOK {
		t.Fatalf("get: %d %v", st, got)
	}
	l0 := got["lines"].([]any)[0].(map[string]any)
	if l0["assignment"].(map[string]any)["status"] != "UNASSIGNED" || l0["provisioning"].(map[string]any)["delayReason"] != "NO_SMART_ACCOUNT" {
		t.Fatalf("line: %v", l0)
	}
	w := got["waitingOn"].([]any)
	if len(w) != 1 || w[0].(map[string]any)["who"] != "fc@"+tld || w[0].(map[string]any)["action"] != "assign" {
		t.Fatalf("waitingOn %v", w)
	}
	if acc := got["myAccess"].(map[string]any); acc["canAssign"] != true || acc["as"] != models.AsFulfillmentContact {
		t.Fatalf("myAccess %v", acc)
	}
	if st, _ := as(t, "eve@"+domainOf("elsewhere")).get("/api/v1/orders/" + id); st != http.StatusNotFound {
		t.Fatalf("an outsider sees the order: %d", st)
	}
}

// 200 orders assigned in one request, a few of them invalid: the rest are assigned, and each refusal
// says why.
func TestBulkAssignment(t *testing.T) {
	tld, admin, saID := activeAccount(t, "bulk")
	fcEmail := "fc@" + tld
	var bodies []map[string]any
	var good []string
	for i := 0; i < 195; i++ {
		id := fmt.Sprintf("WB-%s-%03d", uniq(), i)
		good = append(good, id)
		bodies = append(bodies, orderBody(id, "STANDARD", fcEmail, ""))
	}
	stocking, ea, noFC, foreign := "WS-"+uniq(), "WE-"+uniq(), "WN-"+uniq(), "WF-"+uniq()
	bodies = append(bodies, orderBody(stocking, "STOCKING", fcEmail, ""), orderBody(ea, "EA", fcEmail, ""),
		orderBody(noFC, "STANDARD", "", ""), orderBody(foreign, "STANDARD", "fc@"+domainOf("foreign"), ""))
	ingest(t, bodies...)
	unknown := "WU-" + uniq()
	all := append(append([]string{}, good...), stocking, ea, noFC, foreign, unknown)

	st, body := admin.post("/api/v1/orders/assignments", assignment(all, to("domain", tld, "")))
	if st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	rs := results(t, body)
	if len(rs) != 200 {
		t.Fatalf("%d results", len(rs))
	}
	for _, id := range good {
		if rs[id]["status"] != "REQUESTED" {
			t.Fatalf("%s: %v", id, rs[id])
		}
	}
	for id, code := range map[string]string{stocking: models.CodeRefused, ea: models.CodeRefused, noFC: models.CodeNotFound,
		foreign: models.CodeNotFound, unknown: models.CodeNotFound} {
		if rs[id]["status"] != "REFUSED" || errCode(rs[id]) != code {
			t.Errorf("%s: want REFUSED %s, got %v", id, code, rs[id])
		}
	}
	if msg := str(rs[stocking]["error"].(map[string]any)["message"]); !strings.Contains(msg, "STOCKING orders cannot be assigned") {
		t.Errorf("stocking refusal says %q", msg)
	}
	eventuallyWithin(t, 3*time.Minute, "195 orders assigned", func() bool {
		var n int64
		sys.db.Model(&models.Order{}).Where("id IN ? AND assignment_status = ?", good, models.AssignAssigned).Count(&n)
		return n == int64(len(good))
	})
	var defaultVA models.VirtualAccount
	sys.db.Where("smart_account_id = ? AND is_default", saID).Take(&defaultVA)
	for _, l := range lines(t, good[7]) {
		if l.SmartAccountID != saID || l.VirtualAccountID != defaultVA.ID || l.AssignedBy != admin.email {
			t.Fatalf("line %+v", l)
		}
	}
	var refusedLines int64
	sys.db.Model(&models.OrderLine{}).Where("order_id IN ? AND smart_account_id <> ''", []string{stocking, ea, noFC, foreign}).Count(&refusedLines)
	if refusedLines != 0 {
		t.Fatalf("%d lines of refused orders were assigned", refusedLines)
	}
	var evs int64
	sys.db.Model(&models.Event{}).Where("smart_account_id = ? AND action = ?", saID, models.EventLineAssigned).Count(&evs)
	if evs != int64(2*len(good)) {
		t.Fatalf("%d line events in the account's history, want %d", evs, 2*len(good))
	}

	// The same request again (an Idempotency-Key would make it the same update): nothing moves twice.
	st, again := admin.post("/api/v1/orders/assignments", assignment(good[:3], to("domain", tld, "")))
	if st != http.StatusAccepted || results(t, again)[good[0]]["status"] != "REQUESTED" {
		t.Fatalf("again: %d %v", st, again)
	}
	if st, tooMany := admin.post("/api/v1/orders/assignments", assignment(make([]string, 1001), to("domain", tld, ""))); st != http.StatusBadRequest ||
		str(tooMany["error"].(map[string]any)["field"]) != "orders" {
		t.Fatalf("1001 orders: %d %v", st, tooMany)
	}
}

// Each selector finds the account: domain identifier, name, a customer's email; a restricted account
// is not found by part of its name and is by its exact name; services split to another account; the
// partner's services go to the partner's own account; a provisional account holds the licenses.
func TestAssignmentSelectors(t *testing.T) {
	tld, admin, saID := activeAccount(t, "select")
	fc := "fc@" + tld
	partnerTLD, _, partnerSA := activeAccount(t, "partner")
	svcTLD, _, svcSA := activeAccount(t, "services")
	restrictedName := "Hidden Vault " + uniq()
	st, restricted := as(t, "admin@"+domainOf("vault")).post("/api/v1/smart-accounts", account(restrictedName, "", "visibility", "RESTRICTED"))
	if st != http.StatusAccepted || restricted["status"] != "ACTIVE" {
		t.Fatalf("restricted account: %d %v", st, restricted)
	}
	_, provisional := provisionalAccount(t, tld, "Select Labs "+uniq(), "labs."+tld)
	ids := map[string]string{}
	var bodies []map[string]any
	for _, k := range []string{"domain", "name", "email", "partial", "exact", "split", "partner", "provisional"} {
		ids[k] = "WX-" + k + "-" + uniq()
		reseller := ""
		if k == "partner" {
			reseller = partnerTLD
		}
		bodies = append(bodies, orderBody(ids[k], "STANDARD", fc, reseller))
	}
	ingest(t, bodies...)
	me := as(t, fc)
	account1Name := account1(t, saID).Name

	for _, c := range []struct {
		order  string
		target map[string]any
		extra  []any
		status int
		want   string
	}{
		{ids["domain"], to("domain", tld, "DEFAULT"), nil, http.StatusAccepted, saID},
		{ids["name"], to("name", strings.ToLower(account1Name), ""), nil, http.StatusAccepted, saID},
		{ids["email"], to("email", admin.email, ""), nil, http.StatusAccepted, saID},
		{ids["partial"], to("name", "Hidden Vault", ""), nil, http.StatusNotFound, ""},
		{ids["exact"], to("name", restrictedName, ""), nil, http.StatusAccepted, str(restricted["id"])},
		{ids["split"], to("domain", tld, ""), []any{"servicesTo", to("domain", svcTLD, "")}, http.StatusAccepted, saID},
		{ids["partner"], to("domain", tld, ""), nil, http.StatusAccepted, saID},
		{ids["provisional"], to("domain", "labs."+tld, ""), nil, http.StatusAccepted, str(provisional["id"])},
	} {
		st, body := me.post("/api/v1/orders/assignments", assignment([]string{c.order}, c.target, c.extra...))
		if st != c.status {
			t.Fatalf("%s: %d %v", c.order, st, body)
		}
		if c.want == "" {
			if f := str(body["error"].(map[string]any)["field"]); f != "productsTo.smartAccount" {
				t.Fatalf("%s: error names %q: %v", c.order, f, body)
			}
			continue
		}
		assignedTo(t, c.order, c.want, "1")
	}
	assignedTo(t, ids["split"], svcSA, "2")
	assignedTo(t, ids["domain"], saID, "2")
	assignedTo(t, ids["partner"], saID, "1", "2")
	assignedTo(t, ids["partner"], partnerSA, "3")
	held := lines(t, ids["provisional"])[0]
	if held.ProvisioningStatus != models.ProvisionPending || held.DelayReason != models.DelaySmartAccountPending {
		t.Fatalf("line in a provisional account: %+v", held)
	}
	_, got := me.get("/api/v1/orders/" + ids["provisional"])
	a := got["lines"].([]any)[0].(map[string]any)["assignment"].(map[string]any)
	if a["held"] != true || a["smartAccountId"] != str(provisional["id"]) {
		t.Fatalf("held line: %v", a)
	}
	if l := lines(t, ids["partial"]); l[0].SmartAccountID != "" {
		t.Fatalf("partial name assigned the order: %+v", l[0])
	}
	// An unknown virtual account is a 404 naming the field.
	if st, body := me.post("/api/v1/orders/assignments", assignment([]string{ids["domain"]}, to("domain", tld, "nope"))); st != http.StatusNotFound ||
		str(body["error"].(map[string]any)["field"]) != "productsTo.virtualAccount" {
		t.Fatalf("unknown VA: %d %v", st, body)
	}
}

// Who may assign an order, through the API: the contact, the contact's domain, the reseller's OFM, a
// delegate, support with a reason; not an outsider, another partner's OFM, the delegate of another
// order, or support without a reason.
func TestOrderAuthorization(t *testing.T) {
	tld, _, saID := activeAccount(t, "authz")
	partner, rival := domainOf("reseller"), domainOf("rival")
	registerPartner(t, partner, nil, "ofm@"+partner)
	registerPartner(t, rival, nil, "ofm@"+rival)
	fc := "fc@" + tld
	delegateEmail := "helper@" + domainOf("integrator")
	otherDelegate := "other-helper@" + domainOf("integrator")
	orders := map[string]string{}
	var bodies []map[string]any
	for _, k := range []string{"fc", "domain", "outsider", "ofm", "otherOFM", "delegate", "otherDelegate", "supportNoReason", "support", "other"} {
		orders[k] = "WA-" + k + "-" + uniq()
		bodies = append(bodies, orderBody(orders[k], "STANDARD", fc, partner))
	}
	ingest(t, bodies...)
	owner := as(t, fc)
	for who, order := range map[string]string{delegateEmail: orders["delegate"], otherDelegate: orders["other"]} {
		if st, body := owner.post("/api/v1/orders/"+order+"/delegations", map[string]any{"email": who, "note": "please"}); st != http.StatusCreated {
			t.Fatalf("delegate %s: %d %v", order, st, body)
		}
	}
	cases := []struct {
		name   string
		who    *user
		order  string
		reason string
		status int
		code   string
	}{
		{"fulfillment contact", owner, orders["fc"], "", http.StatusAccepted, ""},
		{"same-domain user", as(t, "colleague@"+tld), orders["domain"], "", http.StatusAccepted, ""},
		{"other-domain user", as(t, "eve@"+domainOf("other")), orders["outsider"], "", http.StatusNotFound, models.CodeNotFound},
		{"OFM of the reseller", as(t, "ofm@"+partner), orders["ofm"], "", http.StatusAccepted, ""},
		{"OFM of another partner, claiming the reseller", partnerUser(t, "ofm@"+rival, partner, "ofm"), orders["otherOFM"], "", http.StatusNotFound, models.CodeNotFound},
		{"delegate", as(t, delegateEmail), orders["delegate"], "", http.StatusAccepted, ""},
		{"delegate of another order", as(t, otherDelegate), orders["otherDelegate"], "", http.StatusNotFound, models.CodeNotFound},
		{"support without a reason", as(t, "tac-"+uniq()+"@cisco.com", models.RoleCiscoSupport), orders["supportNoReason"], "", http.StatusBadRequest, models.CodeInvalid},
		{"support with a reason", as(t, "tac-"+uniq()+"@cisco.com", models.RoleCiscoSupport), orders["support"], "customer case 4711", http.StatusAccepted, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := assignment([]string{c.order}, to("domain", tld, ""))
			if c.reason != "" {
				body["reason"] = c.reason
			}
			st, resp := c.who.post("/api/v1/orders/assignments", body)
			if st != c.status {
				t.Fatalf("%d %v", st, resp)
			}
			if c.code != "" {
				if e, _ := resp["error"].(map[string]any); str(e["code"]) != c.code {
					t.Fatalf("error %v", resp)
				}
				if l := lines(t, c.order); l[0].SmartAccountID != "" {
					t.Fatalf("a refused assignment moved line %+v", l[0])
				}
				return
			}
			assignedTo(t, c.order, saID, "1", "2")
		})
	}
	// The order's history shows support's write with its reason, as its contact reads it.
	st, history := owner.get("/api/v1/orders/" + orders["support"] + "/events")
	if st != http.StatusOK {
		t.Fatalf("events: %d %v", st, history)
	}
	found := false
	for _, e := range history["events"].([]any) {
		ev := e.(map[string]any)
		d := ev["details"].(map[string]any)
		if ev["action"] == models.EventLineAssigned && ev["targetId"] == orders["support"]+"/1" {
			found = d["reason"] == "customer case 4711" && d["as"] == models.AsSupport && strings.HasPrefix(str(ev["actor"]), "tac-")
		}
	}
	if !found {
		t.Fatalf("support's assignment is not in the order's history with its reason: %v", history)
	}
	var used models.OrderDelegation
	sys.db.Where("order_id = ?", orders["delegate"]).Take(&used)
	if used.Status != models.DelegationUsed || used.ClosedBy != delegateEmail {
		t.Fatalf("the delegate's assignment did not use the delegation: %+v", used)
	}
	mailTo(t, fc, "was assigned to the Smart Account")
}

// The inventory of a contact's company and of one account: filters, keyset pages, the cards and the
// download agree with each other and with what was assigned.
func TestOrderInventory(t *testing.T) {
	tld, admin, saID := activeAccount(t, "inventory")
	fc := "fc@" + tld
	var bodies []map[string]any
	var ids []string
	for i := 0; i < 7; i++ {
		id := fmt.Sprintf("WI-%s-%d", uniq(), i)
		ids = append(ids, id)
		b := orderBody(id, "STANDARD", fc, "")
		b["bookedAt"] = fmt.Sprintf("2026-10-%02dT10:00:00Z", i+1)
		if i == 6 {
			b["type"] = "EA"
		}
		bodies = append(bodies, b)
	}
	ingest(t, bodies...)
	if st, body := admin.post("/api/v1/orders/assignments", assignment(ids[:2], to("domain", tld, ""))); st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	eventually(t, "two orders assigned", func() bool {
		var n int64
		sys.db.Model(&models.Order{}).Where("id IN ? AND assignment_status = ?", ids[:2], models.AssignAssigned).Count(&n)
		return n == 2
	})
	colleague := as(t, "buyer@"+tld)

	// Unassigned, two a page, newest booked first.
	var seen []string
	next := ""
	for page := 0; page < 5; page++ {
		path := "/api/v1/orders?assignmentStatus=UNASSIGNED&limit=2"
		if next != "" {
			path += "&after=" + next
		}
		st, body := colleague.get(path)
		if st != http.StatusOK {
			t.Fatalf("page %d: %d %v", page, st, body)
		}
		for _, o := range body["orders"].([]any) {
			seen = append(seen, str(o.(map[string]any)["id"]))
		}
		if next = str(body["next"]); next == "" {
			break
		}
	}
	if want := []string{ids[6], ids[5], ids[4], ids[3], ids[2]}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("unassigned pages %v, want %v", seen, want)
	}
	if _, body := colleague.get("/api/v1/orders?q=" + strings.ToLower(ids[3])); len(body["orders"].([]any)) != 1 {
		t.Fatalf("search by order id: %v", body)
	}
	if _, body := colleague.get("/api/v1/orders?type=EA&bookedFrom=2026-10-07&bookedTo=2026-10-07"); len(body["orders"].([]any)) != 1 {
		t.Fatalf("type and dates: %v", body)
	}
	if st, body := colleague.get("/api/v1/orders?assignmentStatus=LOST"); st != http.StatusBadRequest || str(body["error"].(map[string]any)["field"]) != "assignmentStatus" {
		t.Fatalf("bad filter: %d %v", st, body)
	}

	st, sum := colleague.get("/api/v1/orders/summary")
	if st != http.StatusOK {
		t.Fatalf("summary: %d %v", st, sum)
	}
	cards := sum["assignmentStatus"].(map[string]any)
	if sum["orders"] != float64(7) || cards["UNASSIGNED"] != float64(5) || cards["ASSIGNED"] != float64(2) ||
		sum["orderTypes"].(map[string]any)["EA"] != float64(1) || sum["linesByProvisioningStatus"].(map[string]any)["PENDING"] != float64(7) {
		t.Fatalf("summary %v", sum)
	}

	// The account's own inventory: its members see the orders it holds (and its domain's unassigned ones).
	st, mine := admin.get("/api/v1/orders?smartAccountId=" + saID + "&assignmentStatus=ASSIGNED")
	if st != http.StatusOK || len(mine["orders"].([]any)) != 2 {
		t.Fatalf("account inventory: %d %v", st, mine)
	}
	if st, _ := as(t, "eve@"+domainOf("nosy")).get("/api/v1/orders?smartAccountId=" + saID); st != http.StatusNotFound {
		t.Fatalf("a stranger listed the account's orders: %d", st)
	}

	req, _ := http.NewRequest(http.MethodGet, colleague.base+"/api/v1/orders/export.csv?assignmentStatus=ASSIGNED", nil)
	req.Header.Set("Authorization", "Bearer "+colleague.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %v %v", resp.StatusCode, err, rows)
	}
	if len(rows) != 1+4 || rows[0][0] != "orderId" || rows[1][0] != ids[1] || rows[1][19] != saID {
		t.Fatalf("export rows %v", rows)
	}
}

// Text PostgreSQL cannot store (a NUL byte) is refused at the door with a 400 naming the field: it
// never reaches the order's process, which would fail recording it, and the order can then be sent
// right. Nor does such a byte in a URL make a 500.
func TestOrderInputWithNulByte(t *testing.T) {
	tld := domainOf("nul")
	id := "WO-" + uniq()
	c := commerce(t)
	bad := orderBody(id, "STANDARD", "fc@"+tld, "")
	bad["purchaseOrder"] = "PO\x00" + id
	if st, body := c.post("/api/v1/orders", bad); st != http.StatusBadRequest || str(body["error"].(map[string]any)["field"]) != "purchaseOrder" {
		t.Fatalf("NUL in purchaseOrder: %d %v", st, body)
	}
	if st, body := c.post("/api/v1/orders", orderBody(id, "STANDARD", "fc@"+tld, "")); st != http.StatusCreated {
		t.Fatalf("the order sent right: %d %v", st, body)
	}
	fc := as(t, "fc@"+tld)
	if st, body := fc.get("/api/v1/orders?q=WO%00"); st != http.StatusBadRequest {
		t.Fatalf("NUL in q: %d %v", st, body)
	}
	if st, body := fc.get("/api/v1/orders/WO%00"); st != http.StatusNotFound {
		t.Fatalf("NUL in an order id: %d %v", st, body)
	}
}
