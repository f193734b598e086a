package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func validOrder() map[string]any {
	return map[string]any{"id": "WO-1001", "type": "STANDARD", "purchaseOrder": "PO-7",
		"endCustomer":        map[string]any{"name": "Acme", "email": "it@acme.com"},
		"reseller":           map[string]any{"name": "Partner X", "domain": "partnerx.com"},
		"fulfillmentContact": "fc@acme.com", "bookedAt": "2026-11-01T10:00:00Z",
		"lines": []any{map[string]any{"id": "1", "sku": "C9300-DNA-E-3Y", "kind": "PRODUCT", "quantity": 10,
			"smartLicense": true, "saMandatory": true, "termMonths": 36}}}
}

// Commerce's orders are checked before any process starts: each mistake is a 400 naming its field, and
// only commerce's identity may send orders at all.
func TestIngestValidation(t *testing.T) {
	h := newHarness(t)
	commerce := h.token("orders@commerce.cisco.com", models.RoleCommerce)
	with := func(edit func(map[string]any)) map[string]any {
		b := validOrder()
		edit(b)
		return b
	}
	for _, c := range []struct {
		field string
		body  any
	}{
		{"id", with(func(b map[string]any) { b["id"] = "WO 1001/x" })},
		{"type", with(func(b map[string]any) { b["type"] = "RENTAL" })},
		{"endCustomer.name", with(func(b map[string]any) { delete(b, "endCustomer") })},
		{"fulfillmentContact", with(func(b map[string]any) { b["fulfillmentContact"] = "not an address" })},
		{"reseller.domain", with(func(b map[string]any) { b["reseller"] = map[string]any{"name": "Partner X"} })},
		{"distributor", with(func(b map[string]any) {
			delete(b, "reseller")
			b["distributor"] = map[string]any{"name": "D", "domain": "d.com"}
		})},
		{"bookedAt", with(func(b map[string]any) { b["bookedAt"] = "yesterday" })},
		{"lines", with(func(b map[string]any) { b["lines"] = []any{} })},
		{"lines[0].kind", with(func(b map[string]any) { b["lines"].([]any)[0].(map[string]any)["kind"] = "SOFTWARE" })},
		{"lines[0].quantity", with(func(b map[string]any) { b["lines"].([]any)[0].(map[string]any)["quantity"] = 0 })},
		{"lines[1].id", with(func(b map[string]any) { b["lines"] = append(b["lines"].([]any), b["lines"].([]any)[0]) })},
		{"lines[0].kind", with(func(b map[string]any) {
			delete(b, "reseller")
			b["lines"].([]any)[0].(map[string]any)["kind"] = "PARTNER_SERVICE"
		})},
		{"color", with(func(b map[string]any) { b["color"] = "blue" })},
	} {
		t.Run(c.field, func(t *testing.T) {
			if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders", commerce, deliberatelyBad(c.body)), http.StatusBadRequest); e.Field != c.field {
				t.Errorf("error names %q: %+v", e.Field, e)
			}
		})
	}
	if rec := h.do(http.MethodPost, "/api/v1/orders", h.token("fc@acme.com"), validOrder()); rec.Code != http.StatusForbidden {
		t.Errorf("a person sent an order: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(http.MethodPost, "/api/v1/orders", "", validOrder()); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", rec.Code)
	}
	if n := h.count(&models.Order{}); n != 0 {
		t.Fatalf("%d orders recorded by refused requests", n)
	}
}

