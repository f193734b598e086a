package api_test

// My requests (FEATURES X7): what I asked for and where each stands, the same rows as GET /me/requests.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

func TestPortalMyRequests(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	eng := h.engineering() // carol's request, waiting for Acme's administrators
	ask := h.askAccess(acme.ID, "carol@acme.com", "SMART_ACCOUNT_VIEWER")
	h.askAccess(acme.ID, "erin@acme.com", "SMART_ACCOUNT_USER") // Erin's, not Carol's
	carol := h.withPortal("carol@acme.com")

	api := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/me/requests", h.token("carol@acme.com"), nil), http.StatusOK)["requests"], "requests")
	doc := parsePage(t, h.page(http.MethodGet, "/app/requests", carol, nil), http.StatusOK).doc
	rows := find(doc, "data-request", "")
	if len(rows) != 2 || len(api) != 2 {
		t.Fatalf("page %d rows, API %d requests: %v", len(rows), len(api), api)
	}
	row := find(doc, "data-request", eng.ID)
	if len(row) != 1 || !strings.Contains(textOf(row[0]), "alice@acme.com") || !strings.Contains(textOf(row[0]), "pending approval") {
		t.Errorf("the account request waits for Acme's administrators: %v", textOf(row[0]))
	}
	if dl := find(row[0], "class", "deadline"); len(dl) != 1 || textOf(dl[0]) == "—" || textOf(dl[0]) == "" {
		t.Errorf("the account request's deadline: %v", dl)
	}
	row = find(doc, "data-request", ask)
	if len(row) != 1 || !strings.Contains(textOf(row[0]), "Smart Account Viewer") || !strings.Contains(textOf(row[0]), "Acme") ||
		!strings.Contains(textOf(row[0]), "bob@acme.com") {
		t.Errorf("the access request: %v", textOf(row[0]))
	}
	for _, r := range api {
		if r["kind"] == "ACCESS" && (r["status"] != string(models.AccessPending) || len(list(t, r["waitingOn"], "waitingOn")) == 0) {
			t.Errorf("API access request %v", r)
		}
	}
	// Without a session the page sends the browser to sign in.
	if rec := h.page(http.MethodGet, "/app/requests", "", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("no session: %d", rec.Code)
	}
}
