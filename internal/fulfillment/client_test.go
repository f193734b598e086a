package fulfillment_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licensecentral/clc/internal/fulfillment"
)

// startSimulator serves a simulator on a free port and returns it with a client of it.
func startSimulator(t *testing.T) (*fulfillment.Simulator, *fulfillment.Client) {
	t.Helper()
	sim := fulfillment.NewSimulator(nil)
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sim, &fulfillment.Client{BaseURL: base}
}

func line(orderID, lineID string) fulfillment.Deposit {
	return fulfillment.Deposit{OrderID: orderID, LineID: lineID, SKU: "C9300-DNA-E-24-3Y", Quantity: 2,
		SmartAccountID: "sa-acme", VirtualAccountID: "va-default",
		StartsAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2029, 12, 1, 0, 0, 0, 0, time.UTC)}
}

// observed records Client.Observe calls as "op/outcome".
type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) observe(op, outcome string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, op+"/"+outcome)
}

func (o *observed) count(call string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, c := range o.calls {
		if c == call {
			n++
		}
	}
	return n
}

func TestDepositRepeatGivesTheSameEntitlementAndOneDeposit(t *testing.T) {
	sim, c := startSimulator(t)
	var obs observed
	c.Observe = obs.observe
	ctx := t.Context()
	d := line("WO-1001", "1.1")

	first, err := c.Deposit(ctx, d)
	if err != nil {
		t.Fatalf("Deposit: %v", err)
	}
	if first.EntitlementID == "" || first.SKU != d.SKU || first.Quantity != 2 || first.DepositedAt.IsZero() {
		t.Fatalf("entitlement = %+v, want the deposit back with an id and a deposit time", first)
	}
	if !first.StartsAt.Equal(d.StartsAt) || !first.EndsAt.Equal(d.EndsAt) {
		t.Errorf("term = %v..%v, want %v..%v", first.StartsAt, first.EndsAt, d.StartsAt, d.EndsAt)
	}

	// The same instant in another zone is the same content.
	repeat := d
	repeat.StartsAt = d.StartsAt.In(time.FixedZone("CET", 3600))
	again, err := c.Deposit(ctx, repeat)
	if err != nil {
		t.Fatalf("repeated Deposit: %v", err)
	}
	if again != first {
		t.Errorf("repeat = %+v, want the first entitlement %+v", again, first)
	}
	if n := sim.Deposits("WO-1001", "1.1"); n != 1 {
		t.Errorf("Deposits = %d, want 1", n)
	}
	if n := sim.Attempts("WO-1001", "1.1"); n != 2 {
		t.Errorf("Attempts = %d, want 2", n)
	}
	if got := sim.Entitlements(); len(got) != 1 || got[0].EntitlementID != first.EntitlementID {
		t.Errorf("Entitlements = %+v, want just %s", got, first.EntitlementID)
	}
	if obs.count("deposit/created") != 1 || obs.count("deposit/existing") != 1 {
		t.Errorf("observed %v, want one created and one existing", obs.calls)
	}

	got, found, err := c.Get(ctx, "WO-1001", "1.1")
	if err != nil || !found || got != first {
		t.Errorf("Get = %+v, %v, %v; want the entitlement", got, found, err)
	}
}

func TestGetOfALineNeverDeposited(t *testing.T) {
	_, c := startSimulator(t)
	var obs observed
	c.Observe = obs.observe
	// Ids with a slash or a space must reach the service as one path segment each.
	_, found, err := c.Get(t.Context(), "WO/1002", "line 1")
	if err != nil || found {
		t.Fatalf("Get = %v, %v; want not found and no error", found, err)
	}
	if obs.count("get/not_found") != 1 {
		t.Errorf("observed %v, want get/not_found", obs.calls)
	}
	if _, _, err := c.Get(t.Context(), "", "1"); !fulfillment.Permanent(err) {
		t.Errorf("Get with no order id: %v, want a permanent InvalidError", err)
	}
}

