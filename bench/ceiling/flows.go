package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

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
	"access":   {timed: 0, prepare: prepareAccess, real: access},
	"assign":   {timed: 0, prepare: prepareAssign, real: assign},
}

// newSet is a round's set of n operations, their data and ids to be filled in.
func newSet(label string, n int) *set {
	return &set{label: label, workflowIDs: make([]string, n), data: make([]map[string]string, n)}
}

// prepareEach runs each operation's untimed preparation, 16 at a time; one that fails ends the tool,
// since a round measured over fewer operations would not be the round asked for.
func prepareEach(label string, n int, what string, each func(s *set, i int) error) *set {
	s := newSet(label, n)
	_, _, failed := loadtest.Parallel(16, n, func(i int) (time.Duration, error) { return 0, each(s, i) })
	if failed > 0 {
		log.Fatalf("%d %s setups failed", failed, what)
	}
	return s
}

// activeAccount is an account of a TLD no account has yet, requested by admin@tld: auto-activated, so
// ACTIVE in the answer, with admin@tld its administrator. It answers the account's id.
func activeAccount(b *loadtest.Client, tld, name string) (string, error) {
	st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", b.Token("admin@"+tld), loadtest.Account(name, ""))
	if err == nil && body["status"] != "ACTIVE" {
		err = fmt.Errorf("account %s: %d %v", tld, st, body)
	}
	if err := check(st, http.StatusAccepted, body, err, "account"); err != nil {
		return "", err
	}
	id, _ := body["id"].(string)
	return id, nil
}

func prepareCreate(b *loadtest.Client, label string, n int) *set {
	s := newSet(label, n)
	for i := range n {
		email := fmt.Sprintf("owner@auto-%s-%s-%d.com", b.Run, label, i)
		s.data[i] = map[string]string{"email": email}
		s.workflowIDs[i] = "sa-create/" + loadtest.RequestID(email, "c")
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
	return prepareEach(label, n, "approval", func(s *set, i int) error {
		tld := fmt.Sprintf("appr-%s-%s-%d.com", b.Run, label, i)
		if _, err := activeAccount(b, tld, "Parent "+tld); err != nil {
			return err
		}
		dev := "dev@" + tld
		st, body, err := b.DoWith(http.MethodPost, "/api/v1/smart-accounts", b.Token(dev), loadtest.Account("Child "+tld, "dev."+tld),
			"Idempotency-Key", "c")
		if err := check(st, http.StatusAccepted, body, err, "child"); err != nil {
			return err
		}
		id, _ := body["id"].(string)
		s.data[i] = map[string]string{"admin": "admin@" + tld, "id": id}
		s.workflowIDs[i] = "sa-create/" + loadtest.RequestID(dev, "c")
		return nil
	})
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
	s := newSet(label, n)
	for i := range n {
		id := fmt.Sprintf("WC-%s-%s-%d", b.Run, label, i)
		s.data[i] = map[string]string{"id": id, "fc": fmt.Sprintf("fc@cust-%s-%d.com", b.Run, i%50)}
		s.workflowIDs[i] = "order/" + id
	}
	return s
}

// ingest is an order from commerce (order), its contact mailed.
func ingest(b *loadtest.Client, s *set, i int) (time.Duration, error) {
	d := s.data[i]
	t := time.Now()
	st, resp, err := b.Do(http.MethodPost, "/api/v1/orders", b.Token("orders@commerce.cisco.com", "commerce"), order(d["id"], d["fc"]))
	return time.Since(t), check(st, http.StatusCreated, resp, err, "ingest")
}

// order is the body of an order from commerce: a product and a Cisco service, fc its contact.
func order(id, fc string) map[string]any {
	return map[string]any{"id": id, "type": "STANDARD", "purchaseOrder": "PO-" + id,
		"endCustomer": map[string]any{"name": "Customer", "email": fc}, "fulfillmentContact": fc,
		"bookedAt": "2026-11-01T10:00:00Z",
		"lines": []any{
			map[string]any{"id": "1", "sku": "C9300-DNA-E-3Y", "kind": "PRODUCT", "quantity": 10, "smartLicense": true, "termMonths": 36},
			map[string]any{"id": "2", "sku": "CON-SNT-C9300", "kind": "CISCO_SERVICE", "quantity": 1},
		}}
}
