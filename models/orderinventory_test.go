package models_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// inventory is a small order book: orders of one company's contacts (some resold by a partner, one
// distributed), of another company, and of a personal mail address, each booked on its own day but two.
type inventory struct {
	run, tld, other, partner, distributor string
	sa                                    models.SmartAccount
	ids                                   []string // by booking, oldest first
	rareSKU                               string
}

func newInventory(t *testing.T, db *gorm.DB) inventory {
	t.Helper()
	ctx := context.Background()
	u := testdb.Unique()
	inv := inventory{run: "R" + u, tld: "inv-" + u + ".com", other: "oth-" + u + ".com", partner: "p-" + u + ".com",
		distributor: "d-" + u + ".com", rareSKU: "RARE-" + u}
	store := &activities.Store{DB: db, Log: slog.New(slog.DiscardHandler)}
	inv.sa = newAccount(t, db, models.SmartAccount{Domain: inv.tld})
	va := models.VirtualAccount{ID: models.NewID(), SmartAccountID: inv.sa.ID, Name: models.DefaultVAName, IsDefault: true,
		CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	if err := db.Create(&va).Error; err != nil {
		t.Fatal(err)
	}
	type spec struct {
		fc, reseller, distributor string
		typ                       models.OrderType
	}
	specs := []spec{
		{"fc@" + inv.tld, inv.partner, "", models.OrderStandard},               // 0 (assigned below)
		{"fc@" + inv.tld, inv.partner, "", models.OrderStandard},               // 1 (assigned below)
		{"fc@" + inv.tld, inv.partner, "", models.OrderStocking},               // 2
		{"fc@" + inv.tld, inv.partner, "", models.OrderStandard},               // 3
		{"fc@" + inv.tld, inv.partner, "", models.OrderStandard},               // 4 (rare SKU)
		{"fc@" + inv.tld, inv.partner, "", models.OrderEA},                     // 5
		{"other@" + inv.tld, "", "", models.OrderStandard},                     // 6
		{"other@" + inv.tld, "", "", models.OrderStandard},                     // 7 (same day as 8)
		{"other@" + inv.tld, "", "", models.OrderStandard},                     // 8
		{"x@" + inv.other, inv.partner, "", models.OrderStandard},              // 9
		{"x@" + inv.other, inv.partner, inv.distributor, models.OrderStandard}, // 10
		{"pat-" + u + "@gmail.com", "", "", models.OrderStandard},              // 11
	}
	day := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for i, s := range specs {
		o := models.Order{ID: fmt.Sprintf("%s-%02d", inv.run, i), Type: s.typ, PurchaseOrder: fmt.Sprintf("PO%s%02d", u, i),
			EndCustomer: models.Party{Name: "Customer"}, FulfillmentContact: s.fc, BookedAt: day.AddDate(0, 0, i), PayloadHash: "h"}
		if i == 8 {
			o.BookedAt = day.AddDate(0, 0, 7)
		}
		if s.reseller != "" {
			o.Reseller = models.Party{Name: "Partner", Domain: s.reseller}
		}
		if s.distributor != "" {
			o.Distributor = models.Party{Name: "Distributor", Domain: s.distributor}
		}
		sku := "C9300-DNA-E-3Y"
		if i == 4 {
			sku = inv.rareSKU
		}
		lines := []models.OrderLine{{ID: "1", SKU: sku, Kind: models.LineProduct, Quantity: 1, SmartLicense: true},
			{ID: "2", SKU: "CON-SNT", Kind: models.LineCiscoService, Quantity: 1}}
		o.WorkflowID = "order/" + o.ID
		models.PrepareOrder(&o, lines, time.Now().UTC().Truncate(time.Microsecond))
		if _, err := store.RecordOrder(ctx, process.IngestInput{Order: o, Lines: lines}); err != nil {
			t.Fatal(err)
		}
		inv.ids = append(inv.ids, o.ID)
	}
	for _, i := range []int{0, 1} {
		_, err := store.AssignOrderLines(ctx, activities.AssignLinesInput{OrderID: inv.ids[i], Actor: "fc@" + inv.tld, As: models.AsFulfillmentContact,
			Changes: []models.LineTarget{{LineID: "1", SmartAccountID: inv.sa.ID, VirtualAccountID: va.ID}, {LineID: "2", SmartAccountID: inv.sa.ID, VirtualAccountID: va.ID}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

// pick lists inventory ids by index, in the inventory's order (newest booked first, then id descending).
func (inv inventory) pick(idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, inv.ids[i])
	}
	slices.SortFunc(out, func(a, b string) int { return -compareBooked(inv, a, b) })
	return out
}

func compareBooked(inv inventory, a, b string) int {
	day := func(id string) int {
		i := slices.Index(inv.ids, id)
		if i == 8 {
			return 7
		}
		return i
	}
	if d := day(a) - day(b); d != 0 {
		return d
	}
	if a < b {
		return -1
	}
	return 1
}

func list(t *testing.T, db *gorm.DB, scope models.OrderScope, f models.OrderFilter) []string {
	t.Helper()
	orders, _, err := models.ListOrders(context.Background(), db, scope, f, nil, 200)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID
	}
	return out
}

// filtered narrows q to the orders f's statuses, types and booking window select, written out in SQL
// rather than read through the code under test, for the tests that compare a summary with the orders.
func filtered(q *gorm.DB, f models.OrderFilter) *gorm.DB {
	if len(f.Statuses) > 0 {
		q = q.Where("assignment_status IN ?", f.Statuses)
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if f.From != nil {
		q = q.Where("booked_at >= ? AND booked_at < ?", f.From, f.To)
	}
	return q
}

// Each scope shows the orders its person may act on (or the account's), newest booked first.
func TestListOrdersScopes(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		inv := newInventory(t, db)
		mine := inv.pick(0, 1, 2, 3, 4, 5, 6, 7, 8)
		// The OFMs are what the partner rows make of an address: the reseller's and the distributor's own,
		// and those of a distributor registered as serving the reseller (2-tier), which the order does not
		// name.
		serving := "s-" + inv.run[1:] + ".com"
		register(t, db, inv.partner, nil, "ofm@"+inv.partner)
		register(t, db, inv.distributor, nil, "ofm@"+inv.distributor)
		register(t, db, serving, []string{inv.partner}, "ofm@"+serving)
		ofm := func(email string) models.OrderActor {
			a, err := models.OrderActorOf(context.Background(), db, email, []string{"ofm"})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		for _, c := range []struct {
			name  string
			scope models.OrderScope
			want  []string
		}{
			{"fulfillment contact", models.ScopeFor(models.OrderActor{Email: "fc@" + inv.tld}, nil), mine},
			{"colleague", models.ScopeFor(models.OrderActor{Email: "new@" + inv.tld}, nil), mine},
			{"reseller's OFM", models.ScopeFor(ofm("ofm@"+inv.partner), nil), inv.pick(0, 1, 2, 3, 4, 5, 9, 10)},
			{"distributor's OFM", models.ScopeFor(ofm("ofm@"+inv.distributor), nil), inv.pick(10)},
			{"OFM of a distributor serving the reseller", models.ScopeFor(ofm("ofm@"+serving), nil), inv.pick(0, 1, 2, 3, 4, 5, 9, 10)},
			{"the partner's colleague, not designated", models.ScopeFor(ofm("sales@"+inv.partner), nil), nil},
			{"personal address", models.ScopeFor(models.OrderActor{Email: "pat-" + inv.run[1:] + "@gmail.com"}, nil), inv.pick(11)},
			{"another personal address, delegate", models.ScopeFor(models.OrderActor{Email: "sam@gmail.com"}, []string{inv.ids[9]}), inv.pick(9)},
			{"the account", models.OrderScope{Account: &inv.sa}, mine},
		} {
			t.Run(c.name, func(t *testing.T) {
				got := list(t, db, c.scope, models.OrderFilter{})
				if len(c.scope.Resellers) == 0 && c.scope.Domain == "" && c.scope.Account == nil {
					// Personal addresses see their own orders only: gmail.com is nobody's company.
					got = slices.DeleteFunc(got, func(id string) bool { return !slices.Contains(inv.ids, id) })
				}
				if !slices.Equal(got, c.want) {
					t.Fatalf("got %v\nwant %v", got, c.want)
				}
			})
		}
		all := list(t, db, models.ScopeFor(models.OrderActor{Email: "tac@cisco.com", Roles: []string{models.RoleCiscoSupport}}, nil),
			models.OrderFilter{Query: inv.run})
		if !slices.Equal(all, inv.pick(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)) {
			t.Fatalf("support sees %v", all)
		}
	})
}

// Filters narrow a scope; keyset pages put together are the whole list, without repeats.
func TestListOrdersFiltersAndPages(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		inv := newInventory(t, db)
		scope := models.ScopeFor(models.OrderActor{Email: "fc@" + inv.tld}, nil)
		from, to := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			name string
			f    models.OrderFilter
			want []string
		}{
			{"unassigned", models.OrderFilter{Statuses: []models.AssignmentStatus{models.AssignUnassigned}}, inv.pick(2, 3, 4, 5, 6, 7, 8)},
			{"assigned", models.OrderFilter{Statuses: []models.AssignmentStatus{models.AssignAssigned}}, inv.pick(0, 1)},
			{"types", models.OrderFilter{Types: []models.OrderType{models.OrderStocking, models.OrderEA}}, inv.pick(2, 5)},
			{"contact", models.OrderFilter{Contact: "Other@" + inv.tld}, inv.pick(6, 7, 8)},
			{"booked", models.OrderFilter{From: &from, To: &to}, inv.pick(2, 3, 4)},
			{"order id prefix", models.OrderFilter{Query: inv.ids[3]}, inv.pick(3)},
			{"purchase order, any case", models.OrderFilter{Query: "po" + inv.run[1:] + "0"}, inv.pick(0, 1, 2, 3, 4, 5, 6, 7, 8)},
			{"SKU prefix", models.OrderFilter{Query: inv.rareSKU[:8]}, inv.pick(4)},
			{"SKU and unassigned", models.OrderFilter{Query: "c9300", Statuses: []models.AssignmentStatus{models.AssignUnassigned}},
				inv.pick(2, 3, 5, 6, 7, 8)},
			{"LIKE characters are literal", models.OrderFilter{Query: "%"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := list(t, db, scope, c.f); !slices.Equal(got, c.want) {
					t.Fatalf("got %v\nwant %v", got, c.want)
				}
				if c.f.Query == "" {
					return
				}
				// A common prefix walks the scope's index instead of collecting the matches: same answer.
				defer func(at int) { models.SearchWalkAt = at }(models.SearchWalkAt)
				models.SearchWalkAt = 1
				if got := list(t, db, scope, c.f); !slices.Equal(got, c.want) {
					t.Fatalf("walking: got %v\nwant %v", got, c.want)
				}
			})
		}
		var paged []string
		var after *models.Cursor
		for page := 0; page < 10; page++ {
			orders, next, err := models.ListOrders(context.Background(), db, scope, models.OrderFilter{}, after, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range orders {
				paged = append(paged, o.ID)
			}
			if next == nil {
				break
			}
			cur, err := models.DecodeCursor(next.Encode())
			if err != nil {
				t.Fatal(err)
			}
			after = &cur
		}
		if want := inv.pick(0, 1, 2, 3, 4, 5, 6, 7, 8); !slices.Equal(paged, want) {
			t.Fatalf("pages %v\nwant  %v", paged, want)
		}
		if _, err := models.DecodeCursor("not-a-cursor"); models.ErrorCode(err) != models.CodeInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

// The cards count over the whole scope and filter, from the orders' roll-ups.
func TestSummarizeOrders(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		inv := newInventory(t, db)
		sum, err := models.SummarizeOrders(context.Background(), db, models.ScopeFor(models.OrderActor{Email: "fc@" + inv.tld}, nil), models.OrderFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Orders != 9 || sum.AssignmentStatus[models.AssignUnassigned] != 7 || sum.AssignmentStatus[models.AssignAssigned] != 2 ||
			sum.AssignmentStatus[models.AssignPartial] != 0 || sum.OrderTypes[models.OrderStandard] != 7 || sum.OrderTypes[models.OrderStocking] != 1 ||
			sum.OrderTypes[models.OrderEA] != 1 {
			t.Fatalf("summary %+v", sum)
		}
		// 18 lines: 9 service lines not started, 7 licenses waiting for an account, 2 for shipment.
		if sum.LinesByProvisioning[models.ProvisionNotStarted] != 9 || sum.LinesByProvisioning[models.ProvisionPending] != 9 {
			t.Fatalf("lines %+v", sum.LinesByProvisioning)
		}
		ofm, err := models.SummarizeOrders(context.Background(), db, models.OrderScope{Resellers: []string{inv.partner}},
			models.OrderFilter{Statuses: []models.AssignmentStatus{models.AssignUnassigned}})
		if err != nil || ofm.Orders != 6 {
			t.Fatalf("OFM's unassigned: %+v %v", ofm, err)
		}
		// Arms that share orders count each once: a partner whose own domain is the customer's, and an
		// account whose orders are also its domain's.
		for _, c := range []struct {
			scope models.OrderScope
			want  []string
		}{
			{models.OrderScope{Resellers: []string{inv.partner}, Distributors: []string{inv.partner}, Domain: inv.tld},
				inv.pick(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)},
			// Several domains: a list on one arm, and a distributor arm that repeats an order of it.
			{models.OrderScope{Resellers: []string{inv.partner, "nobody-" + inv.run[1:] + ".com"}, Distributors: []string{inv.distributor}},
				inv.pick(0, 1, 2, 3, 4, 5, 9, 10)},
			{models.OrderScope{Account: &inv.sa}, inv.pick(0, 1, 2, 3, 4, 5, 6, 7, 8)},
		} {
			both, err := models.SummarizeOrders(context.Background(), db, c.scope, models.OrderFilter{})
			if err != nil || both.Orders != len(c.want) || both.LinesByProvisioning[models.ProvisionNotStarted]+
				both.LinesByProvisioning[models.ProvisionPending] != 2*len(c.want) {
				t.Fatalf("overlapping arms %+v: %+v %v", c.scope, both, err)
			}
			if got := list(t, db, c.scope, models.OrderFilter{}); !slices.Equal(got, c.want) {
				t.Fatalf("overlapping arms listed %v, want %v", got, c.want)
			}
		}
		none, err := models.SummarizeOrders(context.Background(), db, models.OrderScope{}, models.OrderFilter{})
		if err != nil || none.Orders != 0 || len(none.AssignmentStatus) != len(models.OrderAssignmentStatuses) {
			t.Fatalf("empty scope: %+v %v", none, err)
		}
	})
}

// The selector finds one account: restricted ones by exact domain or name only; several matches are
// refused with the candidates; a customer's email finds the account they belong to.
func TestResolveAccount(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		u := testdb.Unique()
		open := newAccount(t, db, models.SmartAccount{Name: "Globex Widgets " + u, Domain: "gw-" + u + ".com"})
		secret := newAccount(t, db, models.SmartAccount{Name: "Globex Secret " + u, Domain: "gs-" + u + ".com", Visibility: models.VisibilityRestricted})
		newAccount(t, db, models.SmartAccount{Name: "Twin " + u + " A", Domain: "ta-" + u + ".com"})
		newAccount(t, db, models.SmartAccount{Name: "Twin " + u + " B", Domain: "tb-" + u + ".com"})
		gone := newAccount(t, db, models.SmartAccount{Name: "Gone " + u, Domain: "gone-" + u + ".com", Status: models.SADeclined})
		grant(t, db, open.ID, "", "buyer@gw-"+u+".com", models.RoleSAUser)
		grant(t, db, secret.ID, "", "buyer@gs-"+u+".com", models.RoleSAUser)
		for _, c := range []struct {
			name string
			sel  models.AccountSelector
			want string
			code string
		}{
			{"exact domain", models.AccountSelector{Domain: "GW-" + u + ".com"}, open.ID, ""},
			{"exact domain, restricted", models.AccountSelector{Domain: "gs-" + u + ".com"}, secret.ID, ""},
			{"partial domain", models.AccountSelector{Domain: "gw-" + u}, open.ID, ""},
			{"partial domain, restricted", models.AccountSelector{Domain: "gs-" + u}, "", models.CodeNotFound},
			{"exact name, restricted", models.AccountSelector{Name: "globex secret " + u}, secret.ID, ""},
			{"partial name, restricted", models.AccountSelector{Name: "Globex Secret"}, "", models.CodeNotFound},
			{"partial name with run", models.AccountSelector{Name: "Widgets " + u}, open.ID, ""},
			{"ambiguous", models.AccountSelector{Name: "Twin " + u}, "", models.CodeRefused},
			{"customer email", models.AccountSelector{Email: "Buyer@gw-" + u + ".com"}, open.ID, ""},
			{"customer email, restricted", models.AccountSelector{Email: "buyer@gs-" + u + ".com"}, "", models.CodeNotFound},
			{"declined", models.AccountSelector{Domain: gone.Domain}, "", models.CodeNotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				sa, err := models.ResolveAccount(ctx, db, c.sel, "productsTo.smartAccount")
				if c.code != "" {
					if models.ErrorCode(err) != c.code {
						t.Fatalf("got %v (%v), want %s", sa.ID, err, c.code)
					}
					var e *models.Error
					if e, _ = err.(*models.Error); e.Field != "productsTo.smartAccount" {
						t.Fatalf("error names %q", e.Field)
					}
					return
				}
				if err != nil || sa.ID != c.want {
					t.Fatalf("got %v (%v), want %s", sa.ID, err, c.want)
				}
			})
		}
	})
}

