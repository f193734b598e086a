package workflows_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// The order's process provisions its lines (FEATURES PR2, PR3): each delay reason as the events move
// it, the term from shipment, deposits paced while the service fails, reviews, the SLA.

// provisionStore is the order store with the provisioning steps, moving lines by the models' rules as
// the real steps do, and the fulfillment service answering as the test says.
type provisionStore struct {
	*orderStore
	// answer is the service's answer to the nth deposit call (from 1) of a line; nil deposits it.
	answer   func(n int, l activities.DepositLine) *activities.DepositOutcome
	deposits []stamped[activities.DepositInput]
	calls    map[string]int
	stuck    []stamped[activities.StuckInput]
	alert    []string
	mu       sync.Mutex
}

// shipThenAssign has commerce report the three lines shipped at 1 min and the contact assign the order to
// Acme's account at 2 min: the lines are then ready to deposit.
func shipThenAssign(h *harness) {
	h.updateAt(time.Minute, "", process.UpdateShip, ship("1", "2", "3"))
	h.assignAt(2*time.Minute, assignTo(actor(fc), acmeTarget))
}

// newProvision is the harness of the order's process with the standard test order and its provisioning
// store.
func newProvision(t *testing.T) (*harness, models.OrderState, *provisionStore) {
	t.Helper()
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	return h, order, newProvisionStore(h, order)
}

func newProvisionStore(h *harness, st models.OrderState) *provisionStore {
	s := &provisionStore{orderStore: baseOrderStore(h, st), calls: map[string]int{}, alert: []string{"ops@cisco.com"}}
	h.env.OnActivity(st0.RecordShipment, mock.Anything, mock.Anything).Return(s.ship).Maybe()
	h.env.OnActivity(st0.RefreshProvisioning, mock.Anything, mock.Anything).Return(s.refresh).Maybe()
	h.env.OnActivity(st0.ApplyOps, mock.Anything, mock.Anything).Return(s.ops).Maybe()
	h.env.OnActivity(st0.MarkStuck, mock.Anything, mock.Anything).Return(s.markStuck).Maybe()
	h.env.OnActivity(st0.RecordDeposits, mock.Anything, mock.Anything).Return(s.recordDeposits).Maybe()
	h.env.OnActivity(pv.Deposit, mock.Anything, mock.Anything).Return(s.deposit).Maybe()
	return s
}

// failUntil makes the service answer every deposit with out until at (on the test clock), when it
// is fixed and deposits succeed.
func (s *provisionStore) failUntil(at time.Duration, out activities.DepositOutcome) {
	fixed := false
	s.answer = func(int, activities.DepositLine) *activities.DepositOutcome {
		if fixed {
			return nil
		}
		o := out
		return &o
	}
	s.h.env.RegisterDelayedCallback(func() { fixed = true }, at)
}

// each applies f to every line under the store's lock, then rolls the order up.
func (s *provisionStore) each(f func(l *models.OrderLine, now time.Time)) models.OrderState {
	s.orderStore.mu.Lock()
	defer s.orderStore.mu.Unlock()
	now := s.h.env.Now().UTC()
	for i := range s.state.Lines {
		f(&s.state.Lines[i], now)
	}
	s.state.Order.ApplyRollUp(s.state.Lines)
	return s.copyState()
}

func (s *provisionStore) factsOf(l models.OrderLine) *models.AccountFacts {
	if f, ok := s.facts[l.SmartAccountID]; ok {
		return &f
	}
	return nil
}

func (s *provisionStore) ship(_ context.Context, in activities.ShipInput) (activities.ShipResult, error) {
	var shipped []string
	st := s.each(func(l *models.OrderLine, now time.Time) {
		if slices.Contains(in.Lines, l.ID) && l.Ship(in.ShippedAt) {
			shipped = append(shipped, l.ID)
		}
		l.Reprovision(s.factsOf(*l), now)
	})
	return activities.ShipResult{State: st, Shipped: shipped}, nil
}

func (s *provisionStore) refresh(_ context.Context, _ activities.RefreshInput) (models.OrderState, error) {
	return s.each(func(l *models.OrderLine, now time.Time) { l.Reprovision(s.factsOf(*l), now) }), nil
}

