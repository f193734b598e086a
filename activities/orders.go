package activities

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// RecordOrderResult is the order as recorded. Conflict tells that the order id was already recorded
// with other content, which the state then shows.
type RecordOrderResult struct {
	State    models.OrderState
	Created  bool
	Conflict bool
}

// RecordOrder records an ingested order, its lines, its search keys and its event in one transaction.
// The order id is the idempotency key: a retry, or the same order sent again, finds it recorded.
func (s *Store) RecordOrder(ctx context.Context, in process.IngestInput) (RecordOrderResult, error) {
	var out RecordOrderResult
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&in.Order)
		if res.Error != nil {
			return fmt.Errorf("insert order %s: %w", in.Order.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			st, err := models.LoadOrderState(tx.Statement.Context, tx, in.Order.ID)
			out = RecordOrderResult{State: st, Conflict: st.Order.PayloadHash != in.Order.PayloadHash}
			return err
		}
		if err := tx.CreateInBatches(in.Lines, 200).Error; err != nil {
			return fmt.Errorf("insert lines of %s: %w", in.Order.ID, err)
		}
		if keys := models.SearchKeys(in.Order, in.Lines); len(keys) > 0 {
			if err := tx.Create(&keys).Error; err != nil {
				return fmt.Errorf("insert search keys of %s: %w", in.Order.ID, err)
			}
		}
		o := in.Order
		if err := addRollups(tx, models.RollupOf(o, 1)); err != nil {
			return err
		}
		if err := models.AddScopeRollups(tx, models.ScopeRollupsOf(o, 1)); err != nil {
			return err
		}
		deposited, err := recordDeposited(tx, o, in.Lines)
		if err != nil {
			return err
		}
		ingested := event("", models.TargetOrder, o.ID, models.RoleCommerce, models.EventOrderIngested,
			map[string]any{"type": o.Type, "purchaseOrder": o.PurchaseOrder, "fulfillmentContact": o.FulfillmentContact,
				"lines": len(in.Lines), "reseller": o.ResellerDomain, "distributor": o.DistributorDomain})
		if err := writeEvents(tx, o.CreatedAt, append([]models.Event{ingested}, deposited...)...); err != nil {
			return err
		}
		out = RecordOrderResult{State: models.OrderState{Order: in.Order, Lines: in.Lines, Delegations: []models.OrderDelegation{}}, Created: true}
		return nil
	})
	if err != nil {
		return RecordOrderResult{}, err
	}
	if out.Created {
		s.logger().Info("order recorded", "orderId", in.Order.ID, "type", in.Order.Type, "lines", len(in.Lines))
	}
	return out, nil
}

// AssignLinesInput is a planned assignment of an order's lines, with who made it and how.
type AssignLinesInput struct {
	OrderID string
	Changes []models.LineTarget
	Actor   string
	// As is how the actor is entitled to the order (models.As…); Via is api or email.
	As, Via, Reason string
	// DelegationID is the delegation used, when the actor is its delegate.
	DelegationID string
	// TokenID is the emailed link the assignment came through; Outcome what its page says it did.
	TokenID, Outcome string
}

// AssignLinesResult is the order after the assignment and the lines it moved.
type AssignLinesResult struct {
	State   models.OrderState
	Changed []string
}

// refused tells the workflow, without retries (a domain error is final), that a rule refuses the write
// now.
func refused(format string, args ...any) error {
	return process.EncodeError(models.Errorf(models.CodeRefused, format, args...))
}