func TestChangedRepeatIsAConflict(t *testing.T) {
	sim, c := startSimulator(t)
	d := line("WO-1002", "2")
	first, err := c.Deposit(t.Context(), d)
	if err != nil {
		t.Fatalf("Deposit: %v", err)
	}
	d.Quantity = 3
	_, err = c.Deposit(t.Context(), d)
	var conflict *fulfillment.ConflictError
	if !errors.As(err, &conflict) || !fulfillment.Permanent(err) {
		t.Fatalf("changed repeat: %v, want a permanent ConflictError", err)
	}
	if conflict.OrderID != "WO-1002" || conflict.LineID != "2" {
		t.Errorf("conflict names %s/%s, want WO-1002/2", conflict.OrderID, conflict.LineID)
	}
	if got, _, _ := c.Get(t.Context(), "WO-1002", "2"); got != first {
		t.Errorf("after the conflict the line holds %+v, want the first deposit %+v", got, first)
	}
	if n := sim.Deposits("WO-1002", "2"); n != 1 {
		t.Errorf("Deposits = %d, want 1", n)
	}
}

func TestDownIsUnavailableAndDepositsNothingUntilUp(t *testing.T) {
	sim, c := startSimulator(t)
	d := line("WO-1003", "1")
	sim.Set(fulfillment.Control{Down: true})

	_, err := c.Deposit(t.Context(), d)
	var unavailable *fulfillment.UnavailableError
	if !errors.As(err, &unavailable) || unavailable.Status != 503 || fulfillment.Permanent(err) {
		t.Fatalf("Deposit while down: %v, want a transient UnavailableError with status 503", err)
	}
	if _, _, err := c.Get(t.Context(), "WO-1003", "1"); !errors.As(err, &unavailable) {
		t.Errorf("Get while down: %v, want UnavailableError", err)
	}
	if n := sim.Deposits("WO-1003", "1"); n != 0 {
		t.Fatalf("Deposits while down = %d, want 0", n)
	}

	sim.Set(fulfillment.Control{})
	if _, err := c.Deposit(t.Context(), d); err != nil {
		t.Fatalf("Deposit once up: %v", err)
	}
	if a, n := sim.Attempts("WO-1003", "1"), sim.Deposits("WO-1003", "1"); a != 2 || n != 1 {
		t.Errorf("attempts, deposits = %d, %d; want 2, 1", a, n)
	}
}

func TestRejectedSKUIsPermanent(t *testing.T) {
	sim, c := startSimulator(t)
	var obs observed
	c.Observe = obs.observe
	d := line("WO-1004", "1")
	sim.Set(fulfillment.Control{RejectSKUs: []string{"c9300-dna-e-24-3y"}}) // matched regardless of case

	_, err := c.Deposit(t.Context(), d)
	var rejected *fulfillment.RejectedError
	if !errors.As(err, &rejected) || !fulfillment.Permanent(err) {
		t.Fatalf("Deposit of a rejected SKU: %v, want a permanent RejectedError", err)
	}
	if rejected.SKU != d.SKU || rejected.Message == "" {
		t.Errorf("RejectedError = %+v, want the SKU and the service's message", rejected)
	}
	if n := sim.Deposits("WO-1004", "1"); n != 0 {
		t.Errorf("Deposits = %d, want 0", n)
	}
	if obs.count("deposit/rejected") != 1 {
		t.Errorf("observed %v, want deposit/rejected", obs.calls)
	}
}

func TestInvalidDepositNamesTheField(t *testing.T) {
	_, c := startSimulator(t)
	d := line("WO-1005", "1")
	d.Quantity = 0
	_, err := c.Deposit(t.Context(), d)
	var invalid *fulfillment.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "quantity" || !fulfillment.Permanent(err) {
		t.Fatalf("Deposit of quantity 0: %v, want a permanent InvalidError on quantity", err)
	}
}

