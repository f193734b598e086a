package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// registerPartnerX registers Partner X with admin@partnerx.com as its administrator and Olivia as its
// OFM, as Cisco staff and the partner's administrator do through the API.
func (h *harness) registerPartnerX() {
	h.t.Helper()
	jsonOf(h.t, h.do(http.MethodPost, "/api/v1/partners", h.token("tac@cisco.com", models.RoleCiscoSupport), partnerX()), http.StatusCreated)
	jsonOf(h.t, h.do(http.MethodPut, "/api/v1/partners/partnerx.com/ofms", h.token("admin@partnerx.com"),
		map[string]any{"emails": []string{"olivia@partnerx.com"}}), http.StatusOK)
}

func holdingBody(name string) map[string]any {
	b := createBody(name, "partnerx.com")
	b["type"] = "HOLDING"
	return b
}

// A registered partner's OFM or administrator creates its holding accounts (FEATURES SA12): active by
// the domain's rules like a customer account, several of them told apart by name, beside the partner's
// own customer account; a claim of the partner's company gives no right; the directory and the search
// show the type.
func TestCreateHoldingAccount(t *testing.T) {
	h := newHarness(t)
	h.registerPartnerX()
	olivia := h.token("olivia@partnerx.com")
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.claiming("eve@evil.com", "partnerx.com", "ofm"),
		holdingBody("Evil Holding")), http.StatusForbidden); e.Code != models.CodeForbidden {
		t.Fatalf("a claimed company created a holding account: %+v", e)
	}
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("pat@partnerx.com"),
		holdingBody("Pat Holding")), http.StatusForbidden); e.Code != models.CodeForbidden {
		t.Fatalf("a partner's employee without a partner role created a holding account: %+v", e)
	}
	b := createBody("Acme Holding", "acme.com")
	b["type"] = "HOLDING"
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("alice@acme.com"), b), http.StatusUnprocessableEntity); e.Field != "domain" {
		t.Fatalf("an unregistered partner: %+v", e)
	}
	for field, body := range map[string]map[string]any{
		"type": func() map[string]any { b := holdingBody("X"); b["type"] = "PARTNER"; return b }(),
		"onBehalf": func() map[string]any {
			b := holdingBody("X")
			b["onBehalf"] = true
			b["customerContacts"] = []string{"c@partnerx.com"}
			return b
		}(),
		"modifiedDomain": func() map[string]any { b := holdingBody("X"); b["modifiedDomain"] = true; return b }(),
	} {
		if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", olivia, deliberatelyBad(body)), http.StatusBadRequest); e.Field != field {
			t.Errorf("%s: error names %q (%s)", field, e.Field, e.Message)
		}
	}
	first := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", olivia, holdingBody("Partner X Holding")), http.StatusAccepted)
	if first["type"] != "HOLDING" || first["status"] != "ACTIVE" || first["domain"] != "partnerx.com" {
		t.Fatalf("first holding account: %v", first)
	}
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("admin@partnerx.com"),
		holdingBody("partner x HOLDING")), http.StatusConflict); e.Code != models.CodeConflict {
		t.Fatalf("a second holding account of the same name: %+v", e)
	}
	// A second one and the partner's own customer account: the active holding account's administrators approve.
	second := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("admin@partnerx.com"), holdingBody("Partner X EMEA")), http.StatusAccepted)
	own := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("admin@partnerx.com"), createBody("Partner X", "partnerx.com")), http.StatusAccepted)
	if second["type"] != "HOLDING" || second["status"] != "PENDING_APPROVAL" || own["type"] != "CUSTOMER" || own["status"] != "PENDING_APPROVAL" {
		t.Fatalf("second holding %v, own account %v", second, own)
	}
	dir := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/directory", olivia, nil), http.StatusOK)["smartAccounts"], "directory")
	types := map[string]any{}
	for _, e := range dir {
		types[e["name"].(string)] = e["type"]
	}
	if types["Partner X Holding"] != "HOLDING" || types["Partner X"] != "CUSTOMER" {
		t.Fatalf("directory types %v", types)
	}
	found := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts?name=Partner+X+Holding", olivia, nil), http.StatusOK)["smartAccounts"], "search")
	if len(found) != 1 || found[0]["type"] != "HOLDING" {
		t.Fatalf("search %v", found)
	}
}

