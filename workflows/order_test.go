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
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

const (
	orderID   = "WO-1"
	fc        = "fc@acme.com"
	colleague = "it@acme.com"
	outsider  = "eve@globex.com"
	ofmEmail  = "ofm@partnerx.com"
	delegatee = "consultant@integrator.com"
	support   = "tac@cisco.com"
)

var orderWF = process.OrderWorkflowID(orderID)

// Where lines go in these tests, and what the accounts are.
var (
	acmeTarget    = models.AssignTarget{SmartAccountID: "sa-acme", SmartAccountName: "Acme", Status: models.SAActive, Type: models.SATypeCustomer, VirtualAccountID: "va-acme", VirtualAccount: "DEFAULT"}
	svcTarget     = models.AssignTarget{SmartAccountID: "sa-svc", SmartAccountName: "Acme Services", Status: models.SAActive, Type: models.SATypeCustomer, VirtualAccountID: "va-svc", VirtualAccount: "Support"}
	partnerTarget = models.AssignTarget{SmartAccountID: "sa-px", SmartAccountName: "Partner X", Status: models.SAActive, Type: models.SATypeCustomer, VirtualAccountID: "va-px", VirtualAccount: "DEFAULT"}
	pendingTarget = models.AssignTarget{SmartAccountID: "sa-new", SmartAccountName: "Acme Labs", Status: models.SAPendingApproval, Type: models.SATypeCustomer, VirtualAccountID: "va-new", VirtualAccount: "DEFAULT"}
)

// testOrder is a partner's order of Acme: a licensed product, a Cisco service and a partner service.
func testOrder(typ models.OrderType) models.OrderState {
	o := models.Order{ID: orderID, Type: typ, PurchaseOrder: "PO-7", EndCustomer: models.Party{Name: "Acme", Email: colleague},
		Reseller: models.Party{Name: "Partner X", Domain: "partnerx.com"}, FulfillmentContact: fc,
		BookedAt: t0.Add(-48 * time.Hour), PayloadHash: "hash-1"}
	lines := []models.OrderLine{
		{ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10, SmartLicense: true, SAMandatory: true, TermMonths: 36},
		{ID: "2", SKU: "CON-SNT-C9300", Kind: models.LineCiscoService, Quantity: 1},
		{ID: "3", SKU: "PSS-ADVISE", Kind: models.LinePartnerService, Quantity: 1},
	}
	models.PrepareOrder(&o, lines, t0.Add(-time.Hour))
	return models.OrderState{Order: o, Lines: lines, Delegations: []models.OrderDelegation{}}
}

// orderStore is the database as the order activities see it, in memory.
type orderStore struct {
	h       *harness
	mu      sync.Mutex
	state   models.OrderState
	facts   map[string]models.AccountFacts
	records []process.IngestInput
	assigns []stamped[activities.AssignLinesInput]
	created []models.OrderDelegation
	closes  []stamped[activities.CloseDelegationInput]
	// partner is the reseller as AwaitPartner finds it: its OFMs, and its account once it has one.
	partner struct {
		ofms    []string
		account *models.AssignTarget
		looks   int
	}
}

// newOrderStore is the store of every order test, provisioning included (a shipped line assigned to an
// ACTIVE account is deposited).
func newOrderStore(h *harness, st models.OrderState) *orderStore {
	return newProvisionStore(h, st).orderStore
}

func baseOrderStore(h *harness, st models.OrderState) *orderStore {
	s := &orderStore{h: h, state: st, facts: map[string]models.AccountFacts{}}
	for _, t := range []models.AssignTarget{acmeTarget, svcTarget, partnerTarget, pendingTarget} {
		s.facts[t.SmartAccountID] = models.AccountFacts{Status: t.Status, Type: t.Type}
	}
	h.env.OnActivity(st0.RecordOrder, mock.Anything, mock.Anything).Return(s.record).Maybe()
	h.env.OnActivity(st0.AssignOrderLines, mock.Anything, mock.Anything).Return(s.assign).Maybe()
	h.env.OnActivity(st0.CreateDelegation, mock.Anything, mock.Anything).Return(s.createDelegation).Maybe()
	h.env.OnActivity(st0.CloseDelegation, mock.Anything, mock.Anything).Return(s.closeDelegation).Maybe()
	h.env.OnActivity(st0.AwaitPartner, mock.Anything, mock.Anything).Return(s.awaitPartner).Maybe()
	return s
}

