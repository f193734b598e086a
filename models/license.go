package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LicenseScope is the part of an account's licenses a person sees: all of them (account roles, Cisco
// staff), or those of the virtual accounts they hold a role on.
type LicenseScope struct {
	All bool
	VAs []string
}

// LicenseScopeOf is what the roles on an account open: an account role opens every virtual account, a
// virtual account role that one.
func LicenseScopeOf(roles []AccountRole, internal bool) LicenseScope {
	s := LicenseScope{All: internal}
	for _, r := range roles {
		if r.VirtualAccountID == "" {
			s.All = true
		} else if !slices.Contains(s.VAs, r.VirtualAccountID) {
			s.VAs = append(s.VAs, r.VirtualAccountID)
		}
	}
	return s
}

// Empty reports whether the scope opens nothing.
func (s LicenseScope) Empty() bool { return !s.All && len(s.VAs) == 0 }

// LicenseFilter narrows an account's licenses to a virtual account or a SKU.
type LicenseFilter struct {
	VirtualAccountID, SKU string
}

// LicenseTotal is the quantity of a SKU in a status across the licenses listed.
type LicenseTotal struct {
	SKU      string        `gorm:"column:sku" json:"sku"`
	Status   LicenseStatus `json:"status"`
	Quantity int           `json:"quantity"`
}

// licenseQuery is the account's licenses in scope and filter.
func licenseQuery(ctx context.Context, db *gorm.DB, saID string, s LicenseScope, f LicenseFilter) *gorm.DB {
	q := db.WithContext(ctx).Table("licenses").Where("smart_account_id = ?", saID)
	if !s.All {
		q = q.Where("virtual_account_id IN ?", s.VAs)
	}
	if f.VirtualAccountID != "" {
		q = q.Where("virtual_account_id = ?", f.VirtualAccountID)
	}
	if f.SKU != "" {
		q = q.Where("sku = ?", strings.ToUpper(strings.TrimSpace(f.SKU)))
	}
	return q
}

// LicenseCursor is a keyset position in an account's licenses, by SKU then id.
type LicenseCursor struct{ SKU, ID string }

// Encode is the cursor as the API passes it.
func (c LicenseCursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.SKU + "|" + c.ID))
}

// DecodeLicenseCursor reads a cursor the API gave out.
func DecodeLicenseCursor(s string) (LicenseCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	sku, id, ok := strings.Cut(string(raw), "|")
	if err != nil || !ok || id == "" {
		return LicenseCursor{}, Invalid("after", "after is not a cursor this API gave out")
	}
	return LicenseCursor{SKU: sku, ID: id}, nil
}

// ListLicenses pages an account's licenses by SKU, and returns the next page's cursor, if any.
func ListLicenses(ctx context.Context, db *gorm.DB, saID string, s LicenseScope, f LicenseFilter, after *LicenseCursor,
	limit int) ([]License, *LicenseCursor, error) {
	if s.Empty() {
		return []License{}, nil, nil
	}
	q := licenseQuery(ctx, db, saID, s, f)
	if after != nil {
		q = q.Where("(sku, id) > (?, ?)", after.SKU, after.ID)
	}
	var out []License
	if err := q.Order("sku, id").Limit(limit + 1).Find(&out).Error; err != nil {
		return nil, nil, fmt.Errorf("list licenses of %s: %w", saID, err)
	}
	var next *LicenseCursor
	if len(out) > limit {
		out = out[:limit]
		next = &LicenseCursor{SKU: out[limit-1].SKU, ID: out[limit-1].ID}
	}
	now := time.Now()
	for i := range out {
		out[i].Status = out[i].StatusAt(now)
	}
	return out, next, nil
}

// LicenseTotals adds up an account's licenses in scope and filter by SKU and status, EXPIRED for those
// whose term ended by now.
func LicenseTotals(ctx context.Context, db *gorm.DB, saID string, s LicenseScope, f LicenseFilter) ([]LicenseTotal, error) {
	out := []LicenseTotal{}
	if s.Empty() {
		return out, nil
	}
	status := "CASE WHEN ends_at IS NOT NULL AND ends_at <= ? THEN 'EXPIRED' ELSE status END"
	err := licenseQuery(ctx, db, saID, s, f).
		Select("sku, "+status+" AS status, SUM(quantity) AS quantity", time.Now().UTC()).
		Group("1, 2").Order("1, 2").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("total licenses of %s: %w", saID, err)
	}
	return out, nil
}

