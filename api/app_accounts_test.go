package api_test

// The portal's account pages (FEATURES SA9, AC1–AC7, X7): what they show is what the JSON routes beside
// them answer the same person, and a part those routes refuse shows the refusal, not its rows.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
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

// decideAccessWithStore makes the fake's Decide apply an access decision through the real store, as
// the access request's process does.
func (h *harness) decideAccessWithStore(requestID string) {
	h.fake.decideFn = func(ctx context.Context, _ string, in process.DecideInput) (process.DecideResult, error) {
		st, err := h.store.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: requestID,
			Approve: in.Decision == process.Approve, Actor: in.Actor, Reason: in.Reason, Via: in.Via})
		if err != nil {
			return process.DecideResult{}, err
		}
		return process.DecideResult{SmartAccountID: st.SmartAccountID, Decision: in.Decision, RequestID: st.RequestID,
			RequestStatus: string(st.Status), DecidedBy: st.DecidedBy}, nil
	}
}

func TestPortalApproveAccessInPlace(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	req := h.askAccess(acme.ID, "erin@acme.com", "SMART_ACCOUNT_USER")
	h.decideAccessWithStore(req)
	base := "/app/smart-accounts/" + acme.ID

	// Erin may see her request but not decide it: the form is not shown, and a forged post is refused
	// as the API refuses her.
	erin := h.withPortal("erin@acme.com")
	doc := parsePage(t, h.page(http.MethodGet, base+"/access-requests", erin, nil), http.StatusOK).doc
	if len(find(doc, "id", "approve-"+req)) != 0 {
		t.Errorf("Erin is shown the approve button")
	}
	h.fake.decideFn = func(context.Context, string, process.DecideInput) (process.DecideResult, error) {
		return process.DecideResult{}, models.Errorf(models.CodeForbidden, "erin@acme.com may not decide this request")
	}
	rec := h.page(http.MethodPost, base+"/access-requests/"+req+"/decision", erin, url.Values{"decision": {"APPROVE"},
		"csrf": {csrfOf(t, doc)}})
	parsePage(t, rec, http.StatusForbidden)
	if ar := h.accessRow(req); ar.Status != models.AccessPending {
		t.Fatalf("after Erin's post the request is %s", ar.Status)
	}

	h.decideAccessWithStore(req)
	alice := h.withPortal("alice@acme.com")
	doc = parsePage(t, h.page(http.MethodGet, base+"/access-requests", alice, nil), http.StatusOK).doc
	labelled(t, doc)
	if len(find(doc, "id", "approve-"+req)) != 1 {
		t.Fatalf("no approve button for Alice")
	}
	// Without the session's CSRF token the post is refused and nothing is decided.
	rec = h.page(http.MethodPost, base+"/access-requests/"+req+"/decision", alice, url.Values{"decision": {"APPROVE"}})
	if rec.Code != http.StatusForbidden || h.accessRow(req).Status != models.AccessPending {
		t.Fatalf("post without CSRF: %d, request %s", rec.Code, h.accessRow(req).Status)
	}
	rec = h.page(http.MethodPost, base+"/access-requests/"+req+"/decision", alice, url.Values{"decision": {"APPROVE"},
		"csrf": {csrfOf(t, doc)}})
	doc = parsePage(t, rec, http.StatusOK).doc
	if n := find(doc, "id", "notice"); len(n) != 1 || !strings.Contains(textOf(n[0]), "Approved the request of erin@acme.com") {
		t.Errorf("notice: %s", rec.Body)
	}
	if ar := h.accessRow(req); ar.Status != models.AccessApproved || ar.DecidedBy != "alice@acme.com" {
		t.Errorf("request after the approval: %s by %s", ar.Status, ar.DecidedBy)
	}
	if len(find(doc, "id", "pending-badge")) != 0 {
		t.Errorf("the badge is still shown with nothing pending")
	}
	// Erin now holds the role the API shows her.
	roles, err := models.RolesOn(context.Background(), h.db, "erin@acme.com", acme.ID)
	if err != nil || len(roles) != 1 || roles[0].Role != models.RoleSAUser {
		t.Errorf("Erin's roles %v %v", roles, err)
	}
}

func (h *harness) accessRow(id string) models.AccessRequest {
	h.t.Helper()
	ar, err := models.FindAccessRequest(context.Background(), h.db, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return ar
}

// csrfOf reads the session's CSRF token from a page's forms.
func csrfOf(t *testing.T, doc *html.Node) string {
	t.Helper()
	for _, n := range find(doc, "name", "csrf") {
		if v, _ := attr(n, "value"); v != "" {
			return v
		}
	}
	t.Fatal("no CSRF token on the page")
	return ""
}
