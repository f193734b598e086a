package api_test

// The portal's order pages (FEATURES X7, OR1, OR10, PR1): what they show is what the JSON routes beside
// them answer the same person, and nothing more.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// withPortal rebuilds the server with the dev sign-in and answers a signed-in session cookie for email.
func (h *harness) withPortal(email string) (cookie string) {
	h.t.Helper()
	signIn, err := web.New(h.t.Context(), web.Config{PublicURL: "http://clc.test", DevLogin: true, DB: h.db, Log: discard,
		SessionKey: []byte(testSecret)})
	if err != nil {
		h.t.Fatal(err)
	}
	h.orders = &fakeOrders{db: h.db}
	h.reconfigure(func(o *api.Options) { o.SignIn, o.Orders, o.PublicURL = signIn, h.orders, "http://clc.test" })
	rec := h.page(http.MethodPost, "/dev/login", "", url.Values{"email": {email}, "next": {"/app"}})
	cookie, ok := sessionCookie(rec)
	if !ok {
		h.t.Fatalf("dev sign-in: %d %s", rec.Code, rec.Body)
	}
	return cookie
}

// order records an order of Acme's with fulfillment contact fc, one smart-license line.
func (h *harness) order(id string, typ models.OrderType, fc string) {
	h.t.Helper()
	in := process.IngestInput{Order: models.Order{ID: id, Type: typ, PurchaseOrder: "PO-" + id,
		EndCustomer: models.Party{Name: "Acme"}, FulfillmentContact: fc, BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		PayloadHash: "h-" + id, WorkflowID: "order/" + id},
		Lines: []models.OrderLine{{ID: "1", SKU: "C9300-DNA-E-3Y", Kind: models.LineProduct, Quantity: 10, SmartLicense: true,
			SAMandatory: true, TermMonths: 36}}}
	models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
	if _, err := h.store.RecordOrder(context.Background(), in); err != nil {
		h.t.Fatal(err)
	}
}

// find returns the elements whose attribute key has value (any value when value is "").
func find(n *html.Node, key, value string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		for _, a := range d.Attr {
			if a.Key == key && (value == "" || a.Val == value) {
				out = append(out, d)
			}
		}
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

func TestPortalInventory(t *testing.T) {
	h := newHarness(t)
	h.order("WO-1", models.OrderStandard, "bob@acme.com")
	h.order("WO-2", models.OrderStocking, "bob@acme.com")
	h.order("WO-3", models.OrderStandard, "")
	h.order("WO-9", models.OrderStandard, "zed@other.com")
	cookie := h.withPortal("bob@acme.com")

	rec := h.page(http.MethodGet, "/app/orders", cookie, nil)
	page := parsePage(t, rec, http.StatusOK).doc
	rows := find(page, "data-order", "")
	var ids []string
	for _, r := range rows {
		id, _ := attr(r, "data-order")
		ids = append(ids, id)
	}
	// The same orders GET /api/v1/orders answers Bob: his domain's, not another company's.
	api := jsonOf(t, h.do(http.MethodGet, "/api/v1/orders", h.token("bob@acme.com"), nil), http.StatusOK)
	if got, want := strings.Join(ids, ","), len(list(t, api["orders"], "orders")); len(ids) != want || strings.Contains(got, "WO-9") {
		t.Fatalf("page rows %s, the API answers %d orders", got, want)
	}
	for id, disabled := range map[string]bool{"WO-1": false, "WO-2": true} {
		box := find(page, "id", "pick-"+id)
		if len(box) != 1 {
			t.Fatalf("%s has %d checkboxes", id, len(box))
		}
		if _, off := attr(box[0], "disabled"); off != disabled {
			t.Errorf("%s checkbox disabled=%v, want %v", id, off, disabled)
		}
	}
	if why := find(page, "id", "why-WO-2"); len(why) != 1 || !strings.Contains(textOf(why[0]), "STOCKING orders cannot be assigned") {
		t.Errorf("the stocking order's reason: %v", why)
	}
	if n := find(page, "data-status", "UNASSIGNED"); len(n) != 1 || textOf(n[0]) != "2" {
		t.Errorf("unassigned count on the card: %v", n)
	}
	// Every form field has a label.
	for _, in := range append(find(page, "type", "email"), append(find(page, "type", "date"), find(page, "type", "search")...)...) {
		id, _ := attr(in, "id")
		if len(find(page, "for", id)) != 1 {
			t.Errorf("field %s has no label", id)
		}
	}
	if csv := find(page, "id", "csv"); len(csv) != 1 || !strings.HasPrefix(first(attr(csv[0], "href")), "/app/orders/export.csv") {
		t.Errorf("CSV link %v", csv)
	}

	// A filter is the API's: the same parameter, the same refusal naming the field.
	rec = h.page(http.MethodGet, "/app/orders?type=STOCKING", cookie, nil)
	if page := parsePage(t, rec, http.StatusOK).doc; len(find(page, "data-order", "")) != 1 {
		t.Errorf("type=STOCKING shows %d rows", len(find(page, "data-order", "")))
	}
	rec = h.page(http.MethodGet, "/app/orders?type=BOGUS", cookie, nil)
	if page := parsePage(t, rec, http.StatusBadRequest).doc; len(find(page, "id", "field")) != 1 ||
		textOf(find(page, "id", "field")[0]) != "type" {
		t.Errorf("a bad filter's page: %s", rec.Body)
	}
	rec = h.page(http.MethodGet, "/app/orders/export.csv", cookie, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "WO-1") || strings.Contains(rec.Body.String(), "WO-9") {
		t.Errorf("CSV under the session: %d %s", rec.Code, rec.Body)
	}
}

func TestPortalOrderPage(t *testing.T) {
	h := newHarness(t)
	h.order("WO-1", models.OrderStandard, "bob@acme.com")
	h.order("WO-9", models.OrderStandard, "zed@other.com")
	cookie := h.withPortal("bob@acme.com")

	rec := h.page(http.MethodGet, "/app/orders/WO-1", cookie, nil)
	page := parsePage(t, rec, http.StatusOK).doc
	line := find(page, "data-line", "1")
	if len(line) != 1 || !strings.Contains(textOf(line[0]), "unassigned") || !strings.Contains(textOf(line[0]), "C9300-DNA-E-3Y") {
		t.Fatalf("line 1: %v", rec.Body)
	}
	if !strings.Contains(textOf(line[0]), "no smart account") {
		t.Errorf("line 1's provisioning should say it waits for an account: %s", textOf(line[0]))
	}
	if h := find(page, "id", "history"); len(h) != 1 || !strings.Contains(textOf(h[0]), "order ingested") {
		t.Errorf("history: %v", textOf(h[0]))
	}
	// Another company's order is not there for Bob, as GET /api/v1/orders/WO-9 answers him 404.
	if rec := h.do(http.MethodGet, "/api/v1/orders/WO-9", h.token("bob@acme.com"), nil); rec.Code != http.StatusNotFound {
		t.Fatalf("API: %d", rec.Code)
	}
	rec = h.page(http.MethodGet, "/app/orders/WO-9", cookie, nil)
	parsePage(t, rec, http.StatusNotFound)
	// Without a session the page sends the browser to sign in.
	if rec := h.page(http.MethodGet, "/app/orders/WO-1", "", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("no session: %d", rec.Code)
	}
}

func first(v string, _ bool) string { return v }
