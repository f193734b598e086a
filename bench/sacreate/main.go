// Command sacreate measures the Smart Account creation process end to end against a running stack:
// creations per second on the auto-activation path with many concurrent clients, and the latency from
// an approval POST to the account being ACTIVE in the database.
//
//	go run ./cmd/clc-dev -data /tmp/bench -database-url postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable &
//	go run ./bench/sacreate -url http://127.0.0.1:8080 -secret-file /tmp/bench/dev-secret -creates 3000 -approvals 500
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
		creates    = flag.Int("creates", 2000, "auto-activated creations to time")
		approvals  = flag.Int("approvals", 300, "approvals to time")
	)
	flag.Parse()
	secret, err := os.ReadFile(*secretFile)
	if err != nil {
		log.Fatalf("read secret: %v", err)
	}
	b := &bench{base: strings.TrimRight(*base, "/"), run: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff),
		signer: auth.Signer{Secret: []byte(strings.TrimSpace(string(secret))), Issuer: *issuer, TTL: 2 * time.Hour},
		http:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 60 * time.Second}}

	fmt.Printf("auto-activation: %d creations, %d clients\n", *creates, *clients)
	lat, elapsed, failed := b.parallel(*clients, *creates, func(i int) (time.Duration, error) {
		tld := fmt.Sprintf("auto-%s-%d.com", b.run, i)
		tok := b.token("owner@" + tld)
		start := time.Now()
		st, body, err := b.post("/api/v1/smart-accounts", tok, account("Bench "+tld, ""))
		d := time.Since(start)
		if err == nil && (st != http.StatusAccepted || body["status"] != "ACTIVE") {
			err = fmt.Errorf("create %s: %d %v", tld, st, body)
		}
		return d, err
	})
	report(lat, elapsed, failed)

	fmt.Printf("\napproval POST → ACTIVE in the database: %d approvals, %d clients\n", *approvals, *clients)
	type pending struct{ id, admin string }
	setup := make([]pending, *approvals)
	_, _, sfailed := b.parallel(*clients, *approvals, func(i int) (time.Duration, error) {
		tld := fmt.Sprintf("appr-%s-%d.com", b.run, i)
		admin := b.token("admin@" + tld)
		if st, body, err := b.post("/api/v1/smart-accounts", admin, account("Parent "+tld, "")); err != nil || st != http.StatusAccepted {
			return 0, fmt.Errorf("parent %s: %d %v %v", tld, st, body, err)
		}
		st, body, err := b.post("/api/v1/smart-accounts", b.token("dev@"+tld), account("Child "+tld, "dev."+tld))
		if err != nil || st != http.StatusAccepted || body["status"] != "PENDING_APPROVAL" {
			return 0, fmt.Errorf("child %s: %d %v %v", tld, st, body, err)
		}
		setup[i] = pending{id: body["id"].(string), admin: admin}
		return 0, nil
	})
	if sfailed > 0 {
		log.Fatalf("%d setups failed", sfailed)
	}
	lat, elapsed, failed = b.parallel(*clients, *approvals, func(i int) (time.Duration, error) {
		p := setup[i]
		start := time.Now()
		st, body, err := b.post("/api/v1/smart-accounts/"+p.id+"/decision", p.admin, map[string]any{"decision": "APPROVE"})
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

func (b *bench) post(path, tok string, body any) (int, map[string]any, error) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, b.base+path, bytes.NewReader(raw))
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
