package workflows_test

import (
	"context"
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

// Orders in Partner Holding Accounts (FEATURES HA1–HA3, NO2): the holding-transfer process mails the
// holding members, reminds them on its schedule and ends when nothing is left in holding; the order's
// process deposits in holding, transfers out, holds a provisional account's lines until it is active,
// and tells the holding members once the order is fulfilled.

var holdingTarget = models.AssignTarget{SmartAccountID: "sa-hold", SmartAccountName: "Partner X Holding", Status: models.SAActive,
	Type: models.SATypeHolding, VirtualAccountID: "va-hold", VirtualAccount: "DEFAULT", Domain: "partnerx.com"}

const holdingMember = "olivia@partnerx.com"

var holdingWF = process.HoldingTransferID(orderID)

// Mailed at once, reminded every interval while lines wait, on after a partial move, done after the
// last one; whom it waits for says so.
func TestHoldingTransfer_MailsRemindsEnds(t *testing.T) {
	h := newHarness(t, holdingWF)
	h.env.OnActivity(st.HoldingMembers, mock.Anything, mock.Anything).Return([]string{holdingMember, "pat@partnerx.com"}, nil)
	signal := func(at time.Duration, n process.HoldingNow) {
		h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(process.SignalHolding, n) }, at)
	}
	signal(150*time.Minute, process.HoldingNow{Holdings: []string{"sa-hold"}, Moved: []string{"2"}, By: holdingMember})
	signal(210*time.Minute, process.HoldingNow{Holdings: []string{}, Moved: []string{"1"}, By: holdingMember})
	status := h.statusAt(30*time.Minute, "")
	h.run(workflows.HoldingTransfer, process.HoldingInput{OrderID: orderID, EndCustomer: "Acme", Lines: 3,
		Holdings: []string{"sa-hold"}, Timing: process.HoldingTiming{Remind: time.Hour, Link: 24 * time.Hour}})
	var res process.HoldingResult
	require.NoError(t, h.env.GetWorkflowResult(&res))
	assert.Equal(t, 3, res.Reminders)
	keys := h.taskKeys()
	for step, at := range map[string]time.Duration{"task": 0, "remind/1": time.Hour, "remind/2": 2 * time.Hour, "remind/3": 3 * time.Hour} {
		for _, to := range []string{holdingMember, "pat@partnerx.com"} {
			got, ok := keys[holdingWF+"/"+step+"/"+to]
			if assert.True(t, ok, "%s to %s never sent", step, to) {
				assert.Equal(t, at, got, "%s to %s", step, to)
			}
		}
	}
	assert.Len(t, keys, 8, "nothing after the last move")
	task, _ := h.task(holdingWF + "/task/" + holdingMember)
	assert.Equal(t, models.PurposeHoldingTransfer, task.In.Purpose)
	assert.Equal(t, orderID, task.In.SubjectID)
	assert.Equal(t, "order_holding_task", task.In.Template)
	assert.Equal(t, string(models.AssignInHolding), status.State)
	assert.Contains(t, status.WaitingOn, waiting(holdingMember, models.ActMove, t0, t0.Add(time.Hour)))
	assert.Equal(t, "MOVED", h.lastSearch().State)
}

// holdingStore adds the holding steps to the provisioning store.
type holdingStore struct {
	*provisionStore
	mu        sync.Mutex
	told      []stamped[activities.TellHoldingInput]
	fulfilled int
}

func newHoldingStore(h *harness, order models.OrderState) *holdingStore {
	s := &holdingStore{provisionStore: newProvisionStore(h, order)}
	s.facts[holdingTarget.SmartAccountID] = models.AccountFacts{Status: models.SAActive, Type: models.SATypeHolding}
	h.env.OnActivity(rl.TellHolding, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.TellHoldingInput) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.told = append(s.told, stamped[activities.TellHoldingInput]{At: h.elapsed(), In: in})
		return nil
	}).Maybe()
	h.env.OnActivity(st.FulfilledHolding, mock.Anything, mock.Anything).Return(func(context.Context, activities.FulfilledHoldingInput) ([]string, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.fulfilled++
		return []string{holdingMember}, nil
	}).Maybe()
	return s
}

