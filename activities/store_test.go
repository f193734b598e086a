package activities_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

func TestCreateSmartAccountFirstForTLDActivates(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		in := request("Acme "+u, tld, "Alice@"+strings.ToUpper(tld), "ops@"+tld, "alice@"+tld)
		st := create(t, s, in)
		if st.Status != models.SAActive || st.SMB || st.SmartAccountID == "" || st.Domain != tld || st.Why == "" {
			t.Fatalf("state = %+v, want ACTIVE, not SMB, with id and why", st)
		}

		sa := account(t, db, st.SmartAccountID)
		if sa.Status != models.SAActive || sa.ActivatedAt == nil || sa.ActivatedAt.IsZero() {
			t.Errorf("row status %s activated_at %v, want ACTIVE with activated_at", sa.Status, sa.ActivatedAt)
		}
		if sa.Domain != tld || sa.TLD != tld || sa.Type != models.SATypeCustomer || sa.SMB ||
			sa.Visibility != models.VisibilityUnrestricted || sa.RequestID != in.RequestID || sa.WorkflowID != in.WorkflowID {
			t.Errorf("row = %+v", sa)
		}
		if sa.RequestedBy != "alice@"+tld {
			t.Errorf("requested_by = %q, want the lowercased requester", sa.RequestedBy)
		}
		if sa.Headquarters != in.Headquarters {
			t.Errorf("headquarters = %+v, want %+v", sa.Headquarters, in.Headquarters)
		}

		vas, err := models.VirtualAccounts(ctx, db, sa.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vas) != 1 || vas[0].Name != models.DefaultVAName || !vas[0].IsDefault {
			t.Errorf("virtual accounts = %+v, want one default VA named DEFAULT", vas)
		}

		if got, want := adminsOn(t, db, sa.ID), []string{"alice@" + tld, "ops@" + tld}; !slices.Equal(got, want) {
			t.Errorf("administrators = %v, want %v (requester and nominee, once each)", got, want)
		}
		if n := roleCount(t, db, sa.ID); n != 2 {
			t.Errorf("%d roles on the account, want 2", n)
		}

		got := count(actions(t, db, sa.ID))
		want := map[string]int{models.EventSARequested: 1, models.EventVACreated: 1, models.EventSAActivated: 1,
			models.EventRoleGranted: 2}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("events = %v, want %v", got, want)
		}
		for _, ev := range events(t, db, sa.ID) {
			switch ev.Action {
			case models.EventSARequested:
				if ev.Actor != "alice@"+tld || ev.TargetID != sa.ID {
					t.Errorf("SA_REQUESTED by %s on %s", ev.Actor, ev.TargetID)
				}
			case models.EventVACreated:
				if ev.TargetType != models.TargetVirtualAccount || ev.TargetID != vas[0].ID {
					t.Errorf("VA_CREATED targets %s %s, want the default VA %s", ev.TargetType, ev.TargetID, vas[0].ID)
				}
			case models.EventRoleGranted:
				if ev.TargetType != models.TargetAccountRole || ev.Details["role"] != string(models.RoleSAAdmin) {
					t.Errorf("ROLE_GRANTED = %+v", ev)
				}
			}
		}
	})
}

func TestCreateSmartAccountSameTLDWaitsForAdmins(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".co.uk"
		first := create(t, s, request("Acme "+u, tld, "alice@"+tld, "ops@"+tld))

		second := create(t, s, request("Acme Engineering "+u, "eng."+tld, "bob@emea."+tld, "bob2@"+tld))
		if second.Status != models.SAPendingApproval {
			t.Fatalf("second request = %+v, want PENDING_APPROVAL", second)
		}
		if want := adminsOn(t, db, first.SmartAccountID); !slices.Equal(second.Approvers, want) {
			t.Errorf("approvers = %v, want the first account's admins %v", second.Approvers, want)
		}
		sa := account(t, db, second.SmartAccountID)
		if sa.Status != models.SAPendingApproval || sa.ActivatedAt != nil || sa.TLD != tld {
			t.Errorf("row = %+v, want PENDING_APPROVAL without activated_at", sa)
		}
		if n := roleCount(t, db, sa.ID); n != 0 {
			t.Errorf("%d roles granted on a pending account, want 0", n)
		}
		got := count(actions(t, db, sa.ID))
		if want := map[string]int{models.EventSARequested: 1, models.EventVACreated: 1}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("events = %v, want %v", got, want)
		}
	})
}