func (s *provisionStore) ops(_ context.Context, in activities.OpsInput) (models.OrderState, error) {
	return s.each(func(l *models.OrderLine, now time.Time) {
		if slices.Contains(in.Lines, l.ID) && models.OpsApplies(in.Action, *l) {
			l.Act(in.Action, in.Outcome, s.factsOf(*l), now)
		}
	}), nil
}

func (s *provisionStore) markStuck(_ context.Context, in activities.StuckInput) (activities.StuckResult, error) {
	s.mu.Lock()
	s.stuck = append(s.stuck, stamped[activities.StuckInput]{At: s.h.elapsed(), In: in})
	s.mu.Unlock()
	var stuck []string
	st := s.each(func(l *models.OrderLine, now time.Time) {
		if slices.Contains(in.Lines, l.ID) && l.MarkStuck(in.SLA, now) {
			stuck = append(stuck, l.ID)
		}
	})
	return activities.StuckResult{State: st, Stuck: stuck, Alert: s.alert}, nil
}

func (s *provisionStore) deposit(_ context.Context, in activities.DepositInput) (activities.DepositResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deposits = append(s.deposits, stamped[activities.DepositInput]{At: s.h.elapsed(), In: in})
	var out activities.DepositResult
	for _, l := range in.Lines {
		s.calls[l.LineID]++
		o := activities.DepositOutcome{Line: l, EntitlementID: "ent-" + l.LineID}
		if s.answer != nil {
			if a := s.answer(s.calls[l.LineID], l); a != nil {
				o = *a
				o.Line = l
			}
		}
		out.Outcomes = append(out.Outcomes, o)
	}
	return out, nil
}

func (s *provisionStore) recordDeposits(_ context.Context, in activities.RecordDepositsInput) (models.OrderState, error) {
	return s.each(func(l *models.OrderLine, now time.Time) {
		for _, o := range in.Outcomes {
			if o.Line.LineID != l.ID || !l.Ready() {
				continue
			}
			if o.Kind == "" {
				l.Deposited(o.EntitlementID, now)
			} else {
				l.DepositFailed(o.Kind, o.Error, in.Rejects, now)
			}
		}
	}), nil
}

// depositTimes are when the line's deposits were asked for.
func (s *provisionStore) depositTimes(lineID string) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for _, d := range s.deposits {
		if slices.ContainsFunc(d.In.Lines, func(l activities.DepositLine) bool { return l.LineID == lineID }) {
			out = append(out, d.At)
		}
	}
	return out
}

// lineAt snapshots a line at a point of the test clock.
func (s *provisionStore) lineAt(at time.Duration, id string) *models.OrderLine {
	out := &models.OrderLine{}
	s.h.env.RegisterDelayedCallback(func() { *out = s.line(id) }, at)
	return out
}

// shippedAt is when commerce says the lines shipped in these tests: ten days before the test starts.
var shippedAt = t0.Add(-10 * 24 * time.Hour)

func commerce() models.OrderActor { return actor("commerce@cisco.com", models.RoleCommerce) }

func ship(lines ...string) process.ShipInput {
	return process.ShipInput{Actor: commerce(), Lines: lines, ShippedAt: shippedAt}
}

func ops(action models.OpsAction, reason string, roles ...string) process.OpsInput {
	return process.OpsInput{Actor: actor("ops@cisco.com", roles...), Action: action, Reason: reason}
}

// provisionTiming paces the tests' deposits: 2 s after a failure, doubling to 30 s; review after two
// refusals; stuck an hour after shipment... unless a test says otherwise.
var provisionTiming = process.ProvisionTiming{SLA: 30 * 24 * time.Hour, RetryFirst: 2 * time.Second, RetryMax: 30 * time.Second, Rejects: 2}

func provisionInput(st models.OrderState, t process.ProvisionTiming) process.OrderInput {
	return process.OrderInput{OrderID: orderID, State: st, Provisioning: t}
}

