package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The order's side of Partner Holding Accounts (FEATURES HA1–HA3, NO2): it moves lines out of holding
// (the transfer update, under its lock like every write to its lines), tells the order's
// holding-transfer process what is left in holding after each change, and tells the holding accounts'
// members once the order is fulfilled.

// holding is what the order's process keeps about its holding accounts.
type holding struct {
	// told is what it last told the holding-transfer process; seen every holding account its lines
	// were in during this run.
	told, seen []string
}

// holdings are the holding accounts the order's lines were in, in this run and the ones before it.
func (w *orderProc) holdings() []string {
	out := slices.Clone(w.in.Holdings)
	for _, id := range w.hold.seen {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// tellHolding tells the holding-transfer process which holding accounts hold lines that need a Smart
// Account now, when that changed (starting it when lines landed in one); moved are the lines that left
// holding, by whom.
func (w *orderProc) tellHolding(ctx workflow.Context, moved []string, by string) {
	now := models.InHolding(w.state.Lines)
	for _, id := range now {
		if !slices.Contains(w.hold.seen, id) {
			w.hold.seen = append(w.hold.seen, id)
		}
	}
	if slices.Equal(now, w.hold.told) {
		return
	}
	w.hold.told = now
	o := w.state.Order
	w.outbound = append(w.outbound, workflow.ExecuteActivity(mailOptions(ctx), releaser.TellHolding, activities.TellHoldingInput{
		Order: process.HoldingInput{OrderID: o.ID, PurchaseOrder: o.PurchaseOrder, EndCustomer: o.EndCustomer.Name,
			Lines: len(w.state.Lines), Holdings: now, Since: workflow.Now(ctx)},
		Now: process.HoldingNow{Holdings: now, Moved: moved, By: by},
	}))
}

func (w *orderProc) validateTransfer(ctx workflow.Context, in process.TransferInput) error {
	if !w.recorded {
		return process.Refuse(models.CodeConflict, "", "order %s is still being recorded; try again", w.in.OrderID)
	}
	_, _, err := models.PlanTransfer(w.state.Order, w.state.Lines, w.access(ctx, in.Actor), in.Request)
	return process.EncodeError(err)
}

// onTransfer moves lines out of holding to the customer's account: their held licenses go with them in
// the same write, and they are provisioned there once the account is ACTIVE (FEATURES HA3).
func (w *orderProc) onTransfer(ctx workflow.Context, in process.TransferInput) (process.TransferResult, error) {
	if err := w.lock(ctx); err != nil {
		return process.TransferResult{}, err
	}
	defer w.unlock()
	plan, as, err := models.PlanTransfer(w.state.Order, w.state.Lines, w.access(ctx, in.Actor), in.Request)
	if err != nil {
		w.step(ctx, "transfer refused: "+err.Error(), in.Actor.Email)
		return process.TransferResult{}, process.EncodeError(err)
	}
	to := in.Request.To
	actor := models.NormalizeEmail(in.Actor.Email)
	out, err := run(ctx, store.AssignOrderLines, activities.AssignLinesInput{
		OrderID: w.in.OrderID, Changes: plan.Changes, Actor: actor, As: as, Via: in.Via,
		Reason: strings.TrimSpace(in.Request.Reason), TokenID: in.TokenID,
		Outcome: models.TransferOutcome(w.in.OrderID, len(plan.Changes), to),
	})
	if err != nil {
		w.step(ctx, "transfer failed: "+err.Error(), in.Actor.Email)
		return process.TransferResult{}, process.EncodeError(err)
	}
	w.state = out.State
	w.step(ctx, fmt.Sprintf("lines %s moved out of holding to %s / %s (%s)", strings.Join(out.Changed, ", "),
		to.SmartAccountName, to.VirtualAccount, as), in.Actor.Email)
	w.upsertSearch(ctx)
	w.kick()
	w.tellHolding(ctx, out.Changed, actor)
	return process.TransferResult{OrderID: w.in.OrderID, Status: w.state.Order.AssignmentStatus, Moved: models.NonNil(out.Changed),
		Holding: models.InHolding(w.state.Lines), As: as, Lines: w.state.Lines}, nil
}

// fulfilledHolding tells the members of the holding accounts the order was in that it is fulfilled,
// once (FEATURES NO2; seed 003: they work with the customer from there).
func (w *orderProc) fulfilledHolding(ctx workflow.Context) {
	if len(w.holdings()) == 0 {
		return
	}
	to, err := run(ctx, store.FulfilledHolding, activities.FulfilledHoldingInput{OrderID: w.in.OrderID})
	if err != nil {
		w.step(ctx, "reading the holding accounts' members failed: "+err.Error(), "")
		return
	}
	if len(to) > 0 {
		w.notify(ctx, "fulfilled/holding", to, "order_holding_fulfilled", activities.MailData{Order: w.orderMail()})
		w.step(ctx, "holding accounts' members told the order is fulfilled", "")
	}
}