func transferTo(to models.AssignTarget) process.TransferInput {
	return process.TransferInput{Actor: actor(holdingMember), Via: process.ViaEmail, Request: models.TransferRequest{To: to,
		From: []models.AssignTarget{holdingTarget}, MemberOf: []string{holdingTarget.SmartAccountID}}}
}

// The contact deposits the order in the partner's holding account: its licensed line waits there IN
// HOLDING, shipped or not, and the holding-transfer process is told. A member moves it to a provisional
// customer account: it waits there for the account, leaves the partner's services in holding, and the
// process is told nothing that needs an account is left. The account's activation provisions it; the
// order is fulfilled and the holding members are told once.
func TestOrder_HoldingThenTransferToProvisional(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newHoldingStore(h, order)
	deposit := h.assignAt(time.Minute, assignTo(actor(fc), holdingTarget, func(r *models.AssignRequest) { r.Partner = nil }))
	h.updateAt(2*time.Minute, "", process.UpdateShip, ship("1", "2", "3"))
	inHolding := s.lineAt(3*time.Minute, "1")
	refused := h.updateAt(4*time.Minute, "", process.UpdateTransfer, process.TransferInput{Actor: actor(outsider),
		Request: models.TransferRequest{To: acmeTarget, From: []models.AssignTarget{holdingTarget}}})
	toHolding := h.updateAt(5*time.Minute, "", process.UpdateTransfer, transferTo(holdingTarget))
	moved := h.updateAt(6*time.Minute, "", process.UpdateTransfer, transferTo(pendingTarget))
	held := s.lineAt(7*time.Minute, "1")
	h.env.RegisterDelayedCallback(func() {
		s.orderStore.mu.Lock()
		s.facts[pendingTarget.SmartAccountID] = models.AccountFacts{Status: models.SAActive, Type: models.SATypeCustomer}
		s.orderStore.mu.Unlock()
		h.env.SignalWorkflow(process.SignalAccountActive, process.AccountActive{SmartAccountID: pendingTarget.SmartAccountID})
	}, 10*time.Minute)
	h.runOrder(provisionInput(order, provisionTiming), time.Hour)

	requireAssigned(t, deposit)
	assert.Equal(t, models.AssignInHolding, inHolding.AssignmentStatus)
	assert.Equal(t, models.DelayInHolding, inHolding.DelayReason)
	requireRejected(t, refused, models.CodeNotFound)
	requireRejected(t, toHolding, models.CodeRefused)
	s2 := moved.snapshot()
	require.NoError(t, s2.err)
	res := s2.value.(process.TransferResult)
	assert.ElementsMatch(t, []string{"1", "2"}, res.Moved, "the partner's own services stay")
	assert.Equal(t, models.AsHoldingMember, res.As)
	assert.Empty(t, res.Holding)
	assert.Equal(t, models.DelaySmartAccountPending, held.DelayReason)
	assert.Equal(t, models.AssignAssigned, held.AssignmentStatus)
	assert.Equal(t, models.ProvisionProvisioned, s.line("1").ProvisioningStatus)
	require.Len(t, s.depositTimes("1"), 1)
	assert.GreaterOrEqual(t, s.depositTimes("1")[0], 10*time.Minute, "deposited once the account is active")
	require.Len(t, s.told, 2)
	assert.Equal(t, []string{"sa-hold"}, s.told[0].In.Now.Holdings)
	assert.Empty(t, s.told[1].In.Now.Holdings)
	assert.Equal(t, 1, s.fulfilled)
	assert.Equal(t, []string{"order_holding_fulfilled"}, templates(h.mailsTo(holdingMember)))
}
