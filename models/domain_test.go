package models_test

import (
	"slices"
	"testing"

	"github.com/licensecentral/clc/models"
)

func TestTLD(t *testing.T) {
	checkNormalizer(t, "TLD", models.TLD, []answer{
		{"eng.acme.co.uk", "acme.co.uk"},
		{"acme.co.uk", "acme.co.uk"},
		{"a.b.c.example.org", "example.org"},
		{"ENG.Acme.COM.", "acme.com"},
		{" acme.com ", "acme.com"},
		{"x.smb", "x.smb"},
		{"X7K2P9.SMB", "x7k2p9.smb"},
	}, "co.uk", "com", "")
}

func TestNormalizeDomain(t *testing.T) {
	checkNormalizer(t, "NormalizeDomain", models.NormalizeDomain, []answer{
		{"ACME.com", "acme.com"},
		{" Eng.Acme.CO.UK. ", "eng.acme.co.uk"},
		{"my-company.io", "my-company.io"},
	}, "not a host", "acme", "co.uk", "acme.invalid-tld-zz", "", "acme.local",
		"-acme.com", "acme-.com", "ac_me.com", "acme..com", "user@acme.com", "http://acme.com")
}

// answer is what a normalizer answers for an input it accepts.
type answer struct{ in, want string }

// checkNormalizer checks that f answers each accepted input as given and refuses each of bad.
func checkNormalizer(t *testing.T, name string, f func(string) (string, error), good []answer, bad ...string) {
	t.Helper()
	for _, c := range good {
		got, err := f(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s(%q) = %q, %v; want %q", name, c.in, got, err, c.want)
		}
	}
	for _, in := range bad {
		if got, err := f(in); err == nil {
			t.Errorf("%s(%q) = %q, want an error", name, in, got)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for _, s := range []string{"a@acme.com", "first.last+tag@eng.acme.co.uk", "UPPER@ACME.COM"} {
		if !models.ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "acme.com", "a@acme", "Jane <a@acme.com>", "a@acme.com, b@acme.com",
		"a@@acme.com", "a@ac_me.com", "a @acme.com", "a@-acme.com"} {
		if models.ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true, want false", s)
		}
	}
	if got := models.EmailDomain("Jane@Eng.ACME.com"); got != "eng.acme.com" {
		t.Errorf("EmailDomain = %q", got)
	}
}

func TestIsPersonalMailDomain(t *testing.T) {
	for _, d := range []string{"gmail.com", "GMAIL.com", "outlook.com", "yahoo.co.uk", "proton.me", "mail.gmail.com"} {
		if !models.IsPersonalMailDomain(d) {
			t.Errorf("IsPersonalMailDomain(%q) = false, want true", d)
		}
	}
	for _, d := range []string{"acme.com", "gmail.acme.com", "google.com", "yahoo.de.acme.com", "x7k2p9.smb", ""} {
		if models.IsPersonalMailDomain(d) {
			t.Errorf("IsPersonalMailDomain(%q) = true, want false", d)
		}
	}
}

func TestDecideActivation(t *testing.T) {
	for _, c := range []struct {
		name      string
		requester string
		domain    string
		active    []string
		status    models.SAStatus
		smb       bool
		approvers []string
	}{
		{"personal domain", "jo@gmail.com", "gmail.com", nil, models.SAActive, true, nil},
		{"personal domain wins over active accounts", "jo@acme.com", "gmail.com", []string{"sa1"}, models.SAActive, true, nil},
		{"other TLD", "jo@acme.com", "other.com", nil, models.SAPendingDomainApproval, false, nil},
		{"other TLD with active accounts there", "jo@acme.com", "other.com", []string{"sa1"}, models.SAPendingDomainApproval, false, nil},
		{"personal requester, company domain", "jo@gmail.com", "acme.com", nil, models.SAPendingDomainApproval, false, nil},
		{"look-alike TLD", "jo@acme.co.uk", "acme.com", nil, models.SAPendingDomainApproval, false, nil},
		{"same TLD, active accounts", "jo@acme.com", "eng.acme.com", []string{"sa1", "sa2"}, models.SAPendingApproval, false, []string{"sa1", "sa2"}},
		{"same TLD, nothing active", "jo@acme.com", "acme.com", nil, models.SAActive, false, nil},
		{"requester on a subdomain", "jo@eng.acme.co.uk", "acme.co.uk", nil, models.SAActive, false, nil},
		{"case does not matter", "JO@ACME.COM", "Eng.Acme.com", nil, models.SAActive, false, nil},
	} {
		got := models.DecideActivation(c.requester, c.domain, c.active)
		if got.Status != c.status || got.SMB != c.smb || !slices.Equal(got.ApproverAccounts, c.approvers) {
			t.Errorf("%s: DecideActivation(%q, %q, %v) = %+v; want status %s smb %v approvers %v",
				c.name, c.requester, c.domain, c.active, got, c.status, c.smb, c.approvers)
		}
		if got.Why == "" {
			t.Errorf("%s: no Why", c.name)
		}
	}
}

func TestCanSee(t *testing.T) {
	open := models.SmartAccount{ID: "sa1", TLD: "acme.com", Domain: "eng.acme.com", Visibility: models.VisibilityUnrestricted,
		RequestedBy: "req@acme.com", NominatedAdmins: []string{"nominee@partner.com"}}
	restricted := open
	restricted.Visibility = models.VisibilityRestricted
	member := []models.AccountRole{{UserEmail: "outsider@else.com", SmartAccountID: "sa1", Role: models.RoleSAViewer}}

	for _, c := range []struct {
		name  string
		v     models.Viewer
		sa    models.SmartAccount
		roles []models.AccountRole
		want  bool
	}{
		{"cisco-approver sees restricted", models.Viewer{Email: "x@cisco.com", Roles: []string{models.RoleCiscoApprover}}, restricted, nil, true},
		{"licensing-ops sees restricted", models.Viewer{Email: "x@cisco.com", Roles: []string{models.RoleLicensingOps}}, restricted, nil, true},
		{"cisco-support sees restricted", models.Viewer{Email: "x@cisco.com", Roles: []string{models.RoleCiscoSupport}}, restricted, nil, true},
		{"look-alike platform role does not", models.Viewer{Email: "x@cisco.com", Roles: []string{"cisco-approver-trainee"}}, restricted, nil, false},
		{"member sees restricted", models.Viewer{Email: "outsider@else.com"}, restricted, member, true},
		{"requester sees restricted", models.Viewer{Email: "REQ@Acme.com"}, restricted, nil, true},
		{"nominee sees restricted", models.Viewer{Email: "Nominee@Partner.com"}, restricted, nil, true},
		{"same TLD sees unrestricted", models.Viewer{Email: "colleague@acme.com"}, open, nil, true},
		{"same TLD on a subdomain sees unrestricted", models.Viewer{Email: "colleague@emea.acme.com"}, open, nil, true},
		{"same TLD does not see restricted", models.Viewer{Email: "colleague@acme.com"}, restricted, nil, false},
		{"other TLD does not see unrestricted", models.Viewer{Email: "someone@other.com"}, open, nil, false},
		{"look-alike TLD does not see", models.Viewer{Email: "someone@acme.com.evil.net"}, open, nil, false},
		{"other TLD does not see restricted", models.Viewer{Email: "someone@other.com"}, restricted, nil, false},
		{"nobody", models.Viewer{}, open, nil, false},
	} {
		if got := models.CanSee(c.v, c.sa, c.roles); got != c.want {
			t.Errorf("%s: CanSee(%+v) = %v, want %v", c.name, c.v, got, c.want)
		}
	}
}
