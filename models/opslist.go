package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// PendingFilter narrows the ops list of pending lines (FEATURES PR3): to one delay reason, one Smart
// Account, the lines pending since Before or earlier (the API's olderThan), or the stuck ones.
type PendingFilter struct {
	Reason         DelayReason
	SmartAccountID string
	Before         *time.Time
	Stuck          bool
}

// PendingCursor is a keyset position in the ops list: the last line of a page, oldest pending first.
type PendingCursor struct {
	Since   time.Time
	OrderID string
	LineID  string
}

// Encode is the cursor as the API passes it.
func (c PendingCursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.Since.UTC().Format(time.RFC3339Nano) + "|" + c.OrderID + "|" + c.LineID))
}

// DecodePendingCursor reads a cursor the API gave out. Order ids hold no '|', so the line id is the rest.
func DecodePendingCursor(s string) (PendingCursor, error) {
	bad := Invalid("after", "after is not a cursor this API gave out")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return PendingCursor{}, bad
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return PendingCursor{}, bad
	}
	at, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return PendingCursor{}, bad
	}
	return PendingCursor{Since: at.UTC(), OrderID: parts[1], LineID: parts[2]}, nil
}

// pendingColumns are what the ops list shows of a line.
var pendingColumns = []string{"order_id", "id", "sku", "description", "quantity", "smart_license", "smart_account_id",
	"virtual_account_id", "assignment_status", "provisioning_status", "delay_reason", "shipped_at", "pending_since",
	"reason_since", "prov_attempts", "prov_rejects", "prov_error", "stuck_at", "updated_at"}

// pendingQuery is the pending lines in the filter, by the conditions the partial indexes of migration
// 00005 are defined with (provisioning_status = 'PENDING', and stuck_at IS NOT NULL for the stuck ones),
// so the planner can walk them in the list's order. withReason leaves the reason out, for the counts.
func pendingQuery(ctx context.Context, db *gorm.DB, f PendingFilter, withReason bool) *gorm.DB {
	q := db.WithContext(ctx).Table("order_lines").Where("provisioning_status = ?", string(ProvisionPending))
	if f.Stuck {
		q = q.Where("stuck_at IS NOT NULL")
	}
	if withReason && f.Reason != "" {
		q = q.Where("delay_reason = ?", string(f.Reason))
	}
	if f.SmartAccountID != "" {
		q = q.Where("smart_account_id = ?", f.SmartAccountID)
	}
	if f.Before != nil {
		q = q.Where("pending_since <= ?", f.Before.UTC())
	}
	return q
}

// pendingPageQuery is a page of the list: after the cursor, in the indexes' order, one more than the
// page to tell whether another follows.
func pendingPageQuery(ctx context.Context, db *gorm.DB, f PendingFilter, after *PendingCursor, limit int) *gorm.DB {
	q := pendingQuery(ctx, db, f, true).Select(pendingColumns)
	if after != nil {
		q = q.Where("(pending_since, order_id, id) > (?, ?, ?)", after.Since.UTC(), after.OrderID, after.LineID)
	}
	return q.Order("pending_since, order_id, id").Limit(limit + 1)
}

// countByReasonQuery is the counts' query: the pending lines in the filter, but for its reason, by reason.
func countByReasonQuery(ctx context.Context, db *gorm.DB, f PendingFilter) *gorm.DB {
	return pendingQuery(ctx, db, f, false).Select("delay_reason, COUNT(*) AS n").Group("delay_reason")
}

// ListPending pages the pending lines in the filter, oldest pending first (then by order and line), and
// returns the next page's cursor, if any.
func ListPending(ctx context.Context, db *gorm.DB, f PendingFilter, after *PendingCursor, limit int) ([]OrderLine, *PendingCursor, error) {
	var out []OrderLine
	if err := pendingPageQuery(ctx, db, f, after, limit).Find(&out).Error; err != nil {
		return nil, nil, fmt.Errorf("list pending lines: %w", err)
	}
	var next *PendingCursor
	if len(out) > limit {
		out = out[:limit]
		if last := out[limit-1]; last.PendingSince != nil {
			next = &PendingCursor{Since: last.PendingSince.UTC(), OrderID: last.OrderID, LineID: last.ID}
		}
	}
	if out == nil {
		out = []OrderLine{}
	}
	return out, next, nil
}

