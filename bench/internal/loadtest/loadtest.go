// Package loadtest is what the load tools under bench/ share: a client that signs its own bearer tokens
// for a running stack, runs jobs on many workers at once, and reports throughput and latency.
package loadtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// Client calls a running stack's API.
type Client struct {
	Base string
	// Run is a short label unique to this run, for names and domains that must not collide.
	Run    string
	signer auth.Signer
	http   *http.Client
}

// New reads the HS256 secret the stack verifies tokens with (the dev stack keeps it in its data folder).
func New(base, secretFile, issuer string) *Client {
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		log.Fatalf("read secret: %v", err)
	}
	return newClient(base, []byte(strings.TrimSpace(string(secret))), issuer)
}

// newClient is a Client of the stack at base that signs its tokens with secret.
func newClient(base string, secret []byte, issuer string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Run: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff),
		signer: auth.Signer{Secret: secret, Issuer: issuer, TTL: 2 * time.Hour},
		http:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 60 * time.Second}}
}

// Flags declares the flags every load tool takes to reach a stack (-url, -secret-file, -issuer); call
// the returned function after flag.Parse for the client.
func Flags() func() *Client {
	base := flag.String("url", "http://127.0.0.1:8080", "API base URL")
	secretFile := flag.String("secret-file", "data/dev-secret", "HS256 secret the stack verifies tokens with")
	issuer := flag.String("issuer", "clc-dev", "token issuer the stack expects")
	return func() *Client { return New(*base, *secretFile, *issuer) }
}

// Token signs a bearer token for email with platform roles.
func (c *Client) Token(email string, roles ...string) string {
	if roles == nil {
		roles = []string{}
	}
	t, err := c.signer.Sign(auth.Identity{Email: email, Name: email, Roles: roles})
	if err != nil {
		log.Fatal(err)
	}
	return t
}

// Do sends a JSON request and decodes a JSON object answer.
func (c *Client) Do(method, path, tok string, body any) (int, map[string]any, error) {
	return c.DoWith(method, path, tok, body)
}

// DoWith is Do with extra headers, given as name, value pairs.
func (c *Client) DoWith(method, path, tok string, body any, hdr ...string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.Base+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out := map[string]any{}
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out, nil
}

// SetFulfillment changes the dev stack's fulfillment simulator (PUT /dev/fulfillment as tok) and returns
// its state, with the deposits per line; empty settings only read it. A refusal ends the tool.
func (c *Client) SetFulfillment(tok string, settings map[string]any) map[string]any {
	st, body, err := c.Do("PUT", "/dev/fulfillment", tok, settings)
	if err != nil || st != http.StatusOK {
		log.Fatalf("fulfillment control: %d %v %v", st, body, err)
	}
	return body
}

// Parallel runs n jobs on workers goroutines; it returns each job's latency, the wall time and the
// number of failed jobs (each failure is logged).
func Parallel(workers, n int, job func(i int) (time.Duration, error)) ([]time.Duration, time.Duration, int) {
	var next, failed atomic.Int64
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
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

// Report prints throughput and the latency percentiles.
func Report(lat []time.Duration, elapsed time.Duration, failed int) {
	s := slices.Clone(lat)
	slices.Sort(s)
	pct := func(p float64) time.Duration { return s[int(p*float64(len(s)-1))].Round(100 * time.Microsecond) }
	fmt.Printf("  %d in %s = %.1f/s, failed %d\n", len(s), elapsed.Round(time.Millisecond), float64(len(s))/elapsed.Seconds(), failed)
	fmt.Printf("  latency p50 %s  p90 %s  p99 %s  max %s\n", pct(.5), pct(.9), pct(.99), pct(1))
}

// Account is the body of a Smart Account creation with a valid headquarters.
func Account(name, domain string) map[string]any {
	b := map[string]any{"name": name, "headquarters": map[string]any{"company": name, "line1": "1 Main St",
		"city": "San Jose", "country": "US"}}
	if domain != "" {
		b["domain"] = domain
	}
	return b
}

// RequestID is the request id the API derives from a requester and an Idempotency-Key: a creation's
// process is sa-create/<RequestID>.
func RequestID(email, key string) string {
	s := sha256.Sum256([]byte(email + "\n" + key))
	return hex.EncodeToString(s[:16])
}
