package activities_test

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// workflowsErr is the error as the workflow hands it on: the activity's refusal as a *models.Error.
func workflowsErr(err error) error { return process.DecodeError(err) }

// newOrder is a prepared order of the contact, with a licensed product, a Cisco service and a partner
// service.
func newOrder(fc string) process.IngestInput {
	o := models.Order{ID: "WO-" + testdb.Unique(), Type: models.OrderStandard, PurchaseOrder: "PO-" + testdb.Unique(),
		EndCustomer: models.Party{Name: "Acme"}, Reseller: models.Party{Name: "Partner X", Domain: "partnerx.com"},
		FulfillmentContact: fc, BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "h-1"}
	lines := []models.OrderLine{
		{ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10, SmartLicense: true, SAMandatory: true, TermMonths: 36},
		{ID: "2", SKU: "CON-SNT-C9300", Kind: models.LineCiscoService, Quantity: 1},
		{ID: "3", SKU: "PSS-ADVISE", Kind: models.LinePartnerService, Quantity: 1, SmartLicense: true},
	}
	o.WorkflowID = "order/" + o.ID
	models.PrepareOrder(&o, lines, time.Now().UTC().Truncate(time.Microsecond))
	return process.IngestInput{Order: o, Lines: lines}
}

func record(t *testing.T, s *activities.Store, in process.IngestInput) activities.RecordOrderResult {
	t.Helper()
	res, err := s.RecordOrder(ctx, in)
	if err != nil {
		t.Fatalf("RecordOrder(%s): %v", in.Order.ID, err)
	}
	return res
}

func defaultVA(t *testing.T, db *gorm.DB, saID string) string {
	t.Helper()
	va, err := models.ResolveVirtualAccount(ctx, db, saID, "", "va")
	if err != nil {
		t.Fatal(err)
	}
	return va.ID
}

