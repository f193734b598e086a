package ratelimit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

func init() { gin.SetMode(gin.TestMode) }

// clock is a fake time source: buckets refill only when a test advances it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// keyed serves GET /x limited by l per the X-Key header.
func keyed(l *Limiter) http.Handler {
	r := gin.New()
	r.GET("/x", l.ByKey(func(c *gin.Context) string { return c.GetHeader("X-Key") }),
		func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

func get(h http.Handler, key string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	if key != "" {
		req.Header.Set("X-Key", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// wantCodes makes one request per code and checks each answer.
func wantCodes(t *testing.T, h http.Handler, key string, codes ...int) {
	t.Helper()
	for i, want := range codes {
		if got := get(h, key).Code; got != want {
			t.Fatalf("key %q request %d: status %d, want %d", key, i+1, got, want)
		}
	}
}

func TestBurstThen429WithRetryAfter(t *testing.T) {
	cases := []struct {
		name       string
		rate       rate.Limit
		retryAfter string
	}{
		{"5/s waits a fifth of a second, said as 1", 5, "1"},
		{"1/s", 1, "1"},
		{"1 per 10s", 0.1, "10"},
		{"1/m", rate.Every(time.Minute), "60"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			h := keyed(New(Config{Rate: tc.rate, Burst: 3, Now: clk.Now}))
			wantCodes(t, h, "a", 200, 200, 200)
			w := get(h, "a")
			if w.Code != http.StatusTooManyRequests {
				t.Fatalf("after the burst: status %d, want 429", w.Code)
			}
			if got := w.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
		})
	}
}

func TestTokensRefill(t *testing.T) {
	clk := newClock()
	h := keyed(New(Config{Rate: 2, Burst: 2, Now: clk.Now}))
	wantCodes(t, h, "a", 200, 200, 429)
	clk.Advance(499 * time.Millisecond)
	wantCodes(t, h, "a", 429)
	clk.Advance(time.Millisecond)
	wantCodes(t, h, "a", 200, 429)
	// A long pause refills up to the burst, not beyond.
	clk.Advance(time.Hour)
	wantCodes(t, h, "a", 200, 200, 429)

	// Retry-After counts down with the refill.
	slow := keyed(New(Config{Rate: 0.1, Burst: 1, Now: clk.Now}))
	wantCodes(t, slow, "b", 200)
	clk.Advance(3 * time.Second)
	if got := get(slow, "b").Header().Get("Retry-After"); got != "7" {
		t.Fatalf("Retry-After 3s into a 10s refill = %q, want 7", got)
	}
	clk.Advance(6500 * time.Millisecond)
	if got := get(slow, "b").Header().Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After half a second before the token = %q, want 1", got)
	}
	clk.Advance(500 * time.Millisecond)
	wantCodes(t, slow, "b", 200)
}

func TestKeysAreIndependent(t *testing.T) {
	clk := newClock()
	l := New(Config{Rate: 1, Burst: 2, Now: clk.Now})
	h := keyed(l)
	wantCodes(t, h, "a", 200, 200, 429)
	wantCodes(t, h, "b", 200, 200, 429)
	wantCodes(t, h, "a", 429)
	// No key, no limit: the caller decided such requests are not limited here.
	for range 50 {
		wantCodes(t, h, "", 200)
	}
	if n := l.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2 (the empty key is not remembered)", n)
	}
}

func TestIdleKeysAreSwept(t *testing.T) {
	clk := newClock()
	l := New(Config{Rate: 10, Burst: 1, Idle: time.Minute, Now: clk.Now})
	h := keyed(l)
	wantCodes(t, h, "a", 200)
	wantCodes(t, h, "b", 200)
	clk.Advance(30 * time.Second)
	wantCodes(t, h, "c", 200)
	if n := l.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
	clk.Advance(31 * time.Second) // a and b idle 61s, c 31s
	wantCodes(t, h, "c", 200)
	if n := l.Len(); n != 1 {
		t.Fatalf("after a minute idle: Len = %d, want 1", n)
	}
}

// TestIdleNeverShorterThanRefill: a key forgotten before its bucket refilled would come back with a
// full burst it had not earned.
func TestIdleNeverShorterThanRefill(t *testing.T) {
	clk := newClock()
	l := New(Config{Rate: rate.Every(time.Minute), Burst: 10, Idle: time.Minute, Now: clk.Now})
	h := keyed(l)
	wantCodes(t, h, "a", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429)
	clk.Advance(2 * time.Minute)
	wantCodes(t, h, "other", 200) // runs the sweep
	wantCodes(t, h, "a", 200, 200, 429)
	clk.Advance(11 * time.Minute) // past the 10 minutes a's bucket takes to refill
	wantCodes(t, h, "other", 200)
	if n := l.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1 (a forgotten once its bucket would be full)", n)
	}
}

func TestMaxKeysEvictsLeastRecentlySeen(t *testing.T) {
	clk := newClock()
	l := New(Config{Rate: rate.Every(time.Hour), Burst: 1, MaxKeys: 2, Now: clk.Now})
	h := keyed(l)
	wantCodes(t, h, "a", 200)
	wantCodes(t, h, "b", 200)
	wantCodes(t, h, "a", 429) // a is now the most recently seen
	wantCodes(t, h, "c", 200) // evicts b
	if n := l.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	wantCodes(t, h, "a", 429) // still remembered, still limited
	wantCodes(t, h, "b", 200) // forgotten, so a fresh bucket (and c goes)
}

func TestConcurrentRequests(t *testing.T) {
	clk := newClock()
	const burst, workers, each = 50, 32, 20
	l := New(Config{Rate: 1, Burst: burst, MaxKeys: 16, Now: clk.Now})
	h := keyed(l)
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Every worker hammers the shared key and churns keys of its own past MaxKeys.
				switch get(h, "shared").Code {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				}
				get(h, fmt.Sprintf("w%d-%d", w, i))
				if i%5 == 0 {
					clk.Advance(time.Millisecond)
					_ = l.Len()
				}
			}
		})
	}
	wg.Wait()
	if ok.Load()+limited.Load() != workers*each {
		t.Fatalf("%d ok + %d limited, want %d answers", ok.Load(), limited.Load(), workers*each)
	}
	if n := l.Len(); n > 16 {
		t.Fatalf("Len = %d, beyond MaxKeys 16", n)
	}
	// The shared key may have been evicted by the churn (which only makes it more lenient), so only
	// check that it was limited at all and that the cap held.
	if limited.Load() == 0 {
		t.Fatal("the shared key was never limited")
	}

	// Without churn the burst is exact under concurrency: a frozen clock hands out burst tokens.
	exact := keyed(New(Config{Rate: 1, Burst: burst, Now: newClock().Now}))
	ok.Store(0)
	for range workers {
		wg.Go(func() {
			for range each {
				if get(exact, "k").Code == http.StatusOK {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() != burst {
		t.Fatalf("%d requests passed a frozen bucket of %d", ok.Load(), burst)
	}
}

func TestRefusalBodyJSONForAPIHTMLForBrowsers(t *testing.T) {
	cases := []struct {
		name   string
		accept string
		html   bool
	}{
		{"no Accept", "", false},
		{"API client", "application/json", false},
		{"anything", "*/*", false},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
		{"html among others", "application/json, TEXT/HTML;q=0.5", true},
		{"html refused", "text/html;q=0, application/json", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := keyed(New(Config{Rate: 1, Burst: 1, Now: newClock().Now}))
			get(h, "a")
			w := get(h, "a", "Accept", tc.accept)
			if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
				t.Fatalf("status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
			}
			ct := w.Header().Get("Content-Type")
			if tc.html {
				if !strings.HasPrefix(ct, "text/html") || !strings.Contains(w.Body.String(), "wait 1 second,") {
					t.Fatalf("want an HTML page asking to wait, got %q: %s", ct, w.Body)
				}
				return
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q, want JSON", ct)
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			if body.Error.Code != "RATE_LIMITED" || !strings.Contains(body.Error.Message, "1 second") {
				t.Fatalf("error = %+v", body.Error)
			}
		})
	}
}

func TestRefusalStopsTheChain(t *testing.T) {
	l := New(Config{Rate: 1, Burst: 1, Now: newClock().Now})
	var ran atomic.Int64
	r := gin.New()
	r.GET("/x", l.ByKey(func(*gin.Context) string { return "k" }), func(c *gin.Context) { ran.Add(1) })
	get(r, "")
	get(r, "")
	if ran.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", ran.Load())
	}
}

func TestDisabled(t *testing.T) {
	for _, cfg := range []Config{{}, {Rate: 0, Burst: 5}, {Rate: -1, Burst: 1}, {Rate: rate.Inf, Burst: 1}} {
		l := New(cfg)
		h := keyed(l)
		for range 100 {
			wantCodes(t, h, "a", 200)
		}
		if l.Len() != 0 {
			t.Fatalf("%+v: disabled limiter remembered %d keys", cfg, l.Len())
		}
	}
}

// TestByClientIPAndTrustedProxies pins the advice on ByClientIP: gin's default trusts every proxy, so
// X-Forwarded-For picks the bucket; with no trusted proxies the peer's address does.
func TestByClientIPAndTrustedProxies(t *testing.T) {
	serve := func(trustNone bool) http.Handler {
		r := gin.New()
		if trustNone {
			if err := r.SetTrustedProxies(nil); err != nil {
				t.Fatal(err)
			}
		}
		l := New(Config{Rate: rate.Every(time.Hour), Burst: 1, Now: newClock().Now})
		r.GET("/x", l.ByClientIP(), func(c *gin.Context) { c.String(http.StatusOK, "ok") })
		return r
	}
	codes := func(h http.Handler) (out []int) {
		for i := range 3 {
			out = append(out, get(h, "", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)).Code)
		}
		return out
	}
	if got := codes(serve(true)); fmt.Sprint(got) != "[200 429 429]" {
		t.Fatalf("no trusted proxies: %v, want one bucket for the peer", got)
	}
	if got := codes(serve(false)); fmt.Sprint(got) != "[200 200 200]" {
		t.Fatalf("gin's default: %v; if gin stopped trusting every proxy, update ByClientIP's doc", got)
	}
}
