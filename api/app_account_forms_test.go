package api_test

// The portal's account forms (FEATURES SA1–SA6, AC1): creating an account, the 409's ways forward as
// choices, and an access request picked from the account's tree.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

func createForm(csrf, key, name, domain string) url.Values {
	return url.Values{"csrf": {csrf}, "key": {key}, "name": {name}, "domain": {domain}, "visibility": {"UNRESTRICTED"},
		"headquarters.company": {"Acme Inc"}, "headquarters.line1": {"1 Main St"}, "headquarters.city": {"San Jose"},
		"headquarters.region": {"CA"}, "headquarters.postalCode": {"95134"}, "headquarters.country": {"US"},
		"nominees": {"myself\nbob@acme.com"}, "note": {"for the lab"}}
}

func TestPortalCreateAccount(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	erin := h.withPortal("erin@acme.com")

	p := parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/new", erin, nil), http.StatusOK)
	labelled(t, p.doc)
	if d := find(p.doc, "id", "domain"); len(d) != 1 || first(attr(d[0], "value")) != "acme.com" {
		t.Errorf("the domain defaults to mine: %v", d)
	}
	key := first(attr(find(p.doc, "name", "key")[0], "value"))
	csrf := csrfOf(t, p.doc)

	// acme.com is taken: the answer is the API's 409, with Acme as a choice to request access to.
	rec := h.page(http.MethodPost, "/app/smart-accounts/new", erin, createForm(csrf, key, "Erin's", ""))
	p = parsePage(t, rec, http.StatusConflict)
	if f := find(p.doc, "id", "failed-field"); len(f) != 1 || textOf(f[0]) != "domain" {
		t.Errorf("the refusal names the field: %s", rec.Body)
	}
	ask := find(p.doc, "id", "ask-"+acme.ID)
	if len(ask) != 1 || first(attr(ask[0], "href")) != "/app/smart-accounts/"+acme.ID+"/request-access" {
		t.Fatalf("no request-access choice for Acme: %s", rec.Body)
	}
	if len(find(p.doc, "id", "modifiedDomain")) != 1 || first(attr(find(p.doc, "id", "name")[0], "value")) != "Erin's" {
		t.Errorf("the form keeps what was typed and offers a modified domain")
	}
	labelled(t, p.doc)
	if len(h.fake.startCalls()) != 0 {
		t.Fatalf("a refused request started a process")
	}

	// A free domain: the account is requested as the API requests it, and the page is the new account's.
	rec = h.page(http.MethodPost, "/app/smart-accounts/new", erin, createForm(csrf, key, "Erin Labs", "erinlabs.com"))
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/app/smart-accounts/") {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	calls := h.fake.startCalls()
	if len(calls) != 1 || calls[0].Req.Domain != "erinlabs.com" || calls[0].Req.NoteToApprover != "for the lab" ||
		strings.Join(calls[0].Req.NominatedAdmins, ",") != "erin@acme.com,bob@acme.com" {
		t.Fatalf("the request started: %+v", calls)
	}
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/app/smart-accounts/")
	if sa := h.account(id); sa.RequestedBy != "erin@acme.com" || sa.Headquarters.City != "San Jose" {
		t.Errorf("account %+v", sa)
	}
	parsePage(t, h.page(http.MethodGet, rec.Header().Get("Location"), erin, nil), http.StatusOK)
	// Pressed twice, the form's key finds the same request.
	rec = h.page(http.MethodPost, "/app/smart-accounts/new", erin, createForm(csrf, key, "Erin Labs", "erinlabs.com"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/smart-accounts/"+id {
		t.Errorf("second press: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// A bad field is the API's 400 naming it.
	rec = h.page(http.MethodPost, "/app/smart-accounts/new", erin, createForm(csrf, models.NewID(), "", "x.com"))
	if f := find(parsePage(t, rec, http.StatusBadRequest).doc, "id", "failed-field"); len(f) != 1 || textOf(f[0]) != "name" {
		t.Errorf("no name: %s", rec.Body)
	}
}

func TestPortalRequestAccess(t *testing.T) {
	h := newHarness(t)
	acme, _ := vaFixture(t, h)
	labs := h.labs()
	erin := h.withPortal("erin@acme.com")
	path := "/app/smart-accounts/" + acme.ID + "/request-access"

	p := parsePage(t, h.page(http.MethodGet, path, erin, nil), http.StatusOK)
	labelled(t, p.doc)
	boxes := find(p.doc, "name", "virtualAccount")
	if len(boxes) < 2 {
		t.Fatalf("the tree offers %d virtual accounts", len(boxes))
	}
	va := first(attr(boxes[1], "value"))
	form := url.Values{"csrf": {csrfOf(t, p.doc)}, "key": {first(attr(find(p.doc, "name", "key")[0], "value"))},
		"role": {"VIRTUAL_ACCOUNT_USER"}, "virtualAccount": {va}, "reason": {"I run the lab"}}

	// Without a reason: the API's 400 naming the field; the ticked box stays ticked.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Del("reason")
	p = parsePage(t, h.page(http.MethodPost, path, erin, bad), http.StatusBadRequest)
	if f := find(p.doc, "id", "failed-field"); len(f) != 1 || textOf(f[0]) != "reason" {
		t.Errorf("refusal: %s", p.body)
	}
	if _, on := attr(find(p.doc, "id", "va-"+va)[0], "checked"); !on {
		t.Errorf("the picked virtual account is no longer ticked")
	}

	p = parsePage(t, h.page(http.MethodPost, path, erin, form), http.StatusOK)
	if n := find(p.doc, "id", "notice"); len(n) != 1 || !strings.Contains(textOf(n[0]), "Virtual Account User") {
		t.Fatalf("notice: %s", p.body)
	}
	ars, err := models.AccessRequests(t.Context(), h.db, acme.ID, models.AccessFilter{RequestedBy: "erin@acme.com"})
	if err != nil || len(ars) != 1 || ars[0].VirtualAccounts[0] != va || ars[0].Role != models.RoleVAUser {
		t.Fatalf("requests %+v %v", ars, err)
	}
	// The restricted Labs cannot be found by Erin: 404, as POST …/access-requests answers her.
	errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+labs.ID+"/access-requests", h.token("erin@acme.com"),
		map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "x"}), http.StatusNotFound)
	parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/"+labs.ID+"/request-access", erin, nil), http.StatusNotFound)
}

