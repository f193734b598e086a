// Command access measures the access request process end to end against a running stack: requests for
// a virtual account role on 25 virtual accounts and their approval through the API (25 roles granted in
// one transaction), requests an automation rule approves in the first answer, and the Access Directory
// of a user whose TLD has many accounts.
//
//	go run ./cmd/clc-dev -data /tmp/bench -database-url postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable &
//	go run ./bench/access -url http://127.0.0.1:8080 -secret-file /tmp/bench/dev-secret -requests 500
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/licensecentral/clc/internal/auth"
)

func main() {
	var (
		base       = flag.String("url", "http://127.0.0.1:8080", "API base URL")
		secretFile = flag.String("secret-file", "data/dev-secret", "HS256 secret the stack verifies tokens with")
		issuer     = flag.String("issuer", "clc-dev", "token issuer the stack expects")
		clients    = flag.Int("clients", 32, "concurrent clients")
		requests   = flag.Int("requests", 300, "access requests to time on each path")
		accounts   = flag.Int("accounts", 200, "accounts of the TLD the directory lists")
	)
	flag.Parse()
	secret, err := os.ReadFile(*secretFile)
	if err != nil {
		log.Fatalf("read secret: %v", err)
	}
	b := &bench{base: strings.TrimRight(*base, "/"), run: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff),
		signer: auth.Signer{Secret: []byte(strings.TrimSpace(string(secret))), Issuer: *issuer, TTL: 2 * time.Hour},
		http:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 60 * time.Second}}

	tld := "access-" + b.run + ".com"
	admin := b.token("admin@" + tld)
	st, sa, err := b.do(http.MethodPost, "/api/v1/smart-accounts", admin, account("Bench "+tld, ""))
	if err != nil || st != http.StatusAccepted || sa["status"] != "ACTIVE" {
		log.Fatalf("account: %d %v %v", st, sa, err)
	}
	id := sa["id"].(string)
	vas := make([]string, 25)
	for i := range vas {
		st, va, err := b.do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/virtual-accounts", admin, map[string]any{"name": fmt.Sprintf("VA %02d", i)})
		if err != nil || st != http.StatusCreated {
			log.Fatalf("virtual account: %d %v %v", st, va, err)
		}
		vas[i] = va["id"].(string)
	}

	fmt.Printf("access request for a VA role on 25 VAs (POST → 202 PENDING, administrators mailed): %d requests, %d clients\n", *requests, *clients)
	ids := make([]string, *requests)
	lat, elapsed, failed := b.parallel(*clients, *requests, func(i int) (time.Duration, error) {
		start := time.Now()
		st, ar, err := b.do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests", b.token(fmt.Sprintf("dev%d@%s", i, tld)),
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
	report(lat, elapsed, failed)

	fmt.Printf("\napproval through the API (decision → 25 roles granted, answer re-read): %d approvals, %d clients\n", *requests, *clients)
	lat, elapsed, failed = b.parallel(*clients, *requests, func(i int) (time.Duration, error) {
		if ids[i] == "" {
			return 0, fmt.Errorf("request %d was not made", i)
		}
		start := time.Now()
		st, res, err := b.do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests/"+ids[i]+"/decision", admin, map[string]any{"decision": "APPROVE"})
		d := time.Since(start)
		if err == nil {
			ar, _ := res["accessRequest"].(map[string]any)
			if st != http.StatusOK || ar["status"] != "APPROVED" {
				err = fmt.Errorf("approve %s: %d %v", ids[i], st, res)
			}
		}
		return d, err
	})
	report(lat, elapsed, failed)

	if st, res, err := b.do(http.MethodPut, "/api/v1/smart-accounts/"+id+"/access-rules", admin, map[string]any{"rules": []map[string]any{
		{"action": "APPROVE", "role": "SMART_ACCOUNT_VIEWER", "requesterDomain": "OWN"}}}); err != nil || st != http.StatusOK {
		log.Fatalf("rules: %d %v %v", st, res, err)
	}
	fmt.Printf("\nrule-approved request (POST → 202 APPROVED, role granted): %d requests, %d clients\n", *requests, *clients)
	lat, elapsed, failed = b.parallel(*clients, *requests, func(i int) (time.Duration, error) {
		start := time.Now()
		st, ar, err := b.do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests", b.token(fmt.Sprintf("viewer%d@%s", i, tld)),
			map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "bench"})
		d := time.Since(start)
		if err == nil && (st != http.StatusAccepted || ar["status"] != "APPROVED") {
			err = fmt.Errorf("rule request %d: %d %v", i, st, ar)
		}
		return d, err
	})
	report(lat, elapsed, failed)

	dirTLD := "dir-" + b.run + ".com"
	_, _, sfailed := b.parallel(*clients, *accounts, func(i int) (time.Duration, error) {
		owner := b.token(fmt.Sprintf("owner%d@%s", i, dirTLD))
		st, res, err := b.do(http.MethodPost, "/api/v1/smart-accounts", owner, account(fmt.Sprintf("Dir %d", i), fmt.Sprintf("u%d.%s", i, dirTLD)))
		if err == nil && st != http.StatusAccepted {
			err = fmt.Errorf("directory account %d: %d %v", i, st, res)
		}
		return 0, err
	})
	if sfailed > 0 {
		log.Fatalf("%d directory accounts failed", sfailed)
	}
	fmt.Printf("\nAccess Directory of a user whose TLD has %d accounts: %d reads, %d clients\n", *accounts, *requests, *clients)
	reader := b.token("reader@" + dirTLD)
	lat, elapsed, failed = b.parallel(*clients, *requests, func(int) (time.Duration, error) {
		start := time.Now()
		st, res, err := b.do(http.MethodGet, "/api/v1/smart-accounts/directory", reader, nil)
		d := time.Since(start)
		if err == nil {
			if list, _ := res["smartAccounts"].([]any); st != http.StatusOK || len(list) < *accounts {
				err = fmt.Errorf("directory: %d, %d accounts", st, len(list))
			}
		}
		return d, err
	})
	report(lat, elapsed, failed)
}