func TestCreateSmartAccountSameDomainConflicts(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		create(t, s, request("Acme "+u, tld, "alice@"+tld))
		create(t, s, request("Acme Eng "+u, "eng."+tld, "bob@"+tld)) // a PENDING_APPROVAL account holds its domain too

		for _, domain := range []string{tld, "eng." + tld} {
			in := request("Acme Again "+u, domain, "carol@"+tld)
			st, err := s.CreateSmartAccount(ctx, in)
			if err == nil {
				t.Fatalf("a second request for %s = %+v, want a conflict", domain, st)
			}
			if !activities.IsConflict(err) {
				t.Errorf("IsConflict(%v) = false", err)
			}
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || !appErr.NonRetryable() {
				t.Errorf("conflict %v is retryable; the workflow would retry it forever", err)
			}
			if n := rowCount(t, db, &models.SmartAccount{}, "domain = ?", domain); n != 1 {
				t.Errorf("%d rows for %s, want 1", n, domain)
			}
			if n := rowCount(t, db, &models.SmartAccount{}, "request_id = ?", in.RequestID); n != 0 {
				t.Errorf("the refused request left %d rows", n)
			}
		}
		if activities.IsConflict(errors.New("x")) || activities.IsConflict(nil) {
			t.Error("IsConflict is true for other errors")
		}
	})
}

func TestCreateSmartAccountForeignDomainNeedsCisco(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		u := testdb.Unique()
		approver := "Cisco.Approver-" + u + "@Cisco.test"
		if _, err := models.UpsertUser(ctx, db, models.User{Email: approver, Name: "Approver",
			PlatformRoles: []string{models.RoleCiscoApprover}}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.UpsertUser(ctx, db, models.User{Email: "not-approver-" + u + "@cisco.test",
			PlatformRoles: []string{models.RoleLicensingOps, "cisco-approver-backup"}}); err != nil {
			t.Fatal(err)
		}
		extra := "Licensing-" + u + "@Cisco.test"
		s := newStore(db, extra, strings.ToLower(approver), "")

		tld := "acme-" + u + ".com"
		st := create(t, s, request("Foreign "+u, "foreign-"+u+".org", "dave@"+tld))
		if st.Status != models.SAPendingDomainApproval || st.SMB {
			t.Fatalf("state = %+v, want PENDING_DOMAIN_APPROVAL", st)
		}
		users, err := models.UsersWithRole(ctx, db, models.RoleCiscoApprover)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, usr := range users {
			want = append(want, usr.Email)
		}
		want = append(want, strings.ToLower(extra))
		if !slices.Equal(st.Approvers, want) {
			t.Errorf("approvers = %v, want the cisco-approver users then the extra addresses %v", st.Approvers, want)
		}
		if !slices.Contains(st.Approvers, strings.ToLower(approver)) || slices.Contains(st.Approvers, "not-approver-"+u+"@cisco.test") {
			t.Errorf("approvers = %v", st.Approvers)
		}
		cisco, err := s.CiscoApprovers(ctx)
		if err != nil || !slices.Equal(cisco, want) {
			t.Errorf("CiscoApprovers = %v, %v; want %v", cisco, err, want)
		}
		sa := account(t, db, st.SmartAccountID)
		if sa.Status != models.SAPendingDomainApproval || sa.ActivatedAt != nil || roleCount(t, db, sa.ID) != 0 {
			t.Errorf("row = %+v with roles, want PENDING_DOMAIN_APPROVAL, none granted", sa)
		}
	})
}

func TestCreateSmartAccountPersonalDomainIsSMB(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		requester := "pat-" + u + "@gmail.com"
		var seen []string
		for i := 0; i < 2; i++ {
			st := create(t, s, request(fmt.Sprintf("Pat %s %d", u, i), "gmail.com", requester))
			if st.Status != models.SAActive || !st.SMB || !strings.HasSuffix(st.Domain, ".smb") {
				t.Fatalf("state = %+v, want ACTIVE SMB with a .smb domain", st)
			}
			sa := account(t, db, st.SmartAccountID)
			if !sa.SMB || sa.Status != models.SAActive || sa.Domain != st.Domain || sa.TLD != sa.Domain || sa.ActivatedAt == nil {
				t.Errorf("row = %+v", sa)
			}
			if got := adminsOn(t, db, sa.ID); !slices.Equal(got, []string{requester}) {
				t.Errorf("admins = %v", got)
			}
			seen = append(seen, sa.Domain)
		}
		if seen[0] == seen[1] {
			t.Errorf("two SMB accounts share the domain %s", seen[0])
		}
	})
}

