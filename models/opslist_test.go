package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// pendingBook is a set of lines in every state the ops list tells apart, each pending since its own
// hour: lines of one account, of another, unassigned, stuck, and some that are not pending at all.
type pendingBook struct {
	run          string
	acme, beta   string
	base         time.Time
	pendingOrder []string // "order/line" of the pending lines, oldest first
}

type bookLine struct {
	account string
	status  models.ProvisioningStatus
	reason  models.DelayReason
	stuck   bool
}

func newPendingBook(t *testing.T, db *gorm.DB) pendingBook {
	t.Helper()
	u := testdb.Unique()
	b := pendingBook{run: "OPS" + u, base: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	b.acme = newAccount(t, db, models.SmartAccount{Domain: "acme-" + u + ".com"}).ID
	b.beta = newAccount(t, db, models.SmartAccount{Domain: "beta-" + u + ".com"}).ID
	specs := []bookLine{
		{b.acme, models.ProvisionPending, models.DelayFulfillmentError, true},
		{"", models.ProvisionPending, models.DelayNoSmartAccount, false},
		{b.acme, models.ProvisionPending, models.DelayAwaitingShipment, false},
		{b.beta, models.ProvisionPending, models.DelayFulfillmentError, false},
		{b.acme, models.ProvisionProvisioned, "", false},
		{b.beta, models.ProvisionPending, models.DelayManualReview, true},
		{b.acme, models.ProvisionPending, "", false},
		{b.acme, models.ProvisionNotStarted, "", false},
		{b.beta, models.ProvisionPending, models.DelaySmartAccountPending, false},
		{b.acme, models.ProvisionPending, models.DelayFulfillmentError, false},
	}
	// Two lines per order, inserted newest order first, so the list's order is its own.
	for i := len(specs) - 1; i >= 0; i -= 2 {
		orderID := fmt.Sprintf("%s-%02d", b.run, i/2)
		o := models.Order{ID: orderID, Type: models.OrderStandard, BookedAt: b.base, AssignmentStatus: models.AssignAssigned,
			LineCount: 2, PayloadHash: "h", WorkflowID: "order/" + orderID, CreatedAt: b.base, UpdatedAt: b.base}
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		for j := i - 1; j <= i; j++ {
			s := specs[j]
			l := models.OrderLine{OrderID: orderID, ID: fmt.Sprint(j), Position: j, SKU: "SKU-" + fmt.Sprint(j),
				Kind: models.LineProduct, Quantity: 1, SmartLicense: true, AssignmentStatus: models.AssignAssigned,
				SmartAccountID: s.account, ProvisioningStatus: s.status, DelayReason: s.reason, ProvAttempts: j,
				UpdatedAt: b.base}
			if s.account == "" {
				l.AssignmentStatus = models.AssignUnassigned
			}
			if s.status == models.ProvisionPending {
				since := b.base.Add(time.Duration(j) * time.Hour)
				l.PendingSince, l.ReasonSince = &since, &since
				b.pendingOrder = append(b.pendingOrder, orderID+"/"+l.ID)
			}
			if s.stuck {
				l.StuckAt = &b.base
			}
			if err := db.Create(&l).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.SortFunc(b.pendingOrder, func(x, y string) int {
		return strings.Compare(x[strings.Index(x, "/"):], y[strings.Index(y, "/"):])
	})
	return b
}

// keys are the lines of this book among those listed, as order/line.
func (b pendingBook) keys(lines []models.OrderLine) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l.OrderID, b.run) {
			out = append(out, l.OrderID+"/"+l.ID)
		}
	}
	return out
}

