package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// pendingLine inserts an order with one smart-license line pending for reason since `since`; stuck
// marks it past its SLA.
func (h *harness) pendingLine(orderID, saID string, reason models.DelayReason, since time.Time, stuck bool) {
	h.t.Helper()
	now := time.Now().UTC()
	o := models.Order{ID: orderID, Type: models.OrderStandard, FulfillmentContact: "fc@acme.com", FCDomain: "acme.com",
		FCTLD: "acme.com", BookedAt: since, AssignmentStatus: models.AssignAssigned, LineCount: 1, LinesPending: 1,
		PayloadHash: "h", WorkflowID: "order/" + orderID, CreatedAt: now, UpdatedAt: now}
	shipped := since.Add(-time.Hour)
	l := models.OrderLine{OrderID: orderID, ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10,
		SmartLicense: true, AssignmentStatus: models.AssignAssigned, SmartAccountID: saID, ProvisioningStatus: models.ProvisionPending,
		DelayReason: reason, ShippedAt: &shipped, PendingSince: &since, ReasonSince: &since, UpdatedAt: now}
	if reason == models.DelayFulfillmentError {
		l.ProvAttempts, l.ProvError = 4, "fulfillment: 503 Service Unavailable"
	}
	if stuck {
		l.StuckAt = &now
	}
	if err := h.db.Create(&o).Error; err != nil {
		h.t.Fatal(err)
	}
	if err := h.db.Create(&l).Error; err != nil {
		h.t.Fatal(err)
	}
	// The order's share of the roll-ups, as the store steps write it.
	o.DelayCounts = models.CountDelays([]models.OrderLine{l})
	r := models.RollupOf(o, 1)
	add := map[string]any{"orders": gorm.Expr("order_rollups.orders + 1"), "lines_pending": gorm.Expr("order_rollups.lines_pending + 1")}
	if col := models.DelayColumn(reason); col != "" {
		add[col] = gorm.Expr("order_rollups." + col + " + 1")
	}
	if err := h.db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "booked_day"}, {Name: "assignment_status"}, {Name: "type"}},
		DoUpdates: clause.Assignments(add)}).Create(&r).Error; err != nil {
		h.t.Fatal(err)
	}
}

// Licensing ops page through the pending lines oldest first, filtered by reason, account, age or stuck,
// with the counts per reason of the same filter; the line says why it waits, since when, its attempts
// and last error, and whether it is stuck.
func TestOpsProvisioningList(t *testing.T) {
	h := newHarness(t)
	acme, labs := h.acme(), h.labs()
	now := time.Now().UTC().Truncate(time.Second)
	h.pendingLine("WO-1", acme.ID, models.DelayFulfillmentError, now.Add(-72*time.Hour), true)
	h.pendingLine("WO-2", "", models.DelayNoSmartAccount, now.Add(-48*time.Hour), false)
	h.pendingLine("WO-3", labs.ID, models.DelayFulfillmentError, now.Add(-30*time.Hour), false)
	h.pendingLine("WO-4", acme.ID, models.DelayAwaitingShipment, now.Add(-2*time.Hour), false)
	ops := h.token("olga@cisco.com", models.RoleLicensingOps)

	get := func(query string) map[string]any {
		t.Helper()
		return jsonOf(t, h.do(http.MethodGet, "/api/v1/ops/provisioning"+query, ops, nil), http.StatusOK)
	}
	orders := func(page map[string]any) []string {
		return fieldOf(list(t, page["lines"], "lines"), "orderId")
	}
	var all []string
	next := "?limit=3"
	for next != "" {
		page := get(next)
		all = append(all, orders(page)...)
		next = ""
		if n, ok := page["next"].(string); ok {
			next = "?limit=3&after=" + url.QueryEscape(n)
		}
	}
	if fmt.Sprint(all) != "[WO-1 WO-2 WO-3 WO-4]" {
		t.Errorf("pages of 3: %v", all)
	}

	page := get("?delayReason=fulfillment_error&olderThan=1d")
	if got := fmt.Sprint(orders(page)); got != "[WO-1 WO-3]" {
		t.Errorf("failing for a day: %s", got)
	}
	first := list(t, page["lines"], "lines")[0]
	if first["lineId"] != "1" || first["sku"] != "C9300-DNA-E-3Y" || first["smartAccountId"] != acme.ID ||
		first["smartAccountName"] != "Acme" || first["delayReason"] != "FULFILLMENT_ERROR" || first["attempts"] != float64(4) ||
		first["lastError"] != "fulfillment: 503 Service Unavailable" || first["stuck"] != true {
		t.Errorf("a failing line: %v", first)
	}
	if since := rfc3339UTC(t, "since", first["since"]); !since.Equal(now.Add(-72 * time.Hour)) {
		t.Errorf("since %v", since)
	}
	counts := page["counts"].(map[string]any)
	byReason := counts["byReason"].(map[string]any)
	// The counts leave the reason out of the filter: what each reason would list at this age.
	if byReason["FULFILLMENT_ERROR"] != float64(2) || byReason["NO_SMART_ACCOUNT"] != float64(1) ||
		byReason["AWAITING_SHIPMENT"] != float64(0) || counts["total"] != float64(3) || counts["stuck"] != float64(1) {
		t.Errorf("counts %v", counts)
	}
	if got := fmt.Sprint(orders(get("?smartAccountId=" + acme.ID))); got != "[WO-1 WO-4]" {
		t.Errorf("Acme's: %s", got)
	}
	if got := fmt.Sprint(orders(get("?stuck=true"))); got != "[WO-1]" {
		t.Errorf("stuck: %s", got)
	}
	if got := fmt.Sprint(orders(get("?olderThan=36h"))); got != "[WO-1 WO-2]" {
		t.Errorf("older than 36h: %s", got)
	}
}

