package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// asProfile signs in with a CCO id: the same person may come back with another profile mail.
func asProfile(t *testing.T, email, ccoID string) *user {
	t.Helper()
	tok, err := sys.signer.Sign(auth.Identity{Email: email, Name: strings.Split(email, "@")[0], CCOID: ccoID, Roles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	u := &user{t: t, email: models.NormalizeEmail(email), token: tok, base: sys.app.Config.PublicURL}
	if st, body := u.get("/api/v1/me"); st != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %v", email, st, body)
	}
	return u
}

// smbOwner is someone (pat, kim) signed in with a personal mail and a CCO id of their own, who made the
// SMB account name; a later profile with the company's mail (asProfile with cco) is the same person.
func smbOwner(t *testing.T, who, name string) (personal *user, cco, id string) {
	t.Helper()
	cco = who + "-" + uniq()
	personal = asProfile(t, who+"."+uniq()+"@gmail.com", cco)
	st, smb := personal.post("/api/v1/smart-accounts", account(name, ""))
	if st != http.StatusAccepted || smb["smb"] != true {
		t.Fatalf("SMB account: %d %v", st, smb)
	}
	return personal, cco, str(smb["id"])
}

// An SMB account's owner changes their profile mail to a company address: /me says the account may be
// upgraded; the company's TLD has an ACTIVE account, whose administrator approves by the mailed link;
// the account keeps its id and virtual accounts, loses the SMB limits and gets the new domain.
func TestSMBUpgradeApprovedByAdministrator(t *testing.T) {
	tld, admin, _ := activeAccount(t, "employer")
	personal, cco, id := smbOwner(t, "pat", "Pat Consulting")
	_, me := personal.get("/api/v1/me")
	if me["upgradeEligible"] != false {
		t.Fatalf("eligible with a personal mail: %v", me)
	}
	if st, _ := personal.post("/api/v1/smart-accounts/"+id+"/virtual-accounts", map[string]any{"name": "Projects"}); st != http.StatusUnprocessableEntity {
		t.Fatalf("an SMB account made a virtual account: %d", st)
	}

	company := asProfile(t, "pat@"+tld, cco)
	_, me = company.get("/api/v1/me")
	infos, _ := me["smbAccounts"].([]any)
	if me["upgradeEligible"] != true || len(infos) != 1 || infos[0].(map[string]any)["defaults"].(map[string]any)["domain"] != tld {
		t.Fatalf("me after the profile change: %v", me)
	}
	st, up := company.post("/api/v1/smart-accounts/"+id+"/upgrade", map[string]any{"name": "Pat at Employer", "domain": "pat." + tld,
		"headquarters": map[string]any{"company": "Employer", "line1": "419 NE 10th Ave", "city": "Portland", "region": "OR",
			"postalCode": "97232", "country": "US"}, "visibility": "RESTRICTED"})
	if st != http.StatusAccepted || up["upgrade"].(map[string]any)["status"] != "PENDING_APPROVAL" || !whoIn(up, admin.email) {
		t.Fatalf("upgrade: %d %v", st, up)
	}
	if sa := account1(t, id); !sa.SMB || sa.Status != models.SAActive {
		t.Fatalf("the account changed before the approval: %+v", sa)
	}
	if st, again := company.post("/api/v1/smart-accounts/"+id+"/upgrade", map[string]any{"domain": "pat." + tld}); st != http.StatusConflict {
		t.Fatalf("a second upgrade while one waits: %d %v", st, again)
	}
	link := actionLink(t, mailTo(t, admin.email, "Approve the upgrade of the SMB Smart Account Pat at Employer"))
	code, html := page(t, link, url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Approved") {
		t.Fatalf("approve: %d %s", code, html)
	}
	sa := account1(t, id)
	if sa.SMB || sa.Domain != "pat."+tld || sa.Name != "Pat at Employer" || sa.Visibility != models.VisibilityRestricted || sa.ID != id {
		t.Fatalf("after the upgrade: %+v", sa)
	}
	mailTo(t, company.email, "Your Smart Account is now the standard Smart Account Pat at Employer")
	if st, va := company.post("/api/v1/smart-accounts/"+id+"/virtual-accounts", map[string]any{"name": "Projects"}); st != http.StatusCreated {
		t.Fatalf("virtual account after the upgrade: %d %v", st, va)
	}
	hasEvents(t, company, id, models.EventSARequested, models.EventUpgradeRequested, models.EventUpgraded)
}

// The administrator declines: the account stays SMB and the owner is told why.
func TestSMBUpgradeDeclined(t *testing.T) {
	tld, admin, _ := activeAccount(t, "refuser")
	_, cco, id := smbOwner(t, "kim", "Kim Shop")
	company := asProfile(t, "kim@"+tld, cco)
	if st, up := company.post("/api/v1/smart-accounts/"+id+"/upgrade", map[string]any{"domain": "kim." + tld}); st != http.StatusAccepted {
		t.Fatalf("upgrade: %d %v", st, up)
	}
	st, dec := admin.post("/api/v1/smart-accounts/"+id+"/upgrade/decision", map[string]any{"decision": "DECLINE", "reason": "join our account instead"})
	if st != http.StatusOK || dec["upgrade"].(map[string]any)["status"] != "DECLINED" {
		t.Fatalf("decline: %d %v", st, dec)
	}
	if m := mailTo(t, company.email, "was declined"); !strings.Contains(m.Text, "join our account instead") {
		t.Fatalf("mail: %s", m.Text)
	}
	if sa := account1(t, id); !sa.SMB {
		t.Fatal("a declined upgrade changed the account")
	}
}