func TestCreateSmartAccountRetryIsIdempotent(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		for _, in := range []activities.CreateSAInput{
			request("Acme "+u, tld, "alice@"+tld, "ops@"+tld),     // ACTIVE
			request("Acme Eng "+u, "eng."+tld, "bob@"+tld),        // PENDING_APPROVAL
			request("Other "+u, "other-"+u+".net", "carol@"+tld),  // PENDING_DOMAIN_APPROVAL
			request("Pat "+u, "gmail.com", "pat-"+u+"@gmail.com"), // SMB
		} {
			first := create(t, s, in)
			evs := len(events(t, db, first.SmartAccountID))
			again := create(t, s, in)
			if again.SmartAccountID != first.SmartAccountID || again.Status != first.Status || again.Domain != first.Domain ||
				!slices.Equal(again.Approvers, first.Approvers) {
				t.Errorf("%s: retry = %+v, first = %+v", in.Domain, again, first)
			}
			if n := rowCount(t, db, &models.SmartAccount{}, "request_id = ?", in.RequestID); n != 1 {
				t.Errorf("%s: %d rows for one request, want 1", in.Domain, n)
			}
			if n := rowCount(t, db, &models.VirtualAccount{}, "smart_account_id = ?", first.SmartAccountID); n != 1 {
				t.Errorf("%s: %d virtual accounts after a retry, want 1", in.Domain, n)
			}
			if n := len(events(t, db, first.SmartAccountID)); n != evs {
				t.Errorf("%s: retry wrote %d more events", in.Domain, n-evs)
			}
		}
	})
}

func TestDecideSmartAccountApprove(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		_, pending := pendingBehind(t, s, u, tld, "Bob2@"+tld)
		before := len(events(t, db, pending.SmartAccountID))

		in := activities.DecideSAInput{SmartAccountID: pending.SmartAccountID, Approve: true, Actor: "alice@" + tld,
			Reason: "welcome", Via: "email"}
		st := decideAccount(t, s, in)
		if st.Status != models.SAActive || st.DecidedBy != "alice@"+tld || st.DecidedAt.IsZero() || len(st.Approvers) != 0 {
			t.Errorf("state = %+v, want ACTIVE decided by alice", st)
		}
		sa := account(t, db, pending.SmartAccountID)
		if sa.Status != models.SAActive || sa.ActivatedAt == nil || sa.DecidedBy != "alice@"+tld || sa.DecidedAt == nil {
			t.Fatalf("row = %+v", sa)
		}
		checkDecidedAtStored(t, st, sa)
		if got, want := adminsOn(t, db, sa.ID), []string{"bob2@" + tld, "bob@" + tld}; !slices.Equal(got, want) {
			t.Errorf("admins = %v, want %v", got, want)
		}
		acts := actions(t, db, sa.ID)
		got := count(acts[before:])
		if want := map[string]int{models.EventSAApproved: 1, models.EventSAActivated: 1, models.EventRoleGranted: 2}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("new events = %v, want %v", got, want)
		}
		for _, ev := range events(t, db, sa.ID)[before:] {
			if ev.Actor != "alice@"+tld {
				t.Errorf("%s by %q, want the approver", ev.Action, ev.Actor)
			}
			if ev.Action == models.EventSAApproved && (ev.Details["reason"] != "welcome" || ev.Details["via"] != "email") {
				t.Errorf("SA_APPROVED details = %v", ev.Details)
			}
		}

		// A retry, even one carrying the other decision, changes nothing and answers the same state.
		n := len(acts)
		for _, retry := range []activities.DecideSAInput{in, {SmartAccountID: in.SmartAccountID, Approve: false, Actor: "mallory@" + tld}} {
			again := decideAccount(t, s, retry)
			if again.Status != models.SAActive || again.DecidedBy != st.DecidedBy || !again.DecidedAt.Equal(*sa.DecidedAt) {
				t.Errorf("retry = %+v, want ACTIVE decided by %s at %v", again, st.DecidedBy, *sa.DecidedAt)
			}
		}
		if m := len(actions(t, db, sa.ID)); m != n {
			t.Errorf("retries wrote %d events", m-n)
		}
		if _, err := s.DecideSmartAccount(ctx, activities.DecideSAInput{SmartAccountID: models.NewID(), Approve: true, Actor: "x"}); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("deciding an unknown account: %v, want NOT_FOUND", err)
		}
	})
}

