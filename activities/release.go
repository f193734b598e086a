package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"go.temporal.io/sdk/activity"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Releaser tells the orders an account held that it is ACTIVE (FEATURES PR2): the account's process
// runs it once the account activates, so nothing polls for held lines.
type Releaser struct {
	DB     *gorm.DB
	Orders *process.Client
	Log    *slog.Logger
}

// ReleaseInput names the account that became ACTIVE.
type ReleaseInput struct {
	SmartAccountID string
}

// ReleaseHeld signals each order with lines held for the account, or waiting for an account of its
// partner's domain; an order's process that is not running is started from the database. A retry
// signals again, which changes nothing: the order's process reads the account afresh. It returns how many orders it told.
func (r *Releaser) ReleaseHeld(ctx context.Context, in ReleaseInput) (int, error) {
	var ids []string
	if err := r.DB.WithContext(ctx).Model(&models.OrderLine{}).Distinct("order_id").
		Where("smart_account_id = ? AND provisioning_status = ? AND delay_reason = ?",
			in.SmartAccountID, models.ProvisionPending, models.DelaySmartAccountPending).
		Order("order_id").Pluck("order_id", &ids).Error; err != nil {
		return 0, fmt.Errorf("orders held for %s: %w", in.SmartAccountID, err)
	}
	// The orders whose partner-services lines wait for an account of this one's domain: the order's
	// process finds the account and moves them there (issue 13, item 6).
	var sa models.SmartAccount
	if err := r.DB.WithContext(ctx).Select("id", "tld").Where("id = ?", in.SmartAccountID).Take(&sa).Error; err != nil &&
		!errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, fmt.Errorf("read account %s: %w", in.SmartAccountID, err)
	}
	if sa.TLD != "" {
		waiting, err := models.OrdersAwaitingPartner(ctx, r.DB, sa.TLD)
		if err != nil {
			return 0, err
		}
		for _, id := range waiting {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	for i, id := range ids {
		st, err := models.LoadOrderState(ctx, r.DB, id)
		if err != nil {
			return i, err
		}
		if err := r.Orders.AccountActive(ctx, st, in.SmartAccountID); err != nil {
			return i, fmt.Errorf("release order %s: %w", id, err)
		}
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
	}
	if len(ids) > 0 {
		r.logger().Info("held orders released", "smartAccountId", in.SmartAccountID, "orders", len(ids))
	}
	return len(ids), nil
}

func (r *Releaser) logger() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// TellHoldingInput is what an order's process tells its holding-transfer process after a change.
type TellHoldingInput struct {
	Order process.HoldingInput
	Now   process.HoldingNow
}

// TellHolding tells an order's holding-transfer process which holding accounts hold the order's lines
// now (FEATURES HA2), starting it when lines landed in one. A retry tells the same again.
func (r *Releaser) TellHolding(ctx context.Context, in TellHoldingInput) error {
	if err := r.Orders.TellHolding(ctx, in.Order, in.Now); err != nil {
		return fmt.Errorf("tell holding transfer of %s: %w", in.Order.OrderID, err)
	}
	return nil
}