// PendingCounts are the pending lines in a filter (its reason left out) by delay reason, those being
// deposited (PENDING without a reason), the stuck ones, and all of them.
type PendingCounts struct {
	ByReason   map[DelayReason]int `json:"byReason"`
	Depositing int                 `json:"depositing"`
	Stuck      int                 `json:"stuck"`
	Total      int                 `json:"total"`
}

// CountPending counts the ops list's cards: over every pending line from the order roll-ups, for a
// narrower filter off the reason index (index-only when no account is named); the stuck lines off
// their index.
func CountPending(ctx context.Context, db *gorm.DB, f PendingFilter) (PendingCounts, error) {
	out := PendingCounts{ByReason: make(map[DelayReason]int, len(DelayReasons))}
	for _, r := range DelayReasons {
		out.ByReason[r] = 0
	}
	if f.SmartAccountID == "" && f.Before == nil && !f.Stuck {
		if err := countFromRollups(ctx, db, &out); err != nil {
			return out, err
		}
		return out, countStuck(ctx, db, f, &out)
	}
	var rows []struct {
		DelayReason DelayReason
		N           int
	}
	if err := countByReasonQuery(ctx, db, f).Scan(&rows).Error; err != nil {
		return out, fmt.Errorf("count pending lines: %w", err)
	}
	for _, r := range rows {
		out.Total += r.N
		if r.DelayReason == "" {
			out.Depositing += r.N
		} else {
			out.ByReason[r.DelayReason] += r.N
		}
	}
	if f.Stuck {
		out.Stuck = out.Total
		return out, nil
	}
	return out, countStuck(ctx, db, f, &out)
}

// countStuck counts the stuck lines of the filter off their index.
func countStuck(ctx context.Context, db *gorm.DB, f PendingFilter, out *PendingCounts) error {
	stuck := f
	stuck.Stuck = true
	var n int64
	if err := pendingQuery(ctx, db, stuck, false).Count(&n).Error; err != nil {
		return fmt.Errorf("count stuck lines: %w", err)
	}
	out.Stuck = int(n)
	return nil
}

// countFromRollups counts every pending line by reason from the order roll-ups, which every store step
// rewrites with the lines in the same transaction: a few thousand rows instead of every pending line.
func countFromRollups(ctx context.Context, db *gorm.DB, out *PendingCounts) error {
	var sums struct {
		LinesPending int
		DelayCounts
	}
	cols := []string{"lines_pending"}
	for _, r := range DelayReasons {
		cols = append(cols, DelayColumn(r))
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "COALESCE(SUM(" + c + "), 0) AS " + c
	}
	if err := db.WithContext(ctx).Table("order_rollups").Select(strings.Join(sel, ", ")).Scan(&sums).Error; err != nil {
		return fmt.Errorf("count pending lines from the roll-ups: %w", err)
	}
	out.Total, out.Depositing = sums.LinesPending, sums.LinesPending
	for _, r := range DelayReasons {
		out.ByReason[r] = sums.DelayCounts.Of(r)
		out.Depositing -= out.ByReason[r]
	}
	return nil
}

// PlannedQuery is one statement the ops list sends, for EXPLAIN in its tests and its benchmark.
type PlannedQuery struct {
	What  string
	SQL   string
	Args  []any
	Count bool
}

// PendingQueries are the statements of the ops list's page and counts for a filter, unsent.
func PendingQueries(db *gorm.DB, f PendingFilter, after *PendingCursor) []PlannedQuery {
	ctx := context.Background()
	dry := db.Session(&gorm.Session{DryRun: true})
	page := pendingPageQuery(ctx, dry, f, after, 50).Find(&[]OrderLine{})
	counts := countByReasonQuery(ctx, dry, f).Scan(&[]struct{ N int }{})
	stuck := f
	stuck.Stuck = true
	var n int64
	stuckQ := pendingQuery(ctx, dry, stuck, false).Count(&n)
	return []PlannedQuery{
		{What: "page", SQL: page.Statement.SQL.String(), Args: page.Statement.Vars},
		{What: "counts by reason", SQL: counts.Statement.SQL.String(), Args: counts.Statement.Vars, Count: true},
		{What: "stuck count", SQL: stuckQ.Statement.SQL.String(), Args: stuckQ.Statement.Vars, Count: true},
	}
}
