package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

// set is what a round of a real flow works on: the per-operation data its preparation made, and the
// workflow id of each operation's process.
type set struct {
	label       string
	workflowIDs []string
	data        []map[string]string
}

// flow is a real flow: the phase its timed operation is (0: the start), how a round is prepared
// (untimed) and one timed operation.
type flow struct {
	timed   int
	prepare func(b *loadtest.Client, label string, n int) *set
	real    func(b *loadtest.Client, s *set, i int) (time.Duration, error)
}

var flows = map[string]*flow{
	"sacreate": {timed: 0, prepare: prepareCreate, real: create},
	"approval": {timed: 1, prepare: prepareApproval, real: approve},
	"ingest":   {timed: 0, prepare: prepareIngest, real: ingest},
}

func prepareCreate(b *loadtest.Client, label string, n int) *set {
	s := &set{label: label, workflowIDs: make([]string, n), data: make([]map[string]string, n)}
	for i := range n {
		email := fmt.Sprintf("owner@auto-%s-%s-%d.com", b.Run, label, i)
		s.data[i] = map[string]string{"email": email}
		s.workflowIDs[i] = "sa-create/" + sum16(email, "c")
	}
	return s
}

// create is an auto-activated creation: a new TLD, so the account is ACTIVE in the answer.
func create(b *loadtest.Client, s *set, i int) (time.Duration, error) {
	email := s.data[i]["email"]
	t := time.Now()
	st, body, err := b.DoWith(http.MethodPost, "/api/v1/smart-accounts", b.Token(email), loadtest.Account("Bench "+email, ""),
		"Idempotency-Key", "c")
	d := time.Since(t)
	if err == nil && body["status"] != "ACTIVE" {
		err = fmt.Errorf("create %s: %d %v", email, st, body)
	}
	return d, check(st, http.StatusAccepted, body, err, "create")
}

// prepareApproval makes n accounts pending their administrator's approval (a parent account of the
// TLD first, then a child of another domain of it).
func prepareApproval(b *loadtest.Client, label string, n int) *set {
	s := &set{label: label, workflowIDs: make([]string, n), data: make([]map[string]string, n)}
	_, _, failed := loadtest.Parallel(16, n, func(i int) (time.Duration, error) {
		tld := fmt.Sprintf("appr-%s-%s-%d.com", b.Run, label, i)
		admin := "admin@" + tld
		st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", b.Token(admin), loadtest.Account("Parent "+tld, ""))
		if err := check(st, http.StatusAccepted, body, err, "parent"); err != nil {
			return 0, err
		}
		dev := "dev@" + tld
		st, body, err = b.DoWith(http.MethodPost, "/api/v1/smart-accounts", b.Token(dev), loadtest.Account("Child "+tld, "dev."+tld),
			"Idempotency-Key", "c")
		if err := check(st, http.StatusAccepted, body, err, "child"); err != nil {
			return 0, err
		}
		id, _ := body["id"].(string)
		s.data[i] = map[string]string{"admin": admin, "id": id}
		s.workflowIDs[i] = "sa-create/" + sum16(dev, "c")
		return 0, nil
	})
	if failed > 0 {
		log.Fatalf("%d approval setups failed", failed)
	}
	return s
}

// approve is the administrator's approval POST; its answer re-reads the ACTIVE account.
func approve(b *loadtest.Client, s *set, i int) (time.Duration, error) {
	d := s.data[i]
	t := time.Now()
	st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+d["id"]+"/decision", b.Token(d["admin"]),
		map[string]any{"decision": "APPROVE"})
	el := time.Since(t)
	if err == nil {
		if sa, _ := body["smartAccount"].(map[string]any); sa["status"] != "ACTIVE" {
			err = fmt.Errorf("approve %s: %d %v", d["id"], st, body)
		}
	}
	return el, check(st, http.StatusOK, body, err, "approve")
}

func prepareIngest(b *loadtest.Client, label string, n int) *set {
	s := &set{label: label, workflowIDs: make([]string, n), data: make([]map[string]string, n)}
	for i := range n {
		id := fmt.Sprintf("WC-%s-%s-%d", b.Run, label, i)
		s.data[i] = map[string]string{"id": id, "fc": fmt.Sprintf("fc@cust-%s-%d.com", b.Run, i%50)}
		s.workflowIDs[i] = "order/" + id
	}
	return s
}

// ingest is an order from commerce: a product and a Cisco service, its contact mailed.
func ingest(b *loadtest.Client, s *set, i int) (time.Duration, error) {
	d := s.data[i]
	body := map[string]any{"id": d["id"], "type": "STANDARD", "purchaseOrder": "PO-" + d["id"],
		"endCustomer": map[string]any{"name": "Customer", "email": d["fc"]}, "fulfillmentContact": d["fc"],
		"bookedAt": "2026-11-01T10:00:00Z",
		"lines": []any{
			map[string]any{"id": "1", "sku": "C9300-DNA-E-3Y", "kind": "PRODUCT", "quantity": 10, "smartLicense": true, "termMonths": 36},
			map[string]any{"id": "2", "sku": "CON-SNT-C9300", "kind": "CISCO_SERVICE", "quantity": 1},
		}}
	t := time.Now()
	st, resp, err := b.Do(http.MethodPost, "/api/v1/orders", b.Token("orders@commerce.cisco.com", "commerce"), body)
	return time.Since(t), check(st, http.StatusCreated, resp, err, "ingest")
}

// shapeOf counts a real process's history by phase (each Update accepted begins one) and in total.
func shapeOf(ctx context.Context, c client.Client, workflowID string) (BareInput, map[string]int) {
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	counts := map[string]int{}
	var shape BareInput
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			log.Fatalf("history of %s: %v", workflowID, err)
		}
		counts["events"]++
		cur := func() *Phase {
			if len(shape.Phases) == 0 {
				shape.Phases = append(shape.Phases, Phase{})
			}
			return &shape.Phases[len(shape.Phases)-1]
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			counts["updates"]++
			if counts["updates"] > 1 || len(shape.Phases) > 0 && *cur() != (Phase{}) {
				shape.Phases = append(shape.Phases, Phase{})
			}
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			counts["workflowTasks"]++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			counts["localActivities"]++
			cur().Local++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			counts["activities"]++
			cur().Activities++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			counts["upserts"]++
			cur().Upserts++
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			counts["children"]++
		case enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
			counts["signals"]++
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			counts["timers"]++
		}
	}
	d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		// The real process stays open (an order's waits for its assignment): so does the bare one.
		shape.Open = 10 * time.Minute
	}
	return shape, counts
}
