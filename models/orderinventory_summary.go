package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OrderSummary is the inventory's cards: orders by assignment status (the donut), orders by type, lines
// by provisioning status, and pending lines by delay reason (FEATURES PR1).
type OrderSummary struct {
	Orders              int                        `json:"orders"`
	AssignmentStatus    map[AssignmentStatus]int   `json:"assignmentStatus"`
	OrderTypes          map[OrderType]int          `json:"orderTypes"`
	LinesByProvisioning map[ProvisioningStatus]int `json:"linesByProvisioningStatus"`
	LinesByDelayReason  map[DelayReason]int        `json:"linesByDelayReason"`
}

// SummarizeOrders counts the cards over the whole scope and filter, from roll-ups wherever the filter
// allows (issue 12: the page's time at a million orders): Cisco staff's from the daily roll-ups, a
// reseller's, distributor's or contact domain's from its own; a search from the orders it matches, or
// from the scope's orders when the scope is the smaller.
func SummarizeOrders(ctx context.Context, db *gorm.DB, scope OrderScope, f OrderFilter) (OrderSummary, error) {
	out := OrderSummary{AssignmentStatus: map[AssignmentStatus]int{}, OrderTypes: map[OrderType]int{},
		LinesByProvisioning: map[ProvisioningStatus]int{}, LinesByDelayReason: map[DelayReason]int{}}
	for _, r := range DelayReasons {
		out.LinesByDelayReason[r] = 0
	}
	for _, s := range OrderAssignmentStatuses {
		out.AssignmentStatus[s] = 0
	}
	for _, t := range []OrderType{OrderStandard, OrderStocking, OrderEA} {
		out.OrderTypes[t] = 0
	}
	for _, p := range ProvisioningStatuses {
		out.LinesByProvisioning[p] = 0
	}
	arms := scope.arms()
	if len(arms) == 0 {
		return out, nil
	}
	var rows []summaryCount
	var err error
	switch {
	case scope.All && f.byDay():
		rows, err = summarizeByDay(ctx, db, f)
	case SearchKey(f.Query) != "":
		rows, err = summarizeSearch(ctx, db, scope, arms, f)
	default:
		rows, err = summarizeArms(ctx, db, arms, f, false)
	}
	if err != nil {
		return out, fmt.Errorf("summarize orders: %w", err)
	}
	for _, r := range rows {
		out.Orders += r.N
		out.AssignmentStatus[r.AssignmentStatus] += r.N
		out.OrderTypes[r.Type] += r.N
		out.LinesByProvisioning[ProvisionNotStarted] += r.NotStarted
		out.LinesByProvisioning[ProvisionPending] += r.Pending
		out.LinesByProvisioning[ProvisionProvisioned] += r.Provisioned
		out.LinesByProvisioning[ProvisionFailed] += r.Failed
		for _, reason := range DelayReasons {
			out.LinesByDelayReason[reason] += r.DelayCounts.Of(reason)
		}
	}
	return out, nil
}

// summaryCount is one group of a summary query.
type summaryCount struct {
	AssignmentStatus AssignmentStatus
	Type             OrderType
	N                int
	NotStarted       int
	Pending          int
	Provisioned      int
	Failed           int
	DelayCounts
}

// summaryOfOrders adds up the orders' own roll-ups (alias o) into summary counts.
const summaryOfOrders = `o.assignment_status, o.type, COUNT(*) AS n,
	SUM(o.lines_not_started) AS not_started, SUM(o.lines_pending) AS pending,
	SUM(o.lines_provisioned) AS provisioned, SUM(o.lines_failed) AS failed,
	SUM(o.lines_no_account) AS lines_no_account, SUM(o.lines_account_pending) AS lines_account_pending,
	SUM(o.lines_in_holding) AS lines_in_holding, SUM(o.lines_awaiting_shipment) AS lines_awaiting_shipment,
	SUM(o.lines_fulfillment_error) AS lines_fulfillment_error, SUM(o.lines_manual_review) AS lines_manual_review`

// summarizeArms counts each arm without the orders of the arms before it; the counts are added up by
// the caller. The first arm, which leaves nothing out, is read from its domain's roll-ups when it has
// them and the filter allows (byDay); every other arm on its own index (index-only: the roll-up is in
// it), a search probing each order's keys when walk is set.
func summarizeArms(ctx context.Context, db *gorm.DB, arms []arm, f OrderFilter, walk bool) ([]summaryCount, error) {
	fw, fargs := f.where(walk)
	var rows []summaryCount
	for i, a := range disjoint(arms) {
		var part []summaryCount
		var err error
		if i == 0 && f.byDay() && a.rollupArm() {
			part, err = summarizeScopeRollups(ctx, db, a, f)
		} else {
			err = db.WithContext(ctx).Raw(`SELECT `+summaryOfOrders+` FROM `+a.from+` WHERE `+a.where+` AND `+fw+`
				GROUP BY o.assignment_status, o.type`, append(append([]any{}, a.args...), fargs...)...).Scan(&part).Error
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, part...)
	}
	return rows, nil
}