func orderEvents(t *testing.T, db *gorm.DB, orderID string) []models.Event {
	t.Helper()
	var evs []models.Event
	if err := db.Where("target_id = ? OR target_id LIKE ?", orderID, orderID+"/%").Order("id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

// delegatedOrder records a new order of the contact fc and a PENDING delegation of it to helper@x.com,
// open for an hour, under the delegation workflow id.
func delegatedOrder(t *testing.T, s *activities.Store, fc, workflowID string) (process.IngestInput, models.OrderDelegation) {
	t.Helper()
	in := newOrder(fc)
	record(t, s, in)
	now := time.Now().UTC().Truncate(time.Microsecond)
	d := models.OrderDelegation{ID: models.NewID(), OrderID: in.Order.ID, Delegator: fc, Delegate: "helper@x.com",
		Status: models.DelegationPending, WorkflowID: workflowID, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if _, err := s.CreateDelegation(ctx, activities.CreateDelegationInput{Delegation: d}); err != nil {
		t.Fatalf("CreateDelegation(%s): %v", d.OrderID, err)
	}
	return in, d
}

// delegateWrite is the delegate's assignment of the delegated order's line 1 to the account's virtual account.
func delegateWrite(d models.OrderDelegation, saID, vaID string) activities.AssignLinesInput {
	return activities.AssignLinesInput{OrderID: d.OrderID, Actor: d.Delegate, As: models.AsDelegate, Via: "email",
		DelegationID: d.ID, Changes: []models.LineTarget{{LineID: "1", SmartAccountID: saID, VirtualAccountID: vaID}}}
}

// An order is recorded once with its lines, search keys and event; the same order again finds it; other
// content under the same id is reported as a conflict and changes nothing.
func TestRecordOrder(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		in := newOrder("fc@acme.com")
		first := record(t, s, in)
		if !first.Created || first.Conflict || len(first.State.Lines) != 3 {
			t.Fatalf("first: %+v", first)
		}
		o, lines, err := models.FindOrder(ctx, db, in.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.AssignmentStatus != models.AssignUnassigned || o.LinesPending != 2 || o.LinesNotStarted != 1 || o.FCDomain != "acme.com" ||
			o.ResellerDomain != "partnerx.com" || !o.BookedAt.Equal(in.Order.BookedAt) {
			t.Fatalf("order row %+v", o)
		}
		if lines[0].DelayReason != models.DelayNoSmartAccount || lines[1].ProvisioningStatus != models.ProvisionNotStarted {
			t.Fatalf("lines %+v", lines)
		}
		var keys []string
		db.Model(&models.OrderKey{}).Where("order_id = ?", o.ID).Order("key").Pluck("key", &keys)
		want := []string{"C9300-DNA-E-3Y", "CON-SNT-C9300", "PSS-ADVISE", models.SearchKey(in.Order.PurchaseOrder), models.SearchKey(in.Order.ID)}
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}

		again := record(t, s, in)
		if again.Created || again.Conflict {
			t.Fatalf("again: %+v", again)
		}
		changed := in
		changed.Order.PayloadHash, changed.Order.PurchaseOrder = "h-2", "PO-other"
		conflict := record(t, s, changed)
		if !conflict.Conflict || conflict.State.Order.PurchaseOrder != in.Order.PurchaseOrder {
			t.Fatalf("conflict: %+v", conflict)
		}
		if evs := orderEvents(t, db, o.ID); len(evs) != 1 || evs[0].Action != models.EventOrderIngested {
			t.Fatalf("events %+v", evs)
		}
	})
}

// Lines move to their accounts in one write with one event each; the roll-up, the holders and the
// provisioning follow; a retry changes nothing; an account declined since refuses the whole write.
func TestAssignOrderLines(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		active := create(t, s, request("Acme", tld, "admin@"+tld))
		pending := create(t, s, request("Acme Labs", "labs."+tld, "bob@"+tld))
		if pending.Status != models.SAPendingApproval {
			t.Fatalf("pending account is %s", pending.Status)
		}
		in := newOrder("fc@" + tld)
		record(t, s, in)
		plan := []models.LineTarget{
			{LineID: "1", SmartAccountID: active.SmartAccountID, VirtualAccountID: defaultVA(t, db, active.SmartAccountID)},
			{LineID: "2", SmartAccountID: active.SmartAccountID, VirtualAccountID: defaultVA(t, db, active.SmartAccountID)},
			{LineID: "3", SmartAccountID: pending.SmartAccountID, VirtualAccountID: defaultVA(t, db, pending.SmartAccountID)},
		}
		assign := activities.AssignLinesInput{OrderID: in.Order.ID, Changes: plan, Actor: "fc@" + tld, As: models.AsFulfillmentContact, Via: "api"}
		res, err := s.AssignOrderLines(ctx, assign)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Changed, []string{"1", "2", "3"}) || res.State.Order.AssignmentStatus != models.AssignAssigned {
			t.Fatalf("result %+v", res)
		}
		o, lines, _ := models.FindOrder(ctx, db, in.Order.ID)
		if o.AssignmentStatus != models.AssignAssigned || lines[0].DelayReason != models.DelayAwaitingShipment ||
			lines[2].DelayReason != models.DelaySmartAccountPending || lines[0].AssignedBy != "fc@"+tld || lines[0].AssignedAt == nil {
			t.Fatalf("after: %+v %+v", o, lines)
		}
		var holders []string
		db.Model(&models.OrderAccount{}).Where("order_id = ?", o.ID).Order("smart_account_id").Pluck("smart_account_id", &holders)
		want := []string{active.SmartAccountID, pending.SmartAccountID}
		slices.Sort(want)
		if !slices.Equal(holders, want) {
			t.Fatalf("holders %v, want %v", holders, want)
		}
		evs := orderEvents(t, db, o.ID)
		if len(evs) != 4 || evs[1].Action != models.EventLineAssigned || evs[1].SmartAccountID != active.SmartAccountID ||
			evs[3].SmartAccountID != pending.SmartAccountID || evs[1].Details["as"] != models.AsFulfillmentContact {
			t.Fatalf("events %+v", evs)
		}

		retry, err := s.AssignOrderLines(ctx, assign)
		if err != nil || len(retry.Changed) != 0 || len(orderEvents(t, db, o.ID)) != 4 {
			t.Fatalf("retry: %+v %v", retry, err)
		}

		// Line 3 moved on by support to the active account: a reassignment, with the reason.
		move := activities.AssignLinesInput{OrderID: o.ID, Actor: "tac@cisco.com", As: models.AsSupport, Via: "api", Reason: "case 42",
			Changes: []models.LineTarget{{LineID: "3", SmartAccountID: active.SmartAccountID, VirtualAccountID: defaultVA(t, db, active.SmartAccountID)}}}
		if _, err := s.AssignOrderLines(ctx, move); err != nil {
			t.Fatal(err)
		}
		evs = orderEvents(t, db, o.ID)
		last := evs[len(evs)-1]
		if last.Action != models.EventLineReassigned || last.Details["reason"] != "case 42" || last.Actor != "tac@cisco.com" {
			t.Fatalf("reassignment event %+v", last)
		}
		db.Model(&models.OrderAccount{}).Where("order_id = ?", o.ID).Pluck("smart_account_id", &holders)
		if !slices.Equal(holders, []string{active.SmartAccountID}) {
			t.Fatalf("holders after the move %v", holders)
		}

		// A virtual account of another account, or an account declined since, refuses the write.
		bad := assign
		bad.Changes = []models.LineTarget{{LineID: "1", SmartAccountID: pending.SmartAccountID, VirtualAccountID: defaultVA(t, db, active.SmartAccountID)}}
		if _, err := s.AssignOrderLines(ctx, bad); models.ErrorCode(workflowsErr(err)) != models.CodeRefused {
			t.Fatalf("foreign VA: %v", err)
		}
		if _, err := s.DecideSmartAccount(ctx, activities.DecideSAInput{SmartAccountID: pending.SmartAccountID, Approve: false,
			Actor: "admin@" + tld, Reason: "no"}); err != nil {
			t.Fatal(err)
		}
		bad.Changes[0].VirtualAccountID = defaultVA(t, db, pending.SmartAccountID)
		if _, err := s.AssignOrderLines(ctx, bad); models.ErrorCode(workflowsErr(err)) != models.CodeRefused {
			t.Fatalf("declined account: %v", err)
		}
		if _, lines, _ := models.FindOrder(ctx, db, o.ID); lines[0].SmartAccountID != active.SmartAccountID {
			t.Fatalf("a refused write moved line 1: %+v", lines[0])
		}
	})
}