func TestSlowServiceAndShortContextIsUnavailable(t *testing.T) {
	sim, c := startSimulator(t)
	var obs observed
	c.Observe = obs.observe
	sim.Set(fulfillment.Control{LatencyMs: 30_000})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()

	_, err := c.Deposit(ctx, line("WO-1006", "1"))
	var unavailable *fulfillment.UnavailableError
	if !errors.As(err, &unavailable) || fulfillment.Permanent(err) {
		t.Fatalf("Deposit past its deadline: %v, want a transient UnavailableError", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not say the deadline passed", err)
	}
	if obs.count("deposit/unavailable") != 1 {
		t.Errorf("observed %v, want deposit/unavailable", obs.calls)
	}
	// The simulator gave up on the request with its client, so the line was not deposited behind the
	// caller's back.
	if n := sim.Deposits("WO-1006", "1"); n != 0 {
		t.Errorf("Deposits = %d, want 0", n)
	}
}

func TestConcurrentDepositsOfOneLineDepositOnce(t *testing.T) {
	sim, c := startSimulator(t)
	var obs observed
	c.Observe = obs.observe
	const callers = 32
	ids := make([]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			e, err := c.Deposit(t.Context(), line("WO-1007", "1"))
			ids[i], errs[i] = e.EntitlementID, err
		})
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("caller %d got entitlement %s, caller 0 got %s", i, ids[i], ids[0])
		}
	}
	if n := sim.Deposits("WO-1007", "1"); n != 1 {
		t.Errorf("Deposits = %d, want 1", n)
	}
	if n := sim.Attempts("WO-1007", "1"); n != callers {
		t.Errorf("Attempts = %d, want %d", n, callers)
	}
	if obs.count("deposit/created") != 1 || obs.count("deposit/existing") != callers-1 {
		t.Errorf("observed %v, want one created and the rest existing", obs.calls)
	}
}

func TestRefusedConnectionIsUnavailable(t *testing.T) {
	sim, c := startSimulator(t)
	if err := sim.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := c.Deposit(t.Context(), line("WO-1008", "1"))
	var unavailable *fulfillment.UnavailableError
	if !errors.As(err, &unavailable) || unavailable.Status != 0 || fulfillment.Permanent(err) {
		t.Fatalf("Deposit to a closed simulator: %v, want a transient UnavailableError without status", err)
	}
	if _, _, err := c.Get(t.Context(), "WO-1008", "1"); !errors.As(err, &unavailable) {
		t.Errorf("Get from a closed simulator: %v, want UnavailableError", err)
	}
}

func TestAnswersOutsideTheContract(t *testing.T) {
	// A base URL that misses the service (or a proxy in the way) must not read as "never deposited",
	// nor as a refusal that stops retries.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/500/"):
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
		case strings.HasPrefix(r.URL.Path, "/html/"):
			w.Write([]byte("<html>sign in</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer other.Close()
	var obs observed
	c := fulfillment.Client{BaseURL: other.URL, Observe: obs.observe}

	_, found, err := c.Get(t.Context(), "WO-1009", "1")
	var unexpected *fulfillment.UnexpectedError
	if !errors.As(err, &unexpected) || unexpected.Status != 404 || found || fulfillment.Permanent(err) {
		t.Errorf("Get answered by a plain 404: %v, %v; want a retryable UnexpectedError", found, err)
	}

	c.BaseURL = other.URL + "/500/"
	_, err = c.Deposit(t.Context(), line("WO-1009", "1"))
	var unavailable *fulfillment.UnavailableError
	if !errors.As(err, &unavailable) || unavailable.Status != 500 || !strings.Contains(err.Error(), "exploded") {
		t.Errorf("Deposit answered by a 500: %v, want UnavailableError 500 with the body", err)
	}

	c.BaseURL = other.URL + "/html"
	if _, err = c.Deposit(t.Context(), line("WO-1009", "1")); !errors.As(err, &unexpected) {
		t.Errorf("Deposit answered 200 with HTML: %v, want UnexpectedError", err)
	}
	if obs.count("get/unexpected") != 1 || obs.count("deposit/unavailable") != 1 ||
		obs.count("deposit/unexpected") != 1 {
		t.Errorf("observed %v", obs.calls)
	}
}
