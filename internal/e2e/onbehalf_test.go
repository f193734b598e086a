package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// onBehalf is the body of a request for a customer's account, without an address.
func onBehalf(name, domain string, contacts ...string) map[string]any {
	return map[string]any{"name": name, "domain": domain, "onBehalf": true, "customerContacts": contacts,
		"noteToCustomer": "Your partner set this up for your licenses"}
}

// requestForCustomer has a partner's sam ask for an account name for the customer at domain cust,
// with cto@<cust> its contact; it returns the partner, the account's id and the contact's mailed link.
func requestForCustomer(t *testing.T, name, cust string) (partner *user, id, link string) {
	t.Helper()
	partner = as(t, "sam@"+domainOf("partner"))
	_, body := partner.post("/api/v1/smart-accounts", onBehalf(name, cust, "cto@"+cust))
	return partner, str(body["id"]), actionLink(t, mailTo(t, "cto@"+cust, "Accept the Smart Account "+name))
}

// hqForm is the address part of the acceptance page's form.
func hqForm(decision string) url.Values {
	return url.Values{"decision": {decision}, "company": {"Customer Inc"}, "line1": {"500 Main St"}, "city": {"Austin"},
		"region": {"TX"}, "postalCode": {"73301"}, "country": {"US"}}
}

// A partner requests an account for a customer: provisional at once; the contact accepts by the
// mailed link without an address, the same page asks for it, and the account becomes ACTIVE with the
// contact, not the partner, as its administrator.
func TestOnBehalfToActive(t *testing.T) {
	cust := domainOf("customer")
	partner := as(t, "sam@"+domainOf("partner"))
	st, body := partner.post("/api/v1/smart-accounts", onBehalf("Customer Inc", cust, "cto@"+cust, "cfo@"+cust))
	if st != http.StatusAccepted || body["status"] != string(models.SAPendingCustomerAcceptance) || len(body["waitingOn"].([]any)) != 2 {
		t.Fatalf("create: %d %v", st, body)
	}
	id := str(body["id"])
	mailTo(t, partner.email, "waits for the customer")
	task := mailTo(t, "cto@"+cust, "Accept the Smart Account Customer Inc")
	if !strings.Contains(task.Text, "Your partner set this up") || !strings.Contains(task.Text, partner.email) {
		t.Fatalf("task mail: %s", task.Text)
	}
	link := actionLink(t, task)
	code, html := page(t, link, nil)
	if code != http.StatusOK || !strings.Contains(html, `name="line1"`) || !strings.Contains(html, `value="ACCEPT"`) {
		t.Fatalf("GET: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SAPendingCustomerAcceptance {
		t.Fatalf("GET changed the account to %s", sa.Status)
	}

	code, html = page(t, link, url.Values{"decision": {"ACCEPT"}})
	if code != http.StatusOK || !strings.Contains(html, "One step is left") || !strings.Contains(html, `value="SUBMIT"`) {
		t.Fatalf("accept without address: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SAPendingCustomerAddress || sa.AcceptedBy != "cto@"+cust {
		t.Fatalf("after accepting: %+v", sa)
	}
	mailTo(t, "cto@"+cust, "Give the headquarters address")
	// The other contact's link now says who accepted.
	if code, html := page(t, actionLink(t, mailTo(t, "cfo@"+cust, "Accept the Smart Account")), nil); code != http.StatusConflict ||
		!strings.Contains(html, "already accepted by cto@"+cust) {
		t.Fatalf("other contact's link: %d %s", code, html)
	}
	code, html = page(t, link, hqForm("SUBMIT"))
	if code != http.StatusOK || !strings.Contains(html, "now ACTIVE") {
		t.Fatalf("address: %d %s", code, html)
	}
	sa := account1(t, id)
	if sa.Status != models.SAActive || sa.Headquarters.City != "Austin" || sa.ActivatedAt == nil {
		t.Fatalf("after the address: %+v", sa)
	}
	admins, _ := models.AdminEmails(context.Background(), sys.db, id)
	if len(admins) != 1 || admins[0] != "cto@"+cust {
		t.Fatalf("admins %v: the contact, not the partner", admins)
	}
	mailTo(t, partner.email, "The Smart Account Customer Inc you requested is active")
	mailTo(t, "cto@"+cust, "Your Smart Account Customer Inc is active")
	if code, _ := page(t, link, hqForm("SUBMIT")); code != http.StatusGone {
		t.Fatalf("used link: %d", code)
	}
}

// The customer's TLD has an ACTIVE account: its administrators are told at once, and once accepted
// with an address the request waits for their approval, as a request of the contact would.
func TestOnBehalfUnderAnActiveTLD(t *testing.T) {
	tld, admin, _ := activeAccount(t, "bigco")
	partner := as(t, "sam@"+domainOf("partner"))
	_, body := partner.post("/api/v1/smart-accounts", onBehalf("Bigco Labs", "labs."+tld, "head@"+tld))
	id := str(body["id"])
	notice := mailTo(t, admin.email, "A Smart Account was requested for "+tld)
	if !strings.Contains(notice.Text, "head@"+tld) {
		t.Fatalf("notice: %s", notice.Text)
	}
	code, html := page(t, actionLink(t, mailTo(t, "head@"+tld, "Accept the Smart Account Bigco Labs")), hqForm("ACCEPT"))
	if code != http.StatusOK || !strings.Contains(html, "PENDING_APPROVAL") {
		t.Fatalf("accept: %d %s", code, html)
	}
	code, html = page(t, actionLink(t, mailTo(t, admin.email, "Approve or decline the Smart Account request Bigco Labs")), url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Approved") {
		t.Fatalf("approve: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SAActive {
		t.Fatalf("status %s", sa.Status)
	}
}

// The contact declines; the requester learns it; the TLD's 409 offers to nominate more creators,
// which reopens the request, and the new creator accepts.
func TestOnBehalfDeclinedThenNominate(t *testing.T) {
	cust := domainOf("decliner")
	partner, id, link := requestForCustomer(t, "Decliner", cust)
	if code, html := page(t, link, url.Values{"decision": {"DECLINE"}}); code != http.StatusBadRequest || !strings.Contains(html, "reason") {
		t.Fatalf("decline without reason: %d %s", code, html)
	}
	code, html := page(t, link, url.Values{"decision": {"DECLINE"}, "reason": {"ask our CEO"}})
	if code != http.StatusOK || !strings.Contains(html, "Declined") {
		t.Fatalf("decline: %d %s", code, html)
	}
	sa := account1(t, id)
	if sa.Status != models.SADeclinedByCustomer || sa.DecisionReason != "ask our CEO" || sa.DecidedBy != "cto@"+cust {
		t.Fatalf("declined row: %+v", sa)
	}
	if m := mailTo(t, partner.email, "The customer declined the Smart Account Decliner"); !strings.Contains(m.Text, "ask our CEO") {
		t.Fatalf("decline mail: %s", m.Text)
	}

	st, conflict := partner.post("/api/v1/smart-accounts", onBehalf("Decliner again", cust, "ceo@"+cust))
	if st != http.StatusConflict {
		t.Fatalf("same domain again: %d %v", st, conflict)
	}
	listed := conflict["error"].(map[string]any)["details"].(map[string]any)["smartAccounts"].([]any)
	if len(listed) != 1 || str(listed[0].(map[string]any)["status"]) != string(models.SADeclinedByCustomer) ||
		listed[0].(map[string]any)["actions"].([]any)[0] != "NOMINATE_CREATORS" {
		t.Fatalf("409 lists %v", listed)
	}
	st, res := partner.post("/api/v1/smart-accounts/"+id+"/creators", map[string]any{"emails": []string{"CEO@" + cust}})
	if st != http.StatusOK || res["status"] != string(models.SAPendingCustomerAcceptance) {
		t.Fatalf("nominate: %d %v", st, res)
	}
	code, html = page(t, actionLink(t, mailTo(t, "ceo@"+cust, "Accept the Smart Account Decliner")), hqForm("ACCEPT"))
	if code != http.StatusOK || !strings.Contains(html, "now ACTIVE") {
		t.Fatalf("the new creator accepts: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SAActive || sa.AcceptedBy != "ceo@"+cust {
		t.Fatalf("after: %+v", sa)
	}
	hasEvents(t, partner, id, models.EventSADeclinedByCust, models.EventCreatorsNominated, models.EventSAAccepted,
		models.EventSAActivated)
}

// The 409 paths of a TLD that has accounts: request access to the ACTIVE one, refused for one whose
// activation is in progress, and a modified domain that goes to Cisco's domain approval.
func TestExistingDomainPaths(t *testing.T) {
	approver := as(t, "approver-ob-"+uniq()+"@cisco.com", models.RoleCiscoApprover)
	tld, admin, activeID := activeAccount(t, "taken")
	bob := as(t, "bob@"+tld)
	st, body := bob.post("/api/v1/smart-accounts", account("Taken again", tld))
	if st != http.StatusConflict {
		t.Fatalf("taken domain: %d %v", st, body)
	}
	details := body["error"].(map[string]any)["details"].(map[string]any)
	first := details["smartAccounts"].([]any)[0].(map[string]any)
	if first["id"] != activeID || first["actions"].([]any)[0] != "REQUEST_ACCESS" || first["admins"].([]any)[0] != admin.email {
		t.Fatalf("409 lists %v", first)
	}
	st, ar := bob.post("/api/v1/smart-accounts/"+activeID+"/access-requests", map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "I work here"})
	if st != http.StatusAccepted || ar["status"] != "PENDING" {
		t.Fatalf("request access: %d %v", st, ar)
	}
	mailTo(t, admin.email, "Access request to the Smart Account taken Corp")

	// A foreign-domain request waits for Cisco: nobody may nominate creators for it.
	other := as(t, "x@"+domainOf("elsewhere"))
	_, pend := other.post("/api/v1/smart-accounts", account("Pending", "pending."+tld))
	if pend["status"] != string(models.SAPendingDomainApproval) {
		t.Fatalf("fixture: %v", pend)
	}
	st, refused := bob.post("/api/v1/smart-accounts/"+str(pend["id"])+"/creators", map[string]any{"emails": []string{"a@" + tld}})
	if st != http.StatusConflict || !strings.Contains(str(refused["error"].(map[string]any)["message"]), "activation is in progress") {
		t.Fatalf("nominate on a pending-domain account: %d %v", st, refused)
	}

	// The modified domain: Cisco approves it, then the TLD's administrators.
	st, mod := bob.post("/api/v1/smart-accounts", account("Taken PL", "pl."+tld, "modifiedDomain", true))
	if st != http.StatusAccepted || mod["status"] != string(models.SAPendingDomainApproval) {
		t.Fatalf("modified domain: %d %v", st, mod)
	}
	code, html := page(t, actionLink(t, mailTo(t, approver.email, "Domain approval needed: pl."+tld)), url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Domain approved") {
		t.Fatalf("domain approval: %d %s", code, html)
	}
	if sa := account1(t, str(mod["id"])); sa.Status != models.SAPendingApproval {
		t.Fatalf("after the domain: %s", sa.Status)
	}
}