// runToEnd runs the order's process until it ends by itself (every line provisioned or closed), or
// until the test stops it at end.
func (h *harness) runToEnd(in process.OrderInput, end time.Duration) bool {
	h.t.Helper()
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, end)
	h.mockMail()
	h.env.ExecuteWorkflow(workflows.Order, in)
	require.True(h.t, h.env.IsWorkflowCompleted(), "workflow did not stop")
	return h.env.GetWorkflowError() == nil
}

// A term starts at shipment, whenever the line is provisioned (seed 003): shipped before any account,
// assigned later, its licenses still end termMonths after shipment. Lines without licenses are
// provisioned at shipment, and the process ends once every line is.
func TestProvision_ShippedBeforeAssignedTermFromShipment(t *testing.T) {
	h, order, s := newProvision(t)
	shipped := h.updateAt(time.Minute, "", process.UpdateShip, ship("1", "2", "3"))
	before := s.lineAt(90*time.Second, "1")
	service := s.lineAt(90*time.Second, "2")
	h.assignAt(2*time.Minute, assignTo(actor(fc), acmeTarget))

	ended := h.runToEnd(provisionInput(order, provisionTiming), time.Hour)

	require.True(t, shipped.snapshot().completed, "ship: %v", shipped.snapshot().err)
	assert.Equal(t, models.DelayNoSmartAccount, before.DelayReason, "shipped, no account yet")
	assert.Equal(t, models.ProvisionProvisioned, service.ProvisioningStatus, "a line without licenses is provisioned at shipment")
	require.Len(t, s.deposits, 1, "one deposit, once the line is assigned")
	d := s.deposits[0].In.Lines[0]
	assert.Equal(t, "1", d.LineID)
	assert.Equal(t, 2*time.Minute, s.deposits[0].At)
	requireSameTime(t, shippedAt, *d.StartsAt, "the term starts at shipment")
	requireSameTime(t, shippedAt.AddDate(0, 36, 0), *d.EndsAt, "and ends 36 months after it")
	l := s.line("1")
	assert.Equal(t, models.ProvisionProvisioned, l.ProvisioningStatus)
	assert.Equal(t, "ent-1", l.EntitlementID)
	assert.True(t, ended, "the process ends when every line is provisioned: %v", h.env.GetWorkflowError())
}

// Every delay reason as the events move the line: no account, awaiting shipment, held by a provisional
// account (released by its activation's signal, nothing polls), then deposited.
func TestProvision_DelayReasonsFollowTheEvents(t *testing.T) {
	h, order, s := newProvision(t)
	start := s.lineAt(30*time.Second, "1")
	h.assignAt(time.Minute, assignTo(actor(fc), pendingTarget))
	held := s.lineAt(90*time.Second, "1")
	heldStatus := h.statusAt(90*time.Second, "")
	h.updateAt(2*time.Minute, "", process.UpdateShip, ship("1", "2", "3"))
	stillHeld := s.lineAt(150*time.Second, "1")
	h.env.RegisterDelayedCallback(func() {
		s.orderStore.mu.Lock()
		s.facts["sa-new"] = models.AccountFacts{Status: models.SAActive, Type: models.SATypeCustomer}
		s.orderStore.mu.Unlock()
		h.env.SignalWorkflow(process.SignalAccountActive, process.AccountActive{SmartAccountID: "sa-new"})
	}, 10*time.Minute)

	h.runToEnd(provisionInput(order, provisionTiming), time.Hour)

	assert.Equal(t, models.DelayNoSmartAccount, start.DelayReason)
	assert.Equal(t, models.DelaySmartAccountPending, held.DelayReason, "a provisional account holds the line")
	assert.Contains(t, heldStatus.WaitingOn, models.Waiting{Who: "smart-account:sa-new", Action: models.ActActivate,
		Since: t0}, "the order says it waits on the account")
	assert.Equal(t, models.DelaySmartAccountPending, stillHeld.DelayReason, "shipment does not release a held line")
	assert.Equal(t, []time.Duration{10 * time.Minute}, s.depositTimes("1"), "deposited when the account's signal came")
	assert.Equal(t, models.ProvisionProvisioned, s.line("1").ProvisioningStatus)
}

