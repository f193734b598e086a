package api_test

// The portal's assign wizard (FEATURES X7, OR2–OR7, OR9) and the order page's trail (OR11): the picker
// finds what GET /api/v1/smart-accounts finds, and the POST answers each order as
// POST /api/v1/orders/assignments would.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/licensecentral/clc/models"
)

// hiddenFields are a form's hidden inputs as values.
func hiddenFields(t *testing.T, doc *html.Node, formID string) url.Values {
	t.Helper()
	forms := find(doc, "id", formID)
	if len(forms) != 1 {
		t.Fatalf("no form %s", formID)
	}
	v := url.Values{}
	for _, in := range find(forms[0], "type", "hidden") {
		name, _ := attr(in, "name")
		val, _ := attr(in, "value")
		v.Add(name, val)
	}
	return v
}

// labelled checks every input, select and textarea of a page has a label (or an aria-label).
func labelled(t *testing.T, doc *html.Node) {
	t.Helper()
	for d := range doc.Descendants() {
		if d.Type != html.ElementNode || (d.Data != "input" && d.Data != "select" && d.Data != "textarea") {
			continue
		}
		if typ, _ := attr(d, "type"); typ == "hidden" {
			continue
		}
		id, _ := attr(d, "id")
		_, aria := attr(d, "aria-label")
		if !aria && (id == "" || len(find(doc, "for", id)) != 1) {
			t.Errorf("field %s (%s) has no label", id, d.Data)
		}
	}
}

func TestPortalAssignWizard(t *testing.T) {
	h := newHarness(t)
	acme, labs := h.acme(), h.labs()
	h.order("WO-1", models.OrderStandard, "bob@acme.com")
	h.order("WO-2", models.OrderStandard, "bob@acme.com")
	h.order("WO-9", models.OrderStandard, "zed@other.com")
	cookie := h.withPortal("bob@acme.com")
	get := func(q url.Values, status int) page {
		t.Helper()
		return parsePage(t, h.page(http.MethodGet, "/app/orders/assign?"+q.Encode(), cookie, nil), status)
	}
	q := url.Values{"order": {"WO-1", "WO-2"}}
	p := get(q, http.StatusOK)
	labelled(t, p.doc)
	if len(find(p.doc, "id", "q")) != 1 || !strings.Contains(textOf(find(p.doc, "id", "orders")[0]), "WO-2") {
		t.Fatalf("step 1: %s", p.body)
	}
	// A partial domain finds the unrestricted account, never the restricted one, as the API's search.
	q.Set("by", "domain")
	q.Set("q", "acme")
	p = get(q, http.StatusOK)
	labelled(t, p.doc)
	if len(find(p.doc, "id", "account-"+acme.ID)) != 1 || len(find(p.doc, "id", "account-"+labs.ID)) != 0 {
		t.Fatalf("matches of acme: %s", p.body)
	}
	api := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts?domain=acme", h.token("bob@acme.com"), nil), http.StatusOK)
	if n := len(list(t, api["smartAccounts"], "smartAccounts")); n != len(find(p.doc, "name", "account")) {
		t.Errorf("the API finds %d, the picker shows %d", n, len(find(p.doc, "name", "account")))
	}
	// Picking an account the search did not find is refused naming the field.
	q.Set("account", labs.ID)
	p = get(q, http.StatusBadRequest)
	if e := find(p.doc, "id", "form-error"); len(e) != 1 || !strings.Contains(textOf(e[0]), "pick one") {
		t.Errorf("labs picked off a partial search: %s", p.body)
	}
	// Its exact domain finds the restricted one.
	p = get(url.Values{"order": {"WO-1"}, "q": {"labs.acme.com"}}, http.StatusOK)
	if len(find(p.doc, "id", "account-"+labs.ID)) != 1 {
		t.Errorf("exact domain: %s", p.body)
	}

	q.Set("account", acme.ID)
	p = get(q, http.StatusOK)
	labelled(t, p.doc)
	va := find(p.doc, "id", "virtualAccount")
	if len(va) != 1 || !strings.Contains(textOf(va[0]), models.DefaultVAName) || len(find(p.doc, "id", "separate")) != 1 {
		t.Fatalf("step 2: %s", p.body)
	}
	def := first(attr(find(va[0], "selected", "")[0], "value"))
	q.Set("virtualAccount", def)
	p = get(q, http.StatusOK)
	labelled(t, p.doc)
	if r := find(p.doc, "id", "review-products"); len(r) != 1 || !strings.Contains(textOf(r[0]), "Acme") {
		t.Fatalf("review: %s", p.body)
	}
	form := hiddenFields(t, p.doc, "review")
	if form.Get("csrf") == "" || form.Get("key") == "" || len(form["order"]) != 2 {
		t.Fatalf("review form: %v", form)
	}

	// Without the CSRF token nothing is asked.
	bad := url.Values{}
	for k, v := range form {
		if k != "csrf" {
			bad[k] = v
		}
	}
	if rec := h.page(http.MethodPost, "/app/orders/assign", cookie, bad); rec.Code != http.StatusForbidden || len(h.orders.calls()) != 0 {
		t.Fatalf("no CSRF: %d, %d calls", rec.Code, len(h.orders.calls()))
	}
	p = parsePage(t, h.page(http.MethodPost, "/app/orders/assign", cookie, form), http.StatusOK)
	for _, id := range []string{"WO-1", "WO-2"} {
		r := find(p.doc, "data-result", id)
		if len(r) != 1 || !strings.Contains(textOf(r[0]), "requested") {
			t.Errorf("%s: %s", id, p.body)
		}
	}
	calls := h.orders.calls()
	if len(calls) != 2 || calls[0].Request.Products.SmartAccountID != acme.ID || calls[0].Request.Products.VirtualAccountID != def ||
		calls[0].Actor.Email != "bob@acme.com" {
		t.Fatalf("handed over: %+v", calls)
	}

	// Another company's order is refused with the words the JSON call answers.
	body := map[string]any{"orders": []string{"WO-9"}, "productsTo": map[string]any{"smartAccount": map[string]string{"domain": "acme.com"}}}
	want := jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", h.token("bob@acme.com"), body), http.StatusNotFound)
	wantMsg := list(t, want["results"], "results")[0]["error"].(map[string]any)["message"].(string)
	form.Set("key", "another")
	form["order"] = []string{"WO-9"}
	p = parsePage(t, h.page(http.MethodPost, "/app/orders/assign", cookie, form), http.StatusOK)
	if r := find(p.doc, "data-result", "WO-9"); len(r) != 1 || !strings.Contains(textOf(r[0]), "refused") ||
		!strings.Contains(textOf(r[0]), wantMsg) {
		t.Errorf("WO-9: want %q in %s", wantMsg, p.body)
	}
	if len(h.orders.calls()) != 2 {
		t.Errorf("a refused order was handed over: %d calls", len(h.orders.calls()))
	}
	// No order at all is the error page naming the field.
	p = parsePage(t, h.page(http.MethodGet, "/app/orders/assign", cookie, nil), http.StatusBadRequest)
	if f := find(p.doc, "id", "field"); len(f) != 1 || textOf(f[0]) != "orders" {
		t.Errorf("no orders: %s", p.body)
	}
}