// Cisco staff's cards come from the daily roll-ups when the filter allows, and agree with counting the
// orders one by one (what a filter the roll-ups cannot answer does).
func TestSummaryOfEveryOrderMatchesTheOrders(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		newInventory(t, db)
		ctx := context.Background()
		all := models.OrderScope{All: true}
		from, to := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
		for _, f := range []models.OrderFilter{
			{},
			{Statuses: []models.AssignmentStatus{models.AssignUnassigned}},
			{Types: []models.OrderType{models.OrderStandard}, From: &from, To: &to},
		} {
			byDay, err := models.SummarizeOrders(ctx, db, all, f)
			if err != nil {
				t.Fatal(err)
			}
			// A contact filter that every order passes makes the summary count the orders themselves.
			var direct models.OrderSummary
			var n int64
			q := filtered(db.Model(&models.Order{}), f)
			if err := q.Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			direct.Orders = int(n)
			if byDay.Orders != direct.Orders || byDay.Orders == 0 {
				t.Fatalf("filter %+v: roll-ups count %d orders, the orders are %d", f, byDay.Orders, direct.Orders)
			}
		}
		// Assigning orders moves them between roll-up rows: every status agrees with the orders.
		sum, _ := models.SummarizeOrders(ctx, db, all, models.OrderFilter{})
		for _, st := range models.OrderAssignmentStatuses {
			var n int64
			db.Model(&models.Order{}).Where("assignment_status = ?", st).Count(&n)
			if sum.AssignmentStatus[st] != int(n) {
				t.Fatalf("roll-ups say %d %s, the orders %d", sum.AssignmentStatus[st], st, n)
			}
		}
		if sum.AssignmentStatus[models.AssignAssigned] < 2 {
			t.Fatalf("the inventory's two assigned orders are not in the roll-ups: %+v", sum)
		}
	})
}

// A restricted account's exact name finds it whatever letters it is written in, on both databases
// (SQLite's lower() folds ASCII letters only).
func TestResolveAccountByExactNonASCIIName(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		u := testdb.Unique()
		name := "Ölwerke Süd " + u
		secret := newAccount(t, db, models.SmartAccount{Name: name, Domain: "ow-" + u + ".com", Visibility: models.VisibilityRestricted})
		sa, err := models.ResolveAccount(context.Background(), db, models.AccountSelector{Name: name}, "productsTo.smartAccount")
		if err != nil || sa.ID != secret.ID {
			t.Fatalf("got %v (%v), want %s", sa.ID, err, secret.ID)
		}
	})
}