// AssignOrderLines moves lines to their accounts in one transaction: each line with its event, the
// order's roll-up, the accounts that hold the order, and the delegation used. Lines already where the
// plan puts them are left alone, so a retry changes nothing twice. The accounts are checked again here:
// one declined or expired since the plan refuses the whole write.
func (s *Store) AssignOrderLines(ctx context.Context, in AssignLinesInput) (AssignLinesResult, error) {
	var out AssignLinesResult
	var err error
	out.State, err = s.orderTx(ctx, in.OrderID, func(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) error {
		facts, err := targetFacts(tx, in.Changes)
		if err != nil {
			return err
		}
		// The delegation is taken first: its process may have expired it, or the contact revoked it,
		// since the order's process checked it; then the write has no entitlement and moves nothing.
		var used []models.Event
		if in.DelegationID != "" {
			if used, err = useDelegation(tx, in.DelegationID, in.Actor, now); err != nil {
				return err
			}
		}
		var evs []models.Event
		for _, ch := range in.Changes {
			i := slices.IndexFunc(lines, func(l models.OrderLine) bool { return l.ID == ch.LineID })
			if i < 0 {
				return refused("order %s has no line %s", in.OrderID, ch.LineID)
			}
			l := &lines[i]
			if l.SmartAccountID == ch.SmartAccountID && l.VirtualAccountID == ch.VirtualAccountID {
				continue
			}
			from := map[string]any{"smartAccountId": l.SmartAccountID, "virtualAccountId": l.VirtualAccountID, "status": l.AssignmentStatus}
			f := facts[ch.SmartAccountID]
			action := models.EventLineAssigned
			if l.SmartAccountID != "" {
				action = models.EventLineReassigned
			}
			l.SmartAccountID, l.VirtualAccountID = ch.SmartAccountID, ch.VirtualAccountID
			l.AssignmentStatus = models.AssignAssigned
			if f.Type == models.SATypeHolding {
				l.AssignmentStatus = models.AssignInHolding
			}
			l.Reprovision(&f, now)
			switch {
			case l.ProvisioningStatus == models.ProvisionProvisioned && l.SmartLicense:
				// A support reassignment of a provisioned line: its licenses go with it, usable only in
				// an ACTIVE account.
				if f.Status != models.SAActive || f.Type == models.SATypeHolding {
					return refused("line %s of order %s is provisioned: its licenses can move to an ACTIVE customer account only", l.ID, o.ID)
				}
				moved, err := models.MoveLineLicenses(tx, *l, l.SmartAccountID, l.VirtualAccountID, models.LicenseActive, in.Actor,
					"reassignment", in.Reason, now)
				if err != nil {
					return err
				}
				evs = append(evs, moved...)
			case l.ShippedAt != nil && l.SmartLicense:
				// A shipped line leaving a holding account (FEATURES HA3): its held licenses go with it, in
				// the same transaction, and stay held until the line is provisioned there.
				moved, err := models.MoveLineLicenses(tx, *l, l.SmartAccountID, l.VirtualAccountID, models.LicenseHeld, in.Actor,
					"transfer", in.Reason, now)
				if err != nil {
					return err
				}
				evs = append(evs, moved...)
			}
			l.AssignedBy, l.AssignedAt = in.Actor, &now
			if err := saveLine(tx, l, now); err != nil {
				return err
			}
			details := map[string]any{"orderId": o.ID, "lineId": l.ID, "sku": l.SKU, "from": from,
				"to":           map[string]any{"smartAccountId": l.SmartAccountID, "virtualAccountId": l.VirtualAccountID, "status": l.AssignmentStatus},
				"provisioning": map[string]any{"status": l.ProvisioningStatus, "delayReason": l.DelayReason},
				"as":           in.As, "via": in.Via}
			if in.Reason != "" {
				details["reason"] = in.Reason
			}
			if in.DelegationID != "" {
				details["delegationId"] = in.DelegationID
			}
			evs = append(evs, event(l.SmartAccountID, models.TargetOrderLine, o.ID+"/"+l.ID, in.Actor, action, details))
			out.Changed = append(out.Changed, l.ID)
		}
		if len(out.Changed) > 0 {
			if err := rollUpOrder(tx, o, lines, now); err != nil {
				return err
			}
			if err := partnerWaitEnds(tx, o, lines); err != nil {
				return err
			}
			held, err := holdLicenses(tx, lines, in.Actor, now)
			if err != nil {
				return err
			}
			evs = append(evs, held...)
		}
		evs = append(evs, used...)
		if err := writeEvents(tx, now, evs...); err != nil {
			return err
		}
		return useLink(tx, in.TokenID, in.Outcome, now)
	})
	if err != nil {
		return AssignLinesResult{}, err
	}
	if len(out.Changed) > 0 {
		s.logger().Info("order lines assigned", "orderId", in.OrderID, "lines", len(out.Changed), "by", in.Actor, "as", in.As,
			"status", out.State.Order.AssignmentStatus)
	}
	return out, nil
}

