package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// vaChain makes nested virtual accounts: names[0] at the top, each next one under the previous.
func vaChain(t *testing.T, db *gorm.DB, saID string, names ...string) []string {
	t.Helper()
	var ids []string
	for _, n := range names {
		in := models.VAInput{Name: n}
		if len(ids) > 0 {
			in.ParentID = ids[len(ids)-1]
		}
		va, err := models.CreateVirtualAccount(context.Background(), db, "admin@test", saID, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, va.ID)
	}
	return ids
}

// have is an effective role as the table states it: role on a VA name ("" the account), the source,
// and the VA it was inherited from.
func have(roles []models.AccountRole, names map[string]string) []string {
	out := []string{}
	for _, r := range roles {
		s := string(r.Role) + "@" + names[r.VirtualAccountID] + " " + r.Source
		if r.GroupName != "" {
			s += ":" + r.GroupName
		}
		if r.PartnerDomain != "" {
			s += ":" + strings.Split(r.PartnerDomain, "-")[0]
		}
		if r.InheritedFrom != "" {
			s += " from " + names[r.InheritedFrom]
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// The effective roles of a person on an account are the union of their direct roles, their groups'
// roles and the grants to their partner, a role given with its children reaching every nested virtual
// account; revoked grants, removed members and other accounts give nothing.
func TestEffectiveRoles(t *testing.T) {
	db := testdb.Shared(t, pkg)
	ctx := context.Background()
	u := testdb.Unique()
	sa := newAccount(t, db, models.SmartAccount{Domain: "eff-" + u + ".com"})
	other := newAccount(t, db, models.SmartAccount{Domain: "eff2-" + u + ".com"})
	chain := vaChain(t, db, sa.ID, "Americas", "US", "West", "California", "Bay Area")
	side := vaChain(t, db, sa.ID, "EMEA")
	otherVA := vaChain(t, db, other.ID, "Elsewhere")
	names := map[string]string{"": "SA", side[0]: "EMEA", otherVA[0]: "Elsewhere"}
	for i, n := range []string{"Americas", "US", "West", "California", "Bay Area"} {
		names[chain[i]] = n
	}
	dom := "@eff-" + u + ".com"
	add := func(rows ...models.UserRow) {
		t.Helper()
		res, err := models.AddUsers(ctx, db, "admin@test", sa.ID, models.ManageScope{All: true}, rows, "")
		if err != nil || res.Counts[models.RowAdded] != len(rows) {
			t.Fatalf("add %v: %+v %v", rows, res, err)
		}
	}
	add(models.UserRow{Email: "direct" + dom, Role: models.RoleSAUser},
		models.UserRow{Email: "va" + dom, Role: models.RoleVAUser, VirtualAccountID: chain[2]},
		models.UserRow{Email: "tree" + dom, Role: models.RoleVAAdmin, VirtualAccountID: chain[2], IncludeChildren: true},
		models.UserRow{Email: "both" + dom, Role: models.RoleVAViewer, VirtualAccountID: side[0]})
	ops, err := models.CreateGroup(ctx, db, "admin@test", sa.ID, "Ops", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetGroupRoles(ctx, db, "admin@test", sa.ID, ops.ID, []models.GroupRoleInput{
		{Role: models.RoleVAUser, VirtualAccountID: chain[3], IncludeChildren: true}, {Role: models.RoleSAViewer}}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddGroupMembers(ctx, db, "admin@test", sa.ID, ops.ID, []string{"both" + dom, "gone" + dom}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := models.RemoveGroupMembers(ctx, db, "admin@test", sa.ID, ops.ID, []string{"gone" + dom}, ""); err != nil {
		t.Fatal(err)
	}
	px := "px-" + u + ".com"
	register(t, db, px, nil)
	grant := func(saID string, in models.PartnerGrantInput) models.PartnerGrant {
		t.Helper()
		in.PartnerDomain = px
		g, _, err := models.GrantPartner(ctx, db, "admin@test", saID, in)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	grant(sa.ID, models.PartnerGrantInput{Role: models.RoleVAUser, VirtualAccountID: chain[4]})
	revoked := grant(sa.ID, models.PartnerGrantInput{Role: models.RoleSAAdmin})
	if _, err := models.RevokePartnerGrant(ctx, db, "admin@test", sa.ID, revoked.ID, ""); err != nil {
		t.Fatal(err)
	}
	grant(other.ID, models.PartnerGrantInput{Role: models.RoleSAUser})
	add2, err := models.AddUsers(ctx, db, "admin@test", other.ID, models.ManageScope{All: true},
		[]models.UserRow{{Email: "direct" + dom, Role: models.RoleSAAdmin}}, "")
	if err != nil || add2.Counts[models.RowAdded] != 1 {
		t.Fatal(add2, err)
	}

	for _, c := range []struct {
		name, email string
		want        []string
	}{
		{"direct on the account", "direct" + dom, []string{"SMART_ACCOUNT_USER@SA DIRECT"}},
		{"on one VA only", "va" + dom, []string{"VIRTUAL_ACCOUNT_USER@West DIRECT"}},
		{"inherited through nested VAs", "tree" + dom, []string{"VIRTUAL_ACCOUNT_ADMINISTRATOR@Bay Area DIRECT from West",
			"VIRTUAL_ACCOUNT_ADMINISTRATOR@California DIRECT from West", "VIRTUAL_ACCOUNT_ADMINISTRATOR@West DIRECT"}},
		{"direct and through a group", "both" + dom, []string{"SMART_ACCOUNT_VIEWER@SA GROUP:Ops",
			"VIRTUAL_ACCOUNT_USER@Bay Area GROUP:Ops from California", "VIRTUAL_ACCOUNT_USER@California GROUP:Ops",
			"VIRTUAL_ACCOUNT_VIEWER@EMEA DIRECT"}},
		{"removed from the group", "gone" + dom, []string{}},
		{"partner grant, the revoked one gone", "ana@px-" + u + ".com", []string{"VIRTUAL_ACCOUNT_USER@Bay Area PARTNER:px"}},
		{"partner grant to a subdomain's address", "bo@emea.px-" + u + ".com", []string{"VIRTUAL_ACCOUNT_USER@Bay Area PARTNER:px"}},
		{"a look-alike domain", "eve@notpx-" + u + ".com", []string{}},
		{"nobody", "nobody" + dom, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			roles, err := models.RolesOn(ctx, db, c.email, sa.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := have(roles, names); !slices.Equal(got, c.want) {
				t.Errorf("roles of %s:\n got %q\nwant %q", c.email, got, c.want)
			}
		})
	}

	// The same rows answer every other question: the accounts a person is in, who administers.
	var in []string
	if err := models.AccountsOf(ctx, db, "direct"+dom).Order("smart_account_id").Pluck("smart_account_id", &in).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{sa.ID, other.ID}; !slices.Equal(in, sortedCopy(want)) {
		t.Errorf("accounts of direct: %v, want %v", in, want)
	}
	admins, err := models.VAAdminsOf(ctx, db, sa.ID, []string{chain[3], chain[4]})
	if err != nil || !slices.Equal(admins, []string{"tree" + dom}) {
		t.Errorf("VA admins of California and Bay Area: %v %v", admins, err)
	}
	if admins, _ := models.VAAdminsOf(ctx, db, sa.ID, []string{chain[1]}); len(admins) != 0 {
		t.Errorf("VA admins of US (above the grant): %v", admins)
	}
	scope := models.LicenseScopeOf(mustRoles(t, db, "both"+dom, sa.ID), false)
	if !scope.All {
		t.Errorf("a Smart Account Viewer through a group sees every license: %+v", scope)
	}
	scope = models.LicenseScopeOf(mustRoles(t, db, "tree"+dom, sa.ID), false)
	if scope.All || len(scope.VAs) != 3 || slices.Contains(scope.VAs, chain[1]) {
		t.Errorf("the licenses of West and under it: %+v", scope)
	}
}

func mustRoles(t *testing.T, db *gorm.DB, email, saID string) []models.AccountRole {
	t.Helper()
	roles, err := models.RolesOn(context.Background(), db, email, saID)
	if err != nil {
		t.Fatal(err)
	}
	return roles
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// A bulk change answers each row: bad rows say why, the others are written; a Virtual Account
// Administrator manages only the roles of the virtual accounts they administer; the last Smart Account
// Administrator stays.
func TestBulkUsers(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, db *gorm.DB, u string) {
		sa := newAccount(t, db, models.SmartAccount{Domain: "bulk-" + u + ".com"})
		grant(t, db, sa.ID, "", "admin@bulk.com", models.RoleSAAdmin)
		west := vaChain(t, db, sa.ID, "West", "California")
		east := vaChain(t, db, sa.ID, "East")
		all := models.ManageScope{All: true}
		res, err := models.AddUsers(ctx, db, "admin@bulk.com", sa.ID, all, []models.UserRow{
			{Email: "A@Bulk.com", Role: models.RoleSAUser},
			{Email: "not an address", Role: models.RoleSAUser},
			{Email: "b@bulk.com", Role: "OWNER"},
			{Email: "c@bulk.com", Role: models.RoleVAUser},
			{Email: "d@bulk.com", Role: models.RoleVAUser, VirtualAccountID: "nope"},
			{Email: "e@bulk.com", Role: models.RoleSAUser, IncludeChildren: true},
			{Email: "f@bulk.com", Role: models.RoleVAAdmin, VirtualAccountID: west[0], IncludeChildren: true},
			{Email: "a@bulk.com", Role: models.RoleSAUser},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res.Rows {
			s := fmt.Sprintf("%d %s", r.Row, r.Status)
			if r.Error != nil {
				s += " " + r.Error.Field
			}
			got = append(got, s)
		}
		want := []string{"1 ADDED", "2 REFUSED email", "3 REFUSED role", "4 REFUSED virtualAccountId",
			"5 REFUSED virtualAccountId", "6 REFUSED includeChildren", "7 ADDED", "8 UNCHANGED"}
		if !slices.Equal(got, want) {
			t.Errorf("rows\n got %q\nwant %q", got, want)
		}

		// f administers West and California: they manage those roles, not East's, not the account's.
		fScope := models.ManageScopeOf(mustRoles(t, db, "f@bulk.com", sa.ID), false)
		res, err = models.AddUsers(ctx, db, "f@bulk.com", sa.ID, fScope, []models.UserRow{
			{Email: "g@bulk.com", Role: models.RoleVAUser, VirtualAccountID: west[1]},
			{Email: "g@bulk.com", Role: models.RoleVAUser, VirtualAccountID: east[0]},
			{Email: "g@bulk.com", Role: models.RoleSAUser},
		}, "")
		if err != nil || res.Counts[models.RowAdded] != 1 || res.Rows[1].Error.Code != models.CodeForbidden ||
			res.Rows[2].Error.Code != models.CodeForbidden {
			t.Errorf("a VA admin's rows: %+v %v", res, err)
		}
		res, _ = models.RemoveUsers(ctx, db, "f@bulk.com", sa.ID, fScope, []models.UserRow{{Email: "a@bulk.com"}, {Email: "g@bulk.com"}}, "")
		if res.Rows[0].Status != models.RowNotFound || res.Rows[1].Status != models.RowRemoved {
			t.Errorf("a VA admin removes only what they manage: %+v", res.Rows)
		}

		// The only administrator cannot be removed; with a second one (through a group), they can.
		res, _ = models.RemoveUsers(ctx, db, "admin@bulk.com", sa.ID, all, []models.UserRow{{Email: "admin@bulk.com"}}, "")
		if res.Rows[0].Status != models.RowRefused || res.Rows[0].Error.Code != models.CodeConflict {
			t.Errorf("the last administrator: %+v", res.Rows[0])
		}
		g, _ := models.CreateGroup(ctx, db, "admin@bulk.com", sa.ID, "Admins", "", "")
		if _, err := models.SetGroupRoles(ctx, db, "admin@bulk.com", sa.ID, g.ID, []models.GroupRoleInput{{Role: models.RoleSAAdmin}}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := models.AddGroupMembers(ctx, db, "admin@bulk.com", sa.ID, g.ID, []string{"h@bulk.com"}, ""); err != nil {
			t.Fatal(err)
		}
		res, _ = models.RemoveUsers(ctx, db, "admin@bulk.com", sa.ID, all, []models.UserRow{{Email: "admin@bulk.com"}}, "")
		if res.Rows[0].Status != models.RowRemoved {
			t.Errorf("with another administrator: %+v", res.Rows[0])
		}
		if _, err := models.RemoveGroupMembers(ctx, db, "h@bulk.com", sa.ID, g.ID, []string{"h@bulk.com"}, ""); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("the group's last administrator leaving: %v", err)
		}
		if admins, _ := models.AdminEmails(ctx, db, sa.ID); !slices.Equal(admins, []string{"h@bulk.com"}) {
			t.Errorf("admins %v", admins)
		}
		var evs []models.Event
		db.Where("smart_account_id = ? AND action = ?", sa.ID, models.EventRoleRevoked).Find(&evs)
		if len(evs) != 2 {
			t.Errorf("revocations recorded: %d", len(evs))
		}
	})
}
