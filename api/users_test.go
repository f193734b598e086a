package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// csvReq sends a CSV upload.
func (h *harness) csvReq(method, path, tok, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+tok)
	h.checkRequest(req, []byte(body))
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

func rowStatuses(t *testing.T, v map[string]any) []string {
	t.Helper()
	var out []string
	for _, r := range list(t, v["rows"], "rows") {
		s := fmt.Sprint(r["status"])
		if e, ok := r["error"].(map[string]any); ok {
			s += " " + fmt.Sprint(e["field"])
		}
		out = append(out, s)
	}
	return out
}

// An administrator adds users by JSON and by CSV, each row answered; GET users shows the roles with
// those inherited by nested VAs; a VA administrator changes only their VAs' users; the last
// administrator stays.
func TestBulkUsersAPI(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	base := "/api/v1/smart-accounts/" + acme.ID
	alice, erin := h.token("alice@acme.com"), h.token("erin@acme.com")
	emea := jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "EMEA"}), http.StatusCreated)
	france := jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "France", "parentId": emea["id"]}), http.StatusCreated)
	asia := jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "Asia"}), http.StatusCreated)

	v := jsonOf(t, h.do(http.MethodPost, base+"/users", alice, map[string]any{"users": []map[string]any{
		{"email": "carol@acme.com", "role": "VIRTUAL_ACCOUNT_ADMINISTRATOR", "virtualAccountId": emea["id"], "includeChildren": true},
		{"email": "dan@acme.com", "role": "SMART_ACCOUNT_VIEWER", "virtualAccountId": emea["id"]},
	}}), http.StatusOK)
	if got := rowStatuses(t, v); fmt.Sprint(got) != "[ADDED REFUSED virtualAccountId]" {
		t.Errorf("JSON rows %v", got)
	}
	csv := "email,role,virtualAccountId,includeChildren\n" +
		"dan@acme.com,SMART_ACCOUNT_VIEWER,,\n" +
		"\"fay@acme.com\",VIRTUAL_ACCOUNT_USER," + fmt.Sprint(france["id"]) + ",false\n" +
		"gus@acme.com,VIRTUAL_ACCOUNT_USER,,\n"
	v = jsonOf(t, h.csvReq(http.MethodPost, base+"/users", alice, csv), http.StatusOK)
	if got := rowStatuses(t, v); fmt.Sprint(got) != "[ADDED ADDED REFUSED virtualAccountId]" {
		t.Errorf("CSV rows %v", got)
	}
	if e := errorOf(t, h.csvReq(http.MethodPost, base+"/users", alice, "email,colour\nx@acme.com,red\n"), http.StatusBadRequest); e.Field != "csv.header" {
		t.Errorf("unknown column: %+v", e)
	}
	errorOf(t, h.do(http.MethodPost, base+"/users", erin, map[string]any{"users": []map[string]any{{"email": "x@acme.com", "role": "SMART_ACCOUNT_USER"}}}), http.StatusForbidden)

	users := jsonOf(t, h.do(http.MethodGet, base+"/users", alice, nil), http.StatusOK)
	var carol map[string]any
	for _, u := range list(t, users["users"], "users") {
		if u["email"] == "carol@acme.com" {
			carol = u
		}
	}
	if carol == nil {
		t.Fatalf("carol not listed: %v", users)
	}
	roles, inherited := list(t, carol["roles"], "roles"), list(t, carol["inherited"], "inherited")
	if len(roles) != 1 || roles[0]["virtualAccountName"] != "EMEA" || roles[0]["includeChildren"] != true || roles[0]["source"] != "DIRECT" {
		t.Errorf("carol's roles %v", roles)
	}
	if len(inherited) != 1 || inherited[0]["virtualAccountName"] != "France" || inherited[0]["inheritedFromName"] != "EMEA" {
		t.Errorf("carol's inherited roles %v", inherited)
	}
	page := jsonOf(t, h.do(http.MethodGet, base+"/users?limit=2", alice, nil), http.StatusOK)
	if len(list(t, page["users"], "users")) != 2 || page["next"] != "bob@acme.com" {
		t.Errorf("page 1 %v", page)
	}

	// Carol administers EMEA and France: she adds their users, not Asia's, and not the account's.
	carolTok := h.token("carol@acme.com")
	v = jsonOf(t, h.do(http.MethodPost, base+"/users", carolTok, map[string]any{"users": []map[string]any{
		{"email": "hal@acme.com", "role": "VIRTUAL_ACCOUNT_VIEWER", "virtualAccountId": france["id"]},
		{"email": "hal@acme.com", "role": "VIRTUAL_ACCOUNT_VIEWER", "virtualAccountId": asia["id"]},
		{"email": "hal@acme.com", "role": "SMART_ACCOUNT_ADMINISTRATOR"},
	}}), http.StatusOK)
	if got := rowStatuses(t, v); fmt.Sprint(got) != "[ADDED REFUSED virtualAccountId REFUSED virtualAccountId]" {
		t.Errorf("carol's rows %v", got)
	}

	// Bob goes; Alice, the last administrator, stays.
	v = jsonOf(t, h.do(http.MethodDelete, base+"/users", alice, map[string]any{"users": []map[string]any{
		{"email": "bob@acme.com"}, {"email": "alice@acme.com", "role": "SMART_ACCOUNT_ADMINISTRATOR"}, {"email": "nobody@acme.com"}}}), http.StatusOK)
	if got := rowStatuses(t, v); fmt.Sprint(got) != "[REMOVED REFUSED email NOT_FOUND]" {
		t.Errorf("removal rows %v", got)
	}
	if admins, _ := models.AdminEmails(t.Context(), h.db, acme.ID); fmt.Sprint(admins) != "[alice@acme.com]" {
		t.Errorf("admins %v", admins)
	}
	tooMany := make([]map[string]any, models.MaxBulkUsers+1)
	for i := range tooMany {
		tooMany[i] = map[string]any{"email": fmt.Sprintf("u%d@acme.com", i), "role": "SMART_ACCOUNT_USER"}
	}
	if e := errorOf(t, h.do(http.MethodPost, base+"/users", alice, map[string]any{"users": tooMany}), http.StatusBadRequest); e.Field != "users" {
		t.Errorf("1001 rows: %+v", e)
	}
}