var st0 = st // the harness's store, named for the order tests

func (s *orderStore) record(_ context.Context, in process.IngestInput) (activities.RecordOrderResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, in)
	s.state = models.OrderState{Order: in.Order, Lines: in.Lines, Delegations: []models.OrderDelegation{}}
	return activities.RecordOrderResult{State: s.copyState(), Created: true}, nil
}

func (s *orderStore) assign(_ context.Context, in activities.AssignLinesInput) (activities.AssignLinesResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assigns = append(s.assigns, stamped[activities.AssignLinesInput]{At: s.h.elapsed(), In: in})
	var changed []string
	for _, ch := range in.Changes {
		for i := range s.state.Lines {
			l := &s.state.Lines[i]
			if l.ID != ch.LineID {
				continue
			}
			f := s.facts[ch.SmartAccountID]
			l.SmartAccountID, l.VirtualAccountID, l.AssignmentStatus = ch.SmartAccountID, ch.VirtualAccountID, models.AssignAssigned
			if f.Type == models.SATypeHolding {
				l.AssignmentStatus = models.AssignInHolding
			}
			l.Reprovision(&f, s.h.env.Now())
			changed = append(changed, l.ID)
		}
	}
	s.state.Order.ApplyRollUp(s.state.Lines)
	if o := &s.state.Order; !slices.ContainsFunc(s.state.Lines, func(l models.OrderLine) bool { return models.AwaitsPartner(*o, l) }) {
		o.PartnerOFMs, o.PartnerWaitingSince = nil, nil
	}
	s.state.Delegations = slices.DeleteFunc(s.state.Delegations, func(d models.OrderDelegation) bool { return d.ID == in.DelegationID })
	return activities.AssignLinesResult{State: s.copyState(), Changed: changed}, nil
}

// awaitPartner is AwaitPartner on the store: the partner's account when it has one, else its OFMs
// waited on from the first look (mailed then only); a reseller without OFMs waits for nobody.
func (s *orderStore) awaitPartner(_ context.Context, in activities.AwaitPartnerInput) (activities.AwaitPartnerResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partner.looks++
	var out activities.AwaitPartnerResult
	o := &s.state.Order
	lines := models.UnassignedPartnerLines(*o, s.state.Lines)
	switch {
	case len(lines) == 0:
		o.PartnerOFMs, o.PartnerWaitingSince = nil, nil
	case s.partner.account != nil:
		out.Account = s.partner.account
		for _, id := range lines {
			out.Changes = append(out.Changes, models.LineTarget{LineID: id, SmartAccountID: out.Account.SmartAccountID,
				VirtualAccountID: out.Account.VirtualAccountID})
		}
	case o.PartnerWaitingSince == nil && len(s.partner.ofms) > 0:
		now := s.h.env.Now().UTC()
		o.PartnerOFMs, o.PartnerWaitingSince, out.Mail = s.partner.ofms, &now, s.partner.ofms
	}
	out.State = s.copyState()
	return out, nil
}

func (s *orderStore) createDelegation(_ context.Context, in activities.CreateDelegationInput) (models.OrderDelegation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.created {
		if d.ID == in.Delegation.ID {
			return d, nil // recorded before: found as it is now, as the database's ON CONFLICT DO NOTHING does
		}
	}
	s.created = append(s.created, in.Delegation)
	s.state.Delegations = append(s.state.Delegations, in.Delegation)
	return in.Delegation, nil
}

func (s *orderStore) closeDelegation(_ context.Context, in activities.CloseDelegationInput) (models.OrderDelegation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes = append(s.closes, stamped[activities.CloseDelegationInput]{At: s.h.elapsed(), In: in})
	// A closed delegation is no longer among the order's PENDING ones, as in the database.
	s.state.Delegations = slices.DeleteFunc(s.state.Delegations, func(d models.OrderDelegation) bool { return d.ID == in.DelegationID })
	for i, d := range s.created {
		if d.ID == in.DelegationID {
			if d.Status == models.DelegationPending {
				d.Status, d.ClosedBy, d.Reason = in.Status, in.Actor, in.Reason
				s.created[i] = d
			}
			return d, nil
		}
	}
	return models.OrderDelegation{}, temporal.NewNonRetryableApplicationError("no delegation", models.CodeNotFound, nil)
}