// Assigned to an ACTIVE account before shipment, the line waits for commerce; the shipment deposits it.
func TestProvision_AwaitingShipment(t *testing.T) {
	h, order, s := newProvision(t)
	h.assignAt(time.Minute, assignTo(actor(fc), acmeTarget))
	waiting := s.lineAt(90*time.Second, "1")
	status := h.statusAt(90*time.Second, "")
	h.updateAt(5*time.Minute, "", process.UpdateShip, ship("1"))

	h.runToEnd(provisionInput(order, provisionTiming), time.Hour)

	assert.Equal(t, models.DelayAwaitingShipment, waiting.DelayReason)
	assert.NotEmpty(t, status.State)
	assert.Equal(t, []time.Duration{5 * time.Minute}, s.depositTimes("1"))
	assert.Equal(t, models.ProvisionProvisioned, s.line("1").ProvisioningStatus)
	assert.Equal(t, models.ProvisionNotStarted, s.line("2").ProvisioningStatus, "line 2 never shipped")
}

// While the service is down the line is FULFILLMENT_ERROR with its attempts and last error; the
// attempts are paced (2 s, 4 s, 8 s), and once it answers the line is deposited once.
func TestProvision_FulfillmentDownThenUp(t *testing.T) {
	h, order, s := newProvision(t)
	s.answer = func(n int, _ activities.DepositLine) *activities.DepositOutcome {
		if n <= 3 {
			return &activities.DepositOutcome{Kind: models.DepositTransient, Error: "fulfillment: service unavailable (HTTP 503)"}
		}
		return nil
	}
	shipThenAssign(h)
	failing := s.lineAt(2*time.Minute+5*time.Second, "1")

	h.runToEnd(provisionInput(order, provisionTiming), time.Hour)

	assert.Equal(t, models.DelayFulfillmentError, failing.DelayReason)
	assert.Equal(t, 2, failing.ProvAttempts)
	assert.Contains(t, failing.ProvError, "503")
	at := 2 * time.Minute
	assert.Equal(t, []time.Duration{at, at + 2*time.Second, at + 6*time.Second, at + 14*time.Second}, s.depositTimes("1"))
	l := s.line("1")
	assert.Equal(t, models.ProvisionProvisioned, l.ProvisioningStatus)
	assert.Empty(t, l.ProvError)
}

// A SKU the service refuses goes to review after two refusals and is not deposited again on its own;
// ops resolve it, with the role and a reason, and it is deposited.
func TestProvision_RejectedSKUToManualReviewThenResolved(t *testing.T) {
	h, order, s := newProvision(t)
	s.failUntil(45*time.Minute, activities.DepositOutcome{Kind: models.DepositRejected,
		Error: "fulfillment: SKU C9300-DNA-E-3Y rejected"})
	shipThenAssign(h)
	review := s.lineAt(30*time.Minute, "1")
	reviewStatus := h.statusAt(30*time.Minute, "")
	noRole := h.updateAt(40*time.Minute, "", process.UpdateProvisioning, ops(models.OpsResolve, "mapping fixed"))
	noReason := h.updateAt(41*time.Minute, "", process.UpdateProvisioning, ops(models.OpsResolve, " ", models.RoleLicensingOps))
	notInReview := h.updateAt(42*time.Minute, "", process.UpdateProvisioning,
		process.OpsInput{Actor: actor("ops@cisco.com", models.RoleLicensingOps), Action: models.OpsResolve, Reason: "x", Lines: []string{"2"}})
	resolved := h.updateAt(50*time.Minute, "", process.UpdateProvisioning, ops(models.OpsResolve, "SKU mapped in the entitlement system", models.RoleLicensingOps))

	h.runToEnd(provisionInput(order, provisionTiming), 2*time.Hour)

	assert.Equal(t, models.DelayManualReview, review.DelayReason)
	assert.Equal(t, 2, review.ProvRejects)
	assert.Contains(t, reviewStatus.History[len(reviewStatus.History)-1].What, "rejected")
	requireRejected(t, noRole, models.CodeForbidden)
	requireRejected(t, noReason, models.CodeInvalid)
	requireRejected(t, notInReview, models.CodeConflict)
	res := resolved.snapshot()
	require.True(t, res.completed, "resolve: %v", res.err)
	assert.Equal(t, []string{"1"}, res.value.(process.OpsResult).Changed)
	at := 2 * time.Minute
	assert.Equal(t, []time.Duration{at, at + 2*time.Second, 50 * time.Minute}, s.depositTimes("1"),
		"two refusals, then nothing until ops resolved it")
	assert.Equal(t, models.ProvisionProvisioned, s.line("1").ProvisioningStatus)
}

