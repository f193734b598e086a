package e2e

import (
	"net/http"
	"testing"
)

// A customer's administrator grants a partner a role on a restricted account: the partner's people
// (its domain and subdomains, not a look-alike) see the account and its licenses; the customer lists
// the grant and revokes it, and they see nothing again.
func TestPartnerGrantAndRevocation(t *testing.T) {
	tld, admin, saID := activeAccount(t, "consentco")
	base := "/api/v1/smart-accounts/" + saID
	if st, body := admin.do(http.MethodPatch, base, map[string]any{"visibility": "RESTRICTED"}); st != http.StatusOK {
		t.Fatalf("restrict: %d %v", st, body)
	}
	px := domainOf("px")
	registerPartner(t, px, nil)
	ana, bo, eve := as(t, "ana@"+px), as(t, "bo@emea."+px), as(t, "eve@not"+px)
	for _, u := range []*user{ana, bo, eve} {
		if st, _ := u.get(base + "/licenses"); st != http.StatusNotFound {
			t.Fatalf("%s before the grant: %d", u.email, st)
		}
	}
	if st, body := ana.post(base+"/partner-grants", map[string]any{"partnerDomain": px, "role": "SMART_ACCOUNT_ADMINISTRATOR"}); st != http.StatusNotFound {
		t.Errorf("the partner granted itself: %d %v", st, body)
	}
	st, g := admin.post(base+"/partner-grants", map[string]any{"partnerDomain": px, "role": "SMART_ACCOUNT_USER"})
	if st != http.StatusCreated || g["partnerDomain"] != px {
		t.Fatalf("grant: %d %v", st, g)
	}
	if st, again := admin.post(base+"/partner-grants", map[string]any{"partnerDomain": px, "role": "SMART_ACCOUNT_USER"}); st != http.StatusOK || again["id"] != g["id"] {
		t.Errorf("the same grant again: %d %v", st, again)
	}
	if st, body := admin.post(base+"/partner-grants", map[string]any{"partnerDomain": "unknown-" + px, "role": "SMART_ACCOUNT_USER"}); st != http.StatusBadRequest {
		t.Errorf("an unregistered partner: %d %v", st, body)
	}
	for _, u := range []*user{ana, bo} {
		if st, body := u.get(base + "/licenses"); st != http.StatusOK {
			t.Errorf("%s with the grant: %d %v", u.email, st, body)
		}
		if st, acct := u.get(base); st != http.StatusOK || acct["id"] != saID {
			t.Errorf("%s reads the account: %d %v", u.email, st, acct)
		}
	}
	if st, _ := eve.get(base + "/licenses"); st != http.StatusNotFound {
		t.Errorf("a look-alike domain: %d", st)
	}
	if st, body := ana.post(base+"/users", map[string]any{"users": []map[string]any{{"email": "x@" + tld, "role": "SMART_ACCOUNT_USER"}}}); st != http.StatusForbidden {
		t.Errorf("a partner user managed users: %d %v", st, body)
	}
	_, list := admin.get(base + "/partner-grants")
	grants := list["partnerGrants"].([]any)
	if len(grants) != 1 || grants[0].(map[string]any)["partnerName"] != "Partner "+px {
		t.Errorf("the customer's list: %v", list)
	}
	if st, body := admin.do(http.MethodDelete, base+"/partner-grants/"+str(g["id"]), nil); st != http.StatusOK {
		t.Fatalf("revoke: %d %v", st, body)
	}
	for _, u := range []*user{ana, bo} {
		if st, _ := u.get(base + "/licenses"); st != http.StatusNotFound {
			t.Errorf("%s after the revocation: %d", u.email, st)
		}
	}
	hasEvents(t, admin, saID, "PARTNER_ACCESS_GRANTED", "PARTNER_ACCESS_REVOKED")
}
