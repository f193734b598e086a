package api_test

// The portal's account pages (FEATURES SA9, AC1–AC7, X7): what they show is what the JSON routes beside
// them answer the same person, and a part those routes refuse shows the refusal, not its rows.

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// askAccess has requester ask for a role on the account through the API, and answers the request id.
func (h *harness) askAccess(saID, requester, role string, vas ...string) string {
	h.t.Helper()
	body := map[string]any{"role": role, "reason": "I run the lab"}
	if len(vas) > 0 {
		body["virtualAccounts"] = vas
	}
	v := jsonOf(h.t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+saID+"/access-requests", h.token(requester), body),
		http.StatusAccepted)
	return v["id"].(string)
}

// labelled checks that every input, select and textarea but hidden ones and buttons has a label.
func labelled(t *testing.T, doc *html.Node) {
	t.Helper()
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || (n.Data != "input" && n.Data != "select" && n.Data != "textarea") {
			continue
		}
		if typ, _ := attr(n, "type"); typ == "hidden" || typ == "submit" {
			continue
		}
		if _, ok := attr(n, "aria-label"); ok {
			continue
		}
		id, _ := attr(n, "id")
		if id == "" || len(find(doc, "for", id)) == 0 {
			name, _ := attr(n, "name")
			t.Errorf("field %q (id %q) has no label", name, id)
		}
	}
}

func TestPortalDirectory(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()
	h.askAccess(acme.ID, "erin@acme.com", "SMART_ACCOUNT_USER")
	alice := h.withPortal("alice@acme.com")

	doc := parsePage(t, h.page(http.MethodGet, "/app/directory", alice, nil), http.StatusOK).doc
	row := find(doc, "data-account", acme.ID)
	if len(row) != 1 || !strings.Contains(textOf(row[0]), "bob@acme.com") || !strings.Contains(textOf(row[0]), "active") {
		t.Fatalf("Acme's row: %v", row)
	}
	if b := find(doc, "data-pending", acme.ID); len(b) != 1 || textOf(b[0]) != "1" {
		t.Errorf("Alice's pending badge: %v", b)
	}
	// Erin sees the directory the API answers her: Acme, not the restricted Labs, and no badge.
	erin := h.withPortal("erin@acme.com")
	doc = parsePage(t, h.page(http.MethodGet, "/app/directory", erin, nil), http.StatusOK).doc
	if len(find(doc, "data-account", acme.ID)) != 1 || len(find(doc, "data-account", labs.ID)) != 0 {
		t.Errorf("Erin's directory lists %d Acme, %d Labs", len(find(doc, "data-account", acme.ID)), len(find(doc, "data-account", labs.ID)))
	}
	if len(find(doc, "data-pending", "")) != 0 {
		t.Errorf("Erin sees a pending badge")
	}
}

func TestPortalAccountPages(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()
	req := h.askAccess(acme.ID, "erin@acme.com", "SMART_ACCOUNT_USER")
	alice := h.withPortal("alice@acme.com")
	base := "/app/smart-accounts/" + acme.ID

	doc := parsePage(t, h.page(http.MethodGet, base, alice, nil), http.StatusOK).doc
	if s := find(doc, "id", "account-status"); len(s) != 1 || textOf(s[0]) != "active" {
		t.Errorf("status: %v", s)
	}
	if b := find(doc, "id", "pending-badge"); len(b) != 1 || textOf(b[0]) != "1" {
		t.Errorf("the access requests tab's badge: %v", b)
	}
	doc = parsePage(t, h.page(http.MethodGet, base+"/users", alice, nil), http.StatusOK).doc
	for _, u := range []string{"alice@acme.com", "bob@acme.com"} {
		if r := find(doc, "data-user", u); len(r) != 1 || !strings.Contains(textOf(r[0]), "Smart Account Administrator") {
			t.Errorf("user %s: %v", u, r)
		}
	}
	doc = parsePage(t, h.page(http.MethodGet, base+"/access-requests", alice, nil), http.StatusOK).doc
	if r := find(doc, "data-request", req); len(r) != 1 || !strings.Contains(textOf(r[0]), "erin@acme.com") {
		t.Errorf("the pending request: %v", r)
	}
	doc = parsePage(t, h.page(http.MethodGet, base+"/virtual-accounts", alice, nil), http.StatusOK).doc
	if tree := find(doc, "id", "va-tree"); len(tree) != 1 || !strings.Contains(textOf(tree[0]), "DEFAULT") {
		t.Errorf("tree: %v", tree)
	}
	doc = parsePage(t, h.page(http.MethodGet, base+"/licenses", alice, nil), http.StatusOK).doc
	if len(find(doc, "class", "va-licenses")) != 1 {
		t.Errorf("licenses by virtual account: %d sections", len(find(doc, "class", "va-licenses")))
	}
	parsePage(t, h.page(http.MethodGet, base+"/rules", alice, nil), http.StatusOK)
	doc = parsePage(t, h.page(http.MethodGet, base+"/history", alice, nil), http.StatusOK).doc
	if hist := find(doc, "id", "history"); len(hist) != 1 || !strings.Contains(textOf(hist[0]), "alice@acme.com") {
		t.Errorf("history: %v", textOf(hist[0]))
	}

	// Erin, of the domain but no member: the details, her own request, and the refusals of the API.
	erin := h.withPortal("erin@acme.com")
	doc = parsePage(t, h.page(http.MethodGet, base, erin, nil), http.StatusOK).doc
	if len(find(doc, "id", "pending-badge")) != 0 {
		t.Errorf("Erin sees the pending badge")
	}
	for _, tab := range []string{"users", "licenses", "rules"} {
		api := h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/"+map[string]string{"users": "users",
			"licenses": "licenses", "rules": "access-rules"}[tab], h.token("erin@acme.com"), nil)
		rec := h.page(http.MethodGet, base+"/"+tab, erin, nil)
		doc := parsePage(t, rec, api.Code).doc
		if api.Code != http.StatusForbidden || len(find(doc, "id", "refused")) != 1 || strings.Contains(rec.Body.String(), "bob@acme.com") {
			t.Errorf("%s: API %d, page %d %s", tab, api.Code, rec.Code, rec.Body)
		}
	}
	doc = parsePage(t, h.page(http.MethodGet, base+"/access-requests", erin, nil), http.StatusOK).doc
	if len(find(doc, "data-request", req)) != 1 || len(find(doc, "id", "pending-count")) != 0 {
		t.Errorf("Erin's own request, without the count")
	}
	// The restricted Labs is not there for Erin, as the API answers her.
	if rec := h.do(http.MethodGet, "/api/v1/smart-accounts/"+labs.ID, h.token("erin@acme.com"), nil); rec.Code != http.StatusNotFound {
		t.Fatalf("API: %d", rec.Code)
	}
	parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/"+labs.ID+"/users", erin, nil), http.StatusNotFound)
}
