package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// RollupKind names the scopes whose cards are kept per domain (migration 00015): the orders of a
// reseller, of a distributor, of a fulfillment contact's domain (FEATURES OR1, OR7, issue 12).
type RollupKind string

// The kinds of order_scope_rollups rows, one for each scope arm that is a domain.
const (
	RollupReseller      RollupKind = "RESELLER"
	RollupDistributor   RollupKind = "DISTRIBUTOR"
	RollupContactDomain RollupKind = "CONTACT_DOMAIN"
)

// ScopeRollup is an order's share of one domain's roll-up row (or a delta to it): the day's row of
// order_rollups, kept for the reseller, the distributor and the contact's domain.
type ScopeRollup struct {
	Kind   RollupKind
	Domain string
	OrderRollup
}

// ScopeRollupsOf is an order's shares of the per-domain roll-ups, negated when it leaves their rows:
// one per domain it has (an order without a distributor has no distributor row).
func ScopeRollupsOf(o Order, sign int) []ScopeRollup {
	r := RollupOf(o, sign)
	var out []ScopeRollup
	for _, d := range []struct {
		kind   RollupKind
		domain string
	}{{RollupReseller, o.ResellerDomain}, {RollupDistributor, o.DistributorDomain}, {RollupContactDomain, o.FCDomain}} {
		if d.domain != "" {
			out = append(out, ScopeRollup{Kind: d.kind, Domain: d.domain, OrderRollup: r})
		}
	}
	return out
}

// scopeRollupKey is a row of order_scope_rollups.
type scopeRollupKey struct {
	kind        RollupKind
	domain, day string
	status      AssignmentStatus
	typ         OrderType
}

// AddScopeRollups adds deltas to the per-domain roll-up rows in the store step's transaction, merged by
// row and written in the rows' order in one statement, so two writers moving orders between the same
// rows take their locks in the same order and never deadlock (as order_rollups is written).
func AddScopeRollups(tx *gorm.DB, deltas []ScopeRollup) error {
	merged := map[scopeRollupKey]ScopeRollup{}
	var keys []scopeRollupKey
	for _, d := range deltas {
		k := scopeRollupKey{d.Kind, d.Domain, d.BookedDay, d.AssignmentStatus, d.Type}
		m, seen := merged[k]
		if !seen {
			keys = append(keys, k)
			m = ScopeRollup{Kind: d.Kind, Domain: d.Domain,
				OrderRollup: OrderRollup{BookedDay: d.BookedDay, AssignmentStatus: d.AssignmentStatus, Type: d.Type}}
		}
		m.OrderRollup = m.OrderRollup.Plus(d.OrderRollup)
		merged[k] = m
	}
	slices.SortFunc(keys, func(a, b scopeRollupKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.domain, b.domain), cmp.Compare(a.day, b.day),
			cmp.Compare(a.status, b.status), cmp.Compare(a.typ, b.typ))
	})
	var rows []string
	var args []any
	for _, k := range keys {
		m := merged[k]
		if m.OrderRollup == (OrderRollup{BookedDay: k.day, AssignmentStatus: k.status, Type: k.typ}) {
			continue // an order that stayed in its row
		}
		c := m.DelayCounts
		rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, m.Kind, m.Domain, m.BookedDay, m.AssignmentStatus, m.Type, m.Orders, m.LinesNotStarted,
			m.LinesPending, m.LinesProvisioned, m.LinesFailed, c.LinesNoAccount, c.LinesAccountPending, c.LinesInHolding,
			c.LinesAwaitingShipment, c.LinesFulfillmentError, c.LinesManualReview)
	}
	if len(rows) == 0 {
		return nil
	}
	add := make([]string, len(scopeRollupCounts))
	for i, col := range scopeRollupCounts {
		add[i] = col + " = order_scope_rollups." + col + " + excluded." + col
	}
	err := tx.Exec(`INSERT INTO order_scope_rollups (kind, domain, booked_day, assignment_status, type, `+
		strings.Join(scopeRollupCounts, ", ")+`) VALUES `+strings.Join(rows, ", ")+`
		ON CONFLICT (kind, domain, booked_day, assignment_status, type) DO UPDATE SET `+strings.Join(add, ", "),
		args...).Error
	if err != nil {
		return fmt.Errorf("per-domain roll-ups: %w", err)
	}
	return nil
}

