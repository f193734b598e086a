package activities_test

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// accessFixture is an ACTIVE account administered by admin@<tld>, with n virtual accounts besides DEFAULT.
func accessFixture(t *testing.T, db *gorm.DB, s *activities.Store, n int) (tld, saID string, vas []string) {
	t.Helper()
	tld = "acc-" + testdb.Unique() + ".com"
	st := create(t, s, request("Access Co", tld, "admin@"+tld))
	for i := 0; i < n; i++ {
		va, err := models.CreateVirtualAccount(ctx, db, "admin@"+tld, st.SmartAccountID, models.VAInput{Name: "VA " + string(rune('A'+i%26)) + string(rune('a'+i/26))})
		if err != nil {
			t.Fatal(err)
		}
		vas = append(vas, va.ID)
	}
	return tld, st.SmartAccountID, vas
}

func accessInput(saID, requester string, role models.Role, vas []string, forEmails ...string) activities.CreateAccessInput {
	id := models.NewID()
	if forEmails == nil {
		forEmails = []string{requester}
	}
	return activities.CreateAccessInput{RequestID: id, WorkflowID: "access-request/" + id, SmartAccountID: saID,
		Requester: models.Person{Email: requester}, Role: role, VirtualAccounts: vas, ForEmails: forEmails,
		Reason: "need it", ExpiresAt: time.Now().Add(time.Hour)}
}

func TestAccessRequestApprovedGrantsEveryRole(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		tld, saID, vas := accessFixture(t, db, s, 25)
		in := accessInput(saID, "dev@"+tld, models.RoleVAUser, vas, "dev@"+tld, "ops@outsider.io")
		st, err := s.CreateAccessRequest(ctx, in)
		if err != nil || st.Status != models.AccessPending || st.Auto != nil || !slices.Equal(st.Approvers, []string{"admin@" + tld}) {
			t.Fatalf("create: %+v %v", st, err)
		}
		if !slices.Equal(st.OutsideDomain, []string{"ops@outsider.io"}) || len(st.VirtualAccounts) != 25 || st.VirtualAccounts[0].Name == st.VirtualAccounts[0].ID {
			t.Errorf("outside %v, %d VAs named %q", st.OutsideDomain, len(st.VirtualAccounts), st.VirtualAccounts[0].Name)
		}
		if again, err := s.CreateAccessRequest(ctx, in); err != nil || again.RequestID != st.RequestID {
			t.Fatalf("retry: %+v %v", again, err)
		}
		out, err := s.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: st.RequestID, Approve: true,
			Actor: "admin@" + tld, Via: "email", DeclinedVAs: vas[:2]})
		if err != nil || out.Status != models.AccessApproved || out.DecidedBy != "admin@"+tld {
			t.Fatalf("approve: %+v %v", out, err)
		}
		roles, _ := models.AccountRoles(ctx, db, saID)
		granted := 0
		for _, r := range roles {
			if r.Role == models.RoleVAUser {
				granted++
				if slices.Contains(vas[:2], r.VirtualAccountID) {
					t.Errorf("declined VA %s granted", r.VirtualAccountID)
				}
			}
		}
		if granted != 2*23 {
			t.Errorf("%d VA roles granted, want 46", granted)
		}
		if c := count(actions(t, db, saID)); c[models.EventRoleGranted] != 1+46 || c[models.EventAccessApproved] != 1 || c[models.EventAccessRequested] != 1 {
			t.Errorf("events %v", c)
		}
		// A retried decision (or a late second one) changes nothing.
		if again, err := s.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: st.RequestID, Approve: false, Actor: "x@" + tld}); err != nil ||
			again.Status != models.AccessApproved || again.DecidedBy != "admin@"+tld {
			t.Errorf("second decision: %+v %v", again, err)
		}
	})
}