func TestDecideSmartAccountDecline(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		_, pending := pendingBehind(t, s, u, tld)
		before := len(events(t, db, pending.SmartAccountID))

		in := activities.DecideSAInput{SmartAccountID: pending.SmartAccountID, Approve: false, Actor: "alice@" + tld,
			Reason: "use the main account", Via: "api"}
		st := decideAccount(t, s, in)
		if st.Status != models.SADeclined || st.DecidedBy != "alice@"+tld || st.Reason != "use the main account" || st.DecidedAt.IsZero() {
			t.Errorf("state = %+v", st)
		}
		sa := account(t, db, pending.SmartAccountID)
		if sa.Status != models.SADeclined || sa.DecisionReason != "use the main account" || sa.DecidedBy != "alice@"+tld ||
			sa.DecidedAt == nil || sa.ActivatedAt != nil {
			t.Fatalf("row = %+v", sa)
		}
		checkDecidedAtStored(t, st, sa)
		if n := roleCount(t, db, sa.ID); n != 0 {
			t.Errorf("%d roles on a declined account", n)
		}
		evs := events(t, db, sa.ID)[before:]
		if len(evs) != 1 || evs[0].Action != models.EventSADeclined || evs[0].Actor != "alice@"+tld ||
			evs[0].Details["reason"] != "use the main account" {
			t.Errorf("new events = %+v, want one SA_DECLINED with the reason", evs)
		}
		n := len(actions(t, db, sa.ID))
		for _, retry := range []activities.DecideSAInput{in, {SmartAccountID: in.SmartAccountID, Approve: true, Actor: "alice@" + tld}} {
			again := decideAccount(t, s, retry)
			if again.Status != models.SADeclined || again.Reason != st.Reason || again.DecidedBy != st.DecidedBy ||
				!again.DecidedAt.Equal(*sa.DecidedAt) {
				t.Errorf("retry = %+v, want %+v", again, st)
			}
		}
		if m := len(actions(t, db, sa.ID)); m != n {
			t.Errorf("retries wrote %d events", m-n)
		}
		// The declined request freed its domain.
		if again := create(t, s, request("Acme Eng again "+u, "eng."+tld, "carol@"+tld)); again.Status != models.SAPendingApproval {
			t.Errorf("new request for the freed domain = %+v", again)
		}
	})
}

