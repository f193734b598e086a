package fulfillment

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Simulator is the fulfillment service in memory, served over real HTTP so the dev stack and the tests
// exercise the same client, timeouts and connection errors as production. It keeps every entitlement
// and counts, per line, the deposit attempts it received and the deposits it made.
type Simulator struct {
	log *slog.Logger
	mux *http.ServeMux

	mu     sync.Mutex
	ctl    Control
	lines  map[lineKey]*lineState
	order  []lineKey // lines in the order they were deposited, for Entitlements
	srv    *http.Server
	done   chan struct{} // closed when srv stops serving
	closed bool
}

type lineKey struct{ orderID, lineID string }

// lineState exists once a line has had an attempt; ent is set once it is deposited.
type lineState struct {
	attempts int
	deposits int
	ent      *Entitlement
}

// NewSimulator returns a simulator that is up, refuses no SKU and answers at once; log (nil for
// silence) gets a line per deposit and per control change.
func NewSimulator(log *slog.Logger) *Simulator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Simulator{log: log, mux: http.NewServeMux(), lines: map[lineKey]*lineState{}}
	s.mux.HandleFunc("POST /v1/entitlements", s.deposit)
	s.mux.HandleFunc("GET /v1/entitlements/{orderId}/{lineId}", s.get)
	return s
}

// ServeHTTP answers the contract's endpoints under /v1/entitlements, so the simulator can also be
// served by an httptest.Server or mounted in another server.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Start listens on addr ("" means 127.0.0.1:0, a free port) and returns the base URL to give a Client.
// It returns once the port is bound, so the URL can be called at once.
func (s *Simulator) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.srv != nil {
		return "", errors.New("fulfillment: the simulator was already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fulfillment: simulator listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("fulfillment simulator: stopped serving", "error", err)
		}
	}()
	s.srv, s.done = srv, done
	base := "http://" + ln.Addr().String()
	s.log.Info("fulfillment simulator: listening", "url", base)
	return base, nil
}

// Close stops listening and drops open connections at once (requests waiting out a latency included),
// so a closed simulator refuses connections like a service that is gone. Its entitlements and counts
// stay readable.
func (s *Simulator) Close() error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.closed = true
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	if err != nil {
		return fmt.Errorf("fulfillment: close simulator: %w", err)
	}
	return nil
}

// Attempts is how many deposit requests for the line reached the simulator, answered or not.
func (s *Simulator) Attempts(orderID, lineID string) int { return s.line(orderID, lineID).attempts }

// Deposits is how many times the line was actually deposited; a correct caller and service make it
// at most 1 however often the deposit is retried.
func (s *Simulator) Deposits(orderID, lineID string) int { return s.line(orderID, lineID).deposits }

// line is a copy of the line's state, zero when it had no attempt.
func (s *Simulator) line(orderID, lineID string) lineState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.lines[lineKey{orderID, lineID}]; st != nil {
		return *st
	}
	return lineState{}
}

// Entitlements returns a copy of every entitlement, in the order they were deposited.
func (s *Simulator) Entitlements() []Entitlement {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entitlement, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, *s.lines[k].ent)
	}
	return out
}

func (s *Simulator) deposit(w http.ResponseWriter, r *http.Request) {
	body, bad := readBody(r)
	if !s.delay(r.Context()) {
		return
	}
	var d Deposit
	if bad == nil {
		d, bad = decodeDeposit(body)
	}
	status, answer := s.depositOnce(d, bad)
	writeJSON(w, status, answer)
}

// depositOnce decides under one lock, so concurrent repeats of a line deposit it exactly once. d may be
// partly filled when bad is set; its line still counts an attempt.
func (s *Simulator) depositOnce(d Deposit, bad *errorDetail) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *lineState
	if d.OrderID != "" && d.LineID != "" {
		k := lineKey{d.OrderID, d.LineID}
		if st = s.lines[k]; st == nil {
			st = &lineState{}
			s.lines[k] = st
		}
		st.attempts++
	}
	switch {
	case s.ctl.Down:
		return http.StatusServiceUnavailable, downError()
	case bad != nil:
		return errorStatus[bad.Code], errorBody{Error: *bad}
	case st.ent != nil && sameContent(st.ent.Deposit, d):
		return http.StatusOK, *st.ent
	case st.ent != nil:
		return http.StatusConflict, errorBody{Error: errorDetail{Code: CodeConflict, Message: fmt.Sprintf(
			"line %s/%s was deposited as %s with a different %s", d.OrderID, d.LineID, st.ent.EntitlementID,
			strings.Join(differences(st.ent.Deposit, d), ", "))}}
	case s.rejects(d.SKU):
		return http.StatusUnprocessableEntity, errorBody{Error: errorDetail{Code: CodeSKURejected,
			Message: fmt.Sprintf("SKU %s cannot be fulfilled", d.SKU)}}
	}
	ent := Entitlement{EntitlementID: "ent_" + rand.Text(), Deposit: d,
		DepositedAt: time.Now().UTC().Truncate(time.Millisecond)}
	st.ent = &ent
	st.deposits++
	s.order = append(s.order, lineKey{d.OrderID, d.LineID})
	s.log.Info("fulfillment simulator: deposited", "orderId", d.OrderID, "lineId", d.LineID, "sku", d.SKU,
		"quantity", d.Quantity, "entitlementId", ent.EntitlementID)
	return http.StatusCreated, ent
}

