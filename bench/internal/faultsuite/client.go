package faultsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"go.temporal.io/sdk/log"

	"github.com/licensecentral/clc/internal/auth"
)

// answer is one HTTP answer the workload got; the audit checks 5xx against the outages.
type answer struct {
	at     time.Time
	status int
	what   string
}

// recorder keeps every answer and counts requests.
type recorder struct {
	mu       sync.Mutex
	requests int // logical requests (each retried until answered)
	attempts int
	answered int // answered 2xx
	fivexx   []answer
}

func (r *recorder) add(f func(r *recorder)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r)
}

// caller is the workload's HTTP client: it retries a request that got no answer or a 5xx (as a client
// behind a load balancer does) with the same Idempotency-Key, until the deadline.
type caller struct {
	base   string
	signer auth.Signer
	http   *http.Client
	rec    *recorder
}

func newCaller(base string, rec *recorder) *caller {
	return &caller{base: base, rec: rec,
		signer: auth.Signer{Secret: []byte(secret), Issuer: issuer, TTL: 3 * time.Hour},
		http:   &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
}

func (c *caller) token(email string, roles ...string) string {
	if roles == nil {
		roles = []string{}
	}
	t, err := c.signer.Sign(auth.Identity{Email: email, Name: email, Roles: roles})
	if err != nil {
		panic(err)
	}
	return t
}

// reply is a decoded JSON answer (or the page of a link).
type reply struct {
	status int
	body   map[string]any
	page   string
	// retried says an earlier attempt may have reached the server: a 409 or 410 then may be the
	// answer to the caller's own first attempt.
	retried bool
}

// do sends method path with a JSON body (or a form, for the mailed links' pages) until it is answered
// with anything but a 5xx, or ctx ends.
func (c *caller) do(ctx context.Context, what, method, path, tok, idem string, body any, form url.Values) (reply, error) {
	c.rec.add(func(r *recorder) { r.requests++ })
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	target := path
	if len(path) > 0 && path[0] == '/' {
		target = c.base + path
	}
	var out reply
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		switch {
		case raw != nil:
			rd = bytes.NewReader(raw)
		case form != nil:
			rd = bytes.NewReader([]byte(form.Encode()))
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return out, err
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if raw != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		c.rec.add(func(r *recorder) { r.attempts++ })
		resp, err := c.http.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out = reply{status: resp.StatusCode, page: string(b), retried: attempt > 0}
			if resp.StatusCode >= 500 {
				a := answer{at: time.Now(), status: resp.StatusCode, what: what + ": " + truncate(string(b), 200)}
				c.rec.add(func(r *recorder) { r.fivexx = append(r.fivexx, a) })
			} else {
				out.body = map[string]any{}
				_ = json.Unmarshal(b, &out.body)
				if resp.StatusCode < 300 {
					c.rec.add(func(r *recorder) { r.answered++ })
				}
				return out, nil
			}
		}
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("%s: no answer before the deadline (last %d, %v)", what, out.status, err)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// quietLogger keeps the Temporal client's retries during outages out of the output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

var _ log.Logger = quietLogger{}
