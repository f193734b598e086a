package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

func TestSearchSmartAccounts(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		open := newAccount(t, db, models.SmartAccount{Name: "Acme Widgets " + u, Domain: "widgets-" + u + ".com"})
		pending := newAccount(t, db, models.SmartAccount{Name: "Acme Pending " + u, Domain: "eng.widgets-" + u + ".com",
			Status: models.SAPendingApproval})
		secret := newAccount(t, db, models.SmartAccount{Name: "Secret Labs " + u, Domain: "secret-" + u + ".com",
			Visibility: models.VisibilityRestricted})
		declined := newAccount(t, db, models.SmartAccount{Name: "Gone Corp " + u, Domain: "gone-" + u + ".com",
			Status: models.SADeclined})
		expired := newAccount(t, db, models.SmartAccount{Name: "Old Corp " + u, Domain: "old-" + u + ".com",
			Status: models.SAExpired})
		newAccount(t, db, models.SmartAccount{Name: "Hidden Gone " + u, Domain: "hidden-" + u + ".com",
			Status: models.SADeclined, Visibility: models.VisibilityRestricted})
		member := "member-" + u + "@example.com"
		for _, sa := range []models.SmartAccount{open, secret, declined, expired} {
			grant(t, db, sa.ID, "", member, models.RoleSAUser)
		}

		cases := []struct {
			name string
			f    models.SearchFilter
			want []models.SmartAccount
		}{
			{"unrestricted by partial name, other case", models.SearchFilter{Name: "WIDGETS " + u}, []models.SmartAccount{open}},
			{"partial name u: only unrestricted live", models.SearchFilter{Name: u}, []models.SmartAccount{pending, open}},
			{"partial domain u: only unrestricted live", models.SearchFilter{Domain: u}, []models.SmartAccount{pending, open}},
			{"unrestricted by partial domain", models.SearchFilter{Domain: "eng.widgets-" + u}, []models.SmartAccount{pending}},
			{"restricted by exact name, other case", models.SearchFilter{Name: "  SECRET labs " + u + " "}, []models.SmartAccount{secret}},
			{"restricted by exact domain", models.SearchFilter{Domain: "secret-" + u + ".com"}, []models.SmartAccount{secret}},
			{"restricted by exact domain, upper case", models.SearchFilter{Domain: "SECRET-" + u + ".COM"}, []models.SmartAccount{secret}},
			{"restricted not by partial name", models.SearchFilter{Name: "Secret Labs " + u[:4]}, nil},
			{"restricted not by name prefix", models.SearchFilter{Name: "secret labs"}, nil},
			{"restricted not by partial domain", models.SearchFilter{Domain: "secret-" + u}, nil},
			{"declined never, exact name", models.SearchFilter{Name: "Gone Corp " + u}, nil},
			{"declined never, exact domain", models.SearchFilter{Domain: "gone-" + u + ".com"}, nil},
			{"expired never, exact name", models.SearchFilter{Name: "Old Corp " + u}, nil},
			{"expired never, exact domain", models.SearchFilter{Domain: "old-" + u + ".com"}, nil},
			{"restricted declined never", models.SearchFilter{Domain: "hidden-" + u + ".com"}, nil},
			{"by member email: unrestricted live only", models.SearchFilter{Email: "  MEMBER-" + u + "@Example.com"}, []models.SmartAccount{open}},
			{"name and domain together", models.SearchFilter{Name: "widgets", Domain: "widgets-" + u + ".com"}, []models.SmartAccount{open}},
			{"nobody", models.SearchFilter{Email: "nobody-" + u + "@example.com"}, nil},
		}
		for _, c := range cases {
			got, err := models.SearchSmartAccounts(ctx, db, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.Equal(ids(got), ids(c.want)) {
				t.Errorf("%s: SearchSmartAccounts(%+v) = %v, want %v", c.name, c.f, names(got), names(c.want))
			}
		}

		// Limit caps the answer.
		got, err := models.SearchSmartAccounts(ctx, db, models.SearchFilter{Name: u, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != pending.ID {
			t.Errorf("Limit 1: got %v, want [%s]", names(got), pending.Name)
		}
	})
}

// Partial search must take the user's text literally: "_" and "%" in a name are characters, not wildcards.
func TestSearchSmartAccountsWildcardsAreLiteral(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		under := newAccount(t, db, models.SmartAccount{Name: "Under_Score " + u, Domain: "under-" + u + ".com"})
		newAccount(t, db, models.SmartAccount{Name: "UnderXScore " + u, Domain: "underx-" + u + ".com"})
		pct := newAccount(t, db, models.SmartAccount{Name: "Hundred% " + u, Domain: "pct-" + u + ".com"})

		for _, c := range []struct {
			q    string
			want []models.SmartAccount
		}{
			{"nder_score " + u, []models.SmartAccount{under}},
			{"r_s", []models.SmartAccount{under}}, // "UnderXScore" must not match
			{"undred% " + u, []models.SmartAccount{pct}},
			{"%", []models.SmartAccount{pct}},
		} {
			got, err := models.SearchSmartAccounts(ctx, db, models.SearchFilter{Name: c.q})
			if err != nil {
				t.Fatal(err)
			}
			var mine []models.SmartAccount
			for _, sa := range got {
				if strings.HasSuffix(sa.Name, u) {
					mine = append(mine, sa)
				}
			}
			if !slices.Equal(ids(mine), ids(c.want)) {
				t.Errorf("SearchSmartAccounts(Name: %q) = %v, want %v", c.q, names(mine), names(c.want))
			}
		}
	})
}

