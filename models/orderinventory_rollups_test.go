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
)

// cardsOf counts the cards over orders one by one, as the inventory shows them.
func cardsOf(orders []models.Order) models.OrderSummary {
	out := models.OrderSummary{AssignmentStatus: map[models.AssignmentStatus]int{}, OrderTypes: map[models.OrderType]int{},
		LinesByProvisioning: map[models.ProvisioningStatus]int{}, LinesByDelayReason: map[models.DelayReason]int{}}
	for _, r := range models.DelayReasons {
		out.LinesByDelayReason[r] = 0
	}
	for _, s := range models.OrderAssignmentStatuses {
		out.AssignmentStatus[s] = 0
	}
	for _, t := range []models.OrderType{models.OrderStandard, models.OrderStocking, models.OrderEA} {
		out.OrderTypes[t] = 0
	}
	for _, p := range models.ProvisioningStatuses {
		out.LinesByProvisioning[p] = 0
	}
	for _, o := range orders {
		out.Orders++
		out.AssignmentStatus[o.AssignmentStatus]++
		out.OrderTypes[o.Type]++
		out.LinesByProvisioning[models.ProvisionNotStarted] += o.LinesNotStarted
		out.LinesByProvisioning[models.ProvisionPending] += o.LinesPending
		out.LinesByProvisioning[models.ProvisionProvisioned] += o.LinesProvisioned
		out.LinesByProvisioning[models.ProvisionFailed] += o.LinesFailed
		for _, r := range models.DelayReasons {
			out.LinesByDelayReason[r] += o.DelayCounts.Of(r)
		}
	}
	return out
}

