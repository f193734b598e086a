package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// A partner asks for access with the customer's consent (FEATURES AC8): a colleague who is no OFM, a
// stranger and an unregistered partner are refused naming why; the OFM's request mails the customer's
// administrator (never the requester) a link whose page names the partner and what it asks; it cannot be
// handed on; approved, the partner grant exists and the partner's people read the account, and the OFM
// is told. The partner's administrator's next request, on virtual accounts, is declined with a reason.
func TestPartnerAccessRequest(t *testing.T) {
	_, admin, saID := activeAccount(t, "consenting")
	base := "/api/v1/smart-accounts/" + saID
	vas := virtualAccounts(t, admin, saID, 2)
	px := domainOf("pxr")
	partnerAdmin := registerPartner(t, px, nil, "olivia@"+px)
	olivia, pat, eve := as(t, "olivia@"+px), as(t, "pat@"+px), as(t, "eve@"+domainOf("evil"))
	ask := map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "we manage your renewals", "partnerDomain": px}

	for _, tc := range []struct {
		who    *user
		body   map[string]any
		status int
		says   string
	}{
		{pat, ask, http.StatusForbidden, "pat@" + px + " is neither"},
		{eve, ask, http.StatusForbidden, "administrators and Order Fulfillment Managers of Partner " + px},
		{olivia, map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "x", "partnerDomain": "unknown-" + px}, http.StatusNotFound,
			"no partner is registered"},
	} {
		st, body := tc.who.post(base+"/access-requests", tc.body)
		e, _ := body["error"].(map[string]any)
		if st != tc.status || e["field"] != "partnerDomain" || !strings.Contains(str(e["message"]), tc.says) {
			t.Errorf("%s: %d %v", tc.who.email, st, body)
		}
	}
	if st, body := olivia.get(base + "/licenses"); st != http.StatusNotFound {
		t.Fatalf("the partner before consent: %d %v", st, body)
	}

	st, ar := olivia.post(base+"/access-requests", ask)
	if st != http.StatusAccepted || ar["status"] != "PENDING" || ar["partnerDomain"] != px || !whoIn(ar, admin.email) || whoIn(ar, olivia.email) {
		t.Fatalf("request: %d %v", st, ar)
	}
	m := mailTo(t, admin.email, "Access request to the Smart Account consenting Corp from the partner Partner "+px)
	if !strings.Contains(m.Text, "the people of the partner Partner "+px+" ("+px+")") || strings.Contains(m.Text, "hand the decision") {
		t.Errorf("task mail: %s", m.Text)
	}
	link := actionLink(t, m)
	code, html := page(t, link, nil)
	if code != http.StatusOK || !strings.Contains(html, "Partner "+px+" ("+px+")") || !strings.Contains(html, "Smart Account User") ||
		strings.Contains(html, `value="DELEGATE"`) {
		t.Fatalf("page: %d %s", code, html)
	}
	code, html = page(t, link, url.Values{"decision": {"DELEGATE"}, "delegateTo": {admin.email}})
	if code != http.StatusBadRequest || !strings.Contains(html, "decision must be APPROVE or DECLINE") {
		t.Fatalf("delegate: %d %s", code, html)
	}
	code, html = page(t, link, url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "The people of the partner "+px+" now hold Smart Account User") {
		t.Fatalf("approve: %d %s", code, html)
	}
	var g models.PartnerGrant
	if err := sys.db.Where("smart_account_id = ? AND access_request_id = ?", saID, str(ar["id"])).Take(&g).Error; err != nil ||
		g.PartnerDomain != px || g.Role != models.RoleSAUser || g.GrantedBy != admin.email {
		t.Fatalf("grant %+v %v", g, err)
	}
	for _, u := range []*user{olivia, as(t, "sam@emea."+px)} {
		if st, body := u.get(base + "/licenses"); st != http.StatusOK {
			t.Errorf("%s after consent: %d %v", u.email, st, body)
		}
		if st, acct := u.get(base); st != http.StatusOK || acct["id"] != saID {
			t.Errorf("%s reads the account: %d %v", u.email, st, acct)
		}
	}
	mailTo(t, olivia.email, "Access to the Smart Account consenting Corp approved")
	if n := len(mailsTo(olivia.email, "Access request to the Smart Account")); n != 0 {
		t.Errorf("the requester was mailed %d tasks", n)
	}
	_, list := admin.get(base + "/partner-grants")
	if grants, _ := list["partnerGrants"].([]any); len(grants) != 1 {
		t.Errorf("the customer's grants %v", list)
	}

	st, ar = partnerAdmin.post(base+"/access-requests", map[string]any{"role": "VIRTUAL_ACCOUNT_ADMINISTRATOR",
		"virtualAccounts": vas, "reason": "we run both regions", "partnerDomain": px})
	if st != http.StatusAccepted || ar["status"] != "PENDING" {
		t.Fatalf("second request: %d %v", st, ar)
	}
	link = actionLink(t, mailTo(t, admin.email, "Virtual Account Administrator"))
	if code, html = page(t, link, url.Values{"decision": {"DECLINE"}}); code != http.StatusBadRequest || !strings.Contains(html, "a decline needs a reason") {
		t.Fatalf("decline without a reason: %d %s", code, html)
	}
	if code, html = page(t, link, url.Values{"decision": {"DECLINE"}, "reason": {"one partner per region"}}); code != http.StatusOK ||
		!strings.Contains(html, "Declined") {
		t.Fatalf("decline: %d %s", code, html)
	}
	if m := mailTo(t, partnerAdmin.email, "Access to the Smart Account consenting Corp declined"); !strings.Contains(m.Text, "one partner per region") ||
		!strings.Contains(m.Text, "the partner Partner "+px) {
		t.Errorf("decline mail: %s", m.Text)
	}
	var n int64
	sys.db.Model(&models.PartnerGrant{}).Where("smart_account_id = ?", saID).Count(&n)
	if n != 1 {
		t.Errorf("%d grants after the decline", n)
	}
}