// An assignment request is checked as a whole first: the orders list, the target selector, the
// support reason; an unknown account or virtual account is a 404 naming the selector.
func TestAssignmentValidation(t *testing.T) {
	h := newHarness(t)
	h.acme()
	fc := h.token("fc@acme.com")
	target := map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}}
	for _, c := range []struct {
		name, token string
		body        any
		status      int
		field       string
	}{
		{"no orders", fc, map[string]any{"orders": []string{}, "productsTo": target}, http.StatusBadRequest, "orders"},
		{"too many", fc, map[string]any{"orders": make([]string, 1001), "productsTo": target}, http.StatusBadRequest, "orders"},
		{"bad id", fc, map[string]any{"orders": []string{"a b"}, "productsTo": target}, http.StatusBadRequest, "orders[0]"},
		{"no target", fc, map[string]any{"orders": []string{"WO-1"}}, http.StatusBadRequest, "productsTo.smartAccount"},
		{"two selectors", fc, map[string]any{"orders": []string{"WO-1"}, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": "acme.com", "name": "Acme"}}},
			http.StatusBadRequest, "productsTo.smartAccount"},
		{"bad email", fc, map[string]any{"orders": []string{"WO-1"}, "productsTo": map[string]any{"smartAccount": map[string]any{"email": "nope"}}},
			http.StatusBadRequest, "productsTo.smartAccount.email"},
		{"lines of many orders", fc, map[string]any{"orders": []string{"WO-1", "WO-2"}, "lines": []string{"1"}, "productsTo": target}, http.StatusBadRequest, "lines"},
		{"support without reason", h.token("tac@cisco.com", models.RoleCiscoSupport), map[string]any{"orders": []string{"WO-1"}, "productsTo": target},
			http.StatusBadRequest, "reason"},
		{"unknown account", fc, map[string]any{"orders": []string{"WO-1"}, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": "nowhere.com"}}},
			http.StatusNotFound, "productsTo.smartAccount"},
		{"unknown virtual account", fc, map[string]any{"orders": []string{"WO-1"}, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}, "virtualAccount": "Lab"}},
			http.StatusNotFound, "productsTo.virtualAccount"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", c.token, deliberatelyBad(c.body)), c.status); e.Field != c.field {
				t.Errorf("error names %q: %+v", e.Field, e)
			}
		})
	}
	// A valid request for an order nobody knows: answered per order, and as a whole with that refusal.
	rec := h.do(http.MethodPost, "/api/v1/orders/assignments", fc, map[string]any{"orders": []string{"WO-404"}, "productsTo": target})
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"status":"REFUSED"`) {
		t.Errorf("unknown order: %d %s", rec.Code, rec.Body)
	}
}

// The inventory's parameters are checked and name their field.
func TestInventoryValidation(t *testing.T) {
	h := newHarness(t)
	fc := h.token("fc@acme.com")
	for path, field := range map[string]string{
		"/api/v1/orders?assignmentStatus=LOST":       "assignmentStatus",
		"/api/v1/orders?type=RENTAL":                 "type",
		"/api/v1/orders?bookedFrom=last+week":        "bookedFrom",
		"/api/v1/orders?limit=500":                   "limit",
		"/api/v1/orders?after=xyz":                   "after",
		"/api/v1/orders/summary?bookedTo=2026-13-01": "bookedTo",
	} {
		t.Run(path, func(t *testing.T) {
			if e := errorOf(t, h.do(http.MethodGet, path, fc, nil), http.StatusBadRequest); e.Field != field {
				t.Errorf("error names %q: %+v", e.Field, e)
			}
		})
	}
	if rec := h.do(http.MethodGet, "/api/v1/orders", fc, nil); rec.Code != http.StatusOK || rec.Body.String() != `{"orders":[]}` {
		t.Errorf("empty inventory: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(http.MethodGet, "/api/v1/orders/WO-1", fc, nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown order: %d", rec.Code)
	}
}

// Text with control characters (a NUL byte above all, which PostgreSQL refuses to store) is a 400
// naming the field: in an ingested order, a delegation's note, a revocation's reason, the inventory's
// filters and the assignment's selectors. None reaches the database or an order's process.
func TestOrderInputsRefuseControlCharacters(t *testing.T) {
	h := newHarness(t)
	h.acme()
	commerce := h.token("orders@commerce.cisco.com", models.RoleCommerce)
	with := func(edit func(map[string]any)) map[string]any {
		b := validOrder()
		edit(b)
		return b
	}
	line := func(b map[string]any) map[string]any { return b["lines"].([]any)[0].(map[string]any) }
	for field, body := range map[string]any{
		"purchaseOrder":        with(func(b map[string]any) { b["purchaseOrder"] = "PO\x007" }),
		"endCustomer.name":     with(func(b map[string]any) { b["endCustomer"].(map[string]any)["name"] = "Acme\x00" }),
		"reseller.name":        with(func(b map[string]any) { b["reseller"].(map[string]any)["name"] = "Partner\x1bX" }),
		"lines[0].id":          with(func(b map[string]any) { line(b)["id"] = "1\x00" }),
		"lines[0].sku":         with(func(b map[string]any) { line(b)["sku"] = "C9300\x00" }),
		"lines[0].description": with(func(b map[string]any) { line(b)["description"] = "switch\x00license" }),
	} {
		t.Run("ingest "+field, func(t *testing.T) {
			if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders", commerce, body), http.StatusBadRequest); e.Field != field {
				t.Errorf("error names %q: %+v", e.Field, e)
			}
		})
	}
	// A description may run over several lines.
	multi := with(func(b map[string]any) { line(b)["description"] = "switch\nlicense" })
	if rec := h.do(http.MethodPost, "/api/v1/orders", commerce, multi); rec.Code == http.StatusBadRequest {
		t.Errorf("a multi-line description was refused: %s", rec.Body)
	}

	in := process.IngestInput{Order: models.Order{ID: "WO-7", Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
		FulfillmentContact: "fc@acme.com", BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "h", WorkflowID: "order/WO-7"},
		Lines: []models.OrderLine{{ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1}}}
	models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
	if _, err := h.store.RecordOrder(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	d := models.OrderDelegation{ID: "d-7", OrderID: "WO-7", Delegator: "fc@acme.com", Delegate: "helper@x.com",
		Status: models.DelegationPending, WorkflowID: "delegation/WO-7/d-7", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if _, err := h.store.CreateDelegation(context.Background(), activities.CreateDelegationInput{Delegation: d}); err != nil {
		t.Fatal(err)
	}
	fc := h.token("fc@acme.com")
	target := map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}}
	for _, c := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"delegation note", http.MethodPost, "/api/v1/orders/WO-7/delegations", map[string]any{"email": "other@x.com", "note": "hi\x00"}, "note"},
		{"revocation reason", http.MethodDelete, "/api/v1/orders/WO-7/delegations/d-7", map[string]any{"reason": "no\x00"}, "reason"},
		{"search", http.MethodGet, "/api/v1/orders?q=WO%00", nil, "q"},
		{"contact filter", http.MethodGet, "/api/v1/orders/summary?fulfillmentContact=fc%00@acme.com", nil, "fulfillmentContact"},
		{"account selector", http.MethodPost, "/api/v1/orders/assignments",
			map[string]any{"orders": []string{"WO-7"}, "productsTo": map[string]any{"smartAccount": map[string]any{"name": "Acme\x00"}}},
			"productsTo.smartAccount.name"},
		{"virtual account", http.MethodPost, "/api/v1/orders/assignments",
			map[string]any{"orders": []string{"WO-7"}, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}, "virtualAccount": "LAB\x00"}},
			"productsTo.virtualAccount"},
		{"assignment reason", http.MethodPost, "/api/v1/orders/assignments",
			map[string]any{"orders": []string{"WO-7"}, "productsTo": target, "reason": "why\x00"}, "reason"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := errorOf(t, h.do(c.method, c.path, fc, c.body), http.StatusBadRequest); e.Field != c.field {
				t.Errorf("error names %q: %+v", e.Field, e)
			}
		})
	}
	if ds, _ := models.OrderDelegations(context.Background(), h.db, "WO-7"); len(ds) != 1 || ds[0].Status != models.DelegationPending {
		t.Fatalf("delegations %+v", ds)
	}
}

// The download keeps every cell that a spreadsheet would read as a formula from being one: the
// fulfillment contact's address too, which may start with '=' (a valid address).
func TestExportEscapesFormulas(t *testing.T) {
	h := newHarness(t)
	fc := "=cmd|'/Ccalc'!A0@acme.com"
	if !models.ValidEmail(fc) {
		t.Fatalf("fixture: %q is not a valid address", fc)
	}
	rec := h.do(http.MethodPost, "/api/v1/orders", h.token("orders@commerce.cisco.com", models.RoleCommerce), func() map[string]any {
		b := validOrder()
		b["fulfillmentContact"] = fc
		return b
	}())
	if rec.Code != http.StatusServiceUnavailable { // validated, then handed to the (absent) order process
		t.Fatalf("ingest: %d %s", rec.Code, rec.Body)
	}
	in := process.IngestInput{Order: models.Order{ID: "WO-9", Type: models.OrderStandard, PurchaseOrder: "=PO",
		EndCustomer: models.Party{Name: "Acme"}, FulfillmentContact: fc, BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		PayloadHash: "h", WorkflowID: "order/WO-9"},
		Lines: []models.OrderLine{{ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1}}}
	models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
	if _, err := h.store.RecordOrder(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	rec = h.do(http.MethodGet, "/api/v1/orders/export.csv", h.token("buyer@acme.com"), nil)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || rec.Code != http.StatusOK || len(rows) != 2 {
		t.Fatalf("export: %d %v %v", rec.Code, err, rows)
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("column %s starts a formula: %q", rows[0][i], cell)
		}
	}
}