// byDay reports whether the filter can be answered from the daily roll-ups: whole days, and nothing
// the roll-ups do not keep (the contact, the search keys).
func (f OrderFilter) byDay() bool {
	midnight := func(t *time.Time) bool { return t == nil || t.UTC().Truncate(24*time.Hour).Equal(*t) }
	return f.Contact == "" && SearchKey(f.Query) == "" && len(f.Provisioning) == 0 && len(f.Delays) == 0 &&
		midnight(f.From) && midnight(f.To)
}

// summarizeByDay adds up the daily roll-ups: the cards over every order in a few thousand rows.
func summarizeByDay(ctx context.Context, db *gorm.DB, f OrderFilter) ([]summaryCount, error) {
	var rows []summaryCount
	q := f.onRollups(db.WithContext(ctx).Table("order_rollups").Select(summaryOfRollups).Group("assignment_status, type"))
	return rows, q.Scan(&rows).Error
}

// summarizeSearch counts a search's cards. PostgreSQL misjudged how many orders a key prefix matches (a
// SKU family's 50,000 keys were estimated at one), and probed the orders once per matching key. So a
// search that matches few keys (fewer than SearchWalkAt) is counted from its orders, read by their
// ids and kept when in scope; a common one from the scope: a scope of fewer orders walks its own
// index and probes each order's keys (as ListOrders walks), a larger one is joined with the matching
// keys, which the planner now sizes from the keys' statistics (migration 00016) and hashes.
func summarizeSearch(ctx context.Context, db *gorm.DB, scope OrderScope, arms []arm, f OrderFilter) ([]summaryCount, error) {
	ids, few, err := matchingOrders(ctx, db, SearchKey(f.Query), SearchWalkAt)
	switch {
	case err != nil:
		return nil, err
	case !few && !scope.All:
		small, err := scopeFewerThan(ctx, db, arms, SearchWalkAt)
		if err != nil {
			return nil, err
		}
		return summarizeArms(ctx, db, arms, f, small)
	case !few:
		return summarizeArms(ctx, db, arms, f, false)
	case len(ids) == 0:
		return nil, nil
	}
	rest := f
	rest.Query = ""
	fw, fargs := rest.where(false)
	in, inArgs := idsIn(db, "m.id", ids)
	// The scope is each arm's condition on the order alone (the negation of its negation). The LIMIT
	// keeps the planner from pushing it into the subquery, so the orders are read by their ids only.
	var scopes []string
	var args []any
	for _, a := range arms {
		scopes = append(scopes, "NOT ("+a.not+")")
		args = append(args, a.notArgs...)
	}
	var rows []summaryCount
	err = db.WithContext(ctx).Raw(fmt.Sprintf(`SELECT `+summaryOfOrders+`
		FROM (SELECT * FROM orders m WHERE %s LIMIT %d) o WHERE (%s) AND %s GROUP BY o.assignment_status, o.type`,
		in, len(ids), strings.Join(scopes, " OR "), fw), append(append(inArgs, args...), fargs...)...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count the matching orders: %w", err)
	}
	return rows, nil
}

// matchingOrders lists the orders whose keys start with a search prefix when at most limit keys do
// (few); past that it reports only that there are more.
func matchingOrders(ctx context.Context, db *gorm.DB, q string, limit int) (ids []string, few bool, err error) {
	var keys []string
	err = db.WithContext(ctx).Raw(`SELECT k.order_id FROM order_keys k
		WHERE k.key >= ? AND k.key < ? AND k.key LIKE ? ESCAPE '\' LIMIT ?`, append(searchRange(q), limit+1)...).Scan(&keys).Error
	if err != nil {
		return nil, false, fmt.Errorf("orders matching %q: %w", q, err)
	}
	if len(keys) > limit {
		return nil, false, nil
	}
	slices.Sort(keys)
	return slices.Compact(keys), true, nil
}

// scopeFewerThan reports whether a scope's arms hold fewer than n orders together, reading at most n
// entries of their indexes.
func scopeFewerThan(ctx context.Context, db *gorm.DB, arms []arm, n int) (bool, error) {
	left := n
	for _, a := range arms {
		var c int
		err := db.WithContext(ctx).Raw(fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT %d) c",
			a.from, a.where, left), a.args...).Scan(&c).Error
		if err != nil {
			return false, fmt.Errorf("size of the scope: %w", err)
		}
		if left -= c; left <= 0 {
			return false, nil
		}
	}
	return true, nil
}

// idsIn is the condition that col is one of ids: on PostgreSQL one array parameter (a list would be a
// statement of its own for every length), on SQLite the list.
func idsIn(db *gorm.DB, col string, ids []string) (string, []any) {
	if DialectOf(db) != DialectPostgres {
		return col + " IN ?", []any{ids}
	}
	var b strings.Builder
	b.WriteByte('{')
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(quote.Replace(id))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return col + " = ANY(CAST(? AS TEXT[]))", []any{b.String()}
}
