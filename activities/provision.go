package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// The store steps of an order's provisioning (FEATURES PR2, PR3). Each reads the order's lines afresh,
// moves them by the rules of models.LineProvisioning, and writes the lines, the order's roll-up and an
// event per changed line in one transaction; a retry finds the lines moved and changes nothing twice.

// lineStep is what a step does to an order's lines: it changes them in place and returns their events.
type lineStep func(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) ([]models.Event, error)

// orderStep runs a lineStep in a transaction and returns the order's state after it. Every line whose
// provisioning moved gets its event.
func (s *Store) orderStep(ctx context.Context, orderID string, step lineStep) (models.OrderState, error) {
	return s.orderTx(ctx, orderID, func(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) error {
		before := slices.Clone(lines)
		evs, err := step(tx, o, lines, now)
		if err != nil {
			return err
		}
		changed := false
		for i := range lines {
			if lineChanged(before[i], lines[i]) {
				changed = true
				if err := saveLine(tx, &lines[i], now); err != nil {
					return err
				}
			}
		}
		if changed {
			if err := rollUpOrder(tx, o, lines, now); err != nil {
				return err
			}
		}
		return writeEvents(tx, now, evs...)
	})
}

// orderRows is an order with its lines, as one store step reads and changes them.
type orderRows struct {
	order models.Order
	lines []models.OrderLine
}

// orderTx runs change on the order and its lines (changed in place) in one transaction, and answers the
// order as change left it with its pending delegations.
func (s *Store) orderTx(ctx context.Context, orderID string,
	change func(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) error) (models.OrderState, error) {
	return runStep(ctx, s.DB, rowStep[orderRows, models.OrderState]{
		find: func(ctx context.Context, tx *gorm.DB) (orderRows, error) {
			o, lines, err := models.FindOrder(ctx, tx, orderID)
			return orderRows{order: o, lines: lines}, err
		},
		due:    func(orderRows) bool { return true },
		change: func(tx *gorm.DB, r *orderRows, now time.Time) error { return change(tx, &r.order, r.lines, now) },
		state: func(ctx context.Context, tx *gorm.DB, r orderRows) (models.OrderState, error) {
			ds, err := models.PendingDelegations(ctx, tx, []string{r.order.ID})
			return models.OrderState{Order: r.order, Lines: r.lines, Delegations: models.NonNil(ds[r.order.ID])}, err
		},
	})
}

// lineChanged reports whether a step changed what saveLine writes.
func lineChanged(a, b models.OrderLine) bool {
	same := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.ProvisioningStatus != b.ProvisioningStatus || a.DelayReason != b.DelayReason ||
		!same(a.ShippedAt, b.ShippedAt) || !same(a.StuckAt, b.StuckAt) || a.ProvAttempts != b.ProvAttempts ||
		a.ProvRejects != b.ProvRejects || a.ProvError != b.ProvError || a.EntitlementID != b.EntitlementID ||
		a.SmartAccountID != b.SmartAccountID || a.VirtualAccountID != b.VirtualAccountID
}

// lineEvent is the event of something that happened to one line.
func lineEvent(l models.OrderLine, actor, action string, details map[string]any) models.Event {
	d := map[string]any{"orderId": l.OrderID, "lineId": l.ID, "sku": l.SKU}
	for k, v := range details {
		d[k] = v
	}
	return event(l.SmartAccountID, models.TargetOrderLine, l.OrderID+"/"+l.ID, actor, action, d)
}

// reprovision moves each line to what its account says now, with an event for each line that moved.
func reprovision(tx *gorm.DB, lines []models.OrderLine, actor, why string, now time.Time) ([]models.Event, error) {
	return moveLines(tx, lines, actor, func(l *models.OrderLine, f *models.AccountFacts) (string, map[string]any, bool) {
		return models.EventLineDelayed, map[string]any{"why": why}, l.Reprovision(f, now)
	})
}

