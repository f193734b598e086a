package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// recordWithoutProcess records orders as a bulk load does: rows in the database, no process running.
func recordWithoutProcess(t *testing.T, fc string, ids []string) {
	t.Helper()
	st := &activities.Store{DB: sys.db}
	for _, id := range ids {
		in := process.IngestInput{Order: models.Order{ID: id, Type: models.OrderStandard, EndCustomer: models.Party{Name: "Customer of " + id},
			FulfillmentContact: fc, BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "load-" + id,
			WorkflowID: process.OrderWorkflowID(id)},
			Lines: []models.OrderLine{{ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10, SmartLicense: true},
				{ID: "2", SKU: "CON-SNT-C9300", Kind: models.LineCiscoService, Quantity: 1}}}
		models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
		if _, err := st.RecordOrder(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
}

// A bulk assignment of orders with a running process and orders without one: the click is answered
// with each order's answer and a batch a second request sees at once (every order in it, applied or
// pending); the worker stops and starts again meanwhile, as a crash would; every order ends applied
// by its own process, each line assigned once, and the batch says so.
func TestBulkAssignmentBatch(t *testing.T) {
	tld, admin, saID := activeAccount(t, "batch")
	fc := "fc@" + tld
	var running, loaded []string
	var bodies []map[string]any
	for i := 0; i < 60; i++ {
		running = append(running, fmt.Sprintf("WR-%s-%03d", uniq(), i))
		bodies = append(bodies, orderBody(running[i], "STANDARD", fc, ""))
		loaded = append(loaded, fmt.Sprintf("WL-%s-%03d", uniq(), i))
	}
	ingest(t, bodies...)
	recordWithoutProcess(t, fc, loaded)
	ea := "WE-" + uniq()
	ingest(t, orderBody(ea, "EA", fc, ""))
	good := append(append([]string{}, running...), loaded...)

	began := time.Now()
	st, body := admin.post("/api/v1/orders/assignments", assignment(append(append([]string{}, good...), ea), to("domain", tld, "")))
	answered := time.Since(began)
	if st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	rs := results(t, body)
	for _, id := range good {
		if rs[id]["status"] != "REQUESTED" {
			t.Fatalf("%s: %v", id, rs[id])
		}
	}
	if rs[ea]["status"] != "REFUSED" || errCode(rs[ea]) != models.CodeRefused {
		t.Fatalf("EA order: %v", rs[ea])
	}
	batch := str(body["batchId"])
	path := "/api/v1/orders/assignments/" + batch
	st, first := admin.get(path)
	if st != http.StatusOK || first["total"] != 121.0 || first["refused"] != 1.0 ||
		first["applied"].(float64)+first["pending"].(float64) != 120 {
		t.Fatalf("batch at once: %d %v", st, first)
	}
	t.Logf("answered in %v with %v of 120 orders pending", answered, first["pending"])
	if st, _ := as(t, "eve@"+domainOf("elsewhere")).get(path); st != http.StatusNotFound {
		t.Fatalf("an outsider sees the batch: %d", st)
	}

	sys.app.StopWorker()
	time.Sleep(200 * time.Millisecond)
	if err := sys.app.StartWorker(); err != nil {
		t.Fatal(err)
	}
	var last response
	deadline := time.Now().Add(3 * time.Minute)
	for {
		_, last = admin.get(path)
		if last["pending"] == 0.0 && last["finishedAt"] != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if last["applied"] != 120.0 || last["refused"] != 1.0 || last["pending"] != 0.0 || last["finishedAt"] == nil {
		t.Fatalf("batch at the end: %v applied, %v refused, %v pending, finished %v", last["applied"], last["refused"],
			last["pending"], last["finishedAt"])
	}
	var n int64
	sys.db.Model(&models.OrderLine{}).Where("order_id IN ? AND smart_account_id = ?", good, saID).Count(&n)
	if n != 2*120 {
		t.Fatalf("%d of 240 lines assigned", n)
	}
	sys.db.Model(&models.Event{}).Where("smart_account_id = ? AND action = ?", saID, models.EventLineAssigned).Count(&n)
	if n != 2*120 {
		t.Fatalf("%d line events, want 240: a line moved twice or not at all", n)
	}
	for _, id := range loaded[:3] {
		if _, err := sys.tc.DescribeWorkflowExecution(context.Background(), process.OrderWorkflowID(id), ""); err != nil {
			t.Fatalf("the loaded order %s has no process after its assignment: %v", id, err)
		}
	}
}
