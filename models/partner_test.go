package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// register records a partner whose administrator is admin@<domain>, serving the resellers given, and
// designates the OFMs given.
func register(t testing.TB, db *gorm.DB, domain string, distributorOf []string, ofms ...string) models.PartnerDetails {
	t.Helper()
	in, err := models.PartnerInput{Domain: domain, Name: "Partner " + domain, Administrators: []string{"admin@" + domain},
		DistributorOf: distributorOf}.Valid()
	if err != nil {
		t.Fatalf("partner %s: %v", domain, err)
	}
	if _, created, err := models.RegisterPartner(context.Background(), db, "tac@cisco.com", in); err != nil || !created {
		t.Fatalf("register %s: created %v, %v", domain, created, err)
	}
	if _, err := models.SetPartnerOFMs(context.Background(), db, "admin@"+domain, domain, ofms); err != nil {
		t.Fatalf("designate OFMs of %s: %v", domain, err)
	}
	p, err := models.FindPartner(context.Background(), db, domain)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func partnerEvents(t *testing.T, db *gorm.DB, domain string) []models.Event {
	t.Helper()
	evs, err := models.PartnerEvents(context.Background(), db, domain, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// A registration is checked and normalized field by field; people must be of the partner's domain or
// a subdomain of it, which a look-alike domain is not.
func TestPartnerInputValid(t *testing.T) {
	ok := models.PartnerInput{Domain: "PartnerX.com.", Name: " Partner X ",
		Administrators: []string{"Olivia@PartnerX.com", "ana@emea.partnerx.com", "olivia@partnerx.com"},
		DistributorOf:  []string{"Reseller-B.com", "reseller-a.co.uk", "reseller-b.com"}}
	got, err := ok.Valid()
	if err != nil {
		t.Fatal(err)
	}
	if got.Domain != "partnerx.com" || got.Name != "Partner X" ||
		!slices.Equal(got.Administrators, []string{"ana@emea.partnerx.com", "olivia@partnerx.com"}) ||
		!slices.Equal(got.DistributorOf, []string{"reseller-a.co.uk", "reseller-b.com"}) {
		t.Fatalf("normalized %+v", got)
	}
	with := func(edit func(*models.PartnerInput)) models.PartnerInput {
		in := ok
		edit(&in)
		return in
	}
	for _, c := range []struct {
		name, field string
		in          models.PartnerInput
	}{
		{"personal mail domain", "domain", with(func(in *models.PartnerInput) { in.Domain = "gmail.com" })},
		{"public suffix", "domain", with(func(in *models.PartnerInput) { in.Domain = "co.uk" })},
		{"unknown suffix", "domain", with(func(in *models.PartnerInput) { in.Domain = "partnerx.local" })},
		{"no name", "name", with(func(in *models.PartnerInput) { in.Name = " " })},
		{"control character", "name", with(func(in *models.PartnerInput) { in.Name = "Partner\x00X" })},
		{"no administrator", "administrators", with(func(in *models.PartnerInput) { in.Administrators = nil })},
		{"not an address", "administrators[0]", with(func(in *models.PartnerInput) { in.Administrators = []string{"olivia"} })},
		{"another domain", "administrators[1]", with(func(in *models.PartnerInput) {
			in.Administrators = []string{"olivia@partnerx.com", "eve@evil.com"}
		})},
		{"look-alike suffix", "administrators[0]", with(func(in *models.PartnerInput) { in.Administrators = []string{"eve@partnerx.com.evil.com"} })},
		{"look-alike prefix", "administrators[0]", with(func(in *models.PartnerInput) { in.Administrators = []string{"eve@notpartnerx.com"} })},
		{"itself as reseller", "distributorOf[1]", with(func(in *models.PartnerInput) { in.DistributorOf = []string{"r.com", "partnerx.com"} })},
		{"reseller not a domain", "distributorOf[0]", with(func(in *models.PartnerInput) { in.DistributorOf = []string{"not a domain"} })},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.in.Valid()
			var e *models.Error
			if !errors.As(err, &e) || e.Code != models.CodeInvalid || e.Field != c.field {
				t.Fatalf("got %v, want INVALID on %s", err, c.field)
			}
		})
	}
}

// Who may do what with a partner's rows: staff see every partner and support changes them, its
// administrators see it and designate its OFMs, its OFMs see it, nobody else does.
func TestAccessToPartner(t *testing.T) {
	p := models.PartnerDetails{Partner: models.Partner{Domain: "partnerx.com"}, Administrators: []string{"admin@partnerx.com"},
		OFMs: []string{"olivia@partnerx.com"}}
	for _, c := range []struct {
		name string
		v    models.Viewer
		want models.PartnerAccess
	}{
		{"administrator", models.Viewer{Email: "Admin@PartnerX.com"}, models.PartnerAccess{See: true, ManageOFMs: true}},
		{"OFM", models.Viewer{Email: "olivia@partnerx.com"}, models.PartnerAccess{See: true}},
		{"colleague", models.Viewer{Email: "sales@partnerx.com"}, models.PartnerAccess{}},
		{"claims the ofm role", models.Viewer{Email: "eve@evil.com", Roles: []string{"ofm"}}, models.PartnerAccess{}},
		{"support", models.Viewer{Email: "tac@cisco.com", Roles: []string{models.RoleCiscoSupport}}, models.PartnerAccess{See: true, Change: true}},
		{"licensing ops", models.Viewer{Email: "ops@cisco.com", Roles: []string{models.RoleLicensingOps}}, models.PartnerAccess{See: true, Change: true}},
		{"approver", models.Viewer{Email: "ca@cisco.com", Roles: []string{models.RoleCiscoApprover}}, models.PartnerAccess{See: true}},
	} {
		if got := models.AccessToPartner(c.v, p); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// Every partner right on an order comes from the rows and the address: the reseller's OFMs, the named
// distributor's, those of a distributor registered as serving the reseller (2-tier); not an address that
// claims the role, not an administrator who is no OFM, not another partner's OFM, not one removed.
func TestPartnerRightsOnOrders(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		reseller, named, serving, rival := "r-"+u+".com", "n-"+u+".com", "s-"+u+".com", "x-"+u+".com"
		register(t, db, reseller, nil, "olivia@"+reseller, "sam@eu."+reseller)
		register(t, db, named, nil, "ofm@"+named)
		register(t, db, serving, []string{reseller}, "ofm@"+serving)
		register(t, db, rival, nil, "ofm@"+rival)
		order := models.Order{ID: "WO-" + u, FulfillmentContact: "fc@cust-" + u + ".com", ResellerDomain: reseller, DistributorDomain: named}
		direct := models.Order{ID: "WD-" + u, FulfillmentContact: "fc@cust-" + u + ".com", ResellerDomain: serving}
		access := func(email string, o models.Order) models.OrderAccess {
			t.Helper()
			a, err := models.OrderActorOf(ctx, db, email, []string{"ofm"})
			if err != nil {
				t.Fatal(err)
			}
			return models.AccessTo(a, o, nil, false, time.Now())
		}
		for _, c := range []struct {
			name  string
			email string
			o     models.Order
			act   bool
		}{
			{"reseller's OFM", "olivia@" + reseller, order, true},
			{"reseller's OFM at a subdomain, any case", "Sam@EU." + reseller, order, true},
			{"named distributor's OFM", "ofm@" + named, order, true},
			{"serving distributor's OFM (2-tier)", "ofm@" + serving, order, true},
			{"serving distributor's OFM, its own order", "ofm@" + serving, direct, true},
			{"reseller's OFM, the distributor's own order", "olivia@" + reseller, direct, false},
			{"another partner's OFM", "ofm@" + rival, order, false},
			{"administrator, no OFM", "admin@" + reseller, order, false},
			{"colleague claiming the role", "sales@" + reseller, order, false},
			{"outsider claiming the role", "eve@evil.com", order, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				got := access(c.email, c.o)
				if got.Act != c.act || (c.act && got.As != models.AsOFM) || (!c.act && got.See) {
					t.Fatalf("%+v, want act %v", got, c.act)
				}
			})
		}
		// A removed OFM, and a reseller no longer served, lose the right with the change.
		if _, err := models.SetPartnerOFMs(ctx, db, "admin@"+reseller, reseller, []string{"sam@eu." + reseller}); err != nil {
			t.Fatal(err)
		}
		if got := access("olivia@"+reseller, order); got.See {
			t.Fatalf("a removed OFM still has %+v", got)
		}
		in, _ := models.PartnerInput{Domain: serving, Name: "Partner " + serving, Administrators: []string{"admin@" + serving}}.Valid()
		if _, err := models.UpdatePartner(ctx, db, "tac@cisco.com", in); err != nil {
			t.Fatal(err)
		}
		if got := access("ofm@"+serving, order); got.See {
			t.Fatalf("the OFM of a distributor that no longer serves the reseller has %+v", got)
		}
		if got := access("ofm@"+serving, direct); !got.Act {
			t.Fatalf("the distributor's OFM lost its own orders: %+v", got)
		}
	})
}