func names(sas []models.SmartAccount) []string {
	out := make([]string, len(sas))
	for i, sa := range sas {
		out[i] = sa.Name
	}
	return out
}

func TestApproverEmails(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		a1 := newAccount(t, db, models.SmartAccount{Domain: "appr1-" + u + ".com"})
		a2 := newAccount(t, db, models.SmartAccount{Domain: "appr2-" + u + ".com"})
		other := newAccount(t, db, models.SmartAccount{Domain: "appr3-" + u + ".com"})
		e := func(local string) string { return local + "-" + u + "@example.com" }
		grant(t, db, a1.ID, "", e("zed"), models.RoleSAAdmin)
		grant(t, db, a1.ID, "", e("amy"), models.RoleSAApprover)
		grant(t, db, a1.ID, "", e("amy"), models.RoleSAAdmin)
		grant(t, db, a1.ID, "", e("user"), models.RoleSAUser)
		grant(t, db, a1.ID, "", e("viewer"), models.RoleSAViewer)
		grant(t, db, a1.ID, "va-1", e("vaadmin"), models.RoleVAAdmin)
		grant(t, db, a1.ID, "va-1", e("vauser"), models.RoleVAUser)
		grant(t, db, a2.ID, "", e("amy"), models.RoleSAAdmin)
		grant(t, db, a2.ID, "", e("bob"), models.RoleSAApprover)
		grant(t, db, other.ID, "", e("outsider"), models.RoleSAAdmin)

		got, err := models.ApproverEmails(ctx, db, []string{a1.ID, a2.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{e("amy"), e("bob"), e("zed")}
		if !slices.Equal(got, want) {
			t.Errorf("ApproverEmails = %v, want %v", got, want)
		}
		got, err = models.ApproverEmails(ctx, db, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("ApproverEmails(none) = %v, %v; want empty", got, err)
		}
		admins, err := models.AdminEmails(ctx, db, a1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{e("amy"), e("zed")}; !slices.Equal(admins, want) {
			t.Errorf("AdminEmails = %v, want %v", admins, want)
		}
	})
}

func TestUsersWithRole(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		e := func(local string) string { return local + "-" + u + "@cisco.test" }
		upsertUsers(t, ctx, db,
			models.User{Email: e("approver"), PlatformRoles: []string{models.RoleCiscoApprover}},
			models.User{Email: e("both"), PlatformRoles: []string{models.RoleLicensingOps, models.RoleCiscoApprover}},
			models.User{Email: e("near"), PlatformRoles: []string{"cisco-approver-backup", "not-cisco-approver", "cisco-approve"}},
			models.User{Email: e("ops"), PlatformRoles: []string{models.RoleLicensingOps}},
			models.User{Email: e("none")},
		)
		users := usersWithRole(t, ctx, db, models.RoleCiscoApprover)
		for i, usr := range users {
			if i > 0 && users[i-1].Email > usr.Email {
				t.Errorf("UsersWithRole not sorted: %s before %s", users[i-1].Email, usr.Email)
			}
		}
		if mine, want := emailsWith(users, u), []string{e("approver"), e("both")}; !slices.Equal(mine, want) {
			t.Errorf("UsersWithRole(cisco-approver) = %v, want %v", mine, want)
		}
		ops := usersWithRole(t, ctx, db, models.RoleLicensingOps)
		if mine, want := emailsWith(ops, u), []string{e("both"), e("ops")}; !slices.Equal(mine, want) {
			t.Errorf("UsersWithRole(licensing-ops) = %v, want %v", mine, want)
		}
	})
}

