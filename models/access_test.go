package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

func TestDecideRequestBranches(t *testing.T) {
	cases := []struct {
		name string
		in   models.RequestRules
		want models.SAStatus
	}{
		{"on behalf waits for the customer whatever the rules", models.RequestRules{Requester: "p@partner.com", Domain: "acme.com", OnBehalf: true}, models.SAPendingCustomerAcceptance},
		{"modified prefix under the own TLD goes to Cisco", models.RequestRules{Requester: "bob@acme.com", Domain: "pl.acme.com", ModifiedDomain: true}, models.SAPendingDomainApproval},
		{"modified prefix with an ACTIVE account goes to Cisco first", models.RequestRules{Requester: "bob@acme.com", Domain: "pl.acme.com", ActiveForTLD: []string{"x"}, ModifiedDomain: true}, models.SAPendingDomainApproval},
		{"unmodified prefix with an ACTIVE account waits for its admins", models.RequestRules{Requester: "bob@acme.com", Domain: "pl.acme.com", ActiveForTLD: []string{"x"}}, models.SAPendingApproval},
		{"accepting contact of the TLD activates", models.RequestRules{Requester: "cto@acme.com", Domain: "acme.com"}, models.SAActive},
		{"modified personal domain stays SMB", models.RequestRules{Requester: "pat@gmail.com", Domain: "gmail.com", ModifiedDomain: true}, models.SAActive},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := models.DecideRequest(tc.in); got.Status != tc.want || got.Why == "" {
				t.Errorf("DecideRequest = %s (%q), want %s", got.Status, got.Why, tc.want)
			}
		})
	}
	if !models.SameTLD("Ann@eng.Acme.co.uk", "acme.co.uk") || models.SameTLD("ann@acme.com", "acme.co.uk") {
		t.Error("SameTLD compares registrable domains")
	}
}

func TestAccessRuleMatches(t *testing.T) {
	approveOwnUsers := models.AccessRule{Action: models.RuleApprove, Role: models.RoleVAUser, RequesterDomain: models.DomainOwn}
	if !approveOwnUsers.Matches(models.RoleVAUser, true) || approveOwnUsers.Matches(models.RoleVAUser, false) ||
		approveOwnUsers.Matches(models.RoleSAUser, true) {
		t.Error("a role- and domain-specific rule matches only that role from the own domain")
	}
	declineOutsiders := models.AccessRule{Action: models.RuleDecline, RequesterDomain: models.DomainOther}
	if !declineOutsiders.Matches(models.RoleSAAdmin, false) || declineOutsiders.Matches(models.RoleSAAdmin, true) {
		t.Error("a rule for outsiders matches any role from outside only")
	}
	route := models.AccessRule{Action: models.RuleRouteVAAdmins, RequesterDomain: models.DomainAny}
	if !route.Matches(models.RoleVAViewer, false) || route.Matches(models.RoleSAViewer, true) {
		t.Error("routing to VA admins applies to virtual account roles only")
	}
	if d := approveOwnUsers.Describe(); d != "approve Virtual Account User for people of the account's own domain" {
		t.Errorf("Describe = %q", d)
	}
}

