package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// A partner's access request (FEATURES AC8) is for the partner, not for the OFM who asked: My requests,
// the page and GET /me/requests alike, names the partner on its row (issue 12).
func TestPortalMyRequestsNamesThePartner(t *testing.T) {
	h := newHarness(t)
	h.registerPartnerX()
	acme := h.acme()
	v := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+acme.ID+"/access-requests", h.token("olivia@partnerx.com"),
		map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "we manage your renewals", "partnerDomain": "partnerx.com"}),
		http.StatusAccepted)
	id := v["id"].(string)

	doc := parsePage(t, h.page(http.MethodGet, "/app/requests", h.withPortal("olivia@partnerx.com"), nil), http.StatusOK).doc
	row := find(doc, "data-request", id)
	if len(row) != 1 || !strings.Contains(textOf(row[0]), "for the partner Partner X (partnerx.com)") {
		t.Fatalf("the partner's request on the page: %v", row)
	}
	api := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/me/requests", h.token("olivia@partnerx.com"), nil), http.StatusOK)["requests"],
		"requests")
	if len(api) != 1 || !strings.Contains(api[0]["what"].(string), "Partner X (partnerx.com)") {
		t.Errorf("the partner's request through the API: %v", api)
	}
}
