package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// chunk bounds the ids of one IN list, well under both databases' parameter limits.
const chunk = 500

// FindOrder reads an order and its lines in their booked order.
func FindOrder(ctx context.Context, db *gorm.DB, id string) (Order, []OrderLine, error) {
	o, err := findByID[Order](ctx, db, id, "order")
	if err != nil {
		return o, nil, err
	}
	var lines []OrderLine
	if err := db.WithContext(ctx).Where("order_id = ?", id).Order("position").Find(&lines).Error; err != nil {
		return o, nil, fmt.Errorf("read lines of %s: %w", id, err)
	}
	return o, lines, nil
}

// OrdersByID reads many orders with their lines; unknown ids are simply absent from the answer.
func OrdersByID(ctx context.Context, db *gorm.DB, ids []string) (map[string]Order, map[string][]OrderLine, error) {
	orders := make(map[string]Order, len(ids))
	lines := make(map[string][]OrderLine, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		var os []Order
		if err := db.WithContext(ctx).Where("id IN ?", part).Find(&os).Error; err != nil {
			return nil, nil, fmt.Errorf("read orders: %w", err)
		}
		for _, o := range os {
			orders[o.ID] = o
		}
		var ls []OrderLine
		if err := db.WithContext(ctx).Where("order_id IN ?", part).Order("order_id, position").Find(&ls).Error; err != nil {
			return nil, nil, fmt.Errorf("read order lines: %w", err)
		}
		for _, l := range ls {
			lines[l.OrderID] = append(lines[l.OrderID], l)
		}
	}
	return orders, lines, nil
}

// PendingDelegations lists the delegations still PENDING of the given orders, by order.
func PendingDelegations(ctx context.Context, db *gorm.DB, orderIDs []string) (map[string][]OrderDelegation, error) {
	out := map[string][]OrderDelegation{}
	for start := 0; start < len(orderIDs); start += chunk {
		part := orderIDs[start:min(start+chunk, len(orderIDs))]
		var ds []OrderDelegation
		if err := db.WithContext(ctx).Where("order_id IN ? AND status = ?", part, DelegationPending).
			Order("created_at, id").Find(&ds).Error; err != nil {
			return nil, fmt.Errorf("read delegations: %w", err)
		}
		for _, d := range ds {
			out[d.OrderID] = append(out[d.OrderID], d)
		}
	}
	return out, nil
}

// OrderDelegations lists every delegation of an order, oldest first.
func OrderDelegations(ctx context.Context, db *gorm.DB, orderID string) ([]OrderDelegation, error) {
	var ds []OrderDelegation
	if err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("created_at, id").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("delegations of %s: %w", orderID, err)
	}
	return ds, nil
}

// FindDelegation reads one delegation.
func FindDelegation(ctx context.Context, db *gorm.DB, id string) (OrderDelegation, error) {
	return findByID[OrderDelegation](ctx, db, id, "delegation")
}

// DelegatedOrderIDs lists the orders an address is an active delegate of.
func DelegatedOrderIDs(ctx context.Context, db *gorm.DB, email string, now time.Time) ([]string, error) {
	var ids []string
	err := db.WithContext(ctx).Model(&OrderDelegation{}).Where("delegate = ? AND status = ? AND expires_at > ?",
		NormalizeEmail(email), DelegationPending, now.UTC()).Pluck("order_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("delegations of %s: %w", email, err)
	}
	return ids, nil
}

// MemberAccountIDs lists the accounts where an address holds any effective role.
func MemberAccountIDs(ctx context.Context, db *gorm.DB, email string) ([]string, error) {
	var ids []string
	err := AccountsOf(ctx, db, email).Pluck("smart_account_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("accounts of %s: %w", email, err)
	}
	return ids, nil
}

// HeldBy reports whether any line of the order sits in one of the accounts.
func HeldBy(lines []OrderLine, accountIDs []string) bool {
	for _, l := range lines {
		for _, id := range accountIDs {
			if l.SmartAccountID != "" && l.SmartAccountID == id {
				return true
			}
		}
	}
	return false
}

// AccountNames maps account ids to names, and virtual account ids to names, for the answers.
func AccountNames(ctx context.Context, db *gorm.DB, saIDs, vaIDs []string) (map[string]string, error) {
	out := map[string]string{}
	type row struct{ ID, Name string }
	for _, q := range []struct {
		table string
		ids   []string
	}{{"smart_accounts", saIDs}, {"virtual_accounts", vaIDs}} {
		if len(q.ids) == 0 {
			continue
		}
		var rows []row
		if err := db.WithContext(ctx).Table(q.table).Select("id, name").Where("id IN ?", q.ids).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("names from %s: %w", q.table, err)
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}