// The services checkbox adds a second picker; the review names both accounts and the POST hands both.
func TestPortalAssignServicesElsewhere(t *testing.T) {
	h := newHarness(t)
	acme, labs := h.acme(), h.labs()
	h.order("WO-1", models.OrderStandard, "bob@acme.com")
	cookie := h.withPortal("bob@acme.com")
	dflt := func(saID string) string {
		va, err := models.ResolveVirtualAccount(t.Context(), h.db, saID, "", "va")
		if err != nil {
			t.Fatal(err)
		}
		return va.ID
	}
	q := url.Values{"order": {"WO-1"}, "q": {"acme.com"}, "account": {acme.ID}, "virtualAccount": {dflt(acme.ID)},
		"separate": {"1"}, "services.by": {"name"}, "services.q": {"Acme Labs"}}
	p := parsePage(t, h.page(http.MethodGet, "/app/orders/assign?"+q.Encode(), cookie, nil), http.StatusOK)
	labelled(t, p.doc)
	if len(find(p.doc, "id", "services.account-"+labs.ID)) != 1 {
		t.Fatalf("services picker: %s", p.body)
	}
	q.Set("services.account", labs.ID)
	q.Set("services.virtualAccount", dflt(labs.ID))
	p = parsePage(t, h.page(http.MethodGet, "/app/orders/assign?"+q.Encode(), cookie, nil), http.StatusOK)
	if r := find(p.doc, "id", "review-services"); len(r) != 1 || !strings.Contains(textOf(r[0]), "Acme Labs") {
		t.Fatalf("review: %s", p.body)
	}
	parsePage(t, h.page(http.MethodPost, "/app/orders/assign", cookie, hiddenFields(t, p.doc, "review")), http.StatusOK)
	calls := h.orders.calls()
	if len(calls) != 1 || calls[0].Request.Services == nil || calls[0].Request.Services.SmartAccountID != labs.ID {
		t.Fatalf("handed over: %+v", calls)
	}
}

// The order page shows the trail GET /api/v1/orders/{id}/trail answers.
func TestPortalOrderTrail(t *testing.T) {
	h := newHarness(t)
	h.order("WO-1", models.OrderStandard, "bob@acme.com")
	cookie := h.withPortal("bob@acme.com")
	api := jsonOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-1/trail", h.token("bob@acme.com"), nil), http.StatusOK)
	steps := list(t, list(t, api["lines"], "lines")[0]["steps"], "steps")
	p := parsePage(t, h.page(http.MethodGet, "/app/orders/WO-1", cookie, nil), http.StatusOK)
	tr := find(p.doc, "data-trail", "1")
	if len(tr) != 1 || len(steps) == 0 || !strings.Contains(textOf(tr[0]), steps[0]["action"].(string)) {
		t.Fatalf("trail %v on the page: %s", steps, p.body)
	}
}
