package models_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func newVA(t *testing.T, db *gorm.DB, saID, name string, isDefault bool) models.VirtualAccount {
	t.Helper()
	now := time.Now().UTC()
	va := models.VirtualAccount{ID: models.NewID(), SmartAccountID: saID, Name: name, IsDefault: isDefault, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&va).Error; err != nil {
		t.Fatal(err)
	}
	return va
}

// A line's trail, from the events the store steps of the order's process write: ingested, assigned by
// its contact, shipped, a failed deposit then a good one making its license row, some licenses moved to
// another VA, then the line moved by support to another account with its licenses; each step in time
// order, with who, where and what came of it.
func TestOrderTrail(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		store := &activities.Store{DB: db, Log: slog.New(slog.DiscardHandler)}
		acme := newAccount(t, db, models.SmartAccount{Domain: "trail-" + u + ".com", Name: "Trail Co " + u})
		def, lab := newVA(t, db, acme.ID, models.DefaultVAName, true), newVA(t, db, acme.ID, "Lab", false)
		other := newAccount(t, db, models.SmartAccount{Domain: "other-" + u + ".com"})
		otherVA := newVA(t, db, other.ID, models.DefaultVAName, true)

		o := models.Order{ID: "TR-" + u, Type: models.OrderStandard, EndCustomer: models.Party{Name: "Trail Co"},
			FulfillmentContact: "fc@trail-" + u + ".com", BookedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), PayloadHash: "h",
			WorkflowID: "order/TR-" + u}
		lines := []models.OrderLine{{ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10, SmartLicense: true},
			{ID: "2", SKU: "CON-SNT", Kind: models.LineCiscoService, Quantity: 1}}
		models.PrepareOrder(&o, lines, time.Now().UTC().Truncate(time.Microsecond))
		if _, err := store.RecordOrder(ctx, process.IngestInput{Order: o, Lines: lines}); err != nil {
			t.Fatal(err)
		}
		must := func(_ any, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		fc := o.FulfillmentContact
		must(store.AssignOrderLines(ctx, activities.AssignLinesInput{OrderID: o.ID, Actor: fc, As: models.AsFulfillmentContact,
			Via: "api", Changes: []models.LineTarget{{LineID: "1", SmartAccountID: acme.ID, VirtualAccountID: def.ID}}}))
		must(store.RecordShipment(ctx, activities.ShipInput{OrderID: o.ID, Lines: []string{"1", "2"},
			ShippedAt: time.Date(2026, 11, 5, 8, 0, 0, 0, time.UTC), Actor: models.RoleCommerce}))
		dl := activities.DepositLine{LineID: "1", SKU: "C9300-DNA-E-3Y", Quantity: 10, SmartAccountID: acme.ID, VirtualAccountID: def.ID}
		must(store.RecordDeposits(ctx, activities.RecordDepositsInput{OrderID: o.ID, Rejects: 3,
			Outcomes: []activities.DepositOutcome{{Line: dl, Kind: models.DepositTransient, Error: "503 Service Unavailable"}}}))
		must(store.RecordDeposits(ctx, activities.RecordDepositsInput{OrderID: o.ID, Rejects: 3,
			Outcomes: []activities.DepositOutcome{{Line: dl, EntitlementID: "ent-1"}}}))
		// Transfers wait for the account's notices (SA11).
		for _, k := range models.Notices {
			must(models.AcknowledgeNotice(ctx, db, acme.ID, k, "admin@trail.com"))
		}
		must(models.TransferLicenses(ctx, db, "admin@trail.com", acme.ID, models.LicenseTransfer{SKU: "C9300-DNA-E-3Y", Quantity: 4,
			From: def.ID, To: lab.ID}))
		must(store.AssignOrderLines(ctx, activities.AssignLinesInput{OrderID: o.ID, Actor: "sue@cisco.com", As: models.AsSupport,
			Via: "api", Reason: "customer merged accounts", Changes: []models.LineTarget{{LineID: "1", SmartAccountID: other.ID,
				VirtualAccountID: otherVA.ID}}}))

		st, err := models.LoadOrderState(ctx, db, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		trails, cut, err := models.OrderTrail(ctx, db, st)
		if err != nil || cut || len(trails) != 2 {
			t.Fatalf("trail: %d lines, cut %v, %v", len(trails), cut, err)
		}
		var steps []string
		for _, s := range trails[0].Steps {
			steps = append(steps, s.Step)
		}
		want := []string{models.StepIngested, models.StepAssigned, models.StepShipped, models.StepProvisioning,
			models.StepAttempt, models.StepAttempt, models.StepLicensesMade, models.StepLicensesMoved,
			models.StepLicensesMoved, models.StepLicensesMoved, models.StepReassigned}
		if len(steps) != len(want) {
			t.Fatalf("steps %v, want %v", steps, want)
		}
		for i := range want {
			if steps[i] != want[i] {
				t.Fatalf("steps %v, want %v", steps, want)
			}
		}
		s := trails[0].Steps
		for i := 1; i < len(s); i++ {
			if s[i].At.Before(s[i-1].At) {
				t.Errorf("step %d (%s) at %v before step %d at %v", i, s[i].Step, s[i].At, i-1, s[i-1].At)
			}
		}
		if a := s[1]; a.By != fc || a.As != models.AsFulfillmentContact || a.To.SmartAccountID != acme.ID ||
			a.To.SmartAccountName != acme.Name || a.To.VirtualAccountName != models.DefaultVAName {
			t.Errorf("assignment %+v to %+v", a, a.To)
		}
		if s[2].ShippedAt == "" || s[2].By != models.RoleCommerce {
			t.Errorf("shipment %+v", s[2])
		}
		if f := s[4]; f.Attempt != 1 || f.Outcome != models.DepositTransient || f.Error != "503 Service Unavailable" ||
			f.DelayReason != models.DelayFulfillmentError {
			t.Errorf("failed attempt %+v", f)
		}
		if ok := s[5]; ok.Attempt != 2 || ok.Outcome != models.OutcomeDeposited {
			t.Errorf("deposit %+v", ok)
		}
		if m := s[6]; m.To.VirtualAccountID != def.ID || m.Quantity != 10 || m.LicenseID == "" {
			t.Errorf("licenses made %+v to %+v", m, m.To)
		}
		if m := s[7]; m.Why != "transfer" || m.By != "admin@trail.com" || m.From.VirtualAccountID != def.ID ||
			m.To.VirtualAccountName != "Lab" || m.Quantity != 4 {
			t.Errorf("transfer %+v from %+v to %+v", m, m.From, m.To)
		}
		moved := 0
		for _, m := range s[8:10] {
			if m.Why != "reassignment" || m.Reason != "customer merged accounts" || m.To.SmartAccountID != other.ID {
				t.Errorf("moved with the line: %+v to %+v", m, m.To)
			}
			moved += m.Quantity
		}
		if r := s[10]; moved != 10 || r.By != "sue@cisco.com" || r.As != models.AsSupport || r.From.SmartAccountID != acme.ID ||
			r.To.SmartAccountID != other.ID || r.Reason != "customer merged accounts" {
			t.Errorf("reassignment %+v (moved %d)", r, moved)
		}
		// The service line: ingested, shipped and so provisioned, nothing deposited.
		var service []string
		for _, s := range trails[1].Steps {
			service = append(service, s.Step+":"+string(s.Status))
		}
		if got := service; len(got) != 3 || got[0] != "INGESTED:" || got[1] != "SHIPPED:" || got[2] != "PROVISIONING_CHANGED:PROVISIONED" {
			t.Errorf("service line %v", got)
		}
	})
}