func TestVirtualAccountTreeMovesAndDefault(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		sa := newAccount(t, db, models.SmartAccount{Domain: "vas-" + testdb.Unique() + ".com"})
		mk := func(name, parent string) models.VirtualAccount {
			t.Helper()
			va, err := models.CreateVirtualAccount(ctx, db, "admin@x.com", sa.ID, models.VAInput{Name: name, ParentID: parent})
			if err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
			return va
		}
		emea := mk("EMEA", "")
		france := mk("France", emea.ID)
		paris := mk("Paris", france.ID)
		americas := mk("Americas", "")

		if _, err := models.CreateVirtualAccount(ctx, db, "admin@x.com", sa.ID, models.VAInput{Name: "emea"}); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("duplicate name (any case): %v, want CONFLICT", err)
		}
		if _, err := models.CreateVirtualAccount(ctx, db, "admin@x.com", sa.ID, models.VAInput{Name: "X", ParentID: models.NewID()}); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("unknown parent: %v, want INVALID", err)
		}
		// Moving EMEA under its own grandchild would make a cycle.
		for _, under := range []string{paris.ID, emea.ID} {
			if _, err := models.UpdateVirtualAccount(ctx, db, "admin@x.com", sa.ID, emea.ID, models.VAPatch{Move: true, MoveTo: under}); models.ErrorCode(err) != models.CodeInvalid {
				t.Errorf("move EMEA under %s: %v, want INVALID", under, err)
			}
		}
		moved, err := models.UpdateVirtualAccount(ctx, db, "admin@x.com", sa.ID, france.ID, models.VAPatch{Move: true, MoveTo: americas.ID})
		if err != nil || moved.ParentID == nil || *moved.ParentID != americas.ID {
			t.Fatalf("move France under Americas: %+v %v", moved, err)
		}
		top, err := models.UpdateVirtualAccount(ctx, db, "admin@x.com", sa.ID, paris.ID, models.VAPatch{Move: true})
		if err != nil || top.ParentID != nil {
			t.Fatalf("move Paris to the top: %+v %v", top, err)
		}
		name := "Europe"
		if _, err := models.UpdateVirtualAccount(ctx, db, "admin@x.com", sa.ID, emea.ID, models.VAPatch{Name: &name, MakeDefault: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.UpdateVirtualAccount(ctx, db, "admin@x.com", sa.ID, americas.ID, models.VAPatch{MakeDefault: true}); err != nil {
			t.Fatal(err)
		}
		vas, _ := models.VirtualAccounts(ctx, db, sa.ID)
		defaults := 0
		for _, va := range vas {
			if va.IsDefault {
				defaults++
				if va.ID != americas.ID {
					t.Errorf("default is %s, want Americas", va.Name)
				}
			}
		}
		if defaults != 1 {
			t.Errorf("%d default virtual accounts", defaults)
		}
		tree := models.VATree(vas)
		byName := map[string]*models.VANode{}
		for _, n := range tree {
			byName[n.Name] = n
		}
		if byName["Americas"] == nil || len(byName["Americas"].Children) != 1 || byName["Americas"].Children[0].Name != "France" ||
			byName["Paris"] == nil || byName["Europe"] == nil {
			t.Errorf("tree roots %v", keys(byName))
		}
		evs, _ := models.AccountEvents(ctx, db, sa.ID, "", 100)
		var acts []string
		for _, e := range evs {
			acts = append(acts, e.Action)
		}
		for _, a := range []string{models.EventVACreated, models.EventVAMoved, models.EventVARenamed, models.EventVADefault} {
			if !slices.Contains(acts, a) {
				t.Errorf("no %s event in %v", a, acts)
			}
		}
	})
}

