// Command sacreate measures the Smart Account creation process end to end against a running stack:
// creations per second on the auto-activation path with many concurrent clients, and the latency from
// an approval POST to the account being ACTIVE in the database.
//
//	go run ./cmd/clc-dev -data /tmp/bench -database-url postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable &
//	go run ./bench/sacreate -url http://127.0.0.1:8080 -secret-file /tmp/bench/dev-secret -creates 3000 -approvals 500
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

func main() {
	client := loadtest.Flags()
	var (
		clients   = flag.Int("clients", 32, "concurrent clients")
		creates   = flag.Int("creates", 2000, "auto-activated creations to time")
		approvals = flag.Int("approvals", 300, "approvals to time")
	)
	flag.Parse()
	b := client()

	fmt.Printf("auto-activation: %d creations, %d clients\n", *creates, *clients)
	lat, elapsed, failed := loadtest.Parallel(*clients, *creates, func(i int) (time.Duration, error) {
		tld := fmt.Sprintf("auto-%s-%d.com", b.Run, i)
		tok := b.Token("owner@" + tld)
		start := time.Now()
		st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", tok, loadtest.Account("Bench "+tld, ""))
		d := time.Since(start)
		if err == nil && (st != http.StatusAccepted || body["status"] != "ACTIVE") {
			err = fmt.Errorf("create %s: %d %v", tld, st, body)
		}
		return d, err
	})
	loadtest.Report(lat, elapsed, failed)

	fmt.Printf("\napproval POST → ACTIVE in the database: %d approvals, %d clients\n", *approvals, *clients)
	type pending struct{ id, admin string }
	setup := make([]pending, *approvals)
	_, _, sfailed := loadtest.Parallel(*clients, *approvals, func(i int) (time.Duration, error) {
		tld := fmt.Sprintf("appr-%s-%d.com", b.Run, i)
		admin := b.Token("admin@" + tld)
		if st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", admin, loadtest.Account("Parent "+tld, "")); err != nil || st != http.StatusAccepted {
			return 0, fmt.Errorf("parent %s: %d %v %v", tld, st, body, err)
		}
		st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", b.Token("dev@"+tld), loadtest.Account("Child "+tld, "dev."+tld))
		if err != nil || st != http.StatusAccepted || body["status"] != "PENDING_APPROVAL" {
			return 0, fmt.Errorf("child %s: %d %v %v", tld, st, body, err)
		}
		setup[i] = pending{id: body["id"].(string), admin: admin}
		return 0, nil
	})
	if sfailed > 0 {
		log.Fatalf("%d setups failed", sfailed)
	}
	lat, elapsed, failed = loadtest.Parallel(*clients, *approvals, func(i int) (time.Duration, error) {
		p := setup[i]
		start := time.Now()
		st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+p.id+"/decision", p.admin, map[string]any{"decision": "APPROVE"})
		d := time.Since(start)
		if err == nil {
			sa, _ := body["smartAccount"].(map[string]any)
			// The answer re-reads the account from the database after the workflow applied the decision.
			if st != http.StatusOK || sa["status"] != "ACTIVE" {
				err = fmt.Errorf("approve %s: %d %v", p.id, st, body)
			}
		}
		return d, err
	})
	loadtest.Report(lat, elapsed, failed)
}