func TestAccessRulesDecideOrRoute(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		tld, saID, vas := accessFixture(t, db, s, 2)
		if _, err := models.ReplaceAccessRules(ctx, db, "admin@"+tld, saID, []models.AccessRule{
			{Action: models.RuleDecline, RequesterDomain: models.DomainOther},
			{Action: models.RuleApprove, Role: models.RoleSAViewer, RequesterDomain: models.DomainOwn},
			{Action: models.RuleRouteVAAdmins, RequesterDomain: models.DomainAny},
		}, ""); err != nil {
			t.Fatal(err)
		}
		rules, _ := models.AccessRules(ctx, db, saID)

		outsider, err := s.CreateAccessRequest(ctx, accessInput(saID, "x@elsewhere.org", models.RoleSAViewer, nil))
		if err != nil || outsider.Auto == nil || outsider.Auto.Approve || outsider.Auto.RuleID != rules[0].ID {
			t.Fatalf("outsider: %+v %v", outsider.Auto, err)
		}
		viewer, err := s.CreateAccessRequest(ctx, accessInput(saID, "v@"+tld, models.RoleSAViewer, nil))
		if err != nil || viewer.Auto == nil || !viewer.Auto.Approve || viewer.Auto.Actor != models.ActorRulePrefix+rules[1].ID {
			t.Fatalf("viewer: %+v %v", viewer.Auto, err)
		}
		out, err := s.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: viewer.RequestID, Approve: true,
			Actor: viewer.Auto.Actor, Reason: viewer.Auto.Reason, RuleID: viewer.Auto.RuleID})
		if err != nil || out.Status != models.AccessApproved {
			t.Fatal(out, err)
		}
		var ev models.Event
		db.Where("target_id = ? AND action = ?", viewer.RequestID, models.EventAccessApproved).Take(&ev)
		if ev.Actor != models.ActorRulePrefix+rules[1].ID || ev.Details["rule"] != rules[1].ID {
			t.Errorf("the rule does not say so in the history: %+v", ev)
		}

		// No VA administrator yet: routing falls back to the account's administrators.
		plain, _ := s.CreateAccessRequest(ctx, accessInput(saID, "u@"+tld, models.RoleVAUser, vas[:1]))
		if plain.Auto != nil || !slices.Equal(plain.Approvers, []string{"admin@" + tld}) || plain.RouteRule != "" {
			t.Errorf("unrouted: %+v", plain)
		}
		granted, _ := s.CreateAccessRequest(ctx, accessInput(saID, "admin@"+tld, models.RoleVAAdmin, vas[:1], "lead@"+tld))
		if granted.Auto == nil || granted.Auto.Actor != "admin@"+tld {
			t.Fatalf("an administrator's request is approved by them: %+v", granted.Auto)
		}
		if _, err := s.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: granted.RequestID, Approve: true, Actor: "admin@" + tld}); err != nil {
			t.Fatal(err)
		}
		routed, _ := s.CreateAccessRequest(ctx, accessInput(saID, "u2@"+tld, models.RoleVAUser, vas[:1]))
		if !slices.Equal(routed.Approvers, []string{"lead@" + tld}) || routed.RouteRule != rules[2].ID || !slices.Equal(routed.Admins, []string{"admin@" + tld}) {
			t.Errorf("routed: approvers %v rule %q admins %v", routed.Approvers, routed.RouteRule, routed.Admins)
		}
	})
}

func TestAccessRequestDelegateAndExpire(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		tld, saID, _ := accessFixture(t, db, s, 0)
		st, _ := s.CreateAccessRequest(ctx, accessInput(saID, "dev@"+tld, models.RoleSAUser, nil))
		d, err := s.DelegateAccessRequest(ctx, activities.DelegateAccessInput{RequestID: st.RequestID, Actor: "admin@" + tld, DelegateTo: "Lead@" + tld})
		if err != nil || d.DelegatedTo != "lead@"+tld || !slices.Equal(d.Approvers, []string{"lead@" + tld}) || d.Status != models.AccessPending {
			t.Fatalf("delegate: %+v %v", d, err)
		}
		e, err := s.ExpireAccessRequest(ctx, st.RequestID)
		if err != nil || e.Status != models.AccessExpired {
			t.Fatalf("expire: %+v %v", e, err)
		}
		if c := count(actions(t, db, saID)); c[models.EventAccessDelegated] != 1 || c[models.EventAccessExpired] != 1 {
			t.Errorf("events %v", c)
		}
		// An account that is not ACTIVE takes no request.
		pending := create(t, s, onBehalf("Pending", "p-"+testdb.Unique()+".com", "a@x.com"))
		if _, err := s.CreateAccessRequest(ctx, accessInput(pending.SmartAccountID, "a@x.com", models.RoleSAUser, nil)); !activities.IsConflict(err) {
			t.Errorf("request on a pending account: %v", err)
		}
	})
}