// scopeRollupCounts are the counting columns of order_scope_rollups (and of order_rollups).
var scopeRollupCounts = []string{"orders", "lines_not_started", "lines_pending", "lines_provisioned", "lines_failed",
	"lines_no_account", "lines_account_pending", "lines_in_holding", "lines_awaiting_shipment",
	"lines_fulfillment_error", "lines_manual_review"}

// RebuildScopeRollups counts the per-domain roll-ups again from the orders, as migration 00015 first
// filled them: for a tool that writes orders without the store steps (bench/orderload's bulk load).
func RebuildScopeRollups(ctx context.Context, db *gorm.DB) error {
	cols := "assignment_status, type, " + strings.Join(scopeRollupCounts[1:], ", ")
	arm := func(kind RollupKind, col string) string {
		return fmt.Sprintf("SELECT '%s' AS kind, %s AS domain, booked_at, %s FROM orders WHERE %s <> ''", kind, col, cols, col)
	}
	sums := make([]string, len(scopeRollupCounts)-1)
	for i, col := range scopeRollupCounts[1:] {
		sums[i] = "SUM(" + col + ")"
	}
	day := "CAST(date(booked_at) AS TEXT)"
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM order_scope_rollups").Error; err != nil {
			return fmt.Errorf("clear per-domain roll-ups: %w", err)
		}
		err := tx.Exec(`INSERT INTO order_scope_rollups (kind, domain, booked_day, assignment_status, type, ` +
			strings.Join(scopeRollupCounts, ", ") + `)
			SELECT kind, domain, ` + day + `, assignment_status, type, COUNT(*), ` + strings.Join(sums, ", ") + ` FROM (` +
			arm(RollupReseller, "reseller_domain") + " UNION ALL " + arm(RollupDistributor, "distributor_domain") +
			" UNION ALL " + arm(RollupContactDomain, "fc_domain") + `) s
			GROUP BY kind, domain, ` + day + `, assignment_status, type
			ORDER BY kind, domain, ` + day + `, assignment_status, type`).Error
		if err != nil {
			return fmt.Errorf("count per-domain roll-ups: %w", err)
		}
		return nil
	})
}

// rollupArm reports whether an arm's orders can be counted from order_scope_rollups: a reseller,
// distributor or contact domain arm, every domain named.
func (a arm) rollupArm() bool {
	return a.rollup != "" && len(a.domains) > 0 && !slices.Contains(a.domains, "")
}

// summarizeScopeRollups adds up one arm's per-domain roll-ups under a filter that byDay allows: a few
// thousand rows for the largest reseller's 100,000 orders.
func summarizeScopeRollups(ctx context.Context, db *gorm.DB, a arm, f OrderFilter) ([]summaryCount, error) {
	q := db.WithContext(ctx).Table("order_scope_rollups").Select(summaryOfRollups).
		Where("kind = ? AND domain IN ?", a.rollup, a.domains).Group("assignment_status, type")
	q = f.onRollups(q)
	var rows []summaryCount
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("per-domain roll-ups of %s: %w", a.rollup, err)
	}
	return rows, nil
}

// summaryOfRollups adds up roll-up rows (of order_rollups or order_scope_rollups) into summary counts.
const summaryOfRollups = `assignment_status, type, SUM(orders) AS n,
	SUM(lines_not_started) AS not_started, SUM(lines_pending) AS pending, SUM(lines_provisioned) AS provisioned,
	SUM(lines_failed) AS failed, SUM(lines_no_account) AS lines_no_account,
	SUM(lines_account_pending) AS lines_account_pending, SUM(lines_in_holding) AS lines_in_holding,
	SUM(lines_awaiting_shipment) AS lines_awaiting_shipment, SUM(lines_fulfillment_error) AS lines_fulfillment_error,
	SUM(lines_manual_review) AS lines_manual_review`

// onRollups narrows a roll-up query to the filter's statuses, types and whole days (byDay's filters).
func (f OrderFilter) onRollups(q *gorm.DB) *gorm.DB {
	if len(f.Statuses) > 0 {
		q = q.Where("assignment_status IN ?", f.Statuses)
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if f.From != nil {
		q = q.Where("booked_day >= ?", f.From.UTC().Format(time.DateOnly))
	}
	if f.To != nil {
		q = q.Where("booked_day < ?", f.To.UTC().Format(time.DateOnly))
	}
	return q
}