// Ops take a failing line to review, which stops the attempts, and retry it later.
func TestProvision_ManualReviewThenRetry(t *testing.T) {
	h, order, s := newProvision(t)
	s.failUntil(20*time.Minute, activities.DepositOutcome{Kind: models.DepositTransient,
		Error: "fulfillment: service unreachable"})
	shipThenAssign(h)
	h.updateAt(3*time.Minute, "", process.UpdateProvisioning, ops(models.OpsManualReview, "vendor outage, case 77", models.RoleLicensingOps))
	retried := h.updateAt(30*time.Minute, "", process.UpdateProvisioning, ops(models.OpsRetry, "vendor back", models.RoleLicensingOps))

	h.runToEnd(provisionInput(order, provisionTiming), time.Hour)

	times := s.depositTimes("1")
	require.NotEmpty(t, times)
	for _, d := range times[:len(times)-1] {
		assert.Less(t, d, 3*time.Minute+time.Second, "no attempt while in review")
	}
	assert.Equal(t, 30*time.Minute, times[len(times)-1])
	require.True(t, retried.snapshot().completed)
	assert.Equal(t, models.ProvisionProvisioned, s.line("1").ProvisioningStatus)
}

// A line still pending at its SLA is stuck: marked once, one alert to ops, the search attribute set.
func TestProvision_StuckAtSLA(t *testing.T) {
	h, order, s := newProvision(t)
	timing := provisionTiming
	timing.SLA = 10*24*time.Hour + time.Hour // an hour after the test starts
	h.updateAt(time.Minute, "", process.UpdateShip, ship("1", "2", "3"))
	h.assignAt(2*time.Minute, assignTo(actor(fc), pendingTarget))

	h.runToEnd(provisionInput(order, timing), 5*time.Hour)

	require.Len(t, s.stuck, 1, "marked once")
	assert.Equal(t, time.Hour, s.stuck[0].At)
	assert.Equal(t, []string{"1"}, s.stuck[0].In.Lines)
	require.NotNil(t, s.line("1").StuckAt)
	alerts := h.mailsTo("ops@cisco.com")
	require.Len(t, alerts, 1)
	assert.Equal(t, "order_provisioning_stuck", alerts[0].In.Template)
	assert.True(t, h.lastSearch().Stuck, "ClcStuck tells the Temporal UI")
}

// Shipments are commerce's, name lines the order has, and a line shipped at another time is a conflict;
// the same report again changes nothing.
func TestProvision_ShipmentRules(t *testing.T) {
	h, order, _ := newProvision(t)
	notCommerce := h.updateAt(time.Minute, "", process.UpdateShip, process.ShipInput{Actor: actor(fc), Lines: []string{"1"}, ShippedAt: shippedAt})
	unknown := h.updateAt(2*time.Minute, "", process.UpdateShip, ship("9"))
	first := h.updateAt(3*time.Minute, "", process.UpdateShip, ship("1"))
	again := h.updateAt(4*time.Minute, "", process.UpdateShip, ship("1"))
	other := h.updateAt(5*time.Minute, "", process.UpdateShip, process.ShipInput{Actor: commerce(), Lines: []string{"1"},
		ShippedAt: shippedAt.Add(time.Hour)})

	h.runOrder(provisionInput(order, provisionTiming), time.Hour)

	requireRejected(t, notCommerce, models.CodeForbidden)
	requireRejected(t, unknown, models.CodeInvalid)
	assert.Equal(t, []string{"1"}, first.snapshot().value.(process.ShipResult).Shipped)
	assert.Empty(t, again.snapshot().value.(process.ShipResult).Shipped, "the same shipment again")
	requireRejected(t, other, models.CodeConflict)
}