type bench struct {
	base   string
	run    string
	signer auth.Signer
	http   *http.Client
}

func (b *bench) token(email string) string {
	t, err := b.signer.Sign(auth.Identity{Email: email, Name: email, Roles: []string{}})
	if err != nil {
		log.Fatal(err)
	}
	return t
}

func (b *bench) do(method, path, tok string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out := map[string]any{}
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out, nil
}

// parallel runs n jobs on c workers and returns each job's latency, the wall time and the failures.
func (b *bench) parallel(c, n int, job func(i int) (time.Duration, error)) ([]time.Duration, time.Duration, int) {
	var next, failed atomic.Int64
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				d, err := job(i)
				if err != nil {
					failed.Add(1)
					log.Print(err)
				}
				lat[i] = d
			}
		}()
	}
	wg.Wait()
	return lat, time.Since(start), int(failed.Load())
}

func report(lat []time.Duration, elapsed time.Duration, failed int) {
	s := slices.Clone(lat)
	slices.Sort(s)
	pct := func(p float64) time.Duration { return s[int(p*float64(len(s)-1))] }
	fmt.Printf("  %d in %s = %.1f/s, failed %d\n", len(s), elapsed.Round(time.Millisecond), float64(len(s))/elapsed.Seconds(), failed)
	fmt.Printf("  latency p50 %s  p90 %s  p99 %s  max %s\n", pct(.5).Round(100*time.Microsecond),
		pct(.9).Round(100*time.Microsecond), pct(.99).Round(100*time.Microsecond), s[len(s)-1].Round(100*time.Microsecond))
}

func account(name, domain string) map[string]any {
	b := map[string]any{"name": name, "headquarters": map[string]any{"company": name, "line1": "1 Main St",
		"city": "San Jose", "country": "US"}}
	if domain != "" {
		b["domain"] = domain
	}
	return b
}