func (s *orderStore) copyState() models.OrderState {
	return models.OrderState{Order: s.state.Order, Lines: slices.Clone(s.state.Lines), Delegations: slices.Clone(s.state.Delegations)}
}

func (s *orderStore) line(id string) models.OrderLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.state.Lines {
		if l.ID == id {
			return l
		}
	}
	return models.OrderLine{}
}

// runOrder runs the order's process from st until end on the test clock, where the test stops it, unless
// it ended by itself before (every line provisioned); it fails on any other end.
func (h *harness) runOrder(in process.OrderInput, end time.Duration) {
	h.t.Helper()
	if !h.runToEnd(in, end) {
		var canceled *temporal.CanceledError
		require.ErrorAs(h.t, h.env.GetWorkflowError(), &canceled, "the process ends when the test stops it or when it is done")
	}
}

func actor(email string, roles ...string) models.OrderActor {
	return models.OrderActor{Email: email, Roles: roles}
}

func assignTo(by models.OrderActor, products models.AssignTarget, opts ...func(*models.AssignRequest)) process.AssignInput {
	req := models.AssignRequest{Products: products, Partner: &partnerTarget}
	for _, o := range opts {
		o(&req)
	}
	return process.AssignInput{Actor: by, Via: process.ViaAPI, Request: req}
}

func (h *harness) assignAt(at time.Duration, in process.AssignInput) *updateOutcome {
	return h.updateAt(at, "", process.UpdateAssign, in)
}

// requireAssigned checks that an assign update was accepted and answered with an AssignResult.
var requireAssigned = requireAnswer[process.AssignResult]

// Commerce's order is recorded as the first step; the same order again is answered with it, a changed
// one is refused; the fulfillment contact assigns it: products and Cisco services to the customer's
// account, the partner's services to the partner's account.
func TestOrder_IngestThenAssign(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, models.OrderState{})
	ingest := process.IngestInput{Order: order.Order, Lines: order.Lines}
	first := h.updateAt(0, "", process.UpdateIngest, ingest)
	again := h.updateAt(time.Minute, "", process.UpdateIngest, ingest)
	changed := ingest
	changed.Order.PayloadHash = "hash-2"
	conflict := h.updateAt(2*time.Minute, "", process.UpdateIngest, changed)
	before := h.statusAt(3*time.Minute, "")
	assigned := h.assignAt(10*time.Minute, assignTo(actor("FC@acme.com"), acmeTarget))
	after := h.statusAt(11*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, Ingest: &ingest}, time.Hour)

	require.Len(t, s.records, 1, "the order is recorded once")
	for _, o := range []*updateOutcome{first, again} {
		assert.Equal(t, orderID, requireAnswer[process.IngestResult](t, o).State.Order.ID)
	}
	me := requireRejected(t, conflict, models.CodeConflict)
	assert.Contains(t, me.Message, "other content")

	assert.Equal(t, "UNASSIGNED", before.State)
	assert.Equal(t, []models.Waiting{{Who: fc, Action: "assign", Since: order.Order.CreatedAt}}, inUTC(before.WaitingOn))

	res := requireAssigned(t, assigned)
	assert.Equal(t, models.AssignAssigned, res.Status)
	assert.Equal(t, []string{"1", "2", "3"}, res.Changed)
	assert.Equal(t, models.AsFulfillmentContact, res.As)
	require.Len(t, s.assigns, 1)
	in := s.assigns[0].In
	assert.Equal(t, fc, in.Actor, "the actor is normalized")
	assert.Equal(t, models.AsFulfillmentContact, in.As)
	assert.Equal(t, []models.LineTarget{
		{LineID: "1", SmartAccountID: "sa-acme", VirtualAccountID: "va-acme"},
		{LineID: "2", SmartAccountID: "sa-acme", VirtualAccountID: "va-acme"},
		{LineID: "3", SmartAccountID: "sa-px", VirtualAccountID: "va-px"},
	}, in.Changes)
	assert.Equal(t, models.DelayAwaitingShipment, s.line("1").DelayReason, "assigned to an ACTIVE account, the licenses wait for shipment")

	assert.Equal(t, "ASSIGNED", after.State)
	assert.Empty(t, after.WaitingOn)
	assert.Equal(t, "sa-acme", after.SmartAccountID)
	assert.Contains(t, historyWhats(after), "lines 1, 2, 3 assigned to Acme / DEFAULT (FULFILLMENT_CONTACT)")
	last := h.lastSearch()
	assert.Equal(t, "ASSIGNED", last.State)
	assert.Empty(t, last.WaitingOn)
}