func TestDirectoryListsDomainAndMemberships(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		tld := "dir-" + testdb.Unique() + ".com"
		own := newAccount(t, db, models.SmartAccount{Domain: tld, Name: "Own"})
		grant(t, db, own.ID, "", "admin@"+tld, models.RoleSAAdmin)
		restricted := newAccount(t, db, models.SmartAccount{Domain: "secret." + tld, Visibility: models.VisibilityRestricted, Name: "Secret"})
		restrictedMember := newAccount(t, db, models.SmartAccount{Domain: "member." + tld, Visibility: models.VisibilityRestricted, Name: "Member"})
		grant(t, db, restrictedMember.ID, "", "erin@"+tld, models.RoleSAViewer)
		elsewhere := newAccount(t, db, models.SmartAccount{Domain: "other-" + testdb.Unique() + ".com", Name: "Elsewhere"})
		grant(t, db, elsewhere.ID, "va-1", "erin@"+tld, models.RoleVAUser)
		declined := newAccount(t, db, models.SmartAccount{Domain: "gone." + tld, Status: models.SADeclined, Name: "Gone"})
		pending := newAccount(t, db, models.SmartAccount{Domain: "cust-" + testdb.Unique() + ".com", Name: "For a customer",
			Status: models.SAPendingCustomerAcceptance, RequestedBy: "erin@" + tld})

		entries, err := models.Directory(ctx, db, "Erin@"+tld)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]models.DirectoryEntry{}
		for _, e := range entries {
			got[e.Account.ID] = e
		}
		if _, ok := got[restricted.ID]; ok {
			t.Error("a restricted account of my TLD where I am no member is listed")
		}
		if _, ok := got[declined.ID]; ok {
			t.Error("a declined account is listed")
		}
		for id, why := range map[string]string{own.ID: "DOMAIN", restrictedMember.ID: "MEMBER", elsewhere.ID: "MEMBER", pending.ID: "REQUESTER"} {
			if got[id].Why != why {
				t.Errorf("%s: why %q, want %q", id, got[id].Why, why)
			}
		}
		if a := got[own.ID].Admins; len(a) != 1 || a[0] != "admin@"+tld {
			t.Errorf("admins of Own: %v", a)
		}
		if r := got[elsewhere.ID].MyRoles; len(r) != 1 || r[0].Role != models.RoleVAUser {
			t.Errorf("my roles on Elsewhere: %v", r)
		}
		// A personal mail address matches nobody's domain.
		if entries, _ := models.Directory(ctx, db, "someone@gmail.com"); len(entries) != 0 {
			t.Errorf("gmail user sees %d accounts", len(entries))
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Two moves that each alone are fine but together make a cycle (A under B, B under A) cannot both
// succeed when they run at the same time: one of them sees the other's result.
func TestConcurrentVirtualAccountMovesMakeNoCycle(t *testing.T) {
	db := testdb.Shared(t, pkg)
	ctx := context.Background()
	sa := newAccount(t, db, models.SmartAccount{Domain: "vac-" + testdb.Unique() + ".com"})
	for i := range 20 {
		a, err := models.CreateVirtualAccount(ctx, db, "admin@x.com", sa.ID, models.VAInput{Name: fmt.Sprintf("A%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := models.CreateVirtualAccount(ctx, db, "admin@x.com", sa.ID, models.VAInput{Name: fmt.Sprintf("B%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		errs := make(chan error, 2)
		move := func(va, under string) {
			<-start
			_, err := models.UpdateVirtualAccount(ctx, db, "admin@x.com", sa.ID, va, models.VAPatch{Move: true, MoveTo: under})
			errs <- err
		}
		go move(a.ID, b.ID)
		go move(b.ID, a.ID)
		close(start)
		e1, e2 := <-errs, <-errs
		if e1 == nil && e2 == nil {
			t.Fatalf("round %d: both moves succeeded: %s and %s are each other's parent", i, a.Name, b.Name)
		}
		for _, err := range []error{e1, e2} {
			if err != nil && models.ErrorCode(err) != models.CodeInvalid {
				t.Fatalf("round %d: a refused move answers %v, want INVALID", i, err)
			}
		}
	}
}

// A restricted account requested on a customer's behalf is listed in the directory of the customer
// contacts who must accept it: they see it anyway (CanSee), and it waits for them.
func TestDirectoryListsRestrictedAccountsWaitingForMe(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		tld := "dirc-" + testdb.Unique() + ".com"
		sa := newAccount(t, db, models.SmartAccount{Domain: tld, Name: "Customer", Visibility: models.VisibilityRestricted,
			Status: models.SAPendingCustomerAcceptance, RequestedBy: "sam@partner.com", OnBehalf: true,
			CustomerContacts: []string{"cto@" + tld}})
		for email, want := range map[string]bool{"CTO@" + tld: true, "dev@" + tld: false} {
			entries, err := models.Directory(ctx, db, email)
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(entries, func(e models.DirectoryEntry) bool { return e.Account.ID == sa.ID && e.Why == "REQUESTER" })
			if found != want {
				t.Errorf("%s: listed %v, want %v (%d entries)", email, found, want, len(entries))
			}
		}
	})
}