func TestResolveDomainApproval(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		u := testdb.Unique()
		s := newStore(db, "licensing-"+u+"@cisco.test")
		cisco := "cisco-" + u + "@cisco.test"
		outsider := "olga@partner-" + u + ".net"

		t.Run("declined", func(t *testing.T) {
			p := create(t, s, request("Declined "+u, "declined-"+u+".com", outsider))
			if p.Status != models.SAPendingDomainApproval {
				t.Fatalf("state = %+v", p)
			}
			st, err := s.ResolveDomainApproval(ctx, activities.ResolveDomainInput{SmartAccountID: p.SmartAccountID,
				Approve: false, Actor: cisco, Reason: "not theirs", Via: "email"})
			if err != nil {
				t.Fatal(err)
			}
			sa := account(t, db, p.SmartAccountID)
			if st.Status != models.SADeclined || sa.Status != models.SADeclined || sa.DecidedBy != cisco || sa.DecisionReason != "not theirs" {
				t.Errorf("state %+v, row %+v", st, sa)
			}
			acts := actions(t, db, p.SmartAccountID)
			if c := count(acts); c[models.EventDomainDeclined] != 1 || c[models.EventSADeclined] != 1 || c[models.EventSAActivated] != 0 {
				t.Errorf("events = %v, want DOMAIN_DECLINED and SA_DECLINED", acts)
			}
			if _, err := s.ResolveDomainApproval(ctx, activities.ResolveDomainInput{SmartAccountID: p.SmartAccountID,
				Approve: true, Actor: cisco}); err != nil {
				t.Fatal(err)
			}
			if n := len(actions(t, db, p.SmartAccountID)); n != len(acts) {
				t.Errorf("a retry wrote %d events", n-len(acts))
			}
		})

		t.Run("approved, nothing active", func(t *testing.T) {
			p := create(t, s, request("Fresh "+u, "fresh-"+u+".com", outsider, "admin@fresh-"+u+".com"))
			st, err := s.ResolveDomainApproval(ctx, activities.ResolveDomainInput{SmartAccountID: p.SmartAccountID,
				Approve: true, Actor: cisco, Via: "email"})
			if err != nil {
				t.Fatal(err)
			}
			sa := account(t, db, p.SmartAccountID)
			if st.Status != models.SAActive || sa.Status != models.SAActive || sa.ActivatedAt == nil || sa.DecidedBy != cisco {
				t.Errorf("state %+v, row %+v", st, sa)
			}
			if got, want := adminsOn(t, db, sa.ID), sorted([]string{outsider, "admin@fresh-" + u + ".com"}); !slices.Equal(got, want) {
				t.Errorf("admins = %v, want %v", got, want)
			}
			if c := count(actions(t, db, sa.ID)); c[models.EventDomainApproved] != 1 || c[models.EventSAActivated] != 1 || c[models.EventRoleGranted] != 2 {
				t.Errorf("events = %v", c)
			}
		})

		t.Run("approved while an account is active", func(t *testing.T) {
			tld := "acme-" + u + ".com"
			active := create(t, s, request("Acme "+u, tld, "alice@"+tld, "ops@"+tld))
			p := create(t, s, request("Acme EMEA "+u, "emea."+tld, outsider))
			if p.Status != models.SAPendingDomainApproval {
				t.Fatalf("state = %+v, want PENDING_DOMAIN_APPROVAL", p)
			}
			in := activities.ResolveDomainInput{SmartAccountID: p.SmartAccountID, Approve: true, Actor: cisco, Via: "email"}
			st, err := s.ResolveDomainApproval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if st.Status != models.SAPendingApproval {
				t.Fatalf("state = %+v, want PENDING_APPROVAL", st)
			}
			if want := adminsOn(t, db, active.SmartAccountID); !slices.Equal(st.Approvers, want) {
				t.Errorf("approvers = %v, want %v", st.Approvers, want)
			}
			sa := account(t, db, p.SmartAccountID)
			if sa.Status != models.SAPendingApproval || sa.ActivatedAt != nil || roleCount(t, db, sa.ID) != 0 {
				t.Errorf("row = %+v", sa)
			}
			acts := actions(t, db, sa.ID)
			if c := count(acts); c[models.EventDomainApproved] != 1 || c[models.EventSAWaitsApproval] != 1 || c[models.EventSAActivated] != 0 {
				t.Errorf("events = %v", acts)
			}
			again, err := s.ResolveDomainApproval(ctx, in)
			if err != nil || again.Status != models.SAPendingApproval || !slices.Equal(again.Approvers, st.Approvers) {
				t.Errorf("retry = %+v, %v", again, err)
			}
			if n := len(actions(t, db, sa.ID)); n != len(acts) {
				t.Errorf("a retry wrote %d events", n-len(acts))
			}
		})
	})
}

func TestExpireSmartAccount(t *testing.T) {
	eachStore(t, func(t *testing.T, db *gorm.DB, s *activities.Store, u string) {
		tld := "acme-" + u + ".com"
		active, p := pendingBehind(t, s, u, tld)
		n := len(actions(t, db, p.SmartAccountID))

		// Not waiting in the given status: nothing happens.
		st, err := s.ExpireSmartAccount(ctx, activities.ExpireSAInput{SmartAccountID: p.SmartAccountID, From: models.SAPendingDomainApproval})
		if err != nil || st.Status != models.SAPendingApproval {
			t.Errorf("expire from another status = %+v, %v; want PENDING_APPROVAL unchanged", st, err)
		}
		if got := account(t, db, p.SmartAccountID).Status; got != models.SAPendingApproval {
			t.Errorf("row status = %s", got)
		}
		st, err = s.ExpireSmartAccount(ctx, activities.ExpireSAInput{SmartAccountID: active.SmartAccountID, From: models.SAPendingApproval})
		if err != nil || st.Status != models.SAActive || account(t, db, active.SmartAccountID).Status != models.SAActive {
			t.Errorf("expiring an ACTIVE account from PENDING_APPROVAL = %+v, %v", st, err)
		}
		if m := len(actions(t, db, p.SmartAccountID)); m != n {
			t.Errorf("a no-op expiry wrote %d events", m-n)
		}

		st, err = s.ExpireSmartAccount(ctx, activities.ExpireSAInput{SmartAccountID: p.SmartAccountID, From: models.SAPendingApproval})
		if err != nil || st.Status != models.SAExpired {
			t.Fatalf("expire = %+v, %v; want EXPIRED", st, err)
		}
		if got := account(t, db, p.SmartAccountID).Status; got != models.SAExpired {
			t.Errorf("row status = %s", got)
		}
		acts := actions(t, db, p.SmartAccountID)
		if len(acts) != n+1 || acts[n] != models.EventSAExpired {
			t.Errorf("events = %v, want one SA_EXPIRED more", acts)
		}
		// Again: already EXPIRED, so no-op.
		if st, err := s.ExpireSmartAccount(ctx, activities.ExpireSAInput{SmartAccountID: p.SmartAccountID, From: models.SAPendingApproval}); err != nil || st.Status != models.SAExpired {
			t.Errorf("second expire = %+v, %v", st, err)
		}
		if m := len(actions(t, db, p.SmartAccountID)); m != n+1 {
			t.Errorf("a second expiry wrote %d events", m-n-1)
		}

		// The domain is free for a new request.
		again := create(t, s, request("Acme Eng again "+u, "eng."+tld, "carol@"+tld))
		if again.SmartAccountID == p.SmartAccountID || again.Status != models.SAPendingApproval {
			t.Errorf("new request for the expired domain = %+v", again)
		}
		if n := rowCount(t, db, &models.SmartAccount{}, "domain = ?", "eng."+tld); n != 2 {
			t.Errorf("%d rows for the domain, want 2 (expired and new)", n)
		}
	})
}