// saveLine writes what the processes change on a line: its assignment and its provisioning.
func saveLine(tx *gorm.DB, l *models.OrderLine, now time.Time) error {
	l.UpdatedAt = now
	if err := tx.Model(&models.OrderLine{}).Where("order_id = ? AND id = ?", l.OrderID, l.ID).Updates(map[string]any{
		"assignment_status": l.AssignmentStatus, "smart_account_id": l.SmartAccountID,
		"virtual_account_id": l.VirtualAccountID, "assigned_by": l.AssignedBy, "assigned_at": l.AssignedAt,
		"provisioning_status": l.ProvisioningStatus, "delay_reason": l.DelayReason, "shipped_at": l.ShippedAt,
		"pending_since": l.PendingSince, "reason_since": l.ReasonSince, "prov_attempts": l.ProvAttempts, "prov_rejects": l.ProvRejects,
		"prov_error": l.ProvError, "provisioned_at": l.ProvisionedAt, "stuck_at": l.StuckAt,
		"entitlement_id": l.EntitlementID, "updated_at": now,
	}).Error; err != nil {
		return fmt.Errorf("write line %s/%s: %w", l.OrderID, l.ID, err)
	}
	return nil
}

// targetFacts reads the accounts a plan moves lines to, and checks each virtual account belongs to its
// account and each account may still receive orders.
func targetFacts(tx *gorm.DB, changes []models.LineTarget) (map[string]models.AccountFacts, error) {
	var saIDs, vaIDs []string
	for _, ch := range changes {
		if !slices.Contains(saIDs, ch.SmartAccountID) {
			saIDs = append(saIDs, ch.SmartAccountID)
		}
		if !slices.Contains(vaIDs, ch.VirtualAccountID) {
			vaIDs = append(vaIDs, ch.VirtualAccountID)
		}
	}
	out := map[string]models.AccountFacts{}
	if len(saIDs) == 0 {
		return out, nil
	}
	var sas []models.SmartAccount
	if err := tx.Where("id IN ?", saIDs).Find(&sas).Error; err != nil {
		return nil, fmt.Errorf("read target accounts: %w", err)
	}
	for _, sa := range sas {
		if !models.Assignable(sa.Status) {
			return nil, refused("the Smart Account %s is %s: orders can be assigned to ACTIVE or pending accounts only", sa.Name, sa.Status)
		}
		out[sa.ID] = models.AccountFacts{Status: sa.Status, Type: sa.Type}
	}
	var vas []models.VirtualAccount
	if err := tx.Where("id IN ?", vaIDs).Find(&vas).Error; err != nil {
		return nil, fmt.Errorf("read target virtual accounts: %w", err)
	}
	for _, ch := range changes {
		if _, ok := out[ch.SmartAccountID]; !ok {
			return nil, refused("no Smart Account %s", ch.SmartAccountID)
		}
		if !slices.ContainsFunc(vas, func(v models.VirtualAccount) bool {
			return v.ID == ch.VirtualAccountID && v.SmartAccountID == ch.SmartAccountID
		}) {
			return nil, refused("the virtual account %s is not in the Smart Account %s", ch.VirtualAccountID, ch.SmartAccountID)
		}
	}
	return out, nil
}

// rollUpOrder rewrites the order's roll-up (and moves it between the day's roll-up rows and its
// domains' rows) and the accounts holding its lines.
func rollUpOrder(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) error {
	before, scopeBefore := models.RollupOf(*o, -1), models.ScopeRollupsOf(*o, -1)
	o.ApplyRollUp(lines)
	o.UpdatedAt = now
	if err := addRollups(tx, before, models.RollupOf(*o, 1)); err != nil {
		return err
	}
	if err := models.AddScopeRollups(tx, append(scopeBefore, models.ScopeRollupsOf(*o, 1)...)); err != nil {
		return err
	}
	if err := tx.Model(&models.Order{}).Where("id = ?", o.ID).Updates(map[string]any{
		"assignment_status": o.AssignmentStatus, "lines_not_started": o.LinesNotStarted, "lines_pending": o.LinesPending,
		"lines_provisioned": o.LinesProvisioned, "lines_failed": o.LinesFailed, "updated_at": now,
		"lines_no_account": o.LinesNoAccount, "lines_account_pending": o.LinesAccountPending,
		"lines_in_holding": o.LinesInHolding, "lines_awaiting_shipment": o.LinesAwaitingShipment,
		"lines_fulfillment_error": o.LinesFulfillmentError, "lines_manual_review": o.LinesManualReview,
	}).Error; err != nil {
		return fmt.Errorf("roll up order %s: %w", o.ID, err)
	}
	if err := tx.Where("order_id = ?", o.ID).Delete(&models.OrderAccount{}).Error; err != nil {
		return fmt.Errorf("clear holders of %s: %w", o.ID, err)
	}
	var holders []models.OrderAccount
	for _, l := range lines {
		if l.SmartAccountID != "" && !slices.ContainsFunc(holders, func(h models.OrderAccount) bool { return h.SmartAccountID == l.SmartAccountID }) {
			holders = append(holders, models.OrderAccount{SmartAccountID: l.SmartAccountID, OrderID: o.ID, BookedAt: o.BookedAt})
		}
	}
	if len(holders) > 0 {
		if err := tx.Create(&holders).Error; err != nil {
			return fmt.Errorf("record holders of %s: %w", o.ID, err)
		}
	}
	return noteHoldings(tx, o.ID, lines, now)
}