// With servicesTo, Cisco services lines go to their own account (FEATURES OR5); without a partner
// account, the partner's services stay where they are, and the answer says so (OR6).
func TestOrder_SplitServicesAndNoPartnerAccount(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	split := h.assignAt(time.Minute, assignTo(actor(colleague), acmeTarget, func(r *models.AssignRequest) {
		r.Services, r.Partner = &svcTarget, nil
	}))

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	res := requireAssigned(t, split)
	assert.Equal(t, models.AsSameDomain, res.As)
	assert.Equal(t, models.AssignPartial, res.Status)
	require.Len(t, res.Notes, 1)
	assert.Contains(t, res.Notes[0], "partner services lines 3 stay unassigned")
	require.Len(t, s.assigns, 1)
	assert.Equal(t, []models.LineTarget{
		{LineID: "1", SmartAccountID: "sa-acme", VirtualAccountID: "va-acme"},
		{LineID: "2", SmartAccountID: "sa-svc", VirtualAccountID: "va-svc"},
	}, s.assigns[0].In.Changes)
	assert.Equal(t, "", s.line("3").SmartAccountID)
}

// STOCKING and EA orders are never assigned (FEATURES OR4): the validator refuses, nothing is written.
func TestOrder_RefusedTypes(t *testing.T) {
	for _, typ := range []models.OrderType{models.OrderStocking, models.OrderEA} {
		t.Run(string(typ), func(t *testing.T) {
			h := newHarness(t, orderWF)
			order := testOrder(typ)
			s := newOrderStore(h, order)
			byFC := h.assignAt(time.Minute, assignTo(actor(fc), acmeTarget))
			bySupport := h.assignAt(2*time.Minute, assignTo(actor(support, models.RoleCiscoSupport), acmeTarget,
				func(r *models.AssignRequest) { r.Reason = "customer asked" }))
			delegate := h.updateAt(3*time.Minute, "", process.UpdateDelegate, process.DelegateInput{
				DelegationID: "d-1", Actor: actor(fc), Delegate: delegatee, Expiry: time.Hour})
			status := h.statusAt(4*time.Minute, "")

			h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

			for _, o := range []*updateOutcome{byFC, bySupport} {
				me := requireRejected(t, o, models.CodeRefused)
				assert.Contains(t, me.Message, string(typ)+" orders cannot be assigned")
			}
			requireRejected(t, delegate, models.CodeRefused)
			assert.Empty(t, s.assigns)
			assert.Empty(t, s.created)
			assert.Empty(t, status.WaitingOn, "nobody is waited for on an order that cannot be assigned")
		})
	}
}