// The ops list walks the pending lines oldest first across pages, whole or by reason, account, age or
// stuck, and counts them by reason with the reason filter left out.
func TestPendingList(t *testing.T) {
	testdb.Each(t, opsPkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		b := newPendingBook(t, db)
		// Lines pending since line j's hour: 0,1,2,3,5,6,8,9 (4 is provisioned, 7 not started).
		want := func(js ...int) []string {
			var out []string
			for _, j := range js {
				out = append(out, fmt.Sprintf("%s-%02d/%d", b.run, j/2, j))
			}
			return out
		}
		if got := b.pendingOrder; !slices.Equal(got, want(0, 1, 2, 3, 5, 6, 8, 9)) {
			t.Fatalf("fixture: %v", got)
		}
		list := func(f models.PendingFilter, limit int) []string {
			t.Helper()
			var all []string
			var after *models.PendingCursor
			for pages := 0; ; pages++ {
				lines, next, err := models.ListPending(ctx, db, f, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(lines) > limit || pages > 20 {
					t.Fatalf("page of %d with limit %d, page %d", len(lines), limit, pages)
				}
				all = append(all, b.keys(lines)...)
				if next == nil {
					return all
				}
				cur, err := models.DecodePendingCursor(next.Encode())
				if err != nil || cur != *next {
					t.Fatalf("cursor round trip: %+v %v", cur, err)
				}
				after = &cur
			}
		}
		// The account filters keep to this book; the others are read for this book's lines.
		run := models.PendingFilter{Before: ptr(b.base.Add(100 * time.Hour))}
		if got := list(run, 3); !slices.Equal(got, want(0, 1, 2, 3, 5, 6, 8, 9)) {
			t.Errorf("all pending, by 3: %v", got)
		}
		if got := list(models.PendingFilter{SmartAccountID: b.acme}, 2); !slices.Equal(got, want(0, 2, 6, 9)) {
			t.Errorf("acme's: %v", got)
		}
		if got := list(models.PendingFilter{SmartAccountID: b.acme, Reason: models.DelayFulfillmentError}, 1); !slices.Equal(got, want(0, 9)) {
			t.Errorf("acme's failing: %v", got)
		}
		if got := list(models.PendingFilter{SmartAccountID: b.beta, Stuck: true}, 5); !slices.Equal(got, want(5)) {
			t.Errorf("beta's stuck: %v", got)
		}
		if got := list(models.PendingFilter{SmartAccountID: b.beta, Before: ptr(b.base.Add(5 * time.Hour))}, 5); !slices.Equal(got, want(3, 5)) {
			t.Errorf("beta's pending since 05:00 or before: %v", got)
		}

		c, err := models.CountPending(ctx, db, models.PendingFilter{SmartAccountID: b.acme, Reason: models.DelayAwaitingShipment})
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := map[models.DelayReason]int{models.DelayFulfillmentError: 2, models.DelayAwaitingShipment: 1,
			models.DelayNoSmartAccount: 0, models.DelaySmartAccountPending: 0, models.DelayInHolding: 0, models.DelayManualReview: 0}
		if fmt.Sprint(c.ByReason) != fmt.Sprint(wantCounts) || c.Depositing != 1 || c.Stuck != 1 || c.Total != 4 {
			t.Errorf("acme's counts: %+v", c)
		}
		c, err = models.CountPending(ctx, db, models.PendingFilter{SmartAccountID: b.beta, Stuck: true})
		if err != nil {
			t.Fatal(err)
		}
		if c.ByReason[models.DelayManualReview] != 1 || c.Total != 1 || c.Stuck != 1 {
			t.Errorf("beta's stuck counts: %+v", c)
		}
	})
}

// opsPkg names the PostgreSQL database of the ops list's tests: their orders are inserted without the
// roll-ups the inventory's tests add up, so they keep to a database of their own.
const opsPkg = "modelsops"

func ptr[T any](v T) *T { return &v }

// A cursor the API never gave out is a 400 naming after.
func TestPendingCursorRefusesForgeries(t *testing.T) {
	for _, s := range []string{"", "!!", "bm90LWEtY3Vyc29y", // "not-a-cursor"
		"MjAyNi0xMS0wMVQwMDowMDowMFp8V08tMQ"} { // "2026-11-01T00:00:00Z|WO-1": no line
		if _, err := models.DecodePendingCursor(s); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// The list's queries walk the partial indexes of migration 00005 on PostgreSQL: whole, by reason, by
// account, stuck. The planner is told to avoid sequential scans (the test tables are small), so a plan
// without the index means the query's conditions do not match the index's.
func TestPendingListUsesThePartialIndexes(t *testing.T) {
	db := testdb.Shared(t, opsPkg)
	ctx := context.Background()
	after := &models.PendingCursor{Since: time.Now(), OrderID: "WO-1", LineID: "1"}
	for _, c := range []struct {
		f     models.PendingFilter
		index string
	}{
		{models.PendingFilter{}, "order_lines_pending"},
		{models.PendingFilter{Reason: models.DelayFulfillmentError}, "order_lines_pending_reason"},
		{models.PendingFilter{SmartAccountID: "sa-1"}, "order_lines_pending_account"},
		{models.PendingFilter{Stuck: true}, "order_lines_stuck"},
	} {
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			for _, q := range models.PendingQueries(tx, c.f, after) {
				var plan []string
				if err := tx.Raw("EXPLAIN "+q.SQL, q.Args...).Scan(&plan).Error; err != nil {
					return err
				}
				text := strings.Join(plan, "\n")
				t.Log(text)
				partial := strings.Contains(text, "using order_lines_pending") || strings.Contains(text, "using order_lines_stuck")
				if strings.Contains(text, "Seq Scan") || (q.Count && !partial) || (!q.Count && !strings.Contains(text, "using "+c.index+" ")) {
					t.Errorf("%+v: %s walks no %s:\n%s", c.f, q.SQL, c.index, text)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The counts over every pending line come from the order roll-ups: they are what the lines say, for
// orders moved by the store steps of the order process.
func TestPendingCountsFromTheRollupsAreTheLines(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		newInventory(t, db)
		c, err := models.CountPending(ctx, db, models.PendingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			DelayReason models.DelayReason
			N           int
		}
		if err := db.Raw(`SELECT delay_reason, COUNT(*) AS n FROM order_lines WHERE provisioning_status = 'PENDING'
			GROUP BY delay_reason`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		want := models.PendingCounts{ByReason: map[models.DelayReason]int{}}
		for _, r := range models.DelayReasons {
			want.ByReason[r] = 0
		}
		for _, r := range rows {
			want.Total += r.N
			if r.DelayReason == "" {
				want.Depositing += r.N
			} else {
				want.ByReason[r.DelayReason] = r.N
			}
		}
		if c.Total == 0 || fmt.Sprint(c.ByReason) != fmt.Sprint(want.ByReason) || c.Total != want.Total || c.Depositing != want.Depositing {
			t.Errorf("from the roll-ups %+v, the lines say %+v", c, want)
		}
	})
}