// moveLines runs move on each line with its account's facts. For each line move reports moved, it
// answers the event action with the details move gives and the line's provisioning before and after.
func moveLines(tx *gorm.DB, lines []models.OrderLine, actor string,
	move func(*models.OrderLine, *models.AccountFacts) (action string, details map[string]any, moved bool),
) ([]models.Event, error) {
	facts, err := accountFacts(tx, lines)
	if err != nil {
		return nil, err
	}
	var evs []models.Event
	for i := range lines {
		l := &lines[i]
		from := provisioningOf(*l)
		if action, details, moved := move(l, factsOf(facts, l.SmartAccountID)); moved {
			details["from"], details["to"] = from, provisioningOf(*l)
			evs = append(evs, lineEvent(*l, actor, action, details))
		}
	}
	return evs, nil
}

// factsOf is the account's facts, nil for a line without an account.
func factsOf(facts map[string]models.AccountFacts, id string) *models.AccountFacts {
	if f, ok := facts[id]; ok {
		return &f
	}
	return nil
}

func provisioningOf(l models.OrderLine) map[string]any {
	return map[string]any{"status": l.ProvisioningStatus, "delayReason": l.DelayReason}
}

// accountFacts reads the accounts the lines are assigned to.
func accountFacts(tx *gorm.DB, lines []models.OrderLine) (map[string]models.AccountFacts, error) {
	var ids []string
	for _, l := range lines {
		if l.SmartAccountID != "" && !slices.Contains(ids, l.SmartAccountID) {
			ids = append(ids, l.SmartAccountID)
		}
	}
	out := map[string]models.AccountFacts{}
	if len(ids) == 0 {
		return out, nil
	}
	var sas []models.SmartAccount
	if err := tx.Select("id", "status", "type").Where("id IN ?", ids).Find(&sas).Error; err != nil {
		return nil, fmt.Errorf("read the lines' accounts: %w", err)
	}
	for _, sa := range sas {
		out[sa.ID] = models.AccountFacts{Status: sa.Status, Type: sa.Type}
	}
	return out, nil
}

// ShipInput is commerce's shipment of lines, as the order's process accepted it.
type ShipInput struct {
	OrderID   string
	Lines     []string
	ShippedAt time.Time
	Actor     string
}

// ShipResult is the order after the shipment and the lines it shipped now.
type ShipResult struct {
	State   models.OrderState
	Shipped []string
}

// RecordShipment marks lines shipped (a term starts now, whenever the line is provisioned: seed 003)
// and moves their provisioning. Lines shipped before keep their shipment.
func (s *Store) RecordShipment(ctx context.Context, in ShipInput) (ShipResult, error) {
	var shipped []string
	st, err := s.orderStep(ctx, in.OrderID, func(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) ([]models.Event, error) {
		at := in.ShippedAt.UTC().Truncate(time.Microsecond)
		var evs []models.Event
		for i := range lines {
			l := &lines[i]
			if !slices.Contains(in.Lines, l.ID) || !l.Ship(at) {
				continue
			}
			shipped = append(shipped, l.ID)
			evs = append(evs, lineEvent(*l, in.Actor, models.EventLineShipped, map[string]any{"shippedAt": at, "termEndsAt": l.TermEnd()}))
		}
		if len(shipped) > 0 && (o.ShippedAt == nil || at.Before(*o.ShippedAt)) {
			o.ShippedAt = &at
			if err := tx.Model(&models.Order{}).Where("id = ?", o.ID).Update("shipped_at", at).Error; err != nil {
				return nil, fmt.Errorf("ship order %s: %w", o.ID, err)
			}
		}
		more, err := reprovision(tx, lines, in.Actor, "shipped", now)
		if err != nil {
			return nil, err
		}
		held, err := holdLicenses(tx, lines, in.Actor, now)
		return slices.Concat(evs, more, held), err
	})
	if err != nil {
		return ShipResult{}, err
	}
	if len(shipped) > 0 {
		s.logger().Info("order lines shipped", "orderId", in.OrderID, "lines", len(shipped))
	}
	return ShipResult{State: st, Shipped: shipped}, nil
}