// Who may assign, as the process checks it again (the API checked first): the contact, the contact's
// domain, the OFMs the partner rows give the reseller (its own, its distributor's), support with a
// reason; not outsiders, other partners' OFMs, an "ofm" role without a designation, support without
// a reason; no one but support when the order has no contact; shipped lines keep their account.
func TestOrder_WhoMayAssign(t *testing.T) {
	cases := []struct {
		name   string
		by     models.OrderActor
		reason string
		edit   func(*models.OrderState)
		code   string
		as     string
	}{
		{name: "fulfillment contact", by: actor(fc), as: models.AsFulfillmentContact},
		{name: "same domain", by: actor(colleague), as: models.AsSameDomain},
		{name: "other domain", by: actor(outsider), code: models.CodeNotFound},
		{name: "OFM of the reseller", by: models.OrderActor{Email: ofmEmail, OFM: models.PartnerRights{Partners: []string{"partnerx.com"}}}, as: models.AsOFM},
		{name: "OFM of the reseller's distributor (2-tier)", by: models.OrderActor{Email: "ofm@distri.com",
			OFM: models.PartnerRights{Partners: []string{"distri.com"}, Resellers: []string{"partnerx.com"}}}, as: models.AsOFM},
		{name: "OFM of another partner", by: models.OrderActor{Email: "ofm@other.com", OFM: models.PartnerRights{Partners: []string{"other.com"}}}, code: models.CodeNotFound},
		{name: "an ofm role claimed, no designation", by: actor("eve@evil.com", "ofm"), code: models.CodeNotFound},
		{name: "partner's colleague, not designated", by: actor("sales@partnerx.com"), code: models.CodeNotFound},
		{name: "support without reason", by: actor(support, models.RoleCiscoSupport), code: models.CodeInvalid},
		{name: "support with reason", by: actor(support, models.RoleCiscoSupport), reason: "case 123", as: models.AsSupport},
		{name: "approver only sees", by: actor("ca@cisco.com", models.RoleCiscoApprover), code: models.CodeForbidden},
		{name: "no fulfillment contact", by: actor(colleague), edit: func(s *models.OrderState) { s.Order.FulfillmentContact = "" }, code: models.CodeNotFound},
		{name: "no fulfillment contact, support", by: actor(support, models.RoleCiscoSupport), reason: "commerce lost the FC",
			edit: func(s *models.OrderState) { s.Order.FulfillmentContact = "" }, as: models.AsSupport},
		{name: "shipped and assigned elsewhere", by: actor(fc), edit: shippedIn("sa-old"), code: models.CodeRefused},
		{name: "shipped, support moves it", by: actor(support, models.RoleLicensingOps), reason: "wrong account", edit: shippedIn("sa-old"), as: models.AsSupport},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, orderWF)
			order := testOrder(models.OrderStandard)
			if c.edit != nil {
				c.edit(&order)
			}
			s := newOrderStore(h, order)
			o := h.assignAt(time.Minute, assignTo(c.by, acmeTarget, func(r *models.AssignRequest) { r.Reason = c.reason }))

			h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

			if c.code != "" {
				requireRejected(t, o, c.code)
				assert.Empty(t, s.assigns)
				return
			}
			res := requireAssigned(t, o)
			assert.Equal(t, c.as, res.As)
			require.Len(t, s.assigns, 1)
			assert.Equal(t, c.reason, s.assigns[0].In.Reason, "the support reason is recorded")
		})
	}
}

func shippedIn(saID string) func(*models.OrderState) {
	return func(s *models.OrderState) {
		at := t0.Add(-24 * time.Hour)
		s.Order.ShippedAt = &at
		for i := range s.Lines {
			s.Lines[i].SmartAccountID, s.Lines[i].VirtualAccountID, s.Lines[i].AssignmentStatus = saID, "va-old", models.AssignAssigned
			s.Lines[i].ShippedAt = &at
		}
		s.Order.ApplyRollUp(s.Lines)
	}
}