// A delegation is recorded once; the delegate's assignment uses it in the same write; closing a
// delegation that is no longer PENDING changes nothing.
func TestDelegationRows(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "deleg-" + u + ".com"
		sa := create(t, s, request("Deleg", tld, "admin@"+tld))
		in := newOrder("fc@" + tld)
		record(t, s, in)
		now := time.Now().UTC().Truncate(time.Microsecond)
		d := models.OrderDelegation{ID: models.NewID(), OrderID: in.Order.ID, Delegator: "fc@" + tld, Delegate: "helper@x.com",
			Status: models.DelegationPending, WorkflowID: "delegation/x", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		for i := 0; i < 2; i++ {
			got, err := s.CreateDelegation(ctx, activities.CreateDelegationInput{Delegation: d})
			if err != nil || got.ID != d.ID || got.Status != models.DelegationPending {
				t.Fatalf("create #%d: %+v %v", i, got, err)
			}
		}
		pendingNow, _ := models.PendingDelegations(ctx, db, []string{in.Order.ID})
		if len(pendingNow[in.Order.ID]) != 1 {
			t.Fatalf("pending %+v", pendingNow)
		}
		ids, _ := models.DelegatedOrderIDs(ctx, db, "Helper@X.com", now)
		if !slices.Equal(ids, []string{in.Order.ID}) {
			t.Fatalf("delegated orders %v", ids)
		}
		if _, err := s.AssignOrderLines(ctx, delegateWrite(d, sa.SmartAccountID, defaultVA(t, db, sa.SmartAccountID))); err != nil {
			t.Fatal(err)
		}
		used, _ := models.FindDelegation(ctx, db, d.ID)
		if used.Status != models.DelegationUsed || used.ClosedBy != "helper@x.com" || used.ClosedAt == nil {
			t.Fatalf("used %+v", used)
		}
		late, err := s.CloseDelegation(ctx, activities.CloseDelegationInput{DelegationID: d.ID, Status: models.DelegationExpired, Actor: models.ActorSystem})
		if err != nil || late.Status != models.DelegationUsed {
			t.Fatalf("expiring a used delegation: %+v %v", late, err)
		}
		d2 := d
		d2.ID, d2.Delegate = models.NewID(), "other@y.com"
		if _, err := s.CreateDelegation(ctx, activities.CreateDelegationInput{Delegation: d2}); err != nil {
			t.Fatal(err)
		}
		revoked, err := s.CloseDelegation(ctx, activities.CloseDelegationInput{DelegationID: d2.ID, Status: models.DelegationRevoked,
			Actor: "fc@" + tld, Reason: "wrong person"})
		if err != nil || revoked.Status != models.DelegationRevoked || revoked.Reason != "wrong person" {
			t.Fatalf("revoked %+v %v", revoked, err)
		}
		var n int64
		db.Model(&models.Event{}).Where("target_id IN ?", []string{d.ID, d2.ID}).Count(&n)
		if n != 4 { // created, used, created, revoked
			t.Fatalf("%d delegation events", n)
		}
	})
}