func TestUpsertUser(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		email := "jane.doe-" + u + "@acme.com"
		first, err := models.UpsertUser(ctx, db, models.User{Email: "  Jane.Doe-" + u + "@ACME.com ", Name: "Jane",
			Company: "Acme", PlatformRoles: []string{models.RoleCiscoSupport}})
		if err != nil {
			t.Fatal(err)
		}
		if first.Email != email || first.Name != "Jane" || first.Company != "Acme" || first.ID == "" ||
			!slices.Equal(first.PlatformRoles, []string{models.RoleCiscoSupport}) {
			t.Errorf("first upsert = %+v", first)
		}
		if first.CreatedAt.IsZero() || first.UpdatedAt.IsZero() {
			t.Errorf("timestamps not set: %+v", first)
		}

		second, err := models.UpsertUser(ctx, db, models.User{Email: "JANE.DOE-" + u + "@acme.com", Name: "Jane Doe",
			CCOID: "jdoe", Company: "Acme Inc", PlatformRoles: []string{models.RoleCiscoApprover, models.RoleLicensingOps}})
		if err != nil {
			t.Fatal(err)
		}
		if second.ID != first.ID {
			t.Errorf("update changed the id: %s -> %s", first.ID, second.ID)
		}
		if second.Email != email || second.Name != "Jane Doe" || second.CCOID != "jdoe" || second.Company != "Acme Inc" ||
			!slices.Equal(second.PlatformRoles, []string{models.RoleCiscoApprover, models.RoleLicensingOps}) {
			t.Errorf("second upsert = %+v", second)
		}
		if !second.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("created_at changed on update: %v -> %v", first.CreatedAt, second.CreatedAt)
		}
		var rows []models.User
		if err := db.Where("lower(email) = ?", email).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Email != email || rows[0].Name != "Jane Doe" {
			t.Errorf("rows for %s = %+v, want one updated row", email, rows)
		}
	})
}

func TestLiveAndActiveAccountsForTLD(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		tld := "live-" + u + ".co.uk"
		at := time.Now().UTC().Truncate(time.Second)
		mk := func(i int, domain string, st models.SAStatus, smb bool) models.SmartAccount {
			return newAccount(t, db, models.SmartAccount{Domain: domain, TLD: tld, Status: st, SMB: smb,
				CreatedAt: at.Add(time.Duration(i) * time.Second)})
		}
		// Created in an order that differs from the id order: the queries sort by creation time.
		pending := mk(2, "eng."+tld, models.SAPendingApproval, false)
		active := mk(1, tld, models.SAActive, false)
		mk(3, "old."+tld, models.SADeclined, false)
		mk(4, "exp."+tld, models.SAExpired, false)
		domainWait := mk(5, "emea."+tld, models.SAPendingDomainApproval, false)
		smb := mk(6, "smb."+tld, models.SAActive, true)
		active2 := mk(7, "apac."+tld, models.SAActive, false)
		newAccount(t, db, models.SmartAccount{Domain: "live-" + u + ".com", Status: models.SAActive})

		live, err := models.LiveAccountsForTLD(ctx, db, tld)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.SmartAccount{active, pending, domainWait, smb, active2}
		if !slices.Equal(ids(live), ids(want)) {
			t.Errorf("LiveAccountsForTLD = %v, want %v", domains(live), domains(want))
		}
		act, err := models.ActiveAccountIDsForTLD(ctx, db, tld)
		if err != nil {
			t.Fatal(err)
		}
		if wantIDs := []string{active.ID, active2.ID}; !slices.Equal(act, wantIDs) {
			t.Errorf("ActiveAccountIDsForTLD = %v, want %v (SMB %s excluded)", act, wantIDs, smb.ID)
		}
		none, err := models.ActiveAccountIDsForTLD(ctx, db, "nothing-"+u+".com")
		if err != nil || len(none) != 0 {
			t.Errorf("ActiveAccountIDsForTLD(unknown) = %v, %v", none, err)
		}
	})
}