// Groups: an administrator makes one, adds members and gives it roles; members then hold them (their
// users page row says through which group); others may not change it; removing the group's last
// administrator is refused.
func TestGroupsAPI(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	base := "/api/v1/smart-accounts/" + acme.ID
	alice, erin := h.token("alice@acme.com"), h.token("erin@acme.com")
	emea := jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "EMEA"}), http.StatusCreated)
	g := jsonOf(t, h.do(http.MethodPost, base+"/groups", alice, map[string]any{"name": "Licensing team"}), http.StatusCreated)
	gid := fmt.Sprint(g["id"])
	errorOf(t, h.do(http.MethodPost, base+"/groups", alice, map[string]any{"name": "licensing TEAM"}), http.StatusConflict)
	errorOf(t, h.do(http.MethodPost, base+"/groups", erin, map[string]any{"name": "Mine"}), http.StatusForbidden)
	v := jsonOf(t, h.do(http.MethodPost, base+"/groups/"+gid+"/members", alice, map[string]any{"emails": []string{"Erin@acme.com", "zed@acme.com"}}), http.StatusOK)
	if fmt.Sprint(v["added"]) != "[erin@acme.com zed@acme.com]" {
		t.Errorf("added %v", v["added"])
	}
	if e := errorOf(t, h.do(http.MethodPut, base+"/groups/"+gid+"/roles", alice, map[string]any{"roles": []map[string]any{
		{"role": "VIRTUAL_ACCOUNT_USER"}}}), http.StatusBadRequest); e.Field != "roles[0].virtualAccountId" {
		t.Errorf("a VA role without its VA: %+v", e)
	}
	jsonOf(t, h.do(http.MethodPut, base+"/groups/"+gid+"/roles", alice, map[string]any{"roles": []map[string]any{
		{"role": "VIRTUAL_ACCOUNT_USER", "virtualAccountId": emea["id"]}}}), http.StatusOK)

	// Erin is a user now, through the group: she sees the account's users, not change its groups.
	users := jsonOf(t, h.do(http.MethodGet, base+"/users", erin, nil), http.StatusOK)
	for _, u := range list(t, users["users"], "users") {
		if u["email"] == "erin@acme.com" {
			r := list(t, u["roles"], "roles")
			if len(r) != 1 || r[0]["source"] != "GROUP" || r[0]["groupName"] != "Licensing team" || r[0]["virtualAccountName"] != "EMEA" {
				t.Errorf("erin's roles %v", r)
			}
		}
	}
	errorOf(t, h.do(http.MethodPut, base+"/groups/"+gid+"/roles", erin, map[string]any{"roles": []map[string]any{}}), http.StatusForbidden)
	list1 := jsonOf(t, h.do(http.MethodGet, base+"/groups", erin, nil), http.StatusOK)
	gs := list(t, list1["groups"], "groups")
	if len(gs) != 1 || gs[0]["memberCount"] != float64(2) || len(list(t, gs[0]["roles"], "roles")) != 1 {
		t.Errorf("groups %v", gs)
	}

	// A group of administrators: Alice and Bob may go, the group's last member then not.
	admins := jsonOf(t, h.do(http.MethodPost, base+"/groups", alice, map[string]any{"name": "Admins"}), http.StatusCreated)
	aid := fmt.Sprint(admins["id"])
	jsonOf(t, h.do(http.MethodPut, base+"/groups/"+aid+"/roles", alice, map[string]any{"roles": []map[string]any{{"role": "SMART_ACCOUNT_ADMINISTRATOR"}}}), http.StatusOK)
	jsonOf(t, h.do(http.MethodPost, base+"/groups/"+aid+"/members", alice, map[string]any{"emails": []string{"ida@acme.com"}}), http.StatusOK)
	v = jsonOf(t, h.do(http.MethodDelete, base+"/users", alice, map[string]any{"users": []map[string]any{{"email": "alice@acme.com"}, {"email": "bob@acme.com"}}}), http.StatusOK)
	if got := rowStatuses(t, v); fmt.Sprint(got) != "[REMOVED REMOVED]" {
		t.Errorf("rows %v", got)
	}
	ida := h.token("ida@acme.com")
	errorOf(t, h.do(http.MethodDelete, base+"/groups/"+aid+"/members", ida, map[string]any{"emails": []string{"ida@acme.com"}}), http.StatusConflict)
	errorOf(t, h.do(http.MethodDelete, base+"/groups/"+aid, ida, nil), http.StatusConflict)
	if rec := h.do(http.MethodDelete, base+"/groups/"+gid, ida, nil); rec.Code != http.StatusNoContent {
		t.Errorf("delete group: %d %s", rec.Code, rec.Body)
	}
	errorOf(t, h.do(http.MethodGet, base+"/groups/"+gid, ida, nil), http.StatusNotFound)
}
