package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// HoldingTransfer is the process of an order waiting in Partner Holding Accounts (FEATURES HA2, HA3,
// X1, X6): the order's process starts it when lines that need a Smart Account land in a holding
// account. It mails the holding accounts' administrators and users a link whose page names the
// customer's account and moves the order there, reminds them on the timing's schedule until nothing
// that needs an account is left in holding, and says whom it waits for. The move itself is an update of
// the order's process, which owns every write to the order's lines and tells this process what is left.
func HoldingTransfer(ctx workflow.Context, in process.HoldingInput) (process.HoldingResult, error) {
	if in.Since.IsZero() {
		in.Since = workflow.Now(ctx)
	}
	return start[process.HoldingResult](ctx, &holdingProc{proc: newProc(ctx), in: in, timing: in.Timing.WithDefaults(),
		holdings: slices.Clone(in.Holdings), round: in.Round})
}

type holdingProc struct {
	proc
	in       process.HoldingInput
	timing   process.HoldingTiming
	holdings []string
	// members are whom the last mail went to; next is when the next reminder goes.
	members []string
	next    time.Time
	round   int
}

func (w *holdingProc) setup(ctx workflow.Context) error {
	return workflow.SetQueryHandler(ctx, process.QueryStatus, w.status)
}

func (w *holdingProc) run(ctx workflow.Context) (process.HoldingResult, error) {
	signals := workflow.GetSignalChannel(ctx, process.SignalHolding)
	// The signal that started the process says what is in holding now.
	for n := (process.HoldingNow{}); signals.ReceiveAsync(&n); n = (process.HoldingNow{}) {
		w.holdings = n.Holdings
	}
	if len(w.holdings) > 0 {
		step := "task"
		if w.round > 0 {
			step = "remind/" + itoa(w.round)
		}
		w.mail(ctx, step)
	}
	for len(w.holdings) > 0 {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := w.in
			next.Holdings, next.Round = w.holdings, w.round+1
			return process.HoldingResult{}, w.finishAs(ctx, workflow.NewContinueAsNewError(ctx, HoldingTransfer, next))
		}
		tctx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(tctx, max(w.next.Sub(workflow.Now(ctx)), 0))
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(signals, func(c workflow.ReceiveChannel, _ bool) {
			var n process.HoldingNow
			c.Receive(ctx, &n)
			w.moved(ctx, n)
		})
		fired := false
		sel.AddFuture(timer, func(f workflow.Future) { fired = f.Get(ctx, nil) == nil })
		sel.Select(ctx)
		cancel()
		if fired && len(w.holdings) > 0 {
			w.round++
			w.mail(ctx, "remind/"+itoa(w.round))
		}
	}
	w.step(ctx, "nothing that needs a Smart Account is left in holding", "")
	w.upsertSearch(ctx)
	return process.HoldingResult{Reminders: w.round}, w.finish(ctx, nil)
}

// finishAs waits for what is in flight and then continues as new.
func (w *holdingProc) finishAs(ctx workflow.Context, next error) error {
	if err := w.finish(ctx, nil); err != nil {
		return err
	}
	return next
}

// moved takes in what the order's process says is left in holding.
func (w *holdingProc) moved(ctx workflow.Context, n process.HoldingNow) {
	added := slices.ContainsFunc(n.Holdings, func(id string) bool { return !slices.Contains(w.holdings, id) })
	w.holdings = n.Holdings
	if len(n.Moved) > 0 {
		w.step(ctx, "lines "+strings.Join(n.Moved, ", ")+" moved out of holding", n.By)
	}
	if added {
		// Lines landed in another holding account: its members get the task at once.
		w.mail(ctx, "task/"+strings.Join(w.holdings, ","))
	}
	w.upsertSearch(ctx)
}

// mail sends each member of the holding accounts their own link to move the order, and sets the next
// reminder.
func (w *holdingProc) mail(ctx workflow.Context, step string) {
	now := workflow.Now(ctx)
	w.next = now.Add(w.timing.Remind)
	members, err := run(ctx, store.HoldingMembers, activities.HoldingMembersInput{SmartAccountIDs: w.holdings})
	if err != nil {
		w.step(ctx, "reading the holding accounts' members failed: "+err.Error(), "")
		return
	}
	w.members = members
	if len(members) == 0 {
		w.step(ctx, "the holding accounts have no administrator or user to tell", "")
		w.upsertSearch(ctx)
		return
	}
	deadline := now.Add(w.timing.Link)
	w.tasks(ctx, step, models.PurposeHoldingTransfer, w.in.OrderID, members, deadline, "order_holding_task",
		activities.MailData{Deadline: deadline, Reminder: w.round, Order: activities.OrderMail{ID: w.in.OrderID,
			PurchaseOrder: w.in.PurchaseOrder, EndCustomer: w.in.EndCustomer, Lines: w.in.Lines}})
	what := "transfer task mailed to "
	if w.round > 0 {
		what = "reminder " + itoa(w.round) + " mailed to "
	}
	w.step(ctx, what+strings.Join(members, ", "), "")
	w.upsertSearch(ctx)
}

func (w *holdingProc) waitingOn() []models.Waiting {
	out := []models.Waiting{}
	if len(w.holdings) == 0 {
		return out
	}
	for _, m := range w.members {
		out = append(out, models.Waiting{Who: m, Action: models.ActMove, Since: w.in.Since, Deadline: w.next})
	}
	for _, id := range w.holdings {
		out = append(out, models.Waiting{Who: "smart-account:" + id, Action: models.ActMove, Since: w.in.Since, Deadline: w.next})
	}
	return out
}

func (w *holdingProc) state() string {
	if len(w.holdings) == 0 {
		return "MOVED"
	}
	return string(models.AssignInHolding)
}

func (w *holdingProc) status() (process.Status, error) {
	st := process.Status{State: w.state(), WaitingOn: w.waitingOn(), Since: w.in.Since, Deadline: w.next, History: w.history}
	if len(w.holdings) > 0 {
		st.SmartAccountID = w.holdings[0]
	}
	return st, nil
}

func (w *holdingProc) upsertSearch(ctx workflow.Context) {
	id := ""
	if len(w.holdings) > 0 {
		id = w.holdings[0]
	}
	w.search(ctx, process.SearchOf(w.state(), w.waitingOn(), id))
}
