package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Delegation is the process of one delegated order assignment (FEATURES OR8, X1, X2), a child of the
// order's process: it mails the delegate a single-use link bound to them, then waits for the order's
// process to say the delegate assigned the order or the fulfillment contact revoked the delegation,
// until the expiry. The delegate's assignment itself is an update of the order's process, which owns
// every assignment; this process owns the delegation's mails and its expiry. The fulfillment contact
// and the delegate are mailed the outcome; an expiry is told to the fulfillment contact.
func Delegation(ctx workflow.Context, in DelegationInput) (DelegationResult, error) {
	return start[DelegationResult](ctx, &delegationProc{proc: newProc(ctx), in: in, state: string(models.DelegationPending)})
}

func (w *delegationProc) setup(ctx workflow.Context) error {
	return workflow.SetQueryHandler(ctx, process.QueryStatus, w.status)
}

type delegationProc struct {
	proc
	in    DelegationInput
	state string
}

func (w *delegationProc) run(ctx workflow.Context) (DelegationResult, error) {
	d := w.in.Delegation
	w.upsertSearch(ctx)
	data := w.data(d.ExpiresAt)
	w.tasks(ctx, "task", models.PurposeOrderDelegation, d.ID, []string{d.Delegate}, d.ExpiresAt, "order_delegation_task", data)
	w.step(ctx, "link mailed to "+d.Delegate, d.Delegator)

	var c DelegationClose
	got := false
	if wait := d.ExpiresAt.Sub(workflow.Now(ctx)); wait > 0 {
		got, _ = workflow.GetSignalChannel(ctx, process.SignalDelegationClose).ReceiveWithTimeout(ctx, wait, &c)
	}
	res := DelegationResult{Status: c.Status, By: c.By}
	switch {
	case got && c.Status == models.DelegationUsed:
		data.Order.SmartAccount, data.Order.VirtualAccount, data.Order.By = c.SmartAccount, c.VirtualAccount, c.By
		data.Order.Outcome = fmt.Sprintf("%s assigned order %s to the Smart Account %s, virtual account %s.",
			c.By, d.OrderID, c.SmartAccount, c.VirtualAccount)
		for _, to := range []string{d.Delegator, d.Delegate} {
			w.notify(ctx, "done/"+to, []string{to}, "order_delegation_done", data)
		}
	case got:
		data.Order.By = c.By
		w.notify(ctx, "revoked/"+d.Delegate, []string{d.Delegate}, "order_delegation_revoked", data)
	default:
		closed, err := run(ctx, store.CloseDelegation, activities.CloseDelegationInput{
			DelegationID: d.ID, Status: models.DelegationExpired, Actor: models.ActorSystem,
		})
		if err != nil {
			return DelegationResult{}, err
		}
		res = DelegationResult{Status: closed.Status, By: closed.ClosedBy}
		if closed.Status == models.DelegationExpired {
			w.notify(ctx, "expired/"+d.Delegator, []string{d.Delegator}, "order_delegation_expired", data)
			// The order's process learns it at once instead of at its next look at the clock.
			w.outbound = append(w.outbound, workflow.SignalExternalWorkflow(ctx, w.in.OrderWorkflowID, "", process.SignalDelegationEnded,
				DelegationEnded{DelegationID: d.ID, Status: closed.Status}))
		}
	}
	w.state = string(res.Status)
	w.step(ctx, "ended: "+w.state, res.By)
	w.upsertSearch(ctx)
	return res, w.finish(ctx, nil)
}

func (w *delegationProc) data(deadline time.Time) activities.MailData {
	return activities.MailData{Deadline: deadline, Order: w.in.Mail}
}

func (w *delegationProc) waitingOn() []models.Waiting {
	if w.state != string(models.DelegationPending) {
		return []models.Waiting{}
	}
	return models.DelegationWaiting(w.in.Delegation)
}

func (w *delegationProc) status() (process.Status, error) {
	d := w.in.Delegation
	return process.Status{State: w.state, WaitingOn: w.waitingOn(), Since: d.CreatedAt, Deadline: d.ExpiresAt, History: w.history}, nil
}

func (w *delegationProc) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.SearchOf(w.state, w.waitingOn(), ""))
}
