package api_test

// Delegate and revoke from the portal's order page (FEATURES OR8), and the delegate's emailed page with
// the account picker: the same checks as POST and DELETE /api/v1/orders/{id}/delegations.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
)

func TestPortalDelegateAndRevoke(t *testing.T) {
	h := newHarness(t)
	h.acme()
	h.order("WO-1", models.OrderStandard, "bob@acme.com")
	cookie := h.withPortal("bob@acme.com")
	p := parsePage(t, h.page(http.MethodGet, "/app/orders/WO-1", cookie, nil), http.StatusOK)
	labelled(t, p.doc)
	form := hiddenFields(t, p.doc, "delegate")
	if form.Get("csrf") == "" || len(find(p.doc, "id", "assign-one")) != 1 {
		t.Fatalf("the contact's order page: %s", p.body)
	}
	form.Set("email", "Helper@Acme.com")
	form.Set("note", "please")
	rec := h.page(http.MethodPost, "/app/orders/WO-1/delegations", cookie, form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/app/orders/WO-1?delegated=helper%40acme.com") {
		t.Fatalf("delegate: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if ds := h.orders.delegations; len(ds) != 1 || ds[0].Delegate != "helper@acme.com" || ds[0].Actor.Email != "bob@acme.com" {
		t.Fatalf("handed over: %+v", ds)
	}
	// A bad address is the API's refusal, naming the field.
	form.Set("email", "nobody")
	p = parsePage(t, h.page(http.MethodPost, "/app/orders/WO-1/delegations", cookie, form), http.StatusBadRequest)
	if f := find(p.doc, "id", "field"); len(f) != 1 || textOf(f[0]) != "email" {
		t.Errorf("bad email: %s", p.body)
	}

	// A pending delegation is listed with its revoke form; revoking hands it to the process.
	now := time.Now().UTC()
	d := models.OrderDelegation{ID: "d-1", OrderID: "WO-1", Delegator: "bob@acme.com", Delegate: "helper@acme.com",
		Status: models.DelegationPending, WorkflowID: "delegation/WO-1/d-1", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := h.db.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	p = parsePage(t, h.page(http.MethodGet, "/app/orders/WO-1", cookie, nil), http.StatusOK)
	labelled(t, p.doc)
	if len(find(p.doc, "data-delegation", "helper@acme.com")) != 1 || len(find(p.doc, "id", "revoke-helper@acme.com")) != 1 {
		t.Fatalf("delegations: %s", p.body)
	}
	rv := url.Values{"csrf": {form.Get("csrf")}, "reason": {"wrong person"}}
	rec = h.page(http.MethodPost, "/app/orders/WO-1/delegations/d-1/revoke", cookie, rv)
	if rec.Code != http.StatusSeeOther || len(h.orders.revocations) != 1 || h.orders.revocations[0].DelegationID != "d-1" ||
		h.orders.revocations[0].Reason != "wrong person" {
		t.Fatalf("revoke: %d %+v", rec.Code, h.orders.revocations)
	}
	if rec := h.page(http.MethodPost, "/app/orders/WO-1/delegations/d-1/revoke", cookie, url.Values{"reason": {"x"}}); rec.Code != http.StatusForbidden {
		t.Errorf("revoke without CSRF: %d", rec.Code)
	}

	// Alice sees the order (her domain's) but is not its contact: the page offers neither form, and
	// posting them is refused as the JSON API refuses her.
	api := errorOf(t, h.do(http.MethodPost, "/api/v1/orders/WO-1/delegations", h.token("alice@acme.com"),
		map[string]any{"email": "x@acme.com"}), http.StatusForbidden)
	alice := h.withPortal("alice@acme.com")
	p = parsePage(t, h.page(http.MethodGet, "/app/orders/WO-1", alice, nil), http.StatusOK)
	if len(find(p.doc, "id", "delegate")) != 0 || len(find(p.doc, "id", "delegation-list")) != 0 {
		t.Errorf("alice is shown the delegations: %s", p.body)
	}
	csrf := first(attr(find(p.doc, "name", "csrf")[0], "value"))
	p = parsePage(t, h.page(http.MethodPost, "/app/orders/WO-1/delegations", alice, url.Values{"csrf": {csrf},
		"email": {"x@acme.com"}}), http.StatusForbidden)
	if m := find(p.doc, "id", "message"); len(m) != 1 || textOf(m[0]) != api.Message {
		t.Errorf("alice delegating: want %q, page %s", api.Message, p.body)
	}
	parsePage(t, h.page(http.MethodPost, "/app/orders/WO-1/delegations/d-1/revoke", alice, url.Values{"csrf": {csrf}}),
		http.StatusForbidden)
}

// The delegate's emailed page finds the account with the picker (GETs that change nothing) and assigns
// the order to the account and virtual account picked.
func TestDelegatePagePicker(t *testing.T) {
	h, orders := newLinkHarness(t)
	c := linkCaseOf(t, h, models.PurposeOrderDelegation)
	before := h.snapshot()
	p := parsePage(t, h.do(http.MethodGet, "/a/"+c.raw+"?by=domain&q=acme", "", nil), http.StatusOK)
	labelled(t, p.doc)
	var acme models.SmartAccount
	if err := h.db.Where("domain = ?", "acme.com").Take(&acme).Error; err != nil {
		t.Fatal(err)
	}
	if len(find(p.doc, "id", "account-"+acme.ID)) != 1 || len(find(p.doc, "formmethod", "get")) == 0 {
		t.Fatalf("picker matches: %s", p.body)
	}
	p = parsePage(t, h.do(http.MethodGet, "/a/"+c.raw+"?by=domain&q=acme&account="+acme.ID, "", nil), http.StatusOK)
	labelled(t, p.doc)
	va := find(p.doc, "id", "virtualAccount")
	if len(va) != 1 || va[0].Data != "select" {
		t.Fatalf("virtual accounts: %s", p.body)
	}
	if h.snapshot() != before {
		t.Fatal("the picker's GETs changed the database")
	}
	vaID := first(attr(find(va[0], "selected", "")[0], "value"))
	p = parsePage(t, h.form("/a/"+c.raw, url.Values{"decision": {"ASSIGN"}, "by": {"domain"}, "q": {"acme"},
		"account": {acme.ID}, "virtualAccount": {vaID}}), http.StatusOK)
	calls := orders.calls()
	if len(calls) != 1 || calls[0].Request.Products.SmartAccountID != acme.ID || calls[0].Request.Products.VirtualAccountID != vaID ||
		calls[0].DelegationID != "d-9" {
		t.Fatalf("assigned: %+v; page %s", calls, p.text())
	}
}