func domains(sas []models.SmartAccount) []string {
	out := make([]string, len(sas))
	for i, sa := range sas {
		out[i] = sa.Domain + "/" + string(sa.Status)
	}
	return out
}

func TestAccountEventsPaging(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		sa := newAccount(t, db, models.SmartAccount{Domain: "events-" + u + ".com"})
		other := newAccount(t, db, models.SmartAccount{Domain: "events2-" + u + ".com"})
		var want []string
		for i := 0; i < 5; i++ {
			for _, acc := range []models.SmartAccount{sa, other} {
				ev := models.Event{ID: models.NewID(), SmartAccountID: acc.ID, TargetType: models.TargetSmartAccount,
					TargetID: acc.ID, Actor: "tester", Action: fmt.Sprintf("STEP_%d", i),
					Details: map[string]any{"i": i}, CreatedAt: time.Now().UTC()}
				if err := db.Create(&ev).Error; err != nil {
					t.Fatal(err)
				}
				if acc.ID == sa.ID {
					want = append(want, ev.ID)
				}
			}
		}
		var got []string
		after := ""
		pages := 0
		for {
			page, err := models.AccountEvents(ctx, db, sa.ID, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			pages++
			if len(page) > 2 {
				t.Fatalf("page of %d events with limit 2", len(page))
			}
			for _, ev := range page {
				if ev.SmartAccountID != sa.ID {
					t.Errorf("event %s of account %s in the history of %s", ev.ID, ev.SmartAccountID, sa.ID)
				}
				got = append(got, ev.ID)
			}
			after = page[len(page)-1].ID
			if pages > 10 {
				t.Fatal("paging does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged events = %v, want %v", got, want)
		}
		if pages != 3 {
			t.Errorf("%d pages of 2 for 5 events, want 3", pages)
		}
		all, err := models.AccountEvents(ctx, db, sa.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 || all[0].Action != "STEP_0" || all[4].Action != "STEP_4" {
			t.Errorf("all events = %+v", all)
		}
		if v, ok := all[3].Details["i"].(float64); !ok || v != 3 {
			t.Errorf("details of the 4th event = %v, want i=3", all[3].Details)
		}
	})
}

// A platform role is an exact string: UsersWithRole must agree with User.HasRole on both databases, so a
// role that differs only in case never makes somebody a Cisco approver.
func TestUsersWithRoleMatchesExactly(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		upsertUsers(t, ctx, db,
			models.User{Email: "upper-" + u + "@cisco.test", PlatformRoles: []string{"CISCO-APPROVER"}},
			models.User{Email: "mixed-" + u + "@cisco.test", PlatformRoles: []string{"Cisco-Approver"}},
		)
		usersWithRole(t, ctx, db, models.RoleCiscoApprover)
	})
}

func upsertUsers(t *testing.T, ctx context.Context, db *gorm.DB, users ...models.User) {
	t.Helper()
	for _, usr := range users {
		if _, err := models.UpsertUser(ctx, db, usr); err != nil {
			t.Fatalf("upsert %s: %v", usr.Email, err)
		}
	}
}

// usersWithRole answers UsersWithRole(role) and checks that each user it answers holds the role as
// User.HasRole says.
func usersWithRole(t *testing.T, ctx context.Context, db *gorm.DB, role string) []models.User {
	t.Helper()
	users, err := models.UsersWithRole(ctx, db, role)
	if err != nil {
		t.Fatal(err)
	}
	for _, usr := range users {
		if !usr.HasRole(role) {
			t.Errorf("UsersWithRole(%q) returned %s, who holds %v (HasRole says no)", role, usr.Email, usr.PlatformRoles)
		}
	}
	return users
}

// emailsWith lists the emails of the users that hold the test's suffix u, in the order given.
func emailsWith(users []models.User, u string) []string {
	var out []string
	for _, usr := range users {
		if strings.Contains(usr.Email, u) {
			out = append(out, usr.Email)
		}
	}
	return out
}
