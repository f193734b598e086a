package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
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
			if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders", commerce, c.body), http.StatusBadRequest); e.Field != c.field {
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
	var n int64
	h.db.Model(&models.Order{}).Count(&n)
	if n != 0 {
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
			if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", c.token, c.body), c.status); e.Field != c.field {
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
