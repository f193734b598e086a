package models

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OrderScope is the set of orders an inventory shows: every order (Cisco staff), the orders of one
// Smart Account, or the orders a person may act on (FEATURES OR1, OR7, OR8, OR9).
type OrderScope struct {
	All bool
	// Account, when set, is the one Smart Account whose orders are shown: the orders holding lines in
	// it, and those whose fulfillment contact belongs to its registrable domain (the ones its people
	// have yet to assign).
	Account *SmartAccount
	// The orders a person may act on: as fulfillment contact, by the contact's mail domain, as OFM of
	// the partner company, as delegate.
	Email, Domain, Company string
	Delegated              []string
}

// ScopeFor is the scope of "orders I may act on" for an actor.
func ScopeFor(a OrderActor, delegated []string) OrderScope {
	if a.Internal() {
		return OrderScope{All: true}
	}
	s := OrderScope{Email: NormalizeEmail(a.Email), Delegated: delegated}
	if d := EmailDomain(s.Email); !IsPersonalMailDomain(d) {
		s.Domain = d
	}
	for _, r := range a.Roles {
		if r == RoleOFM {
			s.Company = strings.ToLower(strings.TrimSpace(a.Company))
		}
	}
	return s
}

// OrderFilter narrows an inventory: by assignment status, type, fulfillment contact, booked date
// (From inclusive, To exclusive) and a free-text prefix of the order id, purchase order or a SKU.
type OrderFilter struct {
	Statuses []AssignmentStatus
	Types    []OrderType
	Contact  string
	From, To *time.Time
	Query    string
}

// Cursor is a keyset position: the last order of a page, in the inventory's order (newest booked first).
type Cursor struct {
	BookedAt time.Time
	ID       string
}

// Encode is the cursor as the API passes it.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.BookedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

// DecodeCursor reads a cursor the API gave out.
func DecodeCursor(s string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, Invalid("after", "after is not a cursor this API gave out")
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, terr := time.Parse(time.RFC3339Nano, at)
	if !ok || terr != nil || id == "" {
		return Cursor{}, Invalid("after", "after is not a cursor this API gave out")
	}
	return Cursor{BookedAt: t.UTC(), ID: id}, nil
}

// arm is one branch of a scope: a set of orders an index walks in the inventory's order.
type arm struct {
	from  string // FROM clause with alias o (and a for order_accounts)
	where string
	args  []any
	// sortCol is the booked_at the arm's index is ordered by.
	sortCol, idCol string
}

func (s OrderScope) arms() []arm {
	plain := func(where string, args ...any) arm {
		return arm{from: "orders o", where: where, args: args, sortCol: "o.booked_at", idCol: "o.id"}
	}
	if s.All {
		return []arm{plain("1 = 1")}
	}
	var out []arm
	if s.Account != nil {
		out = append(out, arm{from: "order_accounts a JOIN orders o ON o.id = a.order_id", where: "a.smart_account_id = ?",
			args: []any{s.Account.ID}, sortCol: "a.booked_at", idCol: "a.order_id"})
		if !s.Account.SMB && s.Account.TLD != "" {
			out = append(out, plain("o.fc_tld = ?", s.Account.TLD))
		}
		return out
	}
	if s.Email != "" {
		out = append(out, plain("o.fulfillment_contact = ?", s.Email))
	}
	if s.Domain != "" {
		out = append(out, plain("o.fc_domain = ?", s.Domain))
	}
	if s.Company != "" {
		out = append(out, plain("o.reseller_domain = ?", s.Company), plain("o.distributor_domain = ?", s.Company))
	}
	if len(s.Delegated) > 0 {
		out = append(out, plain("o.id IN ?", s.Delegated))
	}
	return out
}

