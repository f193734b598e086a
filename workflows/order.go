package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Order is the process of one order (FEATURES OR2–OR9, PR2, PR3, X1, X3): it owns the order's lines from
// the moment commerce sends it. It records the order, mails its fulfillment contact the assignment,
// then serves assignments (the assign update, one at a time, each checked against the order's rules and
// the actor's entitlement in its validator), the contact's delegations (the delegate and revoke
// updates, each delegation a child process), shipments and ops actions, and provisions each line once it
// is ready (provision.go). It says whom it waits for, continues as new when its history grows, and ends
// when every line is provisioned or failed.
func Order(ctx workflow.Context, in process.OrderInput) (process.OrderResult, error) {
	return start[process.OrderResult](ctx, &orderProc{proc: newProc(ctx), in: in, state: in.State, since: workflow.Now(ctx),
		prov: provisioning{timing: in.Provisioning.WithDefaults()}})
}

type orderProc struct {
	proc
	in       process.OrderInput
	state    models.OrderState
	recorded bool
	// conflict is set when the order id was recorded before with other content than this start's.
	conflict bool
	busy     bool
	since    time.Time
	// signals to delegation processes in flight; one that finds its process gone is of no matter.
	signals []workflow.Future
	prov    provisioning
	hold    holding
}

func (w *orderProc) setup(ctx workflow.Context) error {
	if w.in.Ingest == nil && w.state.Order.ID == "" {
		return errNoOrder
	}
	if w.state.Delegations == nil {
		w.state.Delegations = []models.OrderDelegation{}
	}
	w.recorded = w.in.Ingest == nil
	// The process starts with these search attributes (process.OrderSearchAttributes): none to upsert.
	start := process.OrderSearch(w.in.State, time.Time{}, w.recorded)
	w.searched = &start
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, w.status); err != nil {
		return err
	}
	for _, h := range []struct {
		name               string
		handler, validator any
	}{
		{process.UpdateIngest, w.onIngest, w.validateIngest},
		{process.UpdateAssign, w.onAssign, w.validateAssign},
		{process.UpdateDelegate, w.onDelegate, w.validateDelegate},
		{process.UpdateRevoke, w.onRevoke, w.validateRevoke},
		{process.UpdateShip, w.onShip, w.validateShip},
		{process.UpdateProvisioning, w.onOps, w.validateOps},
		{process.UpdateTransfer, w.onTransfer, w.validateTransfer},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler,
			workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return err
		}
	}
	return nil
}

func (w *orderProc) run(ctx workflow.Context) (process.OrderResult, error) {
	if w.in.Ingest != nil {
		res, err := run(ctx, store.RecordOrder, *w.in.Ingest)
		if err != nil {
			return process.OrderResult{}, err
		}
		w.state, w.conflict, w.recorded = res.State, res.Conflict, true
		w.step(ctx, "received from commerce", models.RoleCommerce)
		if res.Created {
			w.askContact(ctx)
			w.tellHolding(ctx, nil, "")
		}
	}
	ended := workflow.GetSignalChannel(ctx, process.SignalDelegationEnded)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var e DelegationEnded
			ended.Receive(gctx, &e)
			w.delegationEnded(gctx, e)
		}
	})
	active := workflow.GetSignalChannel(ctx, process.SignalAccountActive)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var a process.AccountActive
			active.Receive(gctx, &a)
			w.onAccountActive(gctx, a)
		}
	})
	w.kick()
	for {
		// The signals it sent are waited for inside the same condition: blocking on them after it would
		// let an update in that the new run then cuts off.
		if err := workflow.Await(ctx, func() bool { return w.prov.dirty || w.idle(ctx) && (w.ended() || w.long(ctx)) }); err != nil {
			return process.OrderResult{}, err
		}
		if w.prov.dirty {
			w.prov.dirty = false
			w.provision(ctx)
			continue
		}
		if w.ended() {
			w.step(ctx, "every line provisioned or closed", "")
			w.fulfilledHolding(ctx)
			return process.OrderResult{Status: w.state.Order.AssignmentStatus}, w.finish(ctx, nil)
		}
		break
	}
	for e := (DelegationEnded{}); ended.ReceiveAsync(&e); e = (DelegationEnded{}) {
		w.delegationEnded(ctx, e)
	}
	for a := (process.AccountActive{}); active.ReceiveAsync(&a); a = (process.AccountActive{}) {
		w.onAccountActive(ctx, a)
	}
	return process.OrderResult{}, workflow.NewContinueAsNewError(ctx, Order,
		process.OrderInput{OrderID: w.in.OrderID, State: w.state, Provisioning: w.prov.timing, Holdings: w.holdings()})
}