// The partner's mail about its services with nowhere to go links to the form with its domain and
// type=HOLDING (issue 13, item 6): the form starts filled with them, and a holding account from it is
// checked as POST /smart-accounts checks one (only a registered partner's people may ask for it).
func second(_ string, ok bool) bool { return ok }

func TestPortalCreateHoldingAccount(t *testing.T) {
	h := newHarness(t)
	erin := h.withPortal("erin@acme.com")
	p := parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/new?domain=partnerx.com&type=HOLDING", erin, nil), http.StatusOK)
	labelled(t, p.doc)
	if d := find(p.doc, "id", "domain"); len(d) != 1 || first(attr(d[0], "value")) != "partnerx.com" {
		t.Errorf("the domain from the link: %v", d)
	}
	if r := find(p.doc, "id", "type-h"); len(r) != 1 || !second(attr(r[0], "checked")) {
		t.Errorf("the holding type is chosen")
	}
	form := createForm(csrfOf(t, p.doc), first(attr(find(p.doc, "name", "key")[0], "value")), "Holding", "partnerx.com")
	form.Set("type", "HOLDING")
	rec := h.page(http.MethodPost, "/app/smart-accounts/new", erin, form)
	if rec.Code != http.StatusForbidden && rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a holding account for a partner Erin is none of: %d %s", rec.Code, rec.Body)
	}
	if len(h.fake.startCalls()) != 0 {
		t.Fatalf("a refused holding account started a process")
	}
}
