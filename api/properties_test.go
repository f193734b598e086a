package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// Administrators edit the account's name, headquarters and visibility (each an event); others may not;
// bad input names its field.
func TestAccountProperties(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	base := "/api/v1/smart-accounts/" + acme.ID
	alice, erin := h.token("alice@acme.com"), h.token("erin@acme.com")
	v := jsonOf(t, h.do(http.MethodPatch, base, alice, map[string]any{"name": "Acme Group", "visibility": "RESTRICTED",
		"headquarters": map[string]any{"company": "Acme Group", "line1": "2 Bay Rd", "city": "Austin", "country": "us"}}), http.StatusOK)
	if v["name"] != "Acme Group" || v["visibility"] != "RESTRICTED" {
		t.Errorf("patched %v", v)
	}
	sa := h.account(acme.ID)
	if sa.Headquarters.City != "Austin" || sa.Headquarters.Country != "US" {
		t.Errorf("headquarters %+v", sa.Headquarters)
	}
	var actions []string
	h.db.Model(&models.Event{}).Where("smart_account_id = ? AND action IN ?", acme.ID, []string{models.EventSARenamed, models.EventSAHeadquartersMoved, models.EventSAVisibilityChanged}).
		Order("action").Pluck("action", &actions)
	if fmt.Sprint(actions) != "[SA_HEADQUARTERS_CHANGED SA_RENAMED SA_VISIBILITY_CHANGED]" {
		t.Errorf("events %v", actions)
	}
	if e := errorOf(t, h.do(http.MethodPatch, base, alice, deliberatelyBad(map[string]any{"visibility": "HIDDEN"})), http.StatusBadRequest); e.Field != "visibility" {
		t.Errorf("visibility: %+v", e)
	}
	if e := errorOf(t, h.do(http.MethodPatch, base, alice, map[string]any{"headquarters": map[string]any{"company": "X"}}),
		http.StatusBadRequest); e.Field != "headquarters.line1" {
		t.Errorf("headquarters: %+v", e)
	}
	// Erin is of acme.com but no member: the restricted account is now hidden from her.
	errorOf(t, h.do(http.MethodPatch, base, erin, map[string]any{"name": "Mine"}), http.StatusNotFound)
	jsonOf(t, h.do(http.MethodPost, base+"/users", alice, map[string]any{"users": []map[string]any{{"email": "erin@acme.com", "role": "SMART_ACCOUNT_USER"}}}), http.StatusOK)
	errorOf(t, h.do(http.MethodPatch, base, erin, map[string]any{"name": "Mine"}), http.StatusForbidden)
}

// Each administrator acknowledges the notices; the list says who did; a user may not acknowledge.
func TestNotices(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	base := "/api/v1/smart-accounts/" + acme.ID
	alice, bob := h.token("alice@acme.com"), h.token("bob@acme.com")
	n := jsonOf(t, h.do(http.MethodGet, base+"/notices", alice, nil), http.StatusOK)
	for _, x := range list(t, n["notices"], "notices") {
		if x["acknowledged"] != false {
			t.Errorf("before: %v", x)
		}
	}
	ack := jsonOf(t, h.do(http.MethodPost, base+"/notices/smart_licensing/acknowledgement", alice, nil), http.StatusOK)
	again := jsonOf(t, h.do(http.MethodPost, base+"/notices/SMART_LICENSING/acknowledgement", alice, nil), http.StatusOK)
	if ack["kind"] != "SMART_LICENSING" || ack["at"] != again["at"] {
		t.Errorf("ack %v, again %v", ack, again)
	}
	n = jsonOf(t, h.do(http.MethodGet, base+"/notices", bob, nil), http.StatusOK)
	ns := list(t, n["notices"], "notices")
	if ns[0]["acknowledged"] != true || ns[0]["acknowledgedByMe"] != false || ns[1]["kind"] != "SMART_ACCOUNT_ADMIN" || ns[1]["acknowledged"] != false {
		t.Errorf("notices as bob: %v", ns)
	}
	errorOf(t, h.do(http.MethodPost, base+"/notices/TERMS/acknowledgement", alice, nil), http.StatusBadRequest)
	jsonOf(t, h.do(http.MethodPost, base+"/users", alice, map[string]any{"users": []map[string]any{{"email": "erin@acme.com", "role": "SMART_ACCOUNT_USER"}}}), http.StatusOK)
	errorOf(t, h.do(http.MethodPost, base+"/notices/SMART_ACCOUNT_ADMIN/acknowledgement", h.token("erin@acme.com"), nil), http.StatusForbidden)
	evs := h.count(&models.Event{}, "smart_account_id = ? AND action = ?", acme.ID, models.EventNoticeAcknowledged)
	if evs != 1 {
		t.Errorf("%d acknowledgement events, want 1", evs)
	}
}

// The location export lists the headquarters and each virtual account with its address; a VA user
// sees their VA only.
func TestLocationsExport(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	base := "/api/v1/smart-accounts/" + acme.ID
	alice := h.token("alice@acme.com")
	lab := jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "Lab",
		"address": map[string]any{"company": "Acme Lab", "line1": "9 Lab Way", "city": "Lyon", "country": "FR"}}), http.StatusCreated)
	jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "Plant"}), http.StatusCreated)
	if e := errorOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "Bad",
		"address": map[string]any{"company": "X", "line1": "1", "city": "Y", "country": "France"}}), http.StatusBadRequest); e.Field != "address.country" {
		t.Errorf("bad address: %+v", e)
	}
	read := func(tok string) [][]string {
		t.Helper()
		rec := h.do(http.MethodGet, base+"/locations/export.csv", tok, nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", rec.Code, rec.Body)
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	rows := read(alice)
	if len(rows) != 5 || rows[1][0] != "HEADQUARTERS" || rows[1][6] != "San Jose" {
		t.Fatalf("rows %v", rows)
	}
	found := false
	for _, r := range rows {
		found = found || (r[2] == "Lab" && r[6] == "Lyon" && r[9] == "FR")
	}
	if !found {
		t.Errorf("Lab's address missing: %v", rows)
	}
	jsonOf(t, h.do(http.MethodPost, base+"/users", alice, map[string]any{"users": []map[string]any{
		{"email": "vic@acme.com", "role": "VIRTUAL_ACCOUNT_USER", "virtualAccountId": lab["id"]}}}), http.StatusOK)
	if rows := read(h.token("vic@acme.com")); len(rows) != 3 || rows[2][2] != "Lab" {
		t.Errorf("a VA user's export: %v", rows)
	}
	errorOf(t, h.do(http.MethodGet, base+"/locations/export.csv", h.token("erin@acme.com"), nil), http.StatusForbidden)
}