func (f OrderFilter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds, args = append(conds, "o.assignment_status IN ?"), append(args, f.Statuses)
	}
	if len(f.Types) > 0 {
		conds, args = append(conds, "o.type IN ?"), append(args, f.Types)
	}
	if f.Contact != "" {
		conds, args = append(conds, "o.fulfillment_contact = ?"), append(args, NormalizeEmail(f.Contact))
	}
	if f.From != nil {
		conds, args = append(conds, "o.booked_at >= ?"), append(args, f.From.UTC())
	}
	if f.To != nil {
		conds, args = append(conds, "o.booked_at < ?"), append(args, f.To.UTC())
	}
	if q := SearchKey(f.Query); q != "" {
		// A range on the key index finds the prefix; LIKE keeps the answer exact under any collation.
		conds = append(conds, "o.id IN (SELECT k.order_id FROM order_keys k WHERE k.key >= ? AND k.key < ? AND k.key LIKE ? ESCAPE '\\')")
		args = append(args, q, q+"\U0010FFFF", escapeLike(q)+"%")
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

// SearchKey is the normalized form of a search key: trimmed and upper-cased.
func SearchKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ListOrders pages an inventory newest booked first (then by id, descending): each arm of the scope
// walks its own index to at most limit+1 rows, and the union of those is cut to the page. It returns
// the cursor of the next page, if any.
func ListOrders(ctx context.Context, db *gorm.DB, scope OrderScope, f OrderFilter, after *Cursor, limit int) ([]Order, *Cursor, error) {
	arms := scope.arms()
	if len(arms) == 0 {
		return []Order{}, nil, nil
	}
	fw, fargs := f.where()
	var parts []string
	var args []any
	for i, a := range arms {
		sql := fmt.Sprintf("SELECT %s AS id, %s AS booked_at FROM %s WHERE %s AND %s", a.idCol, a.sortCol, a.from, a.where, fw)
		args = append(append(args, a.args...), fargs...)
		if after != nil {
			sql += fmt.Sprintf(" AND (%s, %s) < (?, ?)", a.sortCol, a.idCol)
			args = append(args, after.BookedAt, after.ID)
		}
		sql += fmt.Sprintf(" ORDER BY %s DESC, %s DESC LIMIT %d", a.sortCol, a.idCol, limit+1)
		parts = append(parts, fmt.Sprintf("SELECT * FROM (%s) a%d", sql, i))
	}
	query := fmt.Sprintf("SELECT id, booked_at FROM (%s) u ORDER BY booked_at DESC, id DESC LIMIT %d",
		strings.Join(parts, " UNION "), limit+1)
	var keys []struct {
		ID       string
		BookedAt time.Time
	}
	if err := db.WithContext(ctx).Raw(query, args...).Scan(&keys).Error; err != nil {
		return nil, nil, fmt.Errorf("list orders: %w", err)
	}
	var next *Cursor
	if len(keys) > limit {
		keys = keys[:limit]
		next = &Cursor{BookedAt: keys[limit-1].BookedAt.UTC(), ID: keys[limit-1].ID}
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	var rows []Order
	if len(ids) > 0 {
		if err := db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
			return nil, nil, fmt.Errorf("read listed orders: %w", err)
		}
	}
	byID := make(map[string]Order, len(rows))
	for _, o := range rows {
		byID[o.ID] = o
	}
	out := make([]Order, 0, len(ids))
	for _, id := range ids {
		if o, ok := byID[id]; ok {
			out = append(out, o)
		}
	}
	return out, next, nil
}

// OrderSummary is the inventory's cards: orders by assignment status (the donut), orders by type, and
// lines by provisioning status.
type OrderSummary struct {
	Orders              int                        `json:"orders"`
	AssignmentStatus    map[AssignmentStatus]int   `json:"assignmentStatus"`
	OrderTypes          map[OrderType]int          `json:"orderTypes"`
	LinesByProvisioning map[ProvisioningStatus]int `json:"linesByProvisioningStatus"`
}

// SummarizeOrders counts the cards over the whole scope and filter, from the orders' roll-ups alone.
func SummarizeOrders(ctx context.Context, db *gorm.DB, scope OrderScope, f OrderFilter) (OrderSummary, error) {
	out := OrderSummary{AssignmentStatus: map[AssignmentStatus]int{}, OrderTypes: map[OrderType]int{},
		LinesByProvisioning: map[ProvisioningStatus]int{}}
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
	var ors []string
	var args []any
	for _, a := range arms {
		if strings.HasPrefix(a.from, "order_accounts") {
			ors = append(ors, "o.id IN (SELECT a.order_id FROM order_accounts a WHERE "+a.where+")")
		} else {
			ors = append(ors, "("+a.where+")")
		}
		args = append(args, a.args...)
	}
	fw, fargs := f.where()
	args = append(args, fargs...)
	var rows []struct {
		AssignmentStatus AssignmentStatus
		Type             OrderType
		N                int
		NotStarted       int
		Pending          int
		Provisioned      int
		Failed           int
	}
	err := db.WithContext(ctx).Raw(`SELECT o.assignment_status, o.type, COUNT(*) AS n,
		SUM(o.lines_not_started) AS not_started, SUM(o.lines_pending) AS pending,
		SUM(o.lines_provisioned) AS provisioned, SUM(o.lines_failed) AS failed
		FROM orders o WHERE (`+strings.Join(ors, " OR ")+`) AND `+fw+`
		GROUP BY o.assignment_status, o.type`, args...).Scan(&rows).Error
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
	}
	return out, nil
}