// Only licensing ops read the list; each bad parameter is a 400 naming it; an unknown account a 404.
func TestOpsProvisioningListRefusals(t *testing.T) {
	h := newHarness(t)
	h.acme()
	if rec := h.do(http.MethodGet, "/api/v1/ops/provisioning", "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", rec.Code)
	}
	for _, tok := range []string{h.token("alice@acme.com"), h.token("sam@cisco.com", models.RoleCiscoApprover)} {
		if e := errorOf(t, h.do(http.MethodGet, "/api/v1/ops/provisioning", tok, nil), http.StatusForbidden); e.Code != models.CodeForbidden {
			t.Errorf("not ops: %+v", e)
		}
	}
	ops := h.token("olga@cisco.com", models.RoleLicensingOps)
	for field, query := range map[string]string{
		"delayReason":    "delayReason=LATE",
		"olderThan":      "olderThan=yesterday",
		"smartAccountId": "smartAccountId=a%01b",
		"stuck":          "stuck=maybe",
		"after":          "after=not-a-cursor",
		"limit":          "limit=500",
	} {
		if e := errorOf(t, h.do(http.MethodGet, "/api/v1/ops/provisioning?"+query, ops, nil), http.StatusBadRequest); e.Field != field {
			t.Errorf("%s: names %q: %+v", query, e.Field, e)
		}
	}
	for _, age := range []string{"-1h", "0d", "0s", "99999d", "3w"} {
		if e := errorOf(t, h.do(http.MethodGet, "/api/v1/ops/provisioning?olderThan="+age, ops, nil), http.StatusBadRequest); e.Field != "olderThan" {
			t.Errorf("olderThan=%s: %+v", age, e)
		}
	}
	errorOf(t, h.do(http.MethodGet, "/api/v1/ops/provisioning?smartAccountId=nope", ops, nil), http.StatusNotFound)
	if got := jsonOf(t, h.do(http.MethodGet, "/api/v1/ops/provisioning", ops, nil), http.StatusOK); fmt.Sprint(got["lines"]) != "[]" {
		t.Errorf("nothing pending: %v", got)
	}
}

// The trail of an order's lines is for whoever may see the order: its contact and Cisco staff read it,
// a stranger is told there is no such order.
func TestOrderTrailVisibility(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	ctx := context.Background()
	o := models.Order{ID: "WO-7", Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
		FulfillmentContact: "fc@acme.com", BookedAt: time.Now().UTC(), PayloadHash: "h", WorkflowID: "order/WO-7"}
	lines := []models.OrderLine{{ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10, SmartLicense: true}}
	models.PrepareOrder(&o, lines, time.Now().UTC().Truncate(time.Microsecond))
	if _, err := h.store.RecordOrder(ctx, process.IngestInput{Order: o, Lines: lines}); err != nil {
		t.Fatal(err)
	}
	va, err := models.ResolveVirtualAccount(ctx, h.db, acme.ID, "", "virtualAccount")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.AssignOrderLines(ctx, activities.AssignLinesInput{OrderID: o.ID, Actor: "fc@acme.com",
		As: models.AsFulfillmentContact, Via: "api", Changes: []models.LineTarget{{LineID: "1", SmartAccountID: acme.ID,
			VirtualAccountID: va.ID}}}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{h.token("fc@acme.com"), h.token("olga@cisco.com", models.RoleLicensingOps)} {
		body := jsonOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-7/trail", tok, nil), http.StatusOK)
		trail := list(t, body["lines"], "lines")
		if len(trail) != 1 || trail[0]["lineId"] != "1" {
			t.Fatalf("trail %v", body)
		}
		steps := list(t, trail[0]["steps"], "steps")
		if len(steps) != 2 || steps[0]["step"] != "INGESTED" || steps[1]["step"] != "ASSIGNED" || steps[1]["by"] != "fc@acme.com" ||
			steps[1]["to"].(map[string]any)["smartAccountName"] != "Acme" {
			t.Errorf("steps %v", steps)
		}
	}
	errorOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-7/trail", h.token("eve@evil.com"), nil), http.StatusNotFound)
	errorOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-8/trail", h.token("fc@acme.com"), nil), http.StatusNotFound)
}
