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
	// their reseller or distributor (PartnerRights), as delegate.
	Email, Domain           string
	Resellers, Distributors []string
	Delegated               []string
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
	s.Resellers, s.Distributors = a.OFM.resellerDomains(), a.OFM.Partners
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
	// Provisioning and Delays keep the orders with lines in one of the provisioning statuses, or pending
	// for one of the delay reasons (FEATURES PR1).
	Provisioning []ProvisioningStatus
	Delays       []DelayReason
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
	// not is the arm's negation on the orders row alone, so a later arm can leave out what this one has.
	not     string
	notArgs []any
	// sortCol is the booked_at the arm's index is ordered by.
	sortCol, idCol string
	// rollup and domains name the arm's rows in order_scope_rollups, for an arm that is a reseller,
	// distributor or contact domain (its cards are added up from them).
	rollup  RollupKind
	domains []string
}

// arms lists a scope's arms, the largest first where that can be told (a partner's orders before its
// people's own), so the later arms, which leave out the earlier ones' orders, are the small ones.
func (s OrderScope) arms() []arm {
	plain := func(where string, args ...any) arm {
		return arm{from: "orders o", where: where, args: args, not: "NOT (" + where + ")", notArgs: args,
			sortCol: "o.booked_at", idCol: "o.id"}
	}
	if s.All {
		return []arm{plain("1 = 1")}
	}
	var out []arm
	if s.Account != nil {
		out = append(out, arm{from: "order_accounts a JOIN orders o ON o.id = a.order_id", where: "a.smart_account_id = ?",
			args: []any{s.Account.ID}, sortCol: "a.booked_at", idCol: "a.order_id",
			not:     "NOT EXISTS (SELECT 1 FROM order_accounts x WHERE x.smart_account_id = ? AND x.booked_at = o.booked_at AND x.order_id = o.id)",
			notArgs: []any{s.Account.ID}})
		if !s.Account.SMB && s.Account.TLD != "" {
			out = append(out, plain("o.fc_tld = ?", s.Account.TLD))
		}
		return out
	}
	// One domain (the usual OFM) is an equality that walks its index in order; several are a list.
	oneOf := func(col string, kind RollupKind, domains []string) arm {
		a := plain(col+" IN ?", domains)
		if len(domains) == 1 {
			a = plain(col+" = ?", domains[0])
		}
		a.rollup, a.domains = kind, domains
		return a
	}
	if len(s.Resellers) > 0 {
		out = append(out, oneOf("o.reseller_domain", RollupReseller, s.Resellers))
	}
	if len(s.Distributors) > 0 {
		out = append(out, oneOf("o.distributor_domain", RollupDistributor, s.Distributors))
	}
	switch {
	case s.Domain != "":
		// The contact's own orders are among their domain's.
		out = append(out, oneOf("o.fc_domain", RollupContactDomain, []string{s.Domain}))
	case s.Email != "":
		out = append(out, plain("o.fulfillment_contact = ?", s.Email))
	}
	if len(s.Delegated) > 0 {
		out = append(out, plain("o.id IN ?", s.Delegated))
	}
	return out
}

// disjoint is each arm's condition with the earlier arms' orders left out, so counting the arms one
// by one counts each order once.
func disjoint(arms []arm) []arm {
	out := make([]arm, len(arms))
	for i, a := range arms {
		out[i] = a
		out[i].args = append([]any{}, a.args...)
		for _, before := range arms[:i] {
			out[i].where += " AND " + before.not
			out[i].args = append(out[i].args, before.notArgs...)
		}
	}
	return out
}

// SearchWalkAt is how many search keys a prefix must match before the inventory stops collecting the
// matching orders and walks its scope's index in order instead, probing each order's keys: a rare key
// finds its few orders at once, a common one (a SKU family) finds a page within a few thousand probes.
// Tests lower it to exercise the walk.
var SearchWalkAt = 1000

// searchRange is the key range of a prefix search: a range on the key index finds the prefix, and LIKE
// keeps the answer exact under any collation.
func searchRange(q string) []any { return []any{q, q + "\U0010FFFF", escapeLike(q) + "%"} }

// commonSearch reports whether a search prefix matches so many keys that walking beats collecting.
func commonSearch(ctx context.Context, db *gorm.DB, q string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM order_keys k
		WHERE k.key >= ? AND k.key < ? AND k.key LIKE ? ESCAPE '\' LIMIT ?) c`, append(searchRange(q), SearchWalkAt)...).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("count search keys: %w", err)
	}
	return n >= int64(SearchWalkAt), nil
}

func (f OrderFilter) where(walk bool) (string, []any) {
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
	if c := anyPositive(provisioningColumns(f.Provisioning)); c != "" {
		conds = append(conds, c)
	}
	var delays []string
	for _, r := range f.Delays {
		delays = append(delays, "o."+DelayColumn(r))
	}
	if c := anyPositive(delays); c != "" {
		conds = append(conds, c)
	}
	if f.From != nil {
		conds, args = append(conds, "o.booked_at >= ?"), append(args, f.From.UTC())
	}
	if f.To != nil {
		conds, args = append(conds, "o.booked_at < ?"), append(args, f.To.UTC())
	}
	if q := SearchKey(f.Query); q != "" && walk {
		// A scalar subquery is never turned into a join: it probes each order the walk reaches.
		conds = append(conds, "(SELECT 1 FROM order_keys k WHERE k.order_id = o.id AND k.key >= ? AND k.key < ? AND k.key LIKE ? ESCAPE '\\' LIMIT 1) IS NOT NULL")
		args = append(args, searchRange(q)...)
	} else if q != "" {
		// The planner sizes the key range from the keys' statistics (migration 00016); LIKE, inside a CASE,
		// is not estimated a second time (it would multiply the range's share by its own, the same range).
		conds = append(conds, "o.id IN (SELECT k.order_id FROM order_keys k WHERE k.key >= ? AND k.key < ? "+
			"AND CASE WHEN k.key LIKE ? ESCAPE '\\' THEN TRUE ELSE FALSE END)")
		args = append(args, searchRange(q)...)
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

// provisioningColumns are the orders columns counting lines in the statuses.
func provisioningColumns(ps []ProvisioningStatus) []string {
	var out []string
	for _, p := range ps {
		switch p {
		case ProvisionNotStarted:
			out = append(out, "o.lines_not_started")
		case ProvisionPending:
			out = append(out, "o.lines_pending")
		case ProvisionProvisioned:
			out = append(out, "o.lines_provisioned")
		case ProvisionFailed:
			out = append(out, "o.lines_failed")
		}
	}
	return out
}

// anyPositive is the condition that one of the counting columns is above zero.
func anyPositive(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	return "(" + strings.Join(cols, " > 0 OR ") + " > 0)"
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
	walk := false
	if q := SearchKey(f.Query); q != "" {
		var err error
		if walk, err = commonSearch(ctx, db, q); err != nil {
			return nil, nil, err
		}
	}
	fw, fargs := f.where(walk)
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