// The cards of a reseller, a distributor and a contact domain come from their own roll-ups, and equal
// the orders counted one by one after ingest, assignment, reassignment, shipment and an ops action, under
// the filters the roll-ups answer; rebuilding the roll-ups from the orders changes none of their rows.
func TestScopeRollupsAreTheOrders(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		inv := newInventory(t, db)
		store := &activities.Store{DB: db, Log: slog.New(slog.DiscardHandler)}
		var va models.VirtualAccount
		if err := db.Where("smart_account_id = ?", inv.sa.ID).Take(&va).Error; err != nil {
			t.Fatal(err)
		}
		to := func(line string) models.LineTarget {
			return models.LineTarget{LineID: line, SmartAccountID: inv.sa.ID, VirtualAccountID: va.ID}
		}
		// Assign a partner's order and the distributed one, ship an assigned one and an unassigned one,
		// put a shipped line in manual review.
		for _, i := range []int{3, 10} {
			if _, err := store.AssignOrderLines(ctx, activities.AssignLinesInput{OrderID: inv.ids[i], Actor: "ops@cisco.com",
				As: models.AsSupport, Changes: []models.LineTarget{to("1")}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range []int{0, 6} {
			if _, err := store.RecordShipment(ctx, activities.ShipInput{OrderID: inv.ids[i], Lines: []string{"1", "2"},
				ShippedAt: time.Now().UTC(), Actor: models.RoleCommerce}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := store.ApplyOps(ctx, activities.OpsInput{OrderID: inv.ids[0], Lines: []string{"1"},
			Action: models.OpsManualReview, Actor: "ops@cisco.com", Reason: "check the entitlement"}); err != nil {
			t.Fatal(err)
		}

		from, until := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
		filters := []models.OrderFilter{{}, {Statuses: []models.AssignmentStatus{models.AssignUnassigned}},
			{Types: []models.OrderType{models.OrderStandard}, From: &from, To: &until}}
		for _, c := range []struct {
			name  string
			scope models.OrderScope
			where string
			arg   any
		}{
			{"reseller", models.OrderScope{Resellers: []string{inv.partner}}, "reseller_domain = ?", inv.partner},
			{"distributor", models.OrderScope{Distributors: []string{inv.distributor}}, "distributor_domain = ?", inv.distributor},
			{"contact domain", models.ScopeFor(models.OrderActor{Email: "someone@" + inv.tld}, nil), "fc_domain = ?", inv.tld},
		} {
			for _, f := range filters {
				got, err := models.SummarizeOrders(ctx, db, c.scope, f)
				if err != nil {
					t.Fatal(err)
				}
				q := filtered(db.Where(c.where, c.arg), f)
				var orders []models.Order
				if err := q.Find(&orders).Error; err != nil {
					t.Fatal(err)
				}
				unfiltered := len(f.Statuses)+len(f.Types) == 0
				if want := cardsOf(orders); fmt.Sprint(got) != fmt.Sprint(want) || want.Orders == 0 && unfiltered {
					t.Errorf("%s, filter %+v: cards %+v, the orders %+v", c.name, f, got, want)
				}
			}
		}
		kept := scopeRollupRows(t, db, inv)
		if len(kept) == 0 {
			t.Fatal("no per-domain roll-ups kept")
		}
		if err := models.RebuildScopeRollups(ctx, db); err != nil {
			t.Fatal(err)
		}
		if rebuilt := scopeRollupRows(t, db, inv); !slices.Equal(kept, rebuilt) {
			t.Fatalf("kept roll-ups\n%v\nrebuilt from the orders\n%v", kept, rebuilt)
		}
	})
}

// scopeRollupRows lists the inventory's non-empty per-domain roll-up rows, in key order.
func scopeRollupRows(t *testing.T, db *gorm.DB, inv inventory) []string {
	t.Helper()
	var rows []struct {
		Kind, Domain, BookedDay, AssignmentStatus, Type                      string
		Orders, LinesNotStarted, LinesPending, LinesProvisioned, LinesFailed int
		LinesNoAccount, LinesAccountPending, LinesInHolding                  int
		LinesAwaitingShipment, LinesFulfillmentError, LinesManualReview      int
	}
	domains := []string{inv.partner, inv.distributor, inv.tld, inv.other}
	err := db.Table("order_scope_rollups").Where("domain IN ? AND orders <> 0", domains).
		Order("kind, domain, booked_day, assignment_status, type").Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%+v", r)
	}
	return out
}

// A search's cards are the cards of the orders it lists, whichever side drives the count: the matching
// orders (few keys match), the scope's orders probing their keys (many keys, a small scope), or the
// scope joined with the matching keys (many keys, a large scope).
func TestSearchCardsAreTheListedOrders(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		inv := newInventory(t, db)
		unassigned := []models.AssignmentStatus{models.AssignUnassigned}
		scopes := map[string]models.OrderScope{
			"contact domain": models.ScopeFor(models.OrderActor{Email: "fc@" + inv.tld}, nil),
			"reseller":       {Resellers: []string{inv.partner}, Domain: inv.other},
			"personal mail":  models.ScopeFor(models.OrderActor{Email: "pat-" + inv.run[1:] + "@gmail.com"}, nil),
			"account":        {Account: &inv.sa},
			"every order":    {All: true},
		}
		searches := []models.OrderFilter{{Query: inv.ids[3]}, {Query: "po" + inv.run[1:] + "0"}, {Query: inv.rareSKU[:8]},
			{Query: "c9300", Statuses: unassigned}, {Query: "%"}}
		for name, scope := range scopes {
			for _, f := range searches {
				if scope.All && f.Query == "c9300" {
					continue // every test's orders
				}
				listed, _, err := models.ListOrders(ctx, db, scope, f, nil, 1000)
				if err != nil {
					t.Fatal(err)
				}
				want := fmt.Sprint(cardsOf(listed))
				for _, c := range []struct {
					how  string
					walk int
				}{{"default", models.SearchWalkAt}, {"scope probed or joined", 2}, {"joined", 1}} {
					walk := models.SearchWalkAt
					models.SearchWalkAt = c.walk
					got, err := models.SummarizeOrders(ctx, db, scope, f)
					models.SearchWalkAt = walk
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(got) != want {
						t.Errorf("%s, %+v, %s: cards %+v, listed %s", name, f, c.how, got, want)
					}
				}
			}
		}
	})
}
