package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The order's process owns each line's provisioning (FEATURES PR2, PR3): it deposits the licenses of
// the lines that are ready, paces the attempts while the fulfillment service fails, releases held lines
// when their account becomes ACTIVE, and marks lines stuck at their SLA. Every change is one of its
// store steps, under its lock, so an assignment never races a deposit.

// provisioning is what the process keeps about its lines' provisioning between events.
type provisioning struct {
	timing process.ProvisionTiming
	// dirty asks the main loop to look at the lines again.
	dirty bool
	// depositing is set while a deposit is in flight.
	depositing bool
	// retryAt is when failed lines are deposited again; armedRetry and armedStuck are the timers set.
	retryAt, armedRetry, armedStuck time.Time
	cancelRetry, cancelStuck        workflow.CancelFunc
}

// kick asks the main loop to provision.
func (w *orderProc) kick() { w.prov.dirty = true }

// provision starts what the lines need now: a deposit of the ready ones, the timer of the next attempt
// of the failed ones, the timer of the next SLA.
func (w *orderProc) provision(ctx workflow.Context) {
	now := workflow.Now(ctx)
	var batch, waiting []string
	for _, l := range w.state.Lines {
		switch {
		case !l.Ready():
		case l.DelayReason == "" || !now.Before(w.prov.retryAt):
			batch = append(batch, l.ID)
		default:
			waiting = append(waiting, l.ID)
		}
	}
	if len(batch) > 0 && !w.prov.depositing {
		w.prov.depositing = true
		workflow.Go(ctx, func(gctx workflow.Context) { w.deposit(gctx, batch) })
	}
	if len(waiting) > 0 {
		w.prov.cancelRetry, w.prov.armedRetry = w.timer(ctx, w.prov.retryAt, w.prov.armedRetry, w.prov.cancelRetry, w.kick)
	}
	if next := w.nextDeadline(); !next.IsZero() {
		w.prov.cancelStuck, w.prov.armedStuck = w.timer(ctx, next, w.prov.armedStuck, w.prov.cancelStuck, func() {
			workflow.Go(ctx, w.markStuck)
		})
	}
	w.upsertSearch(ctx)
}

// timer arms fire at `at`, replacing the timer armed for another time; it returns the new timer's
// cancel and time.
func (w *orderProc) timer(ctx workflow.Context, at, armed time.Time, cancel workflow.CancelFunc, fire func()) (
	workflow.CancelFunc, time.Time) {
	if at.Equal(armed) {
		return cancel, armed
	}
	if cancel != nil {
		cancel()
	}
	tctx, cancel := workflow.WithCancel(ctx)
	workflow.Go(tctx, func(gctx workflow.Context) {
		if workflow.NewTimer(gctx, max(at.Sub(workflow.Now(gctx)), 0)).Get(gctx, nil) == nil {
			fire()
			w.kick()
		}
	})
	return cancel, at
}

// nextDeadline is the earliest SLA of a pending line not marked stuck yet.
func (w *orderProc) nextDeadline() time.Time {
	var next time.Time
	for _, l := range w.state.Lines {
		if d := l.Deadline(w.prov.timing.SLA); d != nil && l.StuckAt == nil && (next.IsZero() || d.Before(next)) {
			next = *d
		}
	}
	return next
}

// deposit deposits the lines of batch that are still ready once it holds the lock, and records what
// the service answered.
func (w *orderProc) deposit(ctx workflow.Context, batch []string) {
	defer func() { w.prov.depositing = false; w.kick() }()
	if err := w.lock(ctx); err != nil {
		return
	}
	defer w.unlock()
	in := activities.DepositInput{OrderID: w.in.OrderID}
	for _, l := range w.state.Lines {
		if slices.Contains(batch, l.ID) && l.Ready() {
			in.Lines = append(in.Lines, activities.DepositLine{LineID: l.ID, SKU: l.SKU, Quantity: l.Quantity,
				SmartAccountID: l.SmartAccountID, VirtualAccountID: l.VirtualAccountID, StartsAt: l.ShippedAt, EndsAt: l.TermEnd()})
		}
	}
	if len(in.Lines) == 0 {
		return
	}
	var res activities.DepositResult
	if err := workflow.ExecuteActivity(depositOptions(ctx), provisioner.Deposit, in).Get(ctx, &res); err != nil {
		w.step(ctx, "deposit failed: "+err.Error(), "")
		w.backoff(ctx, 1)
		return
	}
	st, err := run(ctx, store.RecordDeposits, activities.RecordDepositsInput{OrderID: w.in.OrderID, Outcomes: res.Outcomes,
		Rejects: w.prov.timing.Rejects})
	if err != nil {
		w.step(ctx, "recording the deposits failed: "+err.Error(), "")
		return
	}
	w.state = st
	var done, failed []string
	attempts := 0
	for _, o := range res.Outcomes {
		if o.Kind == "" {
			done = append(done, o.Line.LineID)
			continue
		}
		failed = append(failed, o.Line.LineID+": "+o.Error)
		if l, ok := w.line(o.Line.LineID); ok && l.DelayReason == models.DelayFulfillmentError && (attempts == 0 || l.ProvAttempts < attempts) {
			attempts = l.ProvAttempts
		}
	}
	if len(done) > 0 {
		w.step(ctx, "lines "+strings.Join(done, ", ")+" provisioned", "")
	}
	if len(failed) > 0 {
		w.step(ctx, "deposits failed: "+strings.Join(failed, "; "), "")
	}
	if attempts > 0 {
		w.backoff(ctx, attempts)
	}
}