// LicenseTransfer moves a quantity of a SKU's usable licenses between two virtual accounts of an account.
type LicenseTransfer struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// TransferLicenses moves the quantity in one transaction (once the account's notices were acknowledged), the licenses that end first first, and writes
// the account's event and each moved line's; it refuses a quantity the source does not hold, so no
// balance ever goes negative.
func TransferLicenses(ctx context.Context, db *gorm.DB, actor, saID string, t LicenseTransfer) ([]License, error) {
	t.SKU = strings.ToUpper(strings.TrimSpace(t.SKU))
	switch {
	case t.SKU == "":
		return nil, Invalid("sku", "sku is required")
	case t.Quantity < 1:
		return nil, Invalid("quantity", "quantity must be at least 1")
	case t.From == "":
		return nil, Invalid("from", "from (the virtual account the licenses leave) is required")
	case t.To == "":
		return nil, Invalid("to", "to (the virtual account the licenses go to) is required")
	case t.From == t.To:
		return nil, Invalid("to", "the licenses are already in %s", t.To)
	}
	var moved []License
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c := tx.Statement.Context
		sa, err := accountType(tx, saID)
		if err != nil {
			return err
		}
		if sa.Type == SATypeHolding {
			return ErrHeldLicenses(sa.Name)
		}
		// A licensing operation waits for the account's notices (FEATURES SA11).
		if err := requireNotices(tx, saID); err != nil {
			return err
		}
		for _, f := range []struct{ field, id string }{{"from", t.From}, {"to", t.To}} {
			if _, err := FindVirtualAccount(c, tx, saID, f.id); err != nil {
				return Invalid(f.field, "%s has no virtual account %s", saID, f.id)
			}
		}
		now := Now()
		q := tx.Where("smart_account_id = ? AND virtual_account_id = ? AND sku = ? AND status = ? AND (ends_at IS NULL OR ends_at > ?)",
			saID, t.From, t.SKU, LicenseActive, now)
		if tx.Dialector.Name() == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var rows []License
		if err := q.Order("ends_at IS NULL, ends_at, created_at, id").Find(&rows).Error; err != nil {
			return fmt.Errorf("read licenses to transfer: %w", err)
		}
		have := 0
		for _, r := range rows {
			have += r.Quantity
		}
		if have < t.Quantity {
			return &Error{Code: CodeConflict, Field: "quantity", Message: fmt.Sprintf(
				"%s holds %d usable %s; %d cannot be transferred", t.From, have, t.SKU, t.Quantity),
				Details: map[string]any{"available": have}}
		}
		left := t.Quantity
		var evs []Event
		for _, r := range rows {
			if left == 0 {
				break
			}
			n := min(left, r.Quantity)
			left -= n
			to, err := moveLicenses(tx, r, n, saID, t.To, now)
			if err != nil {
				return err
			}
			moved = append(moved, to)
			evs = append(evs, NewEvent(saID, TargetOrderLine, r.OrderID+"/"+r.LineID, actor, EventLicensesMoved,
				map[string]any{"orderId": r.OrderID, "lineId": r.LineID, "sku": r.SKU, "quantity": n, "why": "transfer",
					"from": map[string]any{"smartAccountId": saID, "virtualAccountId": t.From},
					"to":   map[string]any{"smartAccountId": saID, "virtualAccountId": t.To}}))
		}
		evs = append(evs, NewEvent(saID, TargetLicense, saID, actor, EventLicensesTransferred,
			map[string]any{"sku": t.SKU, "quantity": t.Quantity, "from": t.From, "to": t.To}))
		return WriteEvents(tx, now, evs...)
	})
	return moved, err
}

// moveLicenses takes n of a license row to another place and returns the row there: it adds to the
// line's row already there, and the source row goes when nothing is left in it.
func moveLicenses(tx *gorm.DB, from License, n int, saID, vaID string, now time.Time) (License, error) {
	if n == from.Quantity {
		if err := tx.Delete(&License{}, "id = ?", from.ID).Error; err != nil {
			return License{}, fmt.Errorf("move license %s: %w", from.ID, err)
		}
	} else if err := tx.Model(&License{}).Where("id = ?", from.ID).
		Updates(map[string]any{"quantity": gorm.Expr("quantity - ?", n), "updated_at": now}).Error; err != nil {
		return License{}, fmt.Errorf("move license %s: %w", from.ID, err)
	}
	to := from
	to.ID, to.SmartAccountID, to.VirtualAccountID, to.Quantity, to.CreatedAt, to.UpdatedAt = NewID(), saID, vaID, n, now, now
	if err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "order_id"}, {Name: "line_id"}, {Name: "smart_account_id"}, {Name: "virtual_account_id"}},
		DoUpdates: clause.Assignments(map[string]any{"quantity": gorm.Expr("licenses.quantity + ?", n), "updated_at": now}),
	}).Create(&to).Error; err != nil {
		return License{}, fmt.Errorf("move licenses to %s: %w", vaID, err)
	}
	return to, nil
}

// MoveLineLicenses moves every license of a line to another account and virtual account (a support
// reassignment of a provisioned line, or a held line's transfer out of a holding account: why), with
// the status the new account gives it, and returns the line's event.
func MoveLineLicenses(tx *gorm.DB, l OrderLine, saID, vaID string, status LicenseStatus, actor, why, reason string,
	now time.Time) ([]Event, error) {
	var rows []License
	if err := tx.Where("order_id = ? AND line_id = ?", l.OrderID, l.ID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read licenses of %s/%s: %w", l.OrderID, l.ID, err)
	}
	var evs []Event
	for _, r := range rows {
		if r.SmartAccountID == saID && r.VirtualAccountID == vaID {
			continue
		}
		r.Status = status
		if _, err := moveLicenses(tx, r, r.Quantity, saID, vaID, now); err != nil {
			return nil, err
		}
		evs = append(evs, NewEvent(saID, TargetOrderLine, l.OrderID+"/"+l.ID, actor, EventLicensesMoved,
			map[string]any{"orderId": l.OrderID, "lineId": l.ID, "sku": r.SKU, "quantity": r.Quantity, "why": why, "status": status,
				"reason": reason, "from": map[string]any{"smartAccountId": r.SmartAccountID, "virtualAccountId": r.VirtualAccountID},
				"to": map[string]any{"smartAccountId": saID, "virtualAccountId": vaID}}))
	}
	return evs, nil
}