func TestUpgradeRules(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		smb := create(t, s, request("Pat's", "gmail.com", "pat@gmail.com"))
		if !smb.SMB {
			t.Fatalf("fixture not SMB: %+v", smb)
		}
		va, _ := models.VirtualAccounts(ctx, db, smb.SmartAccountID)
		tld := "upg-" + testdb.Unique() + ".com"
		hq := models.Address{Company: "Pat Co", Line1: "1 St", City: "Portland", Country: "US"}
		in := activities.RequestUpgradeInput{UpgradeID: models.NewID(), WorkflowID: "sa-upgrade/" + smb.SmartAccountID,
			SmartAccountID: smb.SmartAccountID, Requester: models.Person{Email: "pat@" + tld}, Name: "Pat Co", Domain: tld,
			Headquarters: hq, Visibility: models.VisibilityRestricted}
		up, err := s.RequestUpgrade(ctx, in)
		if err != nil || up.Status != models.UpgradeApproved {
			t.Fatalf("upgrade at once: %+v %v", up, err)
		}
		sa := account(t, db, smb.SmartAccountID)
		if sa.SMB || sa.Domain != tld || sa.TLD != tld || sa.Name != "Pat Co" || sa.Visibility != models.VisibilityRestricted || sa.Headquarters != hq {
			t.Errorf("upgraded row %+v", sa)
		}
		if va2, _ := models.VirtualAccounts(ctx, db, sa.ID); len(va2) != len(va) || va2[0].ID != va[0].ID {
			t.Error("virtual accounts changed")
		}
		if got := adminsOn(t, db, sa.ID); !slices.Equal(got, []string{"pat@gmail.com", "pat@" + tld}) {
			t.Errorf("admins %v", got)
		}

		// A TLD with an ACTIVE account: its administrators decide; a foreign domain: Cisco first.
		tld2 := "upg2-" + testdb.Unique() + ".com"
		create(t, s, request("Big Co", tld2, "boss@"+tld2))
		smb2 := create(t, s, request("Kim's", "gmail.com", "kim@gmail.com"))
		in2 := in
		in2.UpgradeID, in2.SmartAccountID, in2.Domain, in2.Requester.Email = models.NewID(), smb2.SmartAccountID, "kim."+tld2, "kim@"+tld2
		up2, err := s.RequestUpgrade(ctx, in2)
		if err != nil || up2.Status != models.UpgradePendingApproval || !slices.Equal(up2.Approvers, []string{"boss@" + tld2}) {
			t.Fatalf("pending approval: %+v %v", up2, err)
		}
		if _, err := s.RequestUpgrade(ctx, activities.RequestUpgradeInput{UpgradeID: models.NewID(), SmartAccountID: smb2.SmartAccountID,
			Requester: in2.Requester, Name: "x", Domain: "kim2." + tld2}); !activities.IsConflict(err) {
			t.Errorf("second pending upgrade: %v", err)
		}
		dec, err := s.DecideUpgrade(ctx, activities.DecideUpgradeInput{UpgradeID: up2.UpgradeID, Approve: false, Actor: "boss@" + tld2, Reason: "no"})
		if err != nil || dec.Status != models.UpgradeDeclined || !account(t, db, smb2.SmartAccountID).SMB {
			t.Fatalf("decline: %+v %v", dec, err)
		}
		in3 := in2
		in3.UpgradeID, in3.Domain = models.NewID(), "kim-"+testdb.Unique()+".org"
		up3, err := s.RequestUpgrade(ctx, in3)
		if err != nil || up3.Status != models.UpgradePendingDomainApproval {
			t.Fatalf("foreign domain: %+v %v", up3, err)
		}
		ok, err := s.ResolveUpgradeDomain(ctx, activities.DecideUpgradeInput{UpgradeID: up3.UpgradeID, Approve: true, Actor: "ca@cisco.com"})
		if err != nil || ok.Status != models.UpgradeApproved || account(t, db, smb2.SmartAccountID).Domain != in3.Domain {
			t.Fatalf("domain approved: %+v %v", ok, err)
		}
		if c := count(actions(t, db, smb2.SmartAccountID)); c[models.EventUpgradeRequested] != 2 || c[models.EventUpgraded] != 1 || c[models.EventUpgradeDeclined] != 1 {
			t.Errorf("events %v", c)
		}
	})
}

// A Smart Account Approver decides other people's requests, not their own: a request they make is not
// approved by themselves, so an approver cannot make themselves an administrator.
func TestAccessRequestOfAnApproverIsNotSelfApproved(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		tld, saID, _ := accessFixture(t, db, s, 0)
		appr := "appr@" + tld
		if err := db.Create(&models.AccountRole{ID: models.NewID(), UserEmail: appr, SmartAccountID: saID,
			Role: models.RoleSAApprover, GrantedBy: "admin@" + tld, CreatedAt: time.Now().UTC()}).Error; err != nil {
			t.Fatal(err)
		}
		st, err := s.CreateAccessRequest(ctx, accessInput(saID, appr, models.RoleSAAdmin, nil))
		if err != nil {
			t.Fatal(err)
		}
		if st.Auto != nil {
			t.Fatalf("an approver's request for themselves is decided at once: %+v", st.Auto)
		}
		if st.Status != models.AccessPending || !slices.Equal(st.Approvers, []string{"admin@" + tld}) {
			t.Errorf("want PENDING for admin@%s, got %s for %v", tld, st.Status, st.Approvers)
		}
		// An administrator's own request is still theirs to grant.
		if adm, _ := s.CreateAccessRequest(ctx, accessInput(saID, "admin@"+tld, models.RoleSAUser, nil, "new@"+tld)); adm.Auto == nil || !adm.Auto.Approve {
			t.Errorf("an administrator's request: %+v", adm.Auto)
		}
	})
}