func (s *Simulator) get(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r.Context()) {
		return
	}
	orderID, lineID := r.PathValue("orderId"), r.PathValue("lineId")
	s.mu.Lock()
	down := s.ctl.Down
	var ent *Entitlement
	if st := s.lines[lineKey{orderID, lineID}]; st != nil {
		ent = st.ent
	}
	s.mu.Unlock()
	switch {
	case down:
		writeJSON(w, http.StatusServiceUnavailable, downError())
	case ent == nil:
		writeError(w, &errorDetail{Code: CodeNotFound,
			Message: fmt.Sprintf("line %s/%s has no entitlement", orderID, lineID)})
	default:
		writeJSON(w, http.StatusOK, *ent)
	}
}

// delay waits out the configured latency; false means the client gave up (or the simulator closed),
// and nobody is left to answer.
func (s *Simulator) delay(ctx context.Context) bool {
	s.mu.Lock()
	ms := s.ctl.LatencyMs
	s.mu.Unlock()
	if ms <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// rejects matches SKUs regardless of case, as people type them into the control.
func (s *Simulator) rejects(sku string) bool {
	for _, r := range s.ctl.RejectSKUs {
		if strings.EqualFold(r, sku) {
			return true
		}
	}
	return false
}

func downError() errorBody {
	return errorBody{Error: errorDetail{Code: CodeUnavailable,
		Message: "the fulfillment simulator is down (its control says so)"}}
}

// differences names the JSON fields in which a repeat differs from the first deposit.
func differences(a, b Deposit) []string {
	var out []string
	add := func(differ bool, field string) {
		if differ {
			out = append(out, field)
		}
	}
	add(a.SKU != b.SKU, "sku")
	add(a.Quantity != b.Quantity, "quantity")
	add(a.SmartAccountID != b.SmartAccountID, "smartAccountId")
	add(a.VirtualAccountID != b.VirtualAccountID, "virtualAccountId")
	add(!a.StartsAt.Equal(b.StartsAt), "startsAt")
	add(!a.EndsAt.Equal(b.EndsAt), "endsAt")
	return out
}

// depositBody is a Deposit whose times are read as strings so a bad one is a 400 naming its field;
// encoding/json's own time errors do not say which field they are about. Its own startsAt and endsAt
// take those names from the embedded Deposit's (the shallower field wins), which stay zero.
type depositBody struct {
	Deposit
	StartsAt string `json:"startsAt"`
	EndsAt   string `json:"endsAt"`
}

// decodeDeposit validates as the real service is documented to, returning what it could read even
// when it fails so the attempt is still counted against its line.
func decodeDeposit(body []byte) (Deposit, *errorDetail) {
	var b depositBody
	if bad := decodeStrict(body, &b); bad != nil {
		return Deposit{}, bad
	}
	d := b.Deposit
	for _, f := range []struct{ name, value string }{{"orderId", b.OrderID}, {"lineId", b.LineID},
		{"sku", b.SKU}, {"smartAccountId", b.SmartAccountID}, {"virtualAccountId", b.VirtualAccountID}} {
		if strings.TrimSpace(f.value) == "" {
			return d, invalid(f.name, f.name+" is required")
		}
	}
	if b.Quantity < 1 {
		return d, invalid("quantity", "quantity must be at least 1")
	}
	var err error
	if d.StartsAt, err = parseTime(b.StartsAt); err != nil {
		return d, invalid("startsAt", "startsAt must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z")
	}
	if d.EndsAt, err = parseTime(b.EndsAt); err != nil {
		return d, invalid("endsAt", "endsAt must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z")
	}
	if !d.StartsAt.IsZero() && !d.EndsAt.IsZero() && !d.EndsAt.After(d.StartsAt) {
		return d, invalid("endsAt", "endsAt must be after startsAt")
	}
	return d, nil
}

// parseTime keeps times in UTC so every answer spells them the same way.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err
}