// A delegation that its own process closed (expired) or the contact revoked in the meantime entitles
// nobody: the delegate's write through it is refused as a whole and moves no line. The delegate's own
// write, retried after it was recorded, is still answered.
func TestAssignThroughClosedDelegation(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "closed-" + u + ".com"
		sa := create(t, s, request("Closed", tld, "admin@"+tld))
		va := defaultVA(t, db, sa.SmartAccountID)
		for _, status := range []models.DelegationStatus{models.DelegationExpired, models.DelegationRevoked} {
			in, d := delegatedOrder(t, s, "fc@"+tld, "delegation/x")
			if _, err := s.CloseDelegation(ctx, activities.CloseDelegationInput{DelegationID: d.ID, Status: status, Actor: models.ActorSystem}); err != nil {
				t.Fatal(err)
			}
			_, err := s.AssignOrderLines(ctx, delegateWrite(d, sa.SmartAccountID, va))
			if code := models.ErrorCode(workflowsErr(err)); code != models.CodeGone {
				t.Fatalf("%s delegation: want %s, got %v", status, models.CodeGone, err)
			}
			if _, lines, _ := models.FindOrder(ctx, db, in.Order.ID); lines[0].SmartAccountID != "" {
				t.Fatalf("%s delegation: line moved %+v", status, lines[0])
			}
			if evs := orderEvents(t, db, in.Order.ID); len(evs) != 1 {
				t.Fatalf("%s delegation: events %+v", status, evs)
			}
		}

		// Used by its delegate: the same write again (an activity retry) is answered, and changes nothing.
		_, d := delegatedOrder(t, s, "fc@"+tld, "delegation/y")
		write := delegateWrite(d, sa.SmartAccountID, va)
		for i := 0; i < 2; i++ {
			if _, err := s.AssignOrderLines(ctx, write); err != nil {
				t.Fatalf("write #%d: %v", i, err)
			}
		}
	})
}