// A rule that routes virtual account requests to the virtual accounts' administrators hands a request
// only to people who administer every virtual account it names: the administrator of one of them
// must not grant a role on another.
func TestRoutedAccessRequestGoesToWhoAdministersEveryVA(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		tld, saID, vas := accessFixture(t, db, s, 2)
		if _, err := models.ReplaceAccessRules(ctx, db, "admin@"+tld, saID, []models.AccessRule{
			{Action: models.RuleRouteVAAdmins, RequesterDomain: models.DomainAny}}, ""); err != nil {
			t.Fatal(err)
		}
		vaAdmin := func(email, va string) {
			t.Helper()
			if err := db.Create(&models.AccountRole{ID: models.NewID(), UserEmail: email, SmartAccountID: saID, VirtualAccountID: va,
				Role: models.RoleVAAdmin, GrantedBy: "admin@" + tld, CreatedAt: time.Now().UTC()}).Error; err != nil {
				t.Fatal(err)
			}
		}
		vaAdmin("lead0@"+tld, vas[0])
		vaAdmin("both@"+tld, vas[0])
		vaAdmin("both@"+tld, vas[1])

		st, err := s.CreateAccessRequest(ctx, accessInput(saID, "dev@"+tld, models.RoleVAUser, vas))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(st.Approvers, []string{"both@" + tld}) || st.RouteRule == "" {
			t.Errorf("two VAs: approvers %v (rule %q), want only both@%s", st.Approvers, st.RouteRule, tld)
		}
		one, _ := s.CreateAccessRequest(ctx, accessInput(saID, "dev@"+tld, models.RoleVAUser, vas[:1]))
		if !slices.Equal(one.Approvers, []string{"both@" + tld, "lead0@" + tld}) {
			t.Errorf("one VA: approvers %v", one.Approvers)
		}
		// Nobody administers both: the account's administrators decide.
		db.Where("user_email = ? AND virtual_account_id = ?", "both@"+tld, vas[1]).Delete(&models.AccountRole{})
		none, _ := s.CreateAccessRequest(ctx, accessInput(saID, "dev@"+tld, models.RoleVAUser, vas))
		if !slices.Equal(none.Approvers, []string{"admin@" + tld}) || none.RouteRule != "" {
			t.Errorf("no common VA administrator: approvers %v (rule %q)", none.Approvers, none.RouteRule)
		}
	})
}

// A partner's holding accounts share the partner's domain without taking it (only a customer account
// does), so an upgrade into that domain, accepted at its request, is applied when it is approved: the
// approval used to count the holding account and decline the upgrade as "taken meanwhile".
func TestUpgradeIntoADomainOfHoldingAccounts(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		s := newStore(db)
		dom := "hold-" + testdb.Unique() + ".com"
		h := request("Holding for Acme", dom, "ofm@"+dom)
		h.Type = models.SATypeHolding
		if hold := create(t, s, h); hold.Status != models.SAActive {
			t.Fatalf("holding fixture %+v", hold)
		}
		smb := create(t, s, request("Sam's", "gmail.com", "sam@gmail.com"))
		up, err := s.RequestUpgrade(ctx, activities.RequestUpgradeInput{UpgradeID: models.NewID(),
			WorkflowID: "sa-upgrade/" + smb.SmartAccountID, SmartAccountID: smb.SmartAccountID,
			Requester: models.Person{Email: "sam@" + dom}, Name: "Sam Co", Domain: dom,
			Headquarters: models.Address{Company: "Sam Co", Line1: "1 St", City: "Austin", Country: "US"},
			Visibility:   models.VisibilityRestricted})
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		if up.Status == models.UpgradePendingApproval {
			if len(up.Approvers) == 0 {
				t.Fatalf("pending with no approvers: %+v", up)
			}
			up, err = s.DecideUpgrade(ctx, activities.DecideUpgradeInput{UpgradeID: up.UpgradeID, Approve: true,
				Actor: up.Approvers[0]})
		}
		if err != nil || up.Status != models.UpgradeApproved {
			t.Fatalf("upgrade: %+v %v", up, err)
		}
		if sa := account(t, db, smb.SmartAccountID); sa.SMB || sa.Domain != dom {
			t.Errorf("upgraded row %+v", sa)
		}
	})
}
