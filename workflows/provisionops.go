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

// The people who move an order's provisioning by hand: commerce reporting shipment, ops acting on
// pending lines (FEATURES PR2, PR3). Each is an Update whose validator refuses what the order's state
// does not allow, so the caller hears why at once.

// byRole refuses a provisioning update before the order is recorded, or from an actor without the
// platform role: only who (the role's holders) does what.
func (w *orderProc) byRole(actor models.OrderActor, who, role, does string) error {
	switch {
	case !w.recorded:
		return process.Refuse(models.CodeConflict, "", "order %s is still being recorded; try again", w.in.OrderID)
	case !slices.Contains(actor.Roles, role):
		return process.Refuse(models.CodeForbidden, "", "only %s (platform role %s) %s", who, role, does)
	}
	return nil
}

func (w *orderProc) validateShip(in process.ShipInput) error {
	if err := w.byRole(in.Actor, "commerce", models.RoleCommerce, "reports shipments"); err != nil {
		return err
	}
	switch {
	case len(in.Lines) == 0:
		return process.Refuse(models.CodeInvalid, "lines", "name the lines that shipped")
	case in.ShippedAt.IsZero():
		return process.Refuse(models.CodeInvalid, "shippedAt", "shippedAt is required")
	}
	for _, id := range in.Lines {
		l, ok := w.line(id)
		switch {
		case !ok:
			return process.Refuse(models.CodeInvalid, "lines", "order %s has no line %s", w.in.OrderID, id)
		case l.ShippedAt != nil && !l.ShippedAt.Equal(in.ShippedAt.UTC().Truncate(time.Microsecond)):
			return process.Refuse(models.CodeConflict, "shippedAt", "line %s of order %s shipped at %s, not at %s",
				id, w.in.OrderID, l.ShippedAt.UTC().Format(time.RFC3339), in.ShippedAt.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// onShip records the shipment; lines shipped before at the same time are a repeat and change nothing.
func (w *orderProc) onShip(ctx workflow.Context, in process.ShipInput) (process.ShipResult, error) {
	if err := w.lockValid(ctx, func() error { return w.validateShip(in) }); err != nil {
		return process.ShipResult{}, err
	}
	defer w.unlock()
	res, err := run(ctx, store.RecordShipment, activities.ShipInput{OrderID: w.in.OrderID, Lines: in.Lines,
		ShippedAt: in.ShippedAt, Actor: models.NormalizeEmail(in.Actor.Email)})
	if err != nil {
		return process.ShipResult{}, process.EncodeError(err)
	}
	w.state = res.State
	if len(res.Shipped) > 0 {
		w.step(ctx, "lines "+strings.Join(res.Shipped, ", ")+" shipped", in.Actor.Email)
	}
	w.kick()
	return process.ShipResult{OrderID: w.in.OrderID, Shipped: models.NonNil(res.Shipped), Lines: w.state.Lines}, nil
}

// opsLines are the lines an ops action applies to: those named, each of which must allow it, or every
// line that allows it.
func (w *orderProc) opsLines(in process.OpsInput) ([]string, error) {
	var out []string
	for _, l := range w.state.Lines {
		named := slices.Contains(in.Lines, l.ID)
		switch {
		case len(in.Lines) > 0 && !named:
		case models.OpsApplies(in.Action, l):
			out = append(out, l.ID)
		case named:
			return nil, process.Refuse(models.CodeConflict, "lines", "line %s of order %s is %s %s: %s does not apply to it",
				l.ID, w.in.OrderID, l.ProvisioningStatus, l.DelayReason, in.Action)
		}
	}
	for _, id := range in.Lines {
		if _, ok := w.line(id); !ok {
			return nil, process.Refuse(models.CodeInvalid, "lines", "order %s has no line %s", w.in.OrderID, id)
		}
	}
	if len(out) == 0 {
		return nil, process.Refuse(models.CodeConflict, "", "no line of order %s is pending in a way %s applies to", w.in.OrderID, in.Action)
	}
	return out, nil
}

func (w *orderProc) validateOps(in process.OpsInput) error {
	if err := w.byRole(in.Actor, "licensing ops", models.RoleLicensingOps, "act on provisioning"); err != nil {
		return err
	}
	switch {
	case !in.Action.Valid():
		return process.Refuse(models.CodeInvalid, "action", "action must be RETRY, MANUAL_REVIEW or RESOLVE")
	case strings.TrimSpace(in.Reason) == "":
		return process.Refuse(models.CodeInvalid, "reason", "a reason is required; it is recorded with the action")
	case in.Action == models.OpsResolve && in.Outcome != "" && in.Outcome != models.OutcomeRelease && in.Outcome != models.OutcomeFailed:
		return process.Refuse(models.CodeInvalid, "outcome", "outcome must be RELEASE or FAILED")
	}
	_, err := w.opsLines(in)
	return err
}

// onOps records an ops action; a retry or a release deposits the lines at once.
func (w *orderProc) onOps(ctx workflow.Context, in process.OpsInput) (process.OpsResult, error) {
	if err := w.lockValid(ctx, func() error { return w.validateOps(in) }); err != nil {
		return process.OpsResult{}, err
	}
	defer w.unlock()
	lines, _ := w.opsLines(in)
	outcome := in.Outcome
	if in.Action == models.OpsResolve && outcome == "" {
		outcome = models.OutcomeRelease
	}
	actor := models.NormalizeEmail(in.Actor.Email)
	st, err := run(ctx, store.ApplyOps, activities.OpsInput{OrderID: w.in.OrderID, Lines: lines, Action: in.Action,
		Outcome: outcome, Actor: actor, Reason: strings.TrimSpace(in.Reason)})
	if err != nil {
		return process.OpsResult{}, process.EncodeError(err)
	}
	w.state = st
	w.step(ctx, strings.ToLower(string(in.Action))+" of lines "+strings.Join(lines, ", ")+": "+strings.TrimSpace(in.Reason), actor)
	w.kick()
	return process.OpsResult{OrderID: w.in.OrderID, Changed: lines, Lines: w.state.Lines}, nil
}
