package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// withOrders rebuilds the harness's server with order processes that record what they are handed.
func (h *harness) withOrders() *fakeOrders {
	rec := &fakeOrders{db: h.db}
	h.srv = api.New(api.Options{DB: h.db, Processes: h.fake, Orders: rec, Verifier: h.v, Log: discard}).Handler()
	return rec
}

// claiming signs a token whose identity claims a company, as any identity provider may let a user say.
func (h *harness) claiming(email, company string, roles ...string) string {
	h.t.Helper()
	return h.sign(auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}, auth.Identity{Email: email, Name: "x",
		Company: company, Roles: roles})
}

func partnerX() map[string]any {
	return map[string]any{"domain": "PartnerX.com", "name": "Partner X", "administrators": []string{"admin@partnerx.com"},
		"distributorOf": []string{}}
}

// Cisco staff register partners: 201, the same registration again 200, other content 409 naming what
// differs (PUT changes a partner); every mistake a 400 naming its field; nobody else registers.
func TestPartnerRegistration(t *testing.T) {
	h := newHarness(t)
	support := h.token("tac@cisco.com", models.RoleCiscoSupport)
	for _, tok := range []string{h.claiming("admin@partnerx.com", "partnerx.com", "ofm"), h.token("ca@cisco.com", models.RoleCiscoApprover)} {
		if e := errorOf(t, h.do(http.MethodPost, "/api/v1/partners", tok, partnerX()), http.StatusForbidden); e.Code != models.CodeForbidden {
			t.Fatalf("a non-support caller registered: %+v", e)
		}
	}
	with := func(k string, v any) map[string]any {
		b := partnerX()
		b[k] = v
		return b
	}
	for field, body := range map[string]map[string]any{
		"domain":            with("domain", "gmail.com"),
		"name":              with("name", ""),
		"administrators":    with("administrators", []string{}),
		"administrators[0]": with("administrators", []string{"eve@evil.com"}),
		"distributorOf[0]":  with("distributorOf", []string{"partnerx.com"}),
		"colour":            with("colour", "blue"),
	} {
		if e := errorOf(t, h.do(http.MethodPost, "/api/v1/partners", support, deliberatelyBad(body)), http.StatusBadRequest); e.Field != field {
			t.Errorf("%s: error names %q (%s)", field, e.Field, e.Message)
		}
	}
	rec := h.do(http.MethodPost, "/api/v1/partners", support, partnerX())
	p := jsonOf(t, rec, http.StatusCreated)
	if rec.Header().Get("Location") != "/api/v1/partners/partnerx.com" || p["domain"] != "partnerx.com" ||
		!slices.Equal(strs(t, p["administrators"], "administrators"), []string{"admin@partnerx.com"}) || p["createdBy"] != "tac@cisco.com" {
		t.Fatalf("registered %v (Location %q)", p, rec.Header().Get("Location"))
	}
	if again := jsonOf(t, h.do(http.MethodPost, "/api/v1/partners", h.token("ops@cisco.com", models.RoleLicensingOps), partnerX()),
		http.StatusOK); again["createdBy"] != "tac@cisco.com" {
		t.Fatalf("repeat: %v", again)
	}
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/partners", support, with("name", "Partner Ex")), http.StatusConflict)
	if !slices.Equal(strs(t, e.Details["differs"], "differs"), []string{"name"}) {
		t.Fatalf("changed repeat: %+v", e)
	}
	// PUT is the explicit change: staff only, the path names the partner.
	update := map[string]any{"name": "Partner Ex", "administrators": []string{"admin@partnerx.com", "ana@partnerx.com"},
		"distributorOf": []string{"reseller.com"}}
	if e := errorOf(t, h.do(http.MethodPut, "/api/v1/partners/partnerx.com", h.token("admin@partnerx.com"), update), http.StatusForbidden); e.Code != models.CodeForbidden {
		t.Fatalf("an administrator changed the partner: %+v", e)
	}
	errorOf(t, h.do(http.MethodPut, "/api/v1/partners/nobody.com", support, map[string]any{"name": "N",
		"administrators": []string{"a@nobody.com"}, "distributorOf": []string{}}), http.StatusNotFound)
	if got := jsonOf(t, h.do(http.MethodPut, "/api/v1/partners/partnerx.com", support, update), http.StatusOK); got["name"] != "Partner Ex" ||
		len(strs(t, got["administrators"], "administrators")) != 2 || !slices.Equal(strs(t, got["distributorOf"], "distributorOf"), []string{"reseller.com"}) {
		t.Fatalf("updated %v", got)
	}
	// Who sees it: staff, its administrators; a stranger and an unknown domain are alike not found.
	for _, tok := range []string{support, h.token("ca@cisco.com", models.RoleCiscoApprover), h.token("ana@partnerx.com")} {
		jsonOf(t, h.do(http.MethodGet, "/api/v1/partners/partnerx.com", tok, nil), http.StatusOK)
	}
	for _, path := range []string{"/api/v1/partners/partnerx.com", "/api/v1/partners/nobody.com", "/api/v1/partners/not%20a%20domain"} {
		errorOf(t, h.do(http.MethodGet, path, h.claiming("eve@evil.com", "partnerx.com", "ofm"), nil), http.StatusNotFound)
	}
	evs := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/partners/partnerx.com/events", support, nil), http.StatusOK)["events"], "events")
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev["action"].(string))
	}
	if want := []string{models.EventPartnerRegistered, models.EventPartnerRenamed, models.EventPartnerAdminAdded,
		models.EventPartnerResellerAdded}; !slices.Equal(actions, want) {
		t.Fatalf("events %v, want %v", actions, want)
	}
}