// CreateDelegationInput is a fulfillment contact's delegation of an order's assignment.
type CreateDelegationInput struct {
	Delegation models.OrderDelegation
	// TokenID is the emailed link the delegation came through (the contact's assignment task): its store
	// step uses it up, saying Outcome.
	TokenID, Outcome string
}

// CreateDelegation records a delegation and its event; the delegation id makes a retry find it.
func (s *Store) CreateDelegation(ctx context.Context, in CreateDelegationInput) (models.OrderDelegation, error) {
	d := in.Delegation
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&d)
		if res.Error != nil {
			return fmt.Errorf("insert delegation %s: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			var err error
			d, err = models.FindDelegation(tx.Statement.Context, tx, d.ID)
			return err
		}
		if err := useLink(tx, in.TokenID, in.Outcome, d.CreatedAt); err != nil {
			return err
		}
		return writeEvents(tx, d.CreatedAt, event("", models.TargetOrderDelegation, d.ID, d.Delegator, models.EventDelegationCreated,
			map[string]any{"orderId": d.OrderID, "delegate": d.Delegate, "note": d.Note, "expiresAt": d.ExpiresAt}))
	})
	if err != nil {
		return models.OrderDelegation{}, err
	}
	s.logger().Info("order delegated", "orderId", d.OrderID, "delegationId", d.ID)
	return d, nil
}

// CloseDelegationInput ends a PENDING delegation: REVOKED by the actor (with a reason for support), or
// EXPIRED.
type CloseDelegationInput struct {
	DelegationID string
	Status       models.DelegationStatus
	Actor        string
	Reason       string
}

// CloseDelegation ends a delegation that is still PENDING, with its event; one already closed is
// returned as it is.
func (s *Store) CloseDelegation(ctx context.Context, in CloseDelegationInput) (models.OrderDelegation, error) {
	var d models.OrderDelegation
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		evs, err := closeDelegation(tx, in.DelegationID, in.Status, in.Actor, in.Reason, now)
		if err != nil {
			return err
		}
		if err := writeEvents(tx, now, evs...); err != nil {
			return err
		}
		d, err = models.FindDelegation(tx.Statement.Context, tx, in.DelegationID)
		return err
	})
	if err != nil {
		return models.OrderDelegation{}, err
	}
	s.logger().Info("delegation closed", "delegationId", d.ID, "orderId", d.OrderID, "status", d.Status)
	return d, nil
}

// useDelegation marks the delegation an assignment goes through as USED by its delegate, and returns
// its event. A delegation no longer PENDING, or past its expiry, refuses the write (GONE), unless this
// very write already used it (a retry), which changes nothing.
func useDelegation(tx *gorm.DB, id, actor string, now time.Time) ([]models.Event, error) {
	res := tx.Model(&models.OrderDelegation{}).Where("id = ? AND status = ? AND expires_at > ?", id, models.DelegationPending, now).
		Updates(map[string]any{"status": models.DelegationUsed, "closed_by": actor, "closed_at": now, "reason": ""})
	if res.Error != nil {
		return nil, fmt.Errorf("use delegation %s: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return []models.Event{event("", models.TargetOrderDelegation, id, actor, models.EventDelegationUsed,
			map[string]any{"status": models.DelegationUsed})}, nil
	}
	d, err := models.FindDelegation(tx.Statement.Context, tx, id)
	switch {
	case models.ErrorCode(err) == models.CodeNotFound:
		return nil, models.Errorf(models.CodeGone, "no delegation %s", id)
	case err != nil:
		return nil, err
	case d.Status == models.DelegationUsed && d.ClosedBy == actor:
		return nil, nil
	}
	state := strings.ToLower(string(d.Status))
	if d.Status == models.DelegationPending {
		state = "expired"
	}
	return nil, models.Errorf(models.CodeGone, "the delegation %s is %s: nothing can be assigned through it", id, state)
}

