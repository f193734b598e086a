// Command access measures the access request process end to end against a running stack: requests for
// a virtual account role on 25 virtual accounts and their approval through the API (25 roles granted in
// one transaction), requests an automation rule approves in the first answer, and the Access Directory
// of a user whose TLD has many accounts.
//
//	go run ./cmd/clc-dev -data /tmp/bench -database-url postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable &
//	go run ./bench/access -url http://127.0.0.1:8080 -secret-file /tmp/bench/dev-secret -requests 500
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
		clients  = flag.Int("clients", 32, "concurrent clients")
		requests = flag.Int("requests", 300, "access requests to time on each path")
		accounts = flag.Int("accounts", 200, "accounts of the TLD the directory lists")
	)
	flag.Parse()
	b := client()

	tld := "access-" + b.Run + ".com"
	admin := b.Token("admin@" + tld)
	st, sa, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", admin, loadtest.Account("Bench "+tld, ""))
	if err != nil || st != http.StatusAccepted || sa["status"] != "ACTIVE" {
		log.Fatalf("account: %d %v %v", st, sa, err)
	}
	id := sa["id"].(string)
	vas := make([]string, 25)
	for i := range vas {
		st, va, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/virtual-accounts", admin, map[string]any{"name": fmt.Sprintf("VA %02d", i)})
		if err != nil || st != http.StatusCreated {
			log.Fatalf("virtual account: %d %v %v", st, va, err)
		}
		vas[i] = va["id"].(string)
	}

	fmt.Printf("access request for a VA role on 25 VAs (POST → 202 PENDING, administrators mailed): %d requests, %d clients\n", *requests, *clients)
	ids := make([]string, *requests)
	lat, elapsed, failed := loadtest.Parallel(*clients, *requests, func(i int) (time.Duration, error) {
		start := time.Now()
		st, ar, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests", b.Token(fmt.Sprintf("dev%d@%s", i, tld)),
			map[string]any{"role": "VIRTUAL_ACCOUNT_USER", "virtualAccounts": vas, "reason": "bench"})
		d := time.Since(start)
		if err == nil && (st != http.StatusAccepted || ar["status"] != "PENDING") {
			err = fmt.Errorf("request %d: %d %v", i, st, ar)
		}
		if err == nil {
			ids[i] = ar["id"].(string)
		}
		return d, err
	})
	loadtest.Report(lat, elapsed, failed)

	fmt.Printf("\napproval through the API (decision → 25 roles granted, answer re-read): %d approvals, %d clients\n", *requests, *clients)
	lat, elapsed, failed = loadtest.Parallel(*clients, *requests, func(i int) (time.Duration, error) {
		if ids[i] == "" {
			return 0, fmt.Errorf("request %d was not made", i)
		}
		start := time.Now()
		st, res, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests/"+ids[i]+"/decision", admin, map[string]any{"decision": "APPROVE"})
		d := time.Since(start)
		if err == nil {
			ar, _ := res["accessRequest"].(map[string]any)
			if st != http.StatusOK || ar["status"] != "APPROVED" {
				err = fmt.Errorf("approve %s: %d %v", ids[i], st, res)
			}
		}
		return d, err
	})
	loadtest.Report(lat, elapsed, failed)

	if st, res, err := b.Do(http.MethodPut, "/api/v1/smart-accounts/"+id+"/access-rules", admin, map[string]any{"rules": []map[string]any{
		{"action": "APPROVE", "role": "SMART_ACCOUNT_VIEWER", "requesterDomain": "OWN"}}}); err != nil || st != http.StatusOK {
		log.Fatalf("rules: %d %v %v", st, res, err)
	}
	fmt.Printf("\nrule-approved request (POST → 202 APPROVED, role granted): %d requests, %d clients\n", *requests, *clients)
	lat, elapsed, failed = loadtest.Parallel(*clients, *requests, func(i int) (time.Duration, error) {
		start := time.Now()
		st, ar, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests", b.Token(fmt.Sprintf("viewer%d@%s", i, tld)),
			map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "bench"})
		d := time.Since(start)
		if err == nil && (st != http.StatusAccepted || ar["status"] != "APPROVED") {
			err = fmt.Errorf("rule request %d: %d %v", i, st, ar)
		}
		return d, err
	})
	loadtest.Report(lat, elapsed, failed)

	dirTLD := "dir-" + b.Run + ".com"
	_, _, sfailed := loadtest.Parallel(*clients, *accounts, func(i int) (time.Duration, error) {
		owner := b.Token(fmt.Sprintf("owner%d@%s", i, dirTLD))
		st, res, err := b.Do(http.MethodPost, "/api/v1/smart-accounts", owner, loadtest.Account(fmt.Sprintf("Dir %d", i), fmt.Sprintf("u%d.%s", i, dirTLD)))
		if err == nil && st != http.StatusAccepted {
			err = fmt.Errorf("directory account %d: %d %v", i, st, res)
		}
		return 0, err
	})
	if sfailed > 0 {
		log.Fatalf("%d directory accounts failed", sfailed)
	}
	fmt.Printf("\nAccess Directory of a user whose TLD has %d accounts: %d reads, %d clients\n", *accounts, *requests, *clients)
	reader := b.Token("reader@" + dirTLD)
	lat, elapsed, failed = loadtest.Parallel(*clients, *requests, func(int) (time.Duration, error) {
		start := time.Now()
		st, res, err := b.Do(http.MethodGet, "/api/v1/smart-accounts/directory", reader, nil)
		d := time.Since(start)
		if err == nil {
			if list, _ := res["smartAccounts"].([]any); st != http.StatusOK || len(list) < *accounts {
				err = fmt.Errorf("directory: %d, %d accounts", st, len(list))
			}
		}
		return d, err
	})
	loadtest.Report(lat, elapsed, failed)
}