// The partner's administrators designate its OFMs (addresses of the partner's domain or a subdomain),
// each designation and removal an event; its OFMs read the list; nobody else changes it.
func TestOFMDesignation(t *testing.T) {
	h := newHarness(t)
	jsonOf(t, h.do(http.MethodPost, "/api/v1/partners", h.token("tac@cisco.com", models.RoleCiscoSupport), partnerX()), http.StatusCreated)
	admin := h.token("admin@partnerx.com")
	path := "/api/v1/partners/partnerx.com/ofms"
	for field, body := range map[string]any{
		"emails[1]": map[string]any{"emails": []string{"olivia@partnerx.com", "eve@evil.com"}},
		"emails[0]": map[string]any{"emails": []string{"olivia@partnerx.com.evil.com"}},
		"emails":    map[string]any{},
	} {
		if e := errorOf(t, h.do(http.MethodPut, path, admin, deliberatelyBad(body)), http.StatusBadRequest); e.Field != field {
			t.Errorf("%s: error names %q", field, e.Field)
		}
	}
	out := jsonOf(t, h.do(http.MethodPut, path, admin, map[string]any{"emails": []string{"Olivia@PartnerX.com", "sam@emea.partnerx.com"}}), http.StatusOK)
	if !slices.Equal(strs(t, out["added"], "added"), []string{"olivia@partnerx.com", "sam@emea.partnerx.com"}) {
		t.Fatalf("designated %v", out)
	}
	olivia := h.token("olivia@partnerx.com")
	if got := jsonOf(t, h.do(http.MethodGet, path, olivia, nil), http.StatusOK); len(strs(t, got["emails"], "emails")) != 2 {
		t.Fatalf("the OFM reads %v", got)
	}
	if e := errorOf(t, h.do(http.MethodPut, path, olivia, map[string]any{"emails": []string{"olivia@partnerx.com", "pal@partnerx.com"}}),
		http.StatusForbidden); e.Code != models.CodeForbidden {
		t.Fatalf("an OFM designated: %+v", e)
	}
	for _, tok := range []string{h.claiming("eve@evil.com", "partnerx.com", "ofm"), h.token("sales@partnerx.com")} {
		errorOf(t, h.do(http.MethodPut, path, tok, map[string]any{"emails": []string{"eve@partnerx.com"}}), http.StatusNotFound)
	}
	me := jsonOf(t, h.do(http.MethodGet, "/api/v1/me", olivia, nil), http.StatusOK)
	if ps := list(t, me["partners"], "partners"); len(ps) != 1 || ps[0]["domain"] != "partnerx.com" ||
		!slices.Equal(strs(t, ps[0]["roles"], "roles"), []string{string(models.PartnerOFM)}) {
		t.Fatalf("me: %v", me)
	}
	out = jsonOf(t, h.do(http.MethodPut, path, admin, map[string]any{"emails": []string{"sam@emea.partnerx.com"}}), http.StatusOK)
	if !slices.Equal(strs(t, out["removed"], "removed"), []string{"olivia@partnerx.com"}) || len(strs(t, out["added"], "added")) != 0 {
		t.Fatalf("removed %v", out)
	}
	errorOf(t, h.do(http.MethodGet, path, olivia, nil), http.StatusNotFound)
	var evs []models.Event
	h.db.Where("target_type = ? AND target_id = ? AND action IN ?", models.TargetPartner, "partnerx.com",
		[]string{models.EventPartnerOFMDesignated, models.EventPartnerOFMRemoved}).Order("id").Find(&evs)
	if len(evs) != 3 || evs[2].Action != models.EventPartnerOFMRemoved || evs[2].Details["email"] != "olivia@partnerx.com" ||
		evs[2].Actor != "admin@partnerx.com" {
		t.Fatalf("OFM events %+v", evs)
	}
}

