package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
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
		if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", olivia, body), http.StatusBadRequest); e.Field != field {
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