// Licenses in a holding account are HELD: listed and totalled as such, and never moved between its
// virtual accounts.
func TestHeldLicensesStayPut(t *testing.T) {
	h := newHarness(t)
	h.registerPartnerX()
	olivia := h.token("olivia@partnerx.com")
	sa := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", olivia, holdingBody("Partner X Holding")), http.StatusAccepted)
	id := sa["id"].(string)
	va, err := models.ResolveVirtualAccount(context.Background(), h.db, id, "", "va")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := h.db.Create(&models.License{ID: models.NewID(), SmartAccountID: id, VirtualAccountID: va.ID, OrderID: "WO-1",
		LineID: "1", SKU: "C9300-DNA-E", Quantity: 5, Status: models.LicenseHeld, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	got := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+id+"/licenses", olivia, nil), http.StatusOK)
	lics, totals := list(t, got["licenses"], "licenses"), list(t, got["totals"], "totals")
	if len(lics) != 1 || lics[0]["status"] != "HELD" || len(totals) != 1 || totals[0]["status"] != "HELD" || totals[0]["quantity"] != 5.0 {
		t.Fatalf("licenses %v totals %v", lics, totals)
	}
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+id+"/licenses/transfers", olivia,
		map[string]any{"sku": "C9300-DNA-E", "quantity": 1, "from": va.ID, "to": "other"}), http.StatusUnprocessableEntity)
	if e.Code != models.CodeRefused {
		t.Fatalf("a transfer out of a holding account: %+v", e)
	}
}

// The transfer through the API: the holding account's members and the partner's OFMs move the order
// to the customer's account, never to another holding account; strangers do not see it; what the
// process is handed names the holding accounts and the caller's part in them, from rows.
func TestTransferOrder(t *testing.T) {
	h := newHarness(t)
	orders := h.withOrders()
	h.registerPartnerX()
	acme := h.acme()
	olivia := h.token("olivia@partnerx.com")
	hold := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", olivia, holdingBody("Partner X Holding")), http.StatusAccepted)
	target, err := models.ResolveHolding(context.Background(), h.db, models.HoldingSelector{Name: "partner x holding"}, "holdingAccount")
	if err != nil || target.SmartAccountID != hold["id"] {
		t.Fatalf("resolve holding: %+v %v", target, err)
	}
	in := process.IngestInput{Order: models.Order{ID: "WO-2001", Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
		Reseller: models.Party{Name: "Partner X", Domain: "partnerx.com"}, FulfillmentContact: "bob@acme.com",
		BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "h", WorkflowID: "order/WO-2001"},
		Lines: []models.OrderLine{{ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1, SmartLicense: true, SAMandatory: true}}}
	now := time.Now().UTC()
	models.PrepareOrder(&in.Order, in.Lines, now)
	models.DepositInHolding(&in.Order, in.Lines, target, now)
	if _, err := h.store.RecordOrder(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	got := jsonOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-2001", olivia, nil), http.StatusOK)
	if got["assignmentStatus"] != "IN_HOLDING" {
		t.Fatalf("deposited at sale: %v", got)
	}
	body := map[string]any{"to": map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}}}
	errorOf(t, h.do(http.MethodPost, "/api/v1/orders/WO-2001/transfer", h.claiming("eve@evil.com", "partnerx.com", "ofm"), body), http.StatusNotFound)
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders/WO-2001/transfer", olivia, deliberatelyBad(map[string]any{})), http.StatusBadRequest); e.Field != "to.smartAccount" {
		t.Fatalf("no target: %+v", e)
	}
	toHolding := map[string]any{"to": map[string]any{"smartAccount": map[string]any{"name": "Partner X Holding"}}}
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/orders/WO-2001/transfer", olivia, toHolding), http.StatusUnprocessableEntity); e.Field != "to.smartAccount" {
		t.Fatalf("to a holding account: %+v", e)
	}
	res := jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/WO-2001/transfer", olivia, body), http.StatusOK)
	if res["orderId"] != "WO-2001" {
		t.Fatalf("transfer: %v", res)
	}
	if len(orders.transfers) != 1 {
		t.Fatalf("handed over %d transfers", len(orders.transfers))
	}
	req := orders.transfers[0].Request
	if req.To.SmartAccountID != acme.ID || len(req.From) != 1 || req.From[0].Domain != "partnerx.com" ||
		len(req.MemberOf) != 1 || req.MemberOf[0] != target.SmartAccountID {
		t.Fatalf("handed over %+v", req)
	}
	// The partner's OFM deposits another order of theirs in the holding account through the usual assignment.
	jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", olivia, map[string]any{"orders": []string{"WO-2001"},
		"productsTo": map[string]any{"smartAccount": map[string]any{"name": "Partner X Holding"}}}), http.StatusAccepted)
}
