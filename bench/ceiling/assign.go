package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/process"
)

// prepareAssign makes the round's target: an ACTIVE account of a TLD of its own and n orders from
// commerce whose fulfillment contact is of that TLD, their processes running (sent through the API).
func prepareAssign(b *loadtest.Client, label string, n int) *set {
	tld := fmt.Sprintf("asg-%s-%s.com", b.Run, label)
	admin := "admin@" + tld
	if _, err := activeAccount(b, tld, "Bench "+tld); err != nil {
		log.Fatal(err)
	}
	commerce := b.Token("orders@commerce.cisco.com", "commerce")
	return prepareEach(label, n, "order", func(s *set, i int) error {
		id := fmt.Sprintf("WA-%s-%s-%d", b.Run, label, i)
		st, body, err := b.Do(http.MethodPost, "/api/v1/orders", commerce, order(id, "fc@"+tld))
		if err := check(st, http.StatusCreated, body, err, "order"); err != nil {
			return err
		}
		key := "assign-" + id
		s.data[i] = map[string]string{"order": id, "admin": admin, "tld": tld, "key": key}
		// The batch the POST starts and answers from: its id is the API's from the key (api.batchID).
		s.workflowIDs[i] = process.AssignmentBatchWorkflowID("key-" + loadtest.RequestID(admin, key))
		return nil
	})
}

// assign is the customer's administrator assigning one order to the account's default virtual account:
// the POST answers once the batch's process recorded it, the order REQUESTED; the order's own process
// applies it after the answer (FEATURES OR3, issue 10).
func assign(b *loadtest.Client, s *set, i int) (time.Duration, error) {
	d := s.data[i]
	t := time.Now()
	st, body, err := b.DoWith(http.MethodPost, "/api/v1/orders/assignments", b.Token(d["admin"]),
		map[string]any{"orders": []string{d["order"]}, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": d["tld"]}}},
		"Idempotency-Key", d["key"])
	el := time.Since(t)
	if err == nil {
		rs, _ := body["results"].([]any)
		if r, _ := first(rs).(map[string]any); r["status"] != "REQUESTED" {
			err = fmt.Errorf("assign %s: %d %v", d["order"], st, body)
		}
	}
	return el, check(st, http.StatusAccepted, body, err, "assign")
}

// first is a list's first element, nil when it is empty.
func first(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}