// An order may go to a provisional account: its licensed lines are held until the account is active,
// and the process says it waits on that account.
func TestOrder_ProvisionalAccountHoldsLines(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	o := h.assignAt(time.Minute, assignTo(actor(fc), pendingTarget))
	status := h.statusAt(2*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	res := requireAssigned(t, o)
	assert.Equal(t, models.AssignAssigned, res.Status)
	l := s.line("1")
	assert.Equal(t, "sa-new", l.SmartAccountID)
	assert.Equal(t, models.ProvisionPending, l.ProvisioningStatus)
	assert.Equal(t, models.DelaySmartAccountPending, l.DelayReason)
	assert.True(t, l.Held())
	assert.Equal(t, models.ProvisionNotStarted, s.line("2").ProvisioningStatus, "a service line has no license to hold")
	require.Len(t, status.WaitingOn, 1)
	assert.Equal(t, "smart-account:sa-new", status.WaitingOn[0].Who)
	assert.Equal(t, "activate", status.WaitingOn[0].Action)
}

// Two assignments at once are applied one after the other, each checked against the order as the
// other left it.
func TestOrder_ConcurrentAssignmentsApplyInTurn(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	h.env.OnActivity(st0.AssignOrderLines, mock.Anything, mock.Anything).After(time.Minute).Return(s.assign).Once()
	first := h.assignAt(time.Minute, assignTo(actor(fc), acmeTarget))
	second := h.assignAt(time.Minute, assignTo(actor(colleague), svcTarget))

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	requireAssigned(t, first)
	requireAssigned(t, second)
	require.Len(t, s.assigns, 2)
	assert.Less(t, s.assigns[0].At, s.assigns[1].At+time.Nanosecond)
	assert.Equal(t, "sa-svc", s.line("1").SmartAccountID, "the later assignment wins")
}

// A process that continues as new while a signal it sent is still in flight does not cut off the
// updates that come in meanwhile: an assignment accepted then is applied before the new run starts,
// and the new run starts from the order as that assignment left it.
func TestOrder_ContinueAsNewWaitsForLateUpdates(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	// A delegation from an earlier run: its process is not a child of this run, so the signal that
	// closes it goes out over the wire and takes its time.
	d := models.OrderDelegation{ID: delegationID, OrderID: orderID, Delegator: fc, Delegate: delegatee, Status: models.DelegationPending,
		WorkflowID: delegationWF, ExpiresAt: t0.Add(24 * time.Hour), CreatedAt: t0}
	order.Delegations = []models.OrderDelegation{d}
	s := newOrderStore(h, order)
	s.created = append(s.created, d)

	late := &updateOutcome{}
	lateCB := &testsuite.TestUpdateCallback{
		OnAccept: func() { late.mu.Lock(); late.sent, late.accepted = true, true; late.mu.Unlock() },
		OnReject: func(err error) {
			late.mu.Lock()
			late.sent, late.rejected, late.err = true, true, err
			late.mu.Unlock()
		},
		OnComplete: func(v any, err error) {
			late.mu.Lock()
			late.completed, late.value, late.err = true, v, err
			late.mu.Unlock()
		},
	}
	revokeDone := make(chan struct{})
	revoked := &updateOutcome{}
	revokeCB := &testsuite.TestUpdateCallback{
		OnAccept: func() {
			revoked.mu.Lock()
			revoked.sent, revoked.accepted = true, true
			revoked.mu.Unlock()
			// The history has grown long meanwhile.
			h.env.SetContinueAsNewSuggested(true)
		},
		OnReject: func(err error) {
			revoked.mu.Lock()
			revoked.rejected, revoked.err = true, err
			revoked.mu.Unlock()
			close(revokeDone)
		},
		OnComplete: func(v any, err error) {
			revoked.mu.Lock()
			revoked.completed, revoked.value, revoked.err = true, v, err
			revoked.mu.Unlock()
			close(revokeDone)
		},
	}
	h.env.OnSignalExternalWorkflow(mock.Anything, delegationWF, "", process.SignalDelegationClose, mock.Anything).Return(
		func(_, _, _, _ string, _ any) error {
			// While the signal is on its way, the contact assigns the order.
			select {
			case <-revokeDone:
			case <-time.After(10 * time.Second):
				return nil
			}
			h.env.UpdateWorkflow(process.UpdateAssign, "late", lateCB, assignTo(actor(fc), acmeTarget))
			return nil
		}).Once()
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(process.UpdateRevoke, "revoke", revokeCB, process.RevokeInput{DelegationID: delegationID, Actor: actor(fc)})
	}, 10*time.Minute)
	h.mockMail()

	h.env.ExecuteWorkflow(workflows.Order, process.OrderInput{OrderID: orderID, State: order})

	require.True(t, h.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, h.env.GetWorkflowError(), &can, "the process continues as new")
	requireAnswer[process.RevokeResult](t, revoked)
	res := requireAssigned(t, late)
	assert.Equal(t, models.AssignAssigned, res.Status)
	require.Len(t, s.assigns, 1)

	var next process.OrderInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	assert.Equal(t, models.AssignAssigned, next.State.Order.AssignmentStatus, "the new run starts from the assigned order")
	assert.Empty(t, next.State.Delegations, "the revoked delegation is not carried over")
}