// idle reports whether nothing is in flight: no update, store step, deposit or signal sent.
func (w *orderProc) idle(ctx workflow.Context) bool {
	return !w.busy && !w.prov.depositing && workflow.AllHandlersFinished(ctx) &&
		!slices.ContainsFunc(w.signals, func(f workflow.Future) bool { return !f.IsReady() })
}

// long reports whether the history is long enough to start afresh.
func (w *orderProc) long(ctx workflow.Context) bool {
	return workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// ended reports whether the order has nothing left to do: every line provisioned or failed, and no
// delegation open.
func (w *orderProc) ended() bool {
	return w.recorded && len(w.state.Delegations) == 0 && !slices.ContainsFunc(w.state.Lines, func(l models.OrderLine) bool {
		return l.ProvisioningStatus != models.ProvisionProvisioned && l.ProvisioningStatus != models.ProvisionFailed
	})
}

func (w *orderProc) validateIngest(in process.IngestInput) error {
	if w.recorded && in.Order.PayloadHash != w.state.Order.PayloadHash {
		return process.Refuse(models.CodeConflict, "", "order %s was received before with other content; a changed order cannot be sent again", w.in.OrderID)
	}
	return nil
}

func (w *orderProc) onIngest(ctx workflow.Context, in process.IngestInput) (process.IngestResult, error) {
	if err := workflow.Await(ctx, func() bool { return w.recorded }); err != nil {
		return process.IngestResult{}, err
	}
	if w.conflict || in.Order.PayloadHash != w.state.Order.PayloadHash {
		return process.IngestResult{}, process.Refuse(models.CodeConflict, "", "order %s was received before with other content; a changed order cannot be sent again", w.in.OrderID)
	}
	return process.IngestResult{State: w.state}, nil
}

// access is what the actor may do with the order now, as far as the process knows: members of the
// accounts holding its lines only see orders, which the API answers before asking.
func (w *orderProc) access(ctx workflow.Context, a models.OrderActor) models.OrderAccess {
	return models.AccessTo(a, w.state.Order, w.state.Delegations, false, workflow.Now(ctx))
}

// assignAccess is the actor's entitlement to an assignment: through the named delegation when the
// assignment comes from its link, as the order's rules say otherwise.
func (w *orderProc) assignAccess(ctx workflow.Context, in process.AssignInput) (models.OrderAccess, error) {
	if in.DelegationID == "" {
		return w.access(ctx, in.Actor), nil
	}
	for _, d := range w.state.Delegations {
		if d.ID != in.DelegationID || d.Delegate != models.NormalizeEmail(in.Actor.Email) {
			continue
		}
		if !d.ActiveAt(workflow.Now(ctx)) {
			return models.OrderAccess{}, process.Refuse(models.CodeGone, "", "the delegation expired at %s", d.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return models.OrderAccess{See: true, Act: true, As: models.AsDelegate, Delegation: d.ID}, nil
	}
	return models.OrderAccess{}, process.Refuse(models.CodeConflict, "", "the delegation %s is no longer open: it was used or revoked", in.DelegationID)
}

func (w *orderProc) validateAssign(ctx workflow.Context, in process.AssignInput) error {
	if !w.recorded {
		return process.Refuse(models.CodeConflict, "", "order %s is still being recorded; try again", w.in.OrderID)
	}
	acc, err := w.assignAccess(ctx, in)
	if err != nil {
		return err
	}
	_, err = models.PlanAssignment(w.state.Order, w.state.Lines, acc, in.Request)
	return process.EncodeError(err)
}

// onAssign applies one assignment at a time: another may have changed the order while this one
// waited, so the rules are checked again before the write.
func (w *orderProc) onAssign(ctx workflow.Context, in process.AssignInput) (process.AssignResult, error) {
	if err := w.lock(ctx); err != nil {
		return process.AssignResult{}, err
	}
	defer w.unlock()
	acc, err := w.assignAccess(ctx, in)
	if err != nil {
		return process.AssignResult{}, err
	}
	plan, err := models.PlanAssignment(w.state.Order, w.state.Lines, acc, in.Request)
	if err != nil {
		w.step(ctx, "assignment refused: "+err.Error(), in.Actor.Email)
		return process.AssignResult{}, process.EncodeError(err)
	}
	res := process.AssignResult{OrderID: w.in.OrderID, Status: w.state.Order.AssignmentStatus, Changed: []string{}, Notes: plan.Notes, As: acc.As}
	if len(plan.Changes) == 0 && acc.Delegation == "" {
		return res, nil
	}
	products := in.Request.Products
	out, err := run(ctx, store.AssignOrderLines, activities.AssignLinesInput{
		OrderID: w.in.OrderID, Changes: plan.Changes, Actor: models.NormalizeEmail(in.Actor.Email), As: acc.As,
		Via: in.Via, Reason: strings.TrimSpace(in.Request.Reason), DelegationID: acc.Delegation, TokenID: in.TokenID,
		Outcome: models.AssignOutcome(w.in.OrderID, products.SmartAccountName, products.VirtualAccount),
	})
	if err != nil {
		w.step(ctx, "assignment failed: "+err.Error(), in.Actor.Email)
		return process.AssignResult{}, process.EncodeError(err)
	}
	w.state = out.State
	res.Status, res.Changed = w.state.Order.AssignmentStatus, out.Changed
	w.step(ctx, fmt.Sprintf("lines %s assigned to %s / %s (%s)", strings.Join(out.Changed, ", "),
		in.Request.Products.SmartAccountName, in.Request.Products.VirtualAccount, acc.As), in.Actor.Email)
	if acc.Delegation != "" {
		w.closeChild(ctx, acc.Delegation, DelegationClose{Status: models.DelegationUsed, By: models.NormalizeEmail(in.Actor.Email),
			SmartAccount: in.Request.Products.SmartAccountName, VirtualAccount: in.Request.Products.VirtualAccount})
	}
	w.upsertSearch(ctx)
	w.kick()
	w.tellHolding(ctx, out.Changed, models.NormalizeEmail(in.Actor.Email))
	if w.partnerLeftOver(in.Request) && w.partnerWaits(ctx) {
		w.awaitPartner(ctx)
		res.Status = w.state.Order.AssignmentStatus
	}
	return res, nil
}

func (w *orderProc) validateDelegate(ctx workflow.Context, in process.DelegateInput) error {
	o := w.state.Order
	actor := models.NormalizeEmail(in.Actor.Email)
	delegate := models.NormalizeEmail(in.Delegate)
	switch {
	case !w.recorded:
		return process.Refuse(models.CodeConflict, "", "order %s is still being recorded; try again", o.ID)
	case slices.ContainsFunc(w.state.Delegations, func(d models.OrderDelegation) bool { return d.ID == in.DelegationID }):
		return nil // the same request again: answered with the delegation it made
	case actor != o.FulfillmentContact || actor == "":
		if w.access(ctx, in.Actor).See {
			return process.Refuse(models.CodeForbidden, "", "only the fulfillment contact of order %s (%s) can delegate its assignment", o.ID, o.FulfillmentContact)
		}
		return process.Refuse(models.CodeNotFound, "", "no order %s", o.ID)
	case !o.Type.Assignable():
		return process.Refuse(models.CodeRefused, "", "%s orders cannot be assigned to a Smart Account, so their assignment cannot be delegated", o.Type)
	case !strings.Contains(delegate, "@"): // the API checked the address in full; net/mail is no workflow code
		return process.Refuse(models.CodeInvalid, "email", "%q is not an email address", in.Delegate)
	case delegate == actor:
		return process.Refuse(models.CodeInvalid, "email", "you are the fulfillment contact: assign the order yourself")
	case len(in.Note) > 1000:
		return process.Refuse(models.CodeInvalid, "note", "note is longer than 1000 characters")
	case in.Expiry <= 0:
		return process.Refuse(models.CodeInvalid, "expiry", "a delegation needs an expiry")
	}
	active := 0
	for _, d := range w.state.Delegations {
		if !d.ActiveAt(workflow.Now(ctx)) {
			continue
		}
		if d.Delegate == delegate {
			return process.Refuse(models.CodeConflict, "email", "%s was already asked to assign order %s (delegation %s, until %s)",
				delegate, o.ID, d.ID, d.ExpiresAt.UTC().Format(time.RFC3339))
		}
		active++
	}
	if active >= models.MaxDelegationsPerOrder {
		return process.Refuse(models.CodeRefused, "", "order %s already has %d open delegations", o.ID, active)
	}
	return nil
}

// onDelegate records the delegation and starts its process, which mails the delegate; the process
// lives on its own (it outlives a continue-as-new of this one) and is told by signal how it ended.
func (w *orderProc) onDelegate(ctx workflow.Context, in process.DelegateInput) (process.DelegateResult, error) {
	if err := w.lock(ctx); err != nil {
		return process.DelegateResult{}, err
	}
	defer w.unlock()
	for _, d := range w.state.Delegations {
		if d.ID == in.DelegationID {
			return process.DelegateResult{Delegation: d, WaitingOn: models.DelegationWaiting(d)}, nil
		}
	}
	o := w.state.Order
	now := workflow.Now(ctx).UTC().Truncate(time.Microsecond)
	d := models.OrderDelegation{ID: in.DelegationID, OrderID: o.ID, Delegator: o.FulfillmentContact,
		Delegate: models.NormalizeEmail(in.Delegate), Note: strings.TrimSpace(in.Note), Status: models.DelegationPending,
		WorkflowID: process.DelegationWorkflowID(o.ID, in.DelegationID), ExpiresAt: now.Add(in.Expiry), CreatedAt: now}
	d, err := run(ctx, store.CreateDelegation, activities.CreateDelegationInput{Delegation: d, TokenID: in.TokenID, Outcome: in.Outcome})
	if err != nil {
		return process.DelegateResult{}, process.EncodeError(err)
	}
	if d.Status != models.DelegationPending {
		// The same request again after its delegation ended (used, revoked, expired): answered with it
		// as it is; its process ran and must not be started twice.
		return process.DelegateResult{Delegation: d, WaitingOn: []models.Waiting{}}, nil
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            d.WorkflowID,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	child := workflow.ExecuteChildWorkflow(cctx, Delegation, DelegationInput{Delegation: d, OrderWorkflowID: w.id, Mail: w.mail(d)})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return process.DelegateResult{}, process.EncodeError(err)
	}
	w.state.Delegations = append(w.state.Delegations, d)
	w.step(ctx, "assignment delegated to "+d.Delegate, d.Delegator)
	w.upsertSearch(ctx)
	return process.DelegateResult{Delegation: d, WaitingOn: models.DelegationWaiting(d)}, nil
}

func (w *orderProc) validateRevoke(ctx workflow.Context, in process.RevokeInput) error {
	i := slices.IndexFunc(w.state.Delegations, func(d models.OrderDelegation) bool { return d.ID == in.DelegationID })
	if i < 0 {
		return process.Refuse(models.CodeConflict, "", "delegation %s is not open", in.DelegationID)
	}
	d := w.state.Delegations[i]
	actor := models.NormalizeEmail(in.Actor.Email)
	switch {
	case !d.ActiveAt(workflow.Now(ctx)):
		return process.Refuse(models.CodeGone, "", "delegation %s expired at %s", d.ID, d.ExpiresAt.UTC().Format(time.RFC3339))
	case actor == d.Delegator || actor == w.state.Order.FulfillmentContact:
		return nil
	case in.Actor.Support() && strings.TrimSpace(in.Reason) == "":
		return process.Refuse(models.CodeInvalid, "reason", "internal support needs a reason to revoke a delegation; it is recorded")
	case in.Actor.Support():
		return nil
	}
	return process.Refuse(models.CodeForbidden, "", "only the fulfillment contact who delegated (%s) can revoke the delegation", d.Delegator)
}

func (w *orderProc) onRevoke(ctx workflow.Context, in process.RevokeInput) (process.RevokeResult, error) {
	if err := w.lockValid(ctx, func() error { return w.validateRevoke(ctx, in) }); err != nil {
		return process.RevokeResult{}, err
	}
	defer w.unlock()
	actor := models.NormalizeEmail(in.Actor.Email)
	d, err := run(ctx, store.CloseDelegation, activities.CloseDelegationInput{
		DelegationID: in.DelegationID, Status: models.DelegationRevoked, Actor: actor, Reason: strings.TrimSpace(in.Reason),
	})
	if err != nil {
		return process.RevokeResult{}, process.EncodeError(err)
	}
	w.dropDelegation(d.ID)
	w.step(ctx, "delegation to "+d.Delegate+" revoked", actor)
	w.closeChild(ctx, d.ID, DelegationClose{Status: models.DelegationRevoked, By: actor})
	w.upsertSearch(ctx)
	return process.RevokeResult{Delegation: d}, nil
}

// closeChild tells a delegation's process how it ended; one that already ended (expired) is gone,
// which changes nothing.
func (w *orderProc) closeChild(ctx workflow.Context, delegationID string, c DelegationClose) {
	w.dropDelegation(delegationID)
	w.signals = append(w.signals, workflow.SignalExternalWorkflow(ctx, process.DelegationWorkflowID(w.in.OrderID, delegationID), "", process.SignalDelegationClose, c))
}

func (w *orderProc) delegationEnded(ctx workflow.Context, e DelegationEnded) {
	w.dropDelegation(e.DelegationID)
	w.step(ctx, "delegation "+e.DelegationID+" "+string(e.Status), "")
	w.upsertSearch(ctx)
}

func (w *orderProc) dropDelegation(id string) {
	w.state.Delegations = slices.DeleteFunc(w.state.Delegations, func(d models.OrderDelegation) bool { return d.ID == id })
}

func (w *orderProc) lock(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return !w.busy }); err != nil {
		return err
	}
	w.busy = true
	return nil
}

func (w *orderProc) unlock() { w.busy = false }

// lockValid takes the lock for an update and validates it again once held: another update may have
// changed the order while this one waited. It holds the lock only when it returns nil.
func (w *orderProc) lockValid(ctx workflow.Context, validate func() error) error {
	if err := w.lock(ctx); err != nil {
		return err
	}
	if err := validate(); err != nil {
		w.unlock()
		return err
	}
	return nil
}

func (w *orderProc) status() (process.Status, error) {
	ws := w.waitingOn()
	st := process.Status{State: string(w.state.Order.AssignmentStatus), WaitingOn: ws, Since: w.since, History: w.history}
	if !w.recorded {
		st.State = "RECEIVING"
	}
	for _, l := range w.state.Lines {
		if l.SmartAccountID != "" {
			st.SmartAccountID = l.SmartAccountID
			break
		}
	}
	return st, nil
}

// waitingOn says whom the order waits for: its fulfillment contact (and the contact's delegates) while
// lines are unassigned, and the provisional accounts its held lines wait on.
func (w *orderProc) waitingOn() []models.Waiting {
	return models.OrderWaiting(w.state, w.since)
}

// upsertSearch tells operations the order's new state.
func (w *orderProc) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.OrderSearch(w.state, w.since, w.recorded))
}

func (w *orderProc) mail(d models.OrderDelegation) activities.OrderMail {
	m := w.orderMail()
	m.Delegator, m.Delegate, m.Note = d.Delegator, d.Delegate, d.Note
	return m
}

// errNoOrder is returned by a process that was started without its order; the API never does that.
var errNoOrder = errors.New("order process started without an order")
