package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
)

// The store's part of Partner Holding Accounts (FEATURES HA1–HA3, NO2): the licenses of shipped lines
// held in a holding account, and the record of the holding accounts an order's lines were in.

// holdLicenses gives each shipped smart-license line in a holding account that has no licenses yet its
// licenses there, HELD (seed 003: visible, never usable there), with an event each. Their term runs
// from the shipment, wherever the line is provisioned later.
func holdLicenses(tx *gorm.DB, lines []models.OrderLine, actor string, now time.Time) ([]models.Event, error) {
	var due []models.OrderLine
	for _, l := range lines {
		if l.SmartLicense && l.ShippedAt != nil && l.AssignmentStatus == models.AssignInHolding &&
			l.ProvisioningStatus == models.ProvisionPending && l.DelayReason == models.DelayInHolding {
			due = append(due, l)
		}
	}
	if len(due) == 0 {
		return nil, nil
	}
	var have []string
	if err := tx.Model(&models.License{}).Distinct("line_id").Where("order_id = ?", due[0].OrderID).
		Pluck("line_id", &have).Error; err != nil {
		return nil, fmt.Errorf("licenses of %s: %w", due[0].OrderID, err)
	}
	var evs []models.Event
	for _, l := range due {
		if slices.Contains(have, l.ID) {
			continue
		}
		lic := models.License{ID: models.NewID(), SmartAccountID: l.SmartAccountID, VirtualAccountID: l.VirtualAccountID,
			OrderID: l.OrderID, LineID: l.ID, SKU: l.SKU, Description: l.Description, Quantity: l.Quantity,
			Status: models.LicenseHeld, StartsAt: l.ShippedAt, EndsAt: l.TermEnd(), CreatedAt: now, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&lic).Error; err != nil {
			return nil, fmt.Errorf("hold licenses of %s/%s: %w", l.OrderID, l.ID, err)
		}
		evs = append(evs, lineEvent(l, actor, models.EventLicensesHeld, map[string]any{"licenseId": lic.ID,
			"smartAccountId": lic.SmartAccountID, "virtualAccountId": lic.VirtualAccountID, "quantity": lic.Quantity,
			"startsAt": lic.StartsAt, "endsAt": lic.EndsAt}))
	}
	return evs, nil
}

// noteHoldings records the holding accounts the order's lines are in now; the record stays after they
// move on.
func noteHoldings(tx *gorm.DB, orderID string, lines []models.OrderLine, now time.Time) error {
	var rows []models.OrderHolding
	for _, l := range lines {
		if l.AssignmentStatus == models.AssignInHolding &&
			!slices.ContainsFunc(rows, func(r models.OrderHolding) bool { return r.SmartAccountID == l.SmartAccountID }) {
			rows = append(rows, models.OrderHolding{OrderID: orderID, SmartAccountID: l.SmartAccountID, CreatedAt: now})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("record holding accounts of %s: %w", orderID, err)
	}
	return nil
}

// recordDeposited records what an ingested order's lines were deposited in at the point of sale: the
// accounts holding them, the holding accounts, each line's assignment event and the licenses held for
// lines shipped already.
func recordDeposited(tx *gorm.DB, o models.Order, lines []models.OrderLine) ([]models.Event, error) {
	var evs []models.Event
	var holders []models.OrderAccount
	for _, l := range lines {
		if l.SmartAccountID == "" {
			continue
		}
		if !slices.ContainsFunc(holders, func(h models.OrderAccount) bool { return h.SmartAccountID == l.SmartAccountID }) {
			holders = append(holders, models.OrderAccount{SmartAccountID: l.SmartAccountID, OrderID: o.ID, BookedAt: o.BookedAt})
		}
		evs = append(evs, event(l.SmartAccountID, models.TargetOrderLine, o.ID+"/"+l.ID, models.RoleCommerce, models.EventLineAssigned,
			map[string]any{"orderId": o.ID, "lineId": l.ID, "sku": l.SKU, "via": "ingest",
				"to":           map[string]any{"smartAccountId": l.SmartAccountID, "virtualAccountId": l.VirtualAccountID, "status": l.AssignmentStatus},
				"provisioning": map[string]any{"status": l.ProvisioningStatus, "delayReason": l.DelayReason}}))
	}
	if len(holders) == 0 {
		return nil, nil
	}
	if err := tx.Create(&holders).Error; err != nil {
		return nil, fmt.Errorf("record holders of %s: %w", o.ID, err)
	}
	if err := noteHoldings(tx, o.ID, lines, o.CreatedAt); err != nil {
		return nil, err
	}
	held, err := holdLicenses(tx, lines, models.RoleCommerce, o.CreatedAt)
	return append(evs, held...), err
}

// HoldingMembersInput names the holding accounts whose members a mail goes to.
type HoldingMembersInput struct {
	SmartAccountIDs []string
}

// HoldingMembers lists the administrators and users of the holding accounts: whom the transfer task
// and the reminders go to.
func (s *Store) HoldingMembers(ctx context.Context, in HoldingMembersInput) ([]string, error) {
	return models.HoldingMembers(ctx, s.DB, in.SmartAccountIDs)
}

// FulfilledHoldingInput names an order that is fulfilled.
type FulfilledHoldingInput struct {
	OrderID string
}

// FulfilledHolding lists the members of every holding account the order's lines were in (FEATURES
// NO2), and records that they are told; the mail's key makes sure they are told once.
func (s *Store) FulfilledHolding(ctx context.Context, in FulfilledHoldingInput) ([]string, error) {
	var ids []string
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.OrderHolding{}).Where("order_id = ?", in.OrderID).Order("smart_account_id").
			Pluck("smart_account_id", &ids).Error; err != nil {
			return fmt.Errorf("holding accounts of %s: %w", in.OrderID, err)
		}
		return tx.Model(&models.OrderHolding{}).Where("order_id = ? AND fulfilled_mailed_at IS NULL", in.OrderID).
			Update("fulfilled_mailed_at", time.Now().UTC().Truncate(time.Microsecond)).Error
	})
	if err != nil {
		return nil, err
	}
	return models.HoldingMembers(ctx, s.DB, ids)
}
