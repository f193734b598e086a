package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// recordOrders records standard orders of the fulfillment contact, one product line each, as
// commerce's ingest does; typ overrides the type of some.
func (h *harness) recordOrders(fc string, typ map[string]models.OrderType, ids ...string) {
	h.t.Helper()
	for _, id := range ids {
		in := process.IngestInput{Order: models.Order{ID: id, Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
			FulfillmentContact: fc, BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "h-" + id,
			WorkflowID: process.OrderWorkflowID(id)},
			Lines: []models.OrderLine{{ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1, SmartLicense: true}}}
		if t, ok := typ[id]; ok {
			in.Order.Type = t
		}
		models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
		if _, err := h.store.RecordOrder(context.Background(), in); err != nil {
			h.t.Fatal(err)
		}
	}
}

// A bulk assignment is answered from the database at once, each order REQUESTED or REFUSED with its
// reason, and handed as one batch to its process: the answer comes before any order is applied (the
// lines are still unassigned), and a second request sees the batch's progress, pending until the
// process records each outcome. Only the person who made it and support see the batch.
func TestBulkAssignmentAnsweredAtOnce(t *testing.T) {
	h := newHarness(t)
	h.acme()
	orders := h.withOrders()
	h.recordOrders("fc@acme.com", map[string]models.OrderType{"WO-3": models.OrderEA}, "WO-1", "WO-2", "WO-3")
	fc := h.token("fc@acme.com")
	body := map[string]any{"orders": []string{"WO-1", "WO-2", "WO-3", "WO-404"},
		"productsTo": map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}}}
	rec := h.do(http.MethodPost, "/api/v1/orders/assignments", fc, body)
	got := jsonOf(t, rec, http.StatusAccepted)
	batch, _ := got["batchId"].(string)
	if batch == "" || rec.Header().Get("Location") != "/api/v1/orders/assignments/"+batch {
		t.Fatalf("no batch: %v %v", rec.Header(), got)
	}
	want := map[string]string{"WO-1": "REQUESTED", "WO-2": "REQUESTED", "WO-3": models.CodeRefused, "WO-404": models.CodeNotFound}
	for _, r := range list(t, got["results"], "results") {
		id, _ := r["order"].(string)
		status := r["status"]
		if e, ok := r["error"].(map[string]any); ok {
			status = e["code"]
		}
		if status != want[id] {
			t.Errorf("%s: %v, want %s", id, r, want[id])
		}
	}
	if calls := orders.calls(); len(calls) != 2 || calls[0].Actor.Email != "fc@acme.com" {
		t.Fatalf("handed over %+v", calls)
	}
	if assigned := h.count(&models.OrderLine{}, "smart_account_id <> ''"); assigned != 0 {
		t.Fatalf("%d lines assigned before the batch's process applied them", assigned)
	}

	path := "/api/v1/orders/assignments/" + batch
	progress := func(tok string, applied, refused, pending int) map[string]any {
		t.Helper()
		st := jsonOf(t, h.do(http.MethodGet, path, tok, nil), http.StatusOK)
		if st["total"] != 4.0 || st["applied"] != float64(applied) || st["refused"] != float64(refused) || st["pending"] != float64(pending) {
			t.Fatalf("progress %v, want %d applied, %d refused, %d pending", st, applied, refused, pending)
		}
		return st
	}
	st := progress(fc, 0, 2, 2)
	if o := list(t, st["orders"], "orders"); o[2]["order"] != "WO-3" || o[2]["error"].(map[string]any)["code"] != models.CodeRefused {
		t.Fatalf("orders %v", o)
	}
	progress(h.token("tac@cisco.com", models.RoleCiscoSupport), 0, 2, 2)
	errorOf(t, h.do(http.MethodGet, path, h.token("eve@evil.com"), nil), http.StatusNotFound)
	errorOf(t, h.do(http.MethodGet, "/api/v1/orders/assignments/nope", fc, nil), http.StatusNotFound)

	// The process records one order applied and one refused by the order's own check (a race).
	now := time.Now().UTC()
	if err := models.RecordBatchOutcomes(context.Background(), h.db, batch, []models.AssignmentBatchOrder{
		{OrderID: "WO-1", Position: 0, Status: models.BatchApplied, UpdatedAt: now},
		{OrderID: "WO-2", Position: 1, Status: models.BatchRefused, Code: models.CodeConflict, Message: "assigned meanwhile", UpdatedAt: now},
	}); err != nil {
		t.Fatal(err)
	}
	if o := list(t, progress(fc, 1, 3, 0)["orders"], "orders"); o[1]["error"].(map[string]any)["message"] != "assigned meanwhile" {
		t.Fatalf("orders %v", o)
	}
}

// The same Idempotency-Key is the same batch (and the same update for each order); the key used again
// for other orders is a 409 naming it. Nothing assignable is no batch at all.
func TestBulkAssignmentIdempotency(t *testing.T) {
	h := newHarness(t)
	h.acme()
	orders := h.withOrders()
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = fmt.Sprintf("WO-%d", i+1)
	}
	h.recordOrders("fc@acme.com", nil, ids...)
	fc := h.token("fc@acme.com")
	to := map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}}
	first := jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", fc, map[string]any{"orders": ids, "productsTo": to},
		"Idempotency-Key", "k1"), http.StatusAccepted)
	again := jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", fc, map[string]any{"orders": ids, "productsTo": to},
		"Idempotency-Key", "k1"), http.StatusAccepted)
	if first["batchId"] != again["batchId"] {
		t.Fatalf("two batches for one key: %v %v", first["batchId"], again["batchId"])
	}
	calls := orders.calls()
	if len(calls) != 60 || calls[0].RequestID != calls[30].RequestID || calls[0].RequestID == calls[1].RequestID {
		t.Fatalf("update ids %d: %s %s %s", len(calls), calls[0].RequestID, calls[30].RequestID, calls[1].RequestID)
	}
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", fc, map[string]any{"orders": ids[:2], "productsTo": to},
		"Idempotency-Key", "k1"), http.StatusConflict); e.Field != "Idempotency-Key" {
		t.Fatalf("error %+v", e)
	}
	other := jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", fc, map[string]any{"orders": ids, "productsTo": to}),
		http.StatusAccepted)
	if other["batchId"] == first["batchId"] {
		t.Fatal("a request without a key joined the keyed batch")
	}
	// Nothing assignable: refused as a whole, no batch.
	none := jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", fc, map[string]any{"orders": []string{"WO-404"}, "productsTo": to}),
		http.StatusNotFound)
	if _, ok := none["batchId"]; ok || len(orders.batches) != 3 {
		t.Fatalf("a batch for nothing: %v, %d batches", none, len(orders.batches))
	}
}