// backoff sets when failed lines are deposited again: the wait doubles with each attempt, up to the
// timing's maximum.
func (w *orderProc) backoff(ctx workflow.Context, attempts int) {
	t := w.prov.timing
	wait := t.RetryFirst
	for i := 1; i < attempts && wait < t.RetryMax; i++ {
		wait *= 2
	}
	w.prov.retryAt = workflow.Now(ctx).Add(min(wait, t.RetryMax))
}

func (w *orderProc) line(id string) (models.OrderLine, bool) {
	i := slices.IndexFunc(w.state.Lines, func(l models.OrderLine) bool { return l.ID == id })
	if i < 0 {
		return models.OrderLine{}, false
	}
	return w.state.Lines[i], true
}

// markStuck marks the lines past their SLA and alerts ops, once per line: the alert's mail key names
// the lines.
func (w *orderProc) markStuck(ctx workflow.Context) {
	if err := w.lock(ctx); err != nil {
		return
	}
	defer w.unlock()
	now := workflow.Now(ctx)
	var due []string
	for _, l := range w.state.Lines {
		if d := l.Deadline(w.prov.timing.SLA); d != nil && l.StuckAt == nil && !now.Before(*d) {
			due = append(due, l.ID)
		}
	}
	if len(due) == 0 {
		return
	}
	res, err := run(ctx, store.MarkStuck, activities.StuckInput{OrderID: w.in.OrderID, Lines: due, SLA: w.prov.timing.SLA})
	if err != nil {
		w.step(ctx, "marking lines stuck failed: "+err.Error(), "")
		return
	}
	w.state = res.State
	w.kick()
	if len(res.Stuck) == 0 {
		return
	}
	w.step(ctx, "lines "+strings.Join(res.Stuck, ", ")+" stuck past their SLA", "")
	if len(res.Alert) > 0 {
		w.notify(ctx, "stuck/"+strings.Join(res.Stuck, ","), res.Alert, "order_provisioning_stuck",
			activities.MailData{Order: w.orderMail(), Items: w.stuckItems(res.Stuck)})
	}
}

// onAccountActive releases the lines an account held once it is ACTIVE: the store step reads the
// account afresh, so a signal for an account that is not ACTIVE after all changes nothing.
func (w *orderProc) onAccountActive(ctx workflow.Context, a process.AccountActive) {
	if err := w.lock(ctx); err != nil {
		return
	}
	defer w.unlock()
	st, err := run(ctx, store.RefreshProvisioning, activities.RefreshInput{OrderID: w.in.OrderID,
		Why: "smart account " + a.SmartAccountID + " active"})
	if err != nil {
		w.step(ctx, "releasing held lines failed: "+err.Error(), "")
		return
	}
	w.state = st
	w.step(ctx, "smart account "+a.SmartAccountID+" is active", "")
	w.kick()
	if w.state.Order.PartnerWaitingSince != nil && w.partnerWaits(ctx) {
		w.awaitPartner(ctx)
	}
}

// depositOptions retry the deposit activity itself (a worker crash, a timeout) for as long as it takes;
// the service's own answers come back as its result, never as an error to retry.
func depositOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// askContact mails the fulfillment contact, once, the order's assignment task when a line that needs a
// Smart Account has none: the link's page assigns the order, delegates it, or requests an account for
// it (FEATURES OR2, PR2).
func (w *orderProc) askContact(ctx workflow.Context) {
	o := w.state.Order
	needs := slices.ContainsFunc(w.state.Lines, func(l models.OrderLine) bool { return l.SAMandatory && l.SmartAccountID == "" })
	if !needs || !o.Type.Assignable() || o.FulfillmentContact == "" {
		return
	}
	deadline := workflow.Now(ctx).Add(w.prov.timing.AssignLink)
	w.tasks(ctx, "assign", models.PurposeOrderAssign, o.ID, []string{o.FulfillmentContact}, deadline, "order_assign_task",
		activities.MailData{Order: w.orderMail(), Deadline: deadline})
}

func (w *orderProc) orderMail() activities.OrderMail {
	o := w.state.Order
	return activities.OrderMail{ID: o.ID, PurchaseOrder: o.PurchaseOrder, EndCustomer: o.EndCustomer.Name, Lines: len(w.state.Lines)}
}

// stuckItems describe the stuck lines for the ops alert: what, since when, and why.
func (w *orderProc) stuckItems(ids []string) []string {
	var out []string
	for _, id := range ids {
		l, _ := w.line(id)
		why := string(l.DelayReason)
		if l.ProvError != "" {
			why += " (" + l.ProvError + ")"
		}
		since := ""
		if l.PendingSince != nil {
			since = " since " + l.PendingSince.UTC().Format(time.RFC3339)
		}
		out = append(out, "line "+l.ID+" "+l.SKU+" ×"+itoa(l.Quantity)+": pending "+why+since)
	}
	return out
}