// A registration is recorded once with its event; the same one again (in another spelling) answers the
// partner as it is and writes nothing; other content is a conflict naming what differs; an update
// writes an event per change.
func TestRegisterAndUpdatePartner(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		domain := "p-" + u + ".com"
		in, err := models.PartnerInput{Domain: domain, Name: "Partner", Administrators: []string{"a@" + domain, "b@" + domain},
			DistributorOf: []string{"r1-" + u + ".com"}}.Valid()
		if err != nil {
			t.Fatal(err)
		}
		p, created, err := models.RegisterPartner(ctx, db, "TAC@cisco.com", in)
		if err != nil || !created || p.CreatedBy != "tac@cisco.com" || !slices.Equal(p.Administrators, in.Administrators) ||
			!slices.Equal(p.DistributorOf, in.DistributorOf) || len(p.OFMs) != 0 {
			t.Fatalf("register: %+v %v %v", p, created, err)
		}
		again, _ := models.PartnerInput{Domain: strings.ToUpper(domain), Name: "Partner", Administrators: []string{"B@" + domain, "a@" + domain},
			DistributorOf: []string{"R1-" + u + ".com"}}.Valid()
		if p2, created, err := models.RegisterPartner(ctx, db, "other@cisco.com", again); err != nil || created || p2.CreatedBy != "tac@cisco.com" {
			t.Fatalf("repeat: %+v %v %v", p2, created, err)
		}
		changed := in
		changed.Name, changed.Administrators = "Renamed", []string{"a@" + domain}
		_, _, err = models.RegisterPartner(ctx, db, "tac@cisco.com", changed)
		var e *models.Error
		if !errors.As(err, &e) || e.Code != models.CodeConflict ||
			!slices.Equal(e.Details.(map[string]any)["differs"].([]string), []string{"name", "administrators"}) {
			t.Fatalf("changed repeat: %v", err)
		}
		if evs := partnerEvents(t, db, domain); len(evs) != 1 || evs[0].Action != models.EventPartnerRegistered {
			t.Fatalf("events after repeats: %+v", evs)
		}
		changed.DistributorOf = []string{"r2-" + u + ".com"}
		p, err = models.UpdatePartner(ctx, db, "tac@cisco.com", changed)
		if err != nil || p.Name != "Renamed" || !slices.Equal(p.Administrators, []string{"a@" + domain}) ||
			!slices.Equal(p.DistributorOf, []string{"r2-" + u + ".com"}) {
			t.Fatalf("update: %+v %v", p, err)
		}
		var actions []string
		for _, ev := range partnerEvents(t, db, domain) {
			desc := ev.Action
			for _, k := range []string{"email", "reseller", "to"} {
				if v, ok := ev.Details[k]; ok {
					desc += " " + fmt.Sprint(v)
				}
			}
			actions = append(actions, desc)
		}
		want := []string{models.EventPartnerRegistered, models.EventPartnerRenamed + " Renamed",
			models.EventPartnerAdminRemoved + " b@" + domain, models.EventPartnerResellerAdded + " r2-" + u + ".com",
			models.EventPartnerResellerRemoved + " r1-" + u + ".com"}
		if !slices.Equal(actions, want) {
			t.Fatalf("events %v\nwant   %v", actions, want)
		}
		if _, err := models.UpdatePartner(ctx, db, "tac@cisco.com", changed); err != nil || len(partnerEvents(t, db, domain)) != len(want) {
			t.Fatalf("an update that changes nothing wrote events (%v)", err)
		}
		missing := changed
		missing.Domain = "none-" + u + ".com"
		if _, err := models.UpdatePartner(ctx, db, "tac@cisco.com", missing); models.ErrorCode(err) != models.CodeNotFound {
			t.Fatalf("update of an unknown partner: %v", err)
		}
	})
}

