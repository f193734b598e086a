package activities_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// onBehalf is a partner's request for a customer's account, with the customer's contacts.
func onBehalf(name, domain string, contacts ...string) activities.CreateSAInput {
	in := request(name, domain, "partner@reseller-"+testdb.Unique()+".com")
	in.OnBehalf, in.CustomerContacts, in.NoteToCustomer = true, contacts, "please accept"
	in.Headquarters = models.Address{}
	return in
}

func TestOnBehalfAcceptWithoutAddressThenAddress(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "cust-" + u + ".com"
		st := create(t, s, onBehalf("Customer", tld, "cto@"+tld, "cfo@"+tld))
		if st.Status != models.SAPendingCustomerAcceptance || !slices.Equal(st.Approvers, []string{"cto@" + tld, "cfo@" + tld}) {
			t.Fatalf("created %+v", st)
		}
		sa := account(t, db, st.SmartAccountID)
		if !sa.OnBehalf || sa.NoteToCustomer != "please accept" || len(sa.CustomerContacts) != 2 {
			t.Fatalf("row %+v", sa)
		}
		if got := adminsOn(t, db, sa.ID); len(got) != 0 {
			t.Fatalf("admins before acceptance: %v", got)
		}
		acc, err := s.AcceptOnBehalf(ctx, activities.AcceptSAInput{SmartAccountID: sa.ID, Actor: "CTO@" + tld, Via: "email"})
		if err != nil || acc.Status != models.SAPendingCustomerAddress || acc.AcceptedBy != "cto@"+tld ||
			!slices.Equal(acc.Approvers, []string{"cto@" + tld}) {
			t.Fatalf("accept without address: %+v %v", acc, err)
		}
		// A retry after the commit changes nothing more.
		if again, err := s.AcceptOnBehalf(ctx, activities.AcceptSAInput{SmartAccountID: sa.ID, Actor: "cto@" + tld}); err != nil || again.Status != models.SAPendingCustomerAddress {
			t.Fatalf("retry: %+v %v", again, err)
		}
		hq := models.Address{Company: "Customer Inc", Line1: "1 Way", City: "Austin", Country: "US"}
		done, err := s.GiveHeadquarters(ctx, activities.HeadquartersInput{SmartAccountID: sa.ID, Actor: "cto@" + tld, Headquarters: hq})
		if err != nil || done.Status != models.SAActive {
			t.Fatalf("address: %+v %v", done, err)
		}
		sa = account(t, db, sa.ID)
		if sa.Headquarters != hq || sa.DecidedBy != "cto@"+tld || sa.ActivatedAt == nil {
			t.Errorf("active row %+v", sa)
		}
		// The contact who accepted administers it, not the partner who asked.
		if got := adminsOn(t, db, sa.ID); !slices.Equal(got, []string{"cto@" + tld}) {
			t.Errorf("admins %v", got)
		}
		c := count(actions(t, db, sa.ID))
		for _, a := range []string{models.EventSARequested, models.EventSAAccepted, models.EventSAAddressGiven, models.EventSAActivated, models.EventRoleGranted} {
			if c[a] != 1 {
				t.Errorf("%s events: %d, want 1 (%v)", a, c[a], c)
			}
		}
	})
}

func TestOnBehalfAcceptWithAddressFollowsTheRules(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "rules-" + u + ".com"
		create(t, s, request("Existing", tld, "admin@"+tld))
		st := create(t, s, onBehalf("Division", "div."+tld, "head@"+tld))
		if len(st.TLDAdmins) != 1 || st.TLDAdmins[0] != "admin@"+tld {
			t.Fatalf("TLD admins to tell: %v", st.TLDAdmins)
		}
		hq := models.Address{Company: "Div", Line1: "2 Way", City: "Austin", Country: "US"}
		out, err := s.AcceptOnBehalf(ctx, activities.AcceptSAInput{SmartAccountID: st.SmartAccountID, Actor: "head@" + tld, Headquarters: hq})
		if err != nil || out.Status != models.SAPendingApproval || !slices.Equal(out.Approvers, []string{"admin@" + tld}) {
			t.Fatalf("accept: %+v %v", out, err)
		}
		// A modified domain goes to Cisco first.
		st2 := create(t, s, onBehalf("Poland", "pl."+tld, "head@"+tld))
		out2, err := s.AcceptOnBehalf(ctx, activities.AcceptSAInput{SmartAccountID: st2.SmartAccountID, Actor: "head@" + tld, Headquarters: hq, ModifiedDomain: true})
		if err != nil || out2.Status != models.SAPendingDomainApproval {
			t.Fatalf("accept modified: %+v %v", out2, err)
		}
	})
}

func TestOnBehalfDeclineThenNominate(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "decl-" + u + ".com"
		st := create(t, s, onBehalf("Declined Co", tld, "cto@"+tld))
		out, err := s.DeclineOnBehalf(ctx, activities.DeclineOnBehalfInput{SmartAccountID: st.SmartAccountID, Actor: "cto@" + tld, Reason: "we have one"})
		if err != nil || out.Status != models.SADeclinedByCustomer || out.Reason != "we have one" {
			t.Fatalf("decline: %+v %v", out, err)
		}
		// The domain stays taken while more creators may be nominated.
		if _, err := s.CreateSmartAccount(ctx, request("Again", tld, "x@"+tld)); !activities.IsConflict(err) {
			t.Fatalf("domain of a declined-by-customer account reused: %v", err)
		}
		re, err := s.NominateCreators(ctx, activities.NominateCreatorsInput{SmartAccountID: st.SmartAccountID, Actor: "partner@x.com",
			Emails: []string{"ceo@" + tld, "cto@" + tld}})
		if err != nil || re.Status != models.SAPendingCustomerAcceptance || !slices.Equal(re.Approvers, []string{"cto@" + tld, "ceo@" + tld}) {
			t.Fatalf("nominate: %+v %v", re, err)
		}
		sa := account(t, db, st.SmartAccountID)
		if sa.DecidedBy != "" || sa.DecisionReason != "" {
			t.Errorf("reopened row keeps the decline: %+v", sa)
		}
		exp, err := s.ExpireSmartAccount(ctx, activities.ExpireSAInput{SmartAccountID: sa.ID, From: models.SAPendingCustomerAcceptance})
		if err != nil || exp.Status != models.SAExpired {
			t.Fatalf("expire: %+v %v", exp, err)
		}
		if _, err := s.NominateCreators(ctx, activities.NominateCreatorsInput{SmartAccountID: sa.ID, Emails: []string{"a@" + tld}}); !activities.IsConflict(err) {
			t.Errorf("nominate on an expired account: %v", err)
		}
		if c := count(actions(t, db, sa.ID)); c[models.EventSADeclinedByCust] != 1 || c[models.EventCreatorsNominated] != 1 || c[models.EventSAExpired] != 1 {
			t.Errorf("events %v", c)
		}
	})
}