// The order handlers take partner rights from the rows: an address that claims Partner X's company and
// the ofm role neither sees nor assigns its order; its designated OFM does, and so does the OFM of a
// distributor serving it (2-tier); a removed OFM loses the order on the next request.
func TestOFMRightsOnOrders(t *testing.T) {
	h := newHarness(t)
	orders := h.withOrders()
	h.acme()
	support := h.token("tac@cisco.com", models.RoleCiscoSupport)
	jsonOf(t, h.do(http.MethodPost, "/api/v1/partners", support, partnerX()), http.StatusCreated)
	jsonOf(t, h.do(http.MethodPost, "/api/v1/partners", support, map[string]any{"domain": "distri.com", "name": "Distri",
		"administrators": []string{"boss@distri.com"}, "distributorOf": []string{"partnerx.com"}}), http.StatusCreated)
	jsonOf(t, h.do(http.MethodPut, "/api/v1/partners/partnerx.com/ofms", h.token("admin@partnerx.com"),
		map[string]any{"emails": []string{"olivia@partnerx.com"}}), http.StatusOK)
	jsonOf(t, h.do(http.MethodPut, "/api/v1/partners/distri.com/ofms", h.token("boss@distri.com"),
		map[string]any{"emails": []string{"dan@distri.com"}}), http.StatusOK)
	in := process.IngestInput{Order: models.Order{ID: "WO-1001", Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
		Reseller: models.Party{Name: "Partner X", Domain: "partnerx.com"}, FulfillmentContact: "bob@acme.com",
		BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "h", WorkflowID: "order/WO-1001"},
		Lines: []models.OrderLine{{ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1, SmartLicense: true}}}
	models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
	if _, err := h.store.RecordOrder(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	assign := map[string]any{"orders": []string{"WO-1001"}, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": "acme.com"}}}
	eve := h.claiming("eve@evil.com", "partnerx.com", "ofm")
	errorOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-1001", eve, nil), http.StatusNotFound)
	if got := jsonOf(t, h.do(http.MethodGet, "/api/v1/orders", eve, nil), http.StatusOK); len(list(t, got["orders"], "orders")) != 0 {
		t.Fatalf("Eve's inventory: %v", got)
	}
	if rec := h.do(http.MethodPost, "/api/v1/orders/assignments", eve, assign); rec.Code != http.StatusNotFound || len(orders.calls()) != 0 {
		t.Fatalf("Eve's assignment: %d %s, handed over %d", rec.Code, rec.Body, len(orders.calls()))
	}
	for _, c := range []struct{ who, email string }{{"the reseller's OFM", "olivia@partnerx.com"}, {"the distributor's OFM", "dan@distri.com"}} {
		tok := h.claiming(c.email, "somewhere-else.com")
		o := jsonOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-1001", tok, nil), http.StatusOK)
		if a := o["myAccess"].(map[string]any); a["canAssign"] != true || a["as"] != models.AsOFM {
			t.Fatalf("%s: myAccess %v", c.who, a)
		}
		inv := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/orders", tok, nil), http.StatusOK)["orders"], "orders")
		if len(inv) != 1 || inv[0]["id"] != "WO-1001" {
			t.Fatalf("%s: inventory %v", c.who, inv)
		}
		jsonOf(t, h.do(http.MethodPost, "/api/v1/orders/assignments", tok, assign), http.StatusAccepted)
	}
	calls := orders.calls()
	if len(calls) != 2 || !slices.Equal(calls[0].Actor.OFM.Partners, []string{"partnerx.com"}) ||
		!slices.Equal(calls[1].Actor.OFM.Resellers, []string{"partnerx.com"}) {
		t.Fatalf("handed over %+v", calls)
	}
	jsonOf(t, h.do(http.MethodPut, "/api/v1/partners/partnerx.com/ofms", h.token("admin@partnerx.com"),
		map[string]any{"emails": []string{}}), http.StatusOK)
	errorOf(t, h.do(http.MethodGet, "/api/v1/orders/WO-1001", h.token("olivia@partnerx.com"), nil), http.StatusNotFound)
}
