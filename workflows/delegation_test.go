package workflows_test

import (
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

const delegationID = "d-1"

var delegationWF = process.DelegationWorkflowID(orderID, delegationID)

func delegateTo(email string, expiry time.Duration) process.DelegateInput {
	return process.DelegateInput{DelegationID: delegationID, Actor: actor(fc), Delegate: email, Note: "please pick our lab account", Expiry: expiry}
}

// requireDelegated checks that a delegate update was accepted and answered with a DelegateResult.
var requireDelegated = requireAnswer[process.DelegateResult]

// The contact delegates: the delegation is recorded, its process mails the delegate a link bound to
// them, the order waits for both; the delegate assigns through the order's process, the delegation is
// used, and the contact and the delegate are mailed the outcome. The link's authority ends with it.
func TestOrder_DelegateThenDelegateAssigns(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	delegated := h.updateAt(10*time.Minute, "", process.UpdateDelegate, delegateTo("Consultant@Integrator.com", 14*24*time.Hour))
	again := h.updateAt(11*time.Minute, "", process.UpdateDelegate, delegateTo(delegatee, 14*24*time.Hour))
	waiting := h.statusAt(20*time.Minute, "")
	childWaiting := h.statusAt(20*time.Minute, delegationWF)
	assigned := h.assignAt(30*time.Minute, assignTo(actor(delegatee), acmeTarget))
	reuse := h.assignAt(40*time.Minute, assignTo(actor(delegatee), svcTarget))
	after := h.statusAt(50*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	res := requireDelegated(t, delegated)
	d := res.Delegation
	deadline := t0.Add(10*time.Minute + 14*24*time.Hour)
	assert.Equal(t, delegationID, d.ID)
	assert.Equal(t, delegatee, d.Delegate, "the delegate's address is normalized")
	assert.Equal(t, fc, d.Delegator)
	assert.Equal(t, models.DelegationPending, d.Status)
	assert.Equal(t, delegationWF, d.WorkflowID)
	requireSameTime(t, deadline, d.ExpiresAt, "expiry")
	assert.Equal(t, d, requireDelegated(t, again).Delegation, "the same request again answers the same delegation")
	require.Len(t, s.created, 1)

	task, ok := h.task(delegationWF + "/task/" + delegatee)
	require.True(t, ok, "the delegate is mailed a link: %v", h.taskKeys())
	assert.Equal(t, models.PurposeOrderDelegation, task.In.Purpose)
	assert.Equal(t, delegationID, task.In.SubjectID)
	assert.Equal(t, delegationWF, task.In.WorkflowID)
	assert.Equal(t, "order_delegation_task", task.In.Template)
	assert.Equal(t, orderID, task.In.Data.Order.ID)
	assert.Equal(t, "please pick our lab account", task.In.Data.Order.Note)
	requireSameTime(t, deadline, task.In.ExpiresAt, "link expiry")

	assert.Equal(t, []models.Waiting{
		{Who: fc, Action: "assign", Since: order.Order.CreatedAt},
		{Who: delegatee, Action: "assign", Since: t0.Add(10 * time.Minute), Deadline: deadline},
	}, inUTC(waiting.WaitingOn))
	assert.Equal(t, "PENDING", childWaiting.State)
	require.Len(t, childWaiting.WaitingOn, 1)
	assert.Equal(t, delegatee, childWaiting.WaitingOn[0].Who)

	out := requireAssigned(t, assigned)
	assert.Equal(t, models.AsDelegate, out.As)
	require.Len(t, s.assigns, 1)
	assert.Equal(t, delegationID, s.assigns[0].In.DelegationID, "the delegation is used in the same write")
	assert.Equal(t, delegatee, s.assigns[0].In.Actor)

	done := append(h.mailsTo(fc), h.mailsTo(delegatee)...)
	require.Equal(t, []string{"order_delegation_done", "order_delegation_done"}, templates(done))
	assert.Equal(t, delegationWF+"/done/"+fc, done[0].In.Key)
	assert.Equal(t, "Acme", done[0].In.Data.Order.SmartAccount)
	assert.Equal(t, delegatee, done[0].In.Data.Order.By)
	assert.Contains(t, done[0].In.Data.Order.Outcome, "assigned order WO-1 to the Smart Account Acme")

	requireRejected(t, reuse, models.CodeNotFound)
	assert.Empty(t, after.WaitingOn)
}

// The contact revokes: the delegation is closed as REVOKED, the delegate is told, and an assignment
// by the delegate afterwards is refused. Only the contact (or support, with a reason) may revoke.
func TestOrder_DelegationRevoked(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	h.updateAt(time.Minute, "", process.UpdateDelegate, delegateTo(delegatee, time.Hour*24))
	revoke := func(by models.OrderActor, reason string) process.RevokeInput {
		return process.RevokeInput{DelegationID: delegationID, Actor: by, Reason: reason}
	}
	byColleague := h.updateAt(5*time.Minute, "", process.UpdateRevoke, revoke(actor(colleague), ""))
	bySupport := h.updateAt(6*time.Minute, "", process.UpdateRevoke, revoke(actor(support, models.RoleCiscoSupport), ""))
	revoked := h.updateAt(10*time.Minute, "", process.UpdateRevoke, revoke(actor(fc), ""))
	twice := h.updateAt(11*time.Minute, "", process.UpdateRevoke, revoke(actor(fc), ""))
	late := h.assignAt(20*time.Minute, assignTo(actor(delegatee), acmeTarget))
	status := h.statusAt(21*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	requireRejected(t, byColleague, models.CodeForbidden)
	me := requireRejected(t, bySupport, models.CodeInvalid)
	assert.Equal(t, "reason", me.Field)
	assert.Equal(t, models.DelegationRevoked, requireAnswer[process.RevokeResult](t, revoked).Delegation.Status)
	require.Len(t, s.closes, 1)
	assert.Equal(t, activities.CloseDelegationInput{DelegationID: delegationID, Status: models.DelegationRevoked, Actor: fc}, s.closes[0].In)
	requireRejected(t, twice, models.CodeConflict)

	assert.Equal(t, []string{"order_delegation_revoked"}, templates(h.mailsTo(delegatee)))
	assert.Equal(t, fc, h.mailsTo(delegatee)[0].In.Data.Order.By)
	requireRejected(t, late, models.CodeNotFound)
	assert.Empty(t, s.assigns)
	assert.Equal(t, []models.Waiting{{Who: fc, Action: "assign", Since: order.Order.CreatedAt}}, inUTC(status.WaitingOn))
}

// Unused until its expiry, the delegation expires: its process closes it as EXPIRED, tells the contact,
// and the order's process stops waiting for the delegate, whose assignment is then refused.
func TestOrder_DelegationExpires(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	h.updateAt(time.Minute, "", process.UpdateDelegate, delegateTo(delegatee, time.Hour))
	late := h.assignAt(time.Hour+2*time.Minute, assignTo(actor(delegatee), acmeTarget))
	status := h.statusAt(time.Hour+3*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, 2*time.Hour)

	require.Len(t, s.closes, 1)
	assert.Equal(t, models.DelegationExpired, s.closes[0].In.Status)
	assert.Equal(t, models.ActorSystem, s.closes[0].In.Actor)
	assert.Equal(t, time.Hour+time.Minute, s.closes[0].At, "at the expiry, not before")
	toFC := h.mailsTo(fc)
	require.Equal(t, []string{"order_delegation_expired"}, templates(toFC))
	assert.Equal(t, delegatee, toFC[0].In.Data.Order.Delegate)
	assert.Empty(t, h.mailsTo(delegatee), "the delegate got the link (a task mail) and nothing else")
	requireRejected(t, late, models.CodeNotFound)
	assert.Equal(t, []models.Waiting{{Who: fc, Action: "assign", Since: order.Order.CreatedAt}}, inUTC(status.WaitingOn))
	assert.Contains(t, historyWhats(status), "delegation d-1 EXPIRED")
}

// Only the fulfillment contact delegates, to someone else, once per person.
func TestOrder_WhoMayDelegate(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	other := func(by models.OrderActor, to string) process.DelegateInput {
		in := delegateTo(to, time.Hour)
		in.Actor, in.DelegationID = by, "d-"+to
		return in
	}
	byColleague := h.updateAt(time.Minute, "", process.UpdateDelegate, other(actor(colleague), delegatee))
	byOutsider := h.updateAt(2*time.Minute, "", process.UpdateDelegate, other(actor(outsider), delegatee))
	toSelf := h.updateAt(3*time.Minute, "", process.UpdateDelegate, other(actor(fc), fc))
	notEmail := h.updateAt(4*time.Minute, "", process.UpdateDelegate, other(actor(fc), "not-an-address"))
	first := h.updateAt(5*time.Minute, "", process.UpdateDelegate, other(actor(fc), delegatee))
	samePerson := h.updateAt(6*time.Minute, "", process.UpdateDelegate, func() process.DelegateInput {
		in := other(actor(fc), delegatee)
		in.DelegationID = "d-other"
		return in
	}())

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, 30*time.Minute)

	requireRejected(t, byColleague, models.CodeForbidden)
	requireRejected(t, byOutsider, models.CodeNotFound)
	assert.Equal(t, "email", requireRejected(t, toSelf, models.CodeInvalid).Field)
	assert.Equal(t, "email", requireRejected(t, notEmail, models.CodeInvalid).Field)
	requireDelegated(t, first)
	assert.Equal(t, "email", requireRejected(t, samePerson, models.CodeConflict).Field)
	assert.Len(t, s.created, 1)
}

// The delegation process on its own: at the expiry it closes the delegation, tells the contact and the
// order's process; a delegation already closed by then (its signal lost) is left as it is.
func TestDelegation_ExpiryTellsOrderProcess(t *testing.T) {
	h := newHarness(t, delegationWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	d := models.OrderDelegation{ID: delegationID, OrderID: orderID, Delegator: fc, Delegate: delegatee,
		Status: models.DelegationPending, WorkflowID: delegationWF, ExpiresAt: t0.Add(2 * time.Hour), CreatedAt: t0}
	s.created = append(s.created, d)
	var told []workflows.DelegationEnded
	h.env.OnSignalExternalWorkflow(mock.Anything, orderWF, "", process.SignalDelegationEnded, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			told = append(told, arg.(workflows.DelegationEnded))
			return nil
		}).Once()
	status := h.statusAt(time.Hour, "")

	h.run(workflows.Delegation, workflows.DelegationInput{Delegation: d, OrderWorkflowID: orderWF, Mail: activities.OrderMail{ID: orderID}})

	var res workflows.DelegationResult
	require.NoError(t, h.env.GetWorkflowResult(&res))
	assert.Equal(t, models.DelegationExpired, res.Status)
	assert.Equal(t, []workflows.DelegationEnded{{DelegationID: delegationID, Status: models.DelegationExpired}}, told)
	require.Len(t, s.closes, 1)
	assert.Equal(t, 2*time.Hour, s.closes[0].At)
	assert.Equal(t, []string{"order_delegation_expired"}, templates(h.mailsTo(fc)))
	assert.Equal(t, "PENDING", status.State)
	requireSameTime(t, t0.Add(2*time.Hour), status.Deadline, "deadline")
	assert.Equal(t, "EXPIRED", h.lastSearch().State)
}

// Through the emailed link the assignment is the delegation's, even when the delegate is entitled
// otherwise too (here, a colleague of the contact): the delegation is used; once used, the link's
// assignment is refused while the colleague may still assign in their own right.
func TestOrder_LinkAssignmentUsesTheDelegation(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	h.updateAt(time.Minute, "", process.UpdateDelegate, delegateTo(colleague, time.Hour))
	viaLink := func() process.AssignInput {
		in := assignTo(actor(colleague), acmeTarget)
		in.DelegationID, in.Via = delegationID, process.ViaEmail
		return in
	}
	first := h.assignAt(10*time.Minute, viaLink())
	again := h.assignAt(20*time.Minute, viaLink())
	ownRight := h.assignAt(30*time.Minute, assignTo(actor(colleague), svcTarget))

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	assert.Equal(t, models.AsDelegate, requireAssigned(t, first).As)
	require.NotEmpty(t, s.assigns)
	assert.Equal(t, delegationID, s.assigns[0].In.DelegationID)
	assert.Equal(t, process.ViaEmail, s.assigns[0].In.Via)
	me := requireRejected(t, again, models.CodeConflict)
	assert.Contains(t, me.Message, "no longer open")
	assert.Equal(t, models.AsSameDomain, requireAssigned(t, ownRight).As)
}

// The same delegation asked for again (the same Idempotency-Key, so the same delegation id) after it
// was revoked is answered with the delegation as it now is: no second process is started for it, and
// the answer is not an error.
func TestOrder_RepeatedDelegationAfterItClosed(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	first := h.updateAt(time.Minute, "", process.UpdateDelegate, delegateTo(delegatee, 24*time.Hour))
	h.updateAt(5*time.Minute, "", process.UpdateRevoke, process.RevokeInput{DelegationID: delegationID, Actor: actor(fc)})
	again := h.updateAt(10*time.Minute, "", process.UpdateDelegate, delegateTo(delegatee, 24*time.Hour))
	status := h.statusAt(11*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	requireDelegated(t, first)
	res := requireDelegated(t, again)
	assert.Equal(t, delegationID, res.Delegation.ID)
	assert.Equal(t, models.DelegationRevoked, res.Delegation.Status)
	assert.Empty(t, res.WaitingOn, "a revoked delegation waits for nobody")
	require.Len(t, s.created, 1)
	assert.Len(t, h.mailsTo(delegatee), 1, "the delegate was told of the revocation, and mailed no second link")
	assert.Equal(t, []models.Waiting{{Who: fc, Action: "assign", Since: order.Order.CreatedAt}}, inUTC(status.WaitingOn))
}
