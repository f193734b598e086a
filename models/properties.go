package models

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
)

// PropertiesPatch is a change of an account's properties (FEATURES SA11); nil fields stay as they are.
type PropertiesPatch struct {
	Name          *string
	Headquarters  *Address
	Visibility    *Visibility
	SupportReason string
}

// UpdateAccountProperties renames an ACTIVE account, moves its headquarters or changes its visibility,
// each change with its event saying what it was and is, in one transaction.
func UpdateAccountProperties(ctx context.Context, db *gorm.DB, actor, saID string, p PropertiesPatch) (SmartAccount, error) {
	var out SmartAccount
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sa, err := FindSmartAccount(ctx, tx, saID)
		if err != nil {
			return err
		}
		if sa.Status != SAActive {
			return Errorf(CodeConflict, "the Smart Account is %s: its properties are edited once it is ACTIVE", sa.Status)
		}
		changes := map[string]any{}
		var evs []Event
		ev := func(action string, details map[string]any) {
			evs = append(evs, NewEvent(saID, TargetSmartAccount, saID, actor, action, withReason(details, p.SupportReason)))
		}
		if p.Name != nil && *p.Name != sa.Name {
			changes["name"] = *p.Name
			ev(EventSARenamed, map[string]any{"from": sa.Name, "name": *p.Name})
		}
		if p.Headquarters != nil && *p.Headquarters != sa.Headquarters {
			raw, _ := json.Marshal(*p.Headquarters)
			changes["headquarters"] = string(raw)
			ev(EventSAHeadquartersMoved, map[string]any{"from": sa.Headquarters, "headquarters": *p.Headquarters})
		}
		if p.Visibility != nil && *p.Visibility != sa.Visibility {
			changes["visibility"] = *p.Visibility
			ev(EventSAVisibilityChanged, map[string]any{"from": sa.Visibility, "visibility": *p.Visibility})
		}
		if len(changes) > 0 {
			now := Now()
			changes["updated_at"] = now
			if err := tx.Model(&SmartAccount{}).Where("id = ?", saID).Updates(changes).Error; err != nil {
				return fmt.Errorf("update smart account %s: %w", saID, err)
			}
			if err := WriteEvents(tx, now, evs...); err != nil {
				return err
			}
		}
		out, err = FindSmartAccount(ctx, tx, saID)
		return err
	})
	return out, err
}