// The advisory lock per TLD lets exactly one of many simultaneous first requests activate.
func TestCreateSmartAccountConcurrentFirstRequestsPostgres(t *testing.T) {
	db := testdb.Shared(t, pkg)
	s := newStore(db)
	u := testdb.Unique()
	tld := "race-" + u + ".com"
	const n = 20
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		states = make([]activities.SAState, n)
		errs   = make([]error, n)
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			states[i], errs[i] = s.CreateSmartAccount(ctx, request(fmt.Sprintf("Race %s %d", u, i),
				fmt.Sprintf("s%d.%s", i, tld), fmt.Sprintf("user%d@%s", i, tld)))
		}(i)
	}
	close(start)
	wg.Wait()
	active, pending := 0, 0
	winner := ""
	for i, st := range states {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		switch st.Status {
		case models.SAActive:
			active++
			winner = fmt.Sprintf("user%d@%s", i, tld)
		case models.SAPendingApproval:
			pending++
		default:
			t.Errorf("request %d: %s", i, st.Status)
		}
	}
	if active != 1 || pending != n-1 {
		t.Fatalf("%d ACTIVE and %d PENDING_APPROVAL, want 1 and %d", active, pending, n-1)
	}
	for i, st := range states {
		if st.Status == models.SAPendingApproval && !slices.Equal(st.Approvers, []string{winner}) {
			t.Errorf("request %d waits for %v, want %s", i, st.Approvers, winner)
		}
	}
	var rows []models.SmartAccount
	if err := db.Where("tld = ?", tld).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	byStatus := map[models.SAStatus]int{}
	for _, sa := range rows {
		byStatus[sa.Status]++
	}
	if len(rows) != n || byStatus[models.SAActive] != 1 || byStatus[models.SAPendingApproval] != n-1 {
		t.Errorf("rows by status = %v (%d rows), want 1 ACTIVE and %d PENDING_APPROVAL", byStatus, len(rows), n-1)
	}
}

// pendingBehind creates the TLD's first account (ACTIVE, requested by alice) and a second one, requested by
// bob with the nominees, that waits for the first one's administrators.
func pendingBehind(t *testing.T, s *activities.Store, u, tld string, nominees ...string) (active, pending activities.SAState) {
	t.Helper()
	active = create(t, s, request("Acme "+u, tld, "alice@"+tld))
	pending = create(t, s, request("Acme Eng "+u, "eng."+tld, "bob@"+tld, nominees...))
	return active, pending
}

func decideAccount(t *testing.T, s *activities.Store, in activities.DecideSAInput) activities.SAState {
	t.Helper()
	st, err := s.DecideSmartAccount(ctx, in)
	if err != nil {
		t.Fatalf("DecideSmartAccount(%s, approve %v): %v", in.SmartAccountID, in.Approve, err)
	}
	return st
}

// checkDecidedAtStored asserts that the decision time a store step answers (which the workflow keeps,
// mails and reports) is the one the row holds, so a retry, the API and the mails all tell the same time.
func checkDecidedAtStored(t *testing.T, st activities.SAState, sa models.SmartAccount) {
	t.Helper()
	if sa.DecidedAt == nil || !st.DecidedAt.Equal(*sa.DecidedAt) {
		t.Errorf("answered DecidedAt %s, but the row holds decided_at %v (the store does not round its clock to the database's precision)",
			st.DecidedAt.Format(time.RFC3339Nano), sa.DecidedAt)
	}
}
