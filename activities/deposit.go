package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/models"
)

// Provisioner deposits the licenses of ready lines with the outside fulfillment service (FEATURES PR2).
type Provisioner struct {
	Fulfillment *fulfillment.Client
	Log         *slog.Logger
}

// DepositLine is one line to deposit: where its licenses go and their term.
type DepositLine struct {
	LineID           string
	SKU              string
	Quantity         int
	SmartAccountID   string
	VirtualAccountID string
	StartsAt, EndsAt *time.Time
}

// DepositInput is the ready lines of one order.
type DepositInput struct {
	OrderID string
	Lines   []DepositLine
}

// DepositOutcome is what the service answered for one line: its entitlement, or why not (Kind is one
// of models.Deposit…).
type DepositOutcome struct {
	Line          DepositLine
	EntitlementID string
	Kind, Error   string
}

// DepositResult is the outcome of each line, in the input's order.
type DepositResult struct {
	Outcomes []DepositOutcome
}

// Deposit deposits the lines, all at once. The service's answers, failures included, are the result:
// the order's process records them and paces the next attempt, so the service's errors are never
// retried here. A deposit is idempotent on order and line, so a retry of this activity after a crash
// deposits nothing twice.
func (p *Provisioner) Deposit(ctx context.Context, in DepositInput) (DepositResult, error) {
	out := DepositResult{Outcomes: make([]DepositOutcome, len(in.Lines))}
	var wg sync.WaitGroup
	for i, l := range in.Lines {
		wg.Go(func() {
			d := fulfillment.Deposit{OrderID: in.OrderID, LineID: l.LineID, SKU: l.SKU, Quantity: l.Quantity,
				SmartAccountID: l.SmartAccountID, VirtualAccountID: l.VirtualAccountID}
			if l.StartsAt != nil {
				d.StartsAt = *l.StartsAt
			}
			if l.EndsAt != nil {
				d.EndsAt = *l.EndsAt
			}
			e, err := p.Fulfillment.Deposit(ctx, d)
			out.Outcomes[i] = outcomeOf(l, e, err)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return DepositResult{}, err // the activity timed out or was cancelled: Temporal retries it
	}
	for _, o := range out.Outcomes {
		if o.Kind != "" {
			p.logger().Warn("deposit failed", "orderId", in.OrderID, "lineId", o.Line.LineID, "kind", o.Kind, "error", o.Error)
		}
	}
	return out, nil
}

func outcomeOf(l DepositLine, e fulfillment.Entitlement, err error) DepositOutcome {
	var rejected *fulfillment.RejectedError
	switch {
	case err == nil:
		return DepositOutcome{Line: l, EntitlementID: e.EntitlementID}
	case errors.As(err, &rejected):
		return DepositOutcome{Line: l, Kind: models.DepositRejected, Error: err.Error()}
	case fulfillment.Permanent(err):
		return DepositOutcome{Line: l, Kind: models.DepositPermanent, Error: err.Error()}
	}
	return DepositOutcome{Line: l, Kind: models.DepositTransient, Error: err.Error()}
}

func (p *Provisioner) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// RecordDepositsInput is the service's answers for an order's lines, and how many refusals of a SKU
// send its line to review.
type RecordDepositsInput struct {
	OrderID  string
	Outcomes []DepositOutcome
	Rejects  int
}

// RecordDeposits records each line's deposit: a deposited line is PROVISIONED with its licenses in its
// virtual account; a failed one counts the attempt and keeps its error (FULFILLMENT_ERROR), or goes to
// review (MANUAL_REVIEW) when the service will not take it. A line that moved since its deposit was
// asked for is left to the next attempt (the process never lets that happen: it deposits under its lock).
func (s *Store) RecordDeposits(ctx context.Context, in RecordDepositsInput) (models.OrderState, error) {
	return s.orderStep(ctx, in.OrderID, func(tx *gorm.DB, _ *models.Order, lines []models.OrderLine, now time.Time) ([]models.Event, error) {
		var evs []models.Event
		for _, o := range in.Outcomes {
			i := slices.IndexFunc(lines, func(l models.OrderLine) bool { return l.ID == o.Line.LineID })
			if i < 0 {
				return nil, refused("order %s has no line %s", in.OrderID, o.Line.LineID)
			}
			l := &lines[i]
			if !l.Ready() || l.SmartAccountID != o.Line.SmartAccountID || l.VirtualAccountID != o.Line.VirtualAccountID {
				continue
			}
			ev, err := recordDeposit(tx, l, o, in.Rejects, now)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	})
}

func recordDeposit(tx *gorm.DB, l *models.OrderLine, o DepositOutcome, rejects int, now time.Time) (models.Event, error) {
	if o.Kind == "" {
		lic := models.License{ID: models.NewID(), SmartAccountID: l.SmartAccountID, VirtualAccountID: l.VirtualAccountID,
			OrderID: l.OrderID, LineID: l.ID, SKU: l.SKU, Description: l.Description, Quantity: l.Quantity,
			Status: models.LicenseActive, StartsAt: l.ShippedAt, EndsAt: l.TermEnd(), CreatedAt: now, UpdatedAt: now}
		// Licenses held for the line (moved out of a holding account, or waiting for a provisional account)
		// become usable where they are; a line with none gets its licenses now.
		res := tx.Model(&models.License{}).Where("order_id = ? AND line_id = ? AND smart_account_id = ?", l.OrderID, l.ID, l.SmartAccountID).
			Updates(map[string]any{"status": models.LicenseActive, "updated_at": now})
		if res.Error != nil {
			return models.Event{}, fmt.Errorf("activate held licenses of %s/%s: %w", l.OrderID, l.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&lic).Error; err != nil {
				return models.Event{}, fmt.Errorf("record licenses of %s/%s: %w", l.OrderID, l.ID, err)
			}
		}
		attempt := l.ProvAttempts + 1
		l.Deposited(o.EntitlementID, now)
		return lineEvent(*l, "", models.EventLineProvisioned, map[string]any{"attempt": attempt,
			"licenseId": lic.ID, "entitlementId": o.EntitlementID, "smartAccountId": lic.SmartAccountID,
			"virtualAccountId": lic.VirtualAccountID, "quantity": lic.Quantity, "startsAt": lic.StartsAt, "endsAt": lic.EndsAt}), nil
	}
	reason := l.DepositFailed(o.Kind, o.Error, rejects, now)
	return lineEvent(*l, "", models.EventProvisionAttempt, map[string]any{"attempt": l.ProvAttempts, "kind": o.Kind,
		"error": o.Error, "delayReason": reason}), nil
}