// Replacing the OFMs writes one event per designation and removal, in the transaction of the change:
// however concurrent replacements interleave, the events replayed give the OFMs the rows hold.
func TestSetPartnerOFMs(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		domain := "o-" + u + ".com"
		register(t, db, domain, nil)
		if _, err := models.SetPartnerOFMs(ctx, db, "admin@"+domain, domain, []string{"x@evil.com"}); models.ErrorCode(err) != models.CodeInvalid {
			t.Fatalf("an OFM of another domain: %v", err)
		}
		out, err := models.SetPartnerOFMs(ctx, db, "admin@"+domain, domain, []string{"B@" + domain, "a@sub." + domain})
		if err != nil || !slices.Equal(out.Emails, []string{"a@sub." + domain, "b@" + domain}) || len(out.Added) != 2 || len(out.Removed) != 0 {
			t.Fatalf("designate: %+v %v", out, err)
		}
		if out, err := models.SetPartnerOFMs(ctx, db, "admin@"+domain, domain, []string{"a@sub." + domain, "b@" + domain}); err != nil ||
			len(out.Added)+len(out.Removed) != 0 || len(partnerEvents(t, db, domain)) != 3 {
			t.Fatalf("the same OFMs again: %+v %v", out, err)
		}
		if _, err := models.SetPartnerOFMs(ctx, db, "admin@"+domain, "none-"+u+".com", nil); models.ErrorCode(err) != models.CodeNotFound {
			t.Fatalf("OFMs of an unknown partner: %v", err)
		}
		sets := [][]string{{"a@" + domain}, {"b@" + domain, "c@" + domain}, {}, {"a@" + domain, "c@" + domain}, {"d@" + domain}}
		var wg sync.WaitGroup
		errs := make(chan error, 4*len(sets))
		for i := 0; i < 4; i++ {
			for _, set := range sets {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := models.SetPartnerOFMs(ctx, db, "admin@"+domain, domain, set); err != nil {
						errs <- err
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		held := map[string]bool{}
		for _, ev := range partnerEvents(t, db, domain) {
			email, _ := ev.Details["email"].(string)
			switch ev.Action {
			case models.EventPartnerOFMDesignated:
				if held[email] {
					t.Fatalf("%s designated twice in a row", email)
				}
				held[email] = true
			case models.EventPartnerOFMRemoved:
				if !held[email] {
					t.Fatalf("%s removed while not an OFM", email)
				}
				delete(held, email)
			}
		}
		p, err := models.FindPartner(ctx, db, domain)
		if err != nil {
			t.Fatal(err)
		}
		var replayed []string
		for e := range held {
			replayed = append(replayed, e)
		}
		slices.Sort(replayed)
		if !slices.Equal(p.OFMs, replayed) && !(len(p.OFMs) == 0 && len(replayed) == 0) {
			t.Fatalf("rows hold %v, the events say %v", p.OFMs, replayed)
		}
		if !slices.ContainsFunc(sets, func(s []string) bool { return slices.Equal(s, p.OFMs) || len(s) == 0 && len(p.OFMs) == 0 }) {
			t.Fatalf("the OFMs %v are none of the sets asked for", p.OFMs)
		}
	})
}

// A person's memberships, for their own view.
func TestPartnersOf(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		u := testdb.Unique()
		domain := "m-" + u + ".com"
		register(t, db, domain, nil, "admin@"+domain)
		got, err := models.PartnersOf(context.Background(), db, "Admin@"+domain)
		if err != nil || len(got) != 1 || got[0].Domain != domain ||
			!slices.Equal(got[0].Roles, []models.PartnerRole{models.PartnerAdministrator, models.PartnerOFM}) {
			t.Fatalf("memberships %+v %v", got, err)
		}
		if none, err := models.PartnersOf(context.Background(), db, "eve@evil.com"); err != nil || len(none) != 0 {
			t.Fatalf("an outsider's memberships %+v %v", none, err)
		}
	})
}