var delegationEvents = map[models.DelegationStatus]string{
	models.DelegationUsed: models.EventDelegationUsed, models.DelegationRevoked: models.EventDelegationRevoked,
	models.DelegationExpired: models.EventDelegationExpired,
}

// closeDelegation moves a PENDING delegation to status and returns its event; nothing when it is no
// longer PENDING.
func closeDelegation(tx *gorm.DB, id string, status models.DelegationStatus, actor, reason string, now time.Time) ([]models.Event, error) {
	res := tx.Model(&models.OrderDelegation{}).Where("id = ? AND status = ?", id, models.DelegationPending).
		Updates(map[string]any{"status": status, "closed_by": actor, "closed_at": now, "reason": reason})
	if res.Error != nil {
		return nil, fmt.Errorf("close delegation %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	details := map[string]any{"status": status}
	if reason != "" {
		details["reason"] = reason
	}
	return []models.Event{event("", models.TargetOrderDelegation, id, actor, delegationEvents[status], details)}, nil
}

// addRollups adds deltas to the roll-up rows, merged by row and in the rows' order, so two writers
// moving orders between the same rows take their locks in the same order and never deadlock.
func addRollups(tx *gorm.DB, deltas ...models.OrderRollup) error {
	type key struct {
		day    string
		status models.AssignmentStatus
		typ    models.OrderType
	}
	merged := map[key]models.OrderRollup{}
	var keys []key
	for _, d := range deltas {
		k := key{d.BookedDay, d.AssignmentStatus, d.Type}
		m, seen := merged[k]
		if !seen {
			keys = append(keys, k)
			m = models.OrderRollup{BookedDay: d.BookedDay, AssignmentStatus: d.AssignmentStatus, Type: d.Type}
		}
		merged[k] = m.Plus(d)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.status, b.status), cmp.Compare(a.typ, b.typ))
	})
	for _, k := range keys {
		m := merged[k]
		if m == (models.OrderRollup{BookedDay: m.BookedDay, AssignmentStatus: m.AssignmentStatus, Type: m.Type}) {
			continue
		}
		c := m.DelayCounts
		if err := tx.Exec(`INSERT INTO order_rollups (booked_day, assignment_status, type, orders, lines_not_started,
			lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending, lines_in_holding,
			lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (booked_day, assignment_status, type) DO UPDATE SET orders = order_rollups.orders + excluded.orders,
			lines_not_started = order_rollups.lines_not_started + excluded.lines_not_started,
			lines_pending = order_rollups.lines_pending + excluded.lines_pending,
			lines_provisioned = order_rollups.lines_provisioned + excluded.lines_provisioned,
			lines_failed = order_rollups.lines_failed + excluded.lines_failed,
			lines_no_account = order_rollups.lines_no_account + excluded.lines_no_account,
			lines_account_pending = order_rollups.lines_account_pending + excluded.lines_account_pending,
			lines_in_holding = order_rollups.lines_in_holding + excluded.lines_in_holding,
			lines_awaiting_shipment = order_rollups.lines_awaiting_shipment + excluded.lines_awaiting_shipment,
			lines_fulfillment_error = order_rollups.lines_fulfillment_error + excluded.lines_fulfillment_error,
			lines_manual_review = order_rollups.lines_manual_review + excluded.lines_manual_review`,
			m.BookedDay, m.AssignmentStatus, m.Type, m.Orders, m.LinesNotStarted, m.LinesPending, m.LinesProvisioned,
			m.LinesFailed, c.LinesNoAccount, c.LinesAccountPending, c.LinesInHolding, c.LinesAwaitingShipment,
			c.LinesFulfillmentError, c.LinesManualReview).Error; err != nil {
			return fmt.Errorf("roll-up of %s: %w", m.BookedDay, err)
		}
	}
	return nil
}