// RefreshInput asks to move an order's lines to what their accounts say now, and why.
type RefreshInput struct {
	OrderID string
	Why     string
}

// RefreshProvisioning moves an order's lines to what their accounts say now: an account that became
// ACTIVE releases its held lines.
func (s *Store) RefreshProvisioning(ctx context.Context, in RefreshInput) (models.OrderState, error) {
	return s.orderStep(ctx, in.OrderID, func(tx *gorm.DB, _ *models.Order, lines []models.OrderLine, now time.Time) ([]models.Event, error) {
		return reprovision(tx, lines, "", in.Why, now)
	})
}

// OpsInput is an ops action the order's process accepted, on the lines it applies to.
type OpsInput struct {
	OrderID string
	Lines   []string
	Action  models.OpsAction
	Outcome string
	Actor   string
	Reason  string
}

// ApplyOps records an ops action on lines (FEATURES PR3, X3: with its reason, by its actor). A retry or
// a release clears the failed attempts so the line is deposited at once; a review holds the line; a
// failed resolution closes it without licenses.
func (s *Store) ApplyOps(ctx context.Context, in OpsInput) (models.OrderState, error) {
	action := map[models.OpsAction]string{models.OpsRetry: models.EventLineRetried,
		models.OpsManualReview: models.EventLineManualReview, models.OpsResolve: models.EventLineResolved}[in.Action]
	return s.orderStep(ctx, in.OrderID, func(tx *gorm.DB, _ *models.Order, lines []models.OrderLine, now time.Time) ([]models.Event, error) {
		return moveLines(tx, lines, in.Actor, func(l *models.OrderLine, f *models.AccountFacts) (string, map[string]any, bool) {
			if !slices.Contains(in.Lines, l.ID) || !models.OpsApplies(in.Action, *l) {
				return "", nil, false
			}
			l.Act(in.Action, in.Outcome, f, now)
			return action, map[string]any{"reason": in.Reason, "outcome": in.Outcome}, true
		})
	})
}

// StuckInput names the lines found pending at their SLA.
type StuckInput struct {
	OrderID string
	Lines   []string
	SLA     time.Duration
}

// StuckResult is the order after the step, the lines it marked stuck now (none on a retry), and whom
// to alert: the licensing-ops users and the configured ops addresses.
type StuckResult struct {
	State models.OrderState
	Stuck []string
	Alert []string
}

// MarkStuck marks lines still pending past their SLA as stuck, once each.
func (s *Store) MarkStuck(ctx context.Context, in StuckInput) (StuckResult, error) {
	var stuck []string
	st, err := s.orderStep(ctx, in.OrderID, func(_ *gorm.DB, _ *models.Order, lines []models.OrderLine, now time.Time) ([]models.Event, error) {
		var evs []models.Event
		for i := range lines {
			l := &lines[i]
			if !slices.Contains(in.Lines, l.ID) || !l.MarkStuck(in.SLA, now) {
				continue
			}
			stuck = append(stuck, l.ID)
			evs = append(evs, lineEvent(*l, "", models.EventLineStuck, map[string]any{"delayReason": l.DelayReason,
				"pendingSince": l.PendingSince, "deadline": l.Deadline(in.SLA)}))
		}
		return evs, nil
	})
	if err != nil {
		return StuckResult{}, err
	}
	if len(stuck) == 0 {
		return StuckResult{State: st, Stuck: []string{}}, nil
	}
	s.logger().Warn("order lines stuck", "orderId", in.OrderID, "lines", strings.Join(stuck, ","))
	alert, err := withRole(ctx, s.DB.WithContext(ctx), models.RoleLicensingOps, s.OpsAlert)
	return StuckResult{State: st, Stuck: stuck, Alert: alert}, err
}
