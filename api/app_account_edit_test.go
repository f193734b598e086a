package api_test

// The portal's account changes (FEATURES AC3, AC4, AC6, SA8, X7): the virtual account tree's forms, the
// users' roles and where they come from, the request automation form and the SMB upgrade. Each is
// answered as the JSON route beside it answers the same person: the same change, the same refusal (its
// status and the field it names), the same 404 for a stranger.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// postForm posts a portal form with the page's CSRF token.
func (h *harness) postForm(path, cookie, csrf string, form url.Values) *page {
	h.t.Helper()
	form.Set("csrf", csrf)
	rec := h.page(http.MethodPost, path, cookie, form)
	doc, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		h.t.Fatal(err)
	}
	return &page{status: rec.Code, body: rec.Body.String(), doc: doc}
}

// failedField is the field a refused form's page names.
func failedField(p *page) string {
	if f := find(p.doc, "id", "failed-field"); len(f) == 1 {
		return textOf(f[0])
	}
	return ""
}

func (h *harness) vaNamed(saID, name string) models.VirtualAccount {
	h.t.Helper()
	vas, err := models.VirtualAccounts(h.t.Context(), h.db, saID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, va := range vas {
		if va.Name == name {
			return va
		}
	}
	h.t.Fatalf("no virtual account %q in %v", name, vas)
	return models.VirtualAccount{}
}

func TestPortalVirtualAccountForms(t *testing.T) {
	h := newHarness(t)
	acme, emea := vaFixture(t, h)
	emeaID := fmt.Sprint(emea["id"])
	labs := h.labs()
	base := "/app/smart-accounts/" + acme.ID + "/virtual-accounts"
	api := "/api/v1/smart-accounts/" + acme.ID + "/virtual-accounts"
	alice := h.withPortal("alice@acme.com")

	p := parsePage(t, h.page(http.MethodGet, base, alice, nil), http.StatusOK)
	labelled(t, p.doc)
	for _, id := range []string{"va-create", "va-rename", "va-move"} {
		if len(find(p.doc, "id", id)) != 1 {
			t.Errorf("Alice has no form %s", id)
		}
	}
	if len(p.body) > 60_000 {
		t.Errorf("the page is %d bytes", len(p.body))
	}
	csrf := csrfOf(t, p.doc)

	// No name: the API's 400 naming it, and the form again with what was typed.
	r := h.postForm(base, alice, csrf, url.Values{"form": {"create"}, "name": {" "}, "description": {"Paris office"},
		"parentId": {emeaID}})
	if r.status != http.StatusBadRequest || failedField(r) != "name" {
		t.Fatalf("no name: %d %q", r.status, failedField(r))
	}
	if d := find(r.doc, "id", "create-description"); len(d) != 1 || first(attr(d[0], "value")) != "Paris office" {
		t.Errorf("the description typed is gone: %v", d)
	}
	if o := find(r.doc, "id", "create-parent"); len(o) != 1 || !strings.Contains(renderNode(o[0]), `value="`+emeaID+`" selected`) {
		t.Errorf("the parent picked is gone")
	}
	r = h.postForm(base, alice, csrf, url.Values{"form": {"create"}, "name": {"France"}, "description": {"Paris office"},
		"parentId": {emeaID}})
	if r.status != http.StatusOK || !strings.Contains(textOf(find(r.doc, "id", "notice")[0]), "France") {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	france := h.vaNamed(acme.ID, "France")
	if france.ParentID == nil || *france.ParentID != emeaID || france.Description != "Paris office" {
		t.Errorf("France %+v", france)
	}
	if !strings.Contains(textOf(find(r.doc, "id", "va-tree")[0]), "France") {
		t.Errorf("the tree shown after the create has no France")
	}
	// A name in use: the API's 409, on the page too.
	apiCode := h.do(http.MethodPost, api, h.token("alice@acme.com"), map[string]any{"name": "france"}).Code
	r = h.postForm(base, alice, csrf, url.Values{"form": {"create"}, "name": {"france"}})
	if apiCode != http.StatusConflict || r.status != apiCode || failedField(r) != "name" {
		t.Errorf("a name in use: API %d, page %d %q", apiCode, r.status, failedField(r))
	}

	r = h.postForm(base+"/rename", alice, csrf, url.Values{"form": {"rename"}, "virtualAccountId": {france.ID}, "name": {"France SAS"}})
	if r.status != http.StatusOK || h.vaNamed(acme.ID, "France SAS").ID != france.ID {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}
	// EMEA under its own child: the API's refusal naming parentId.
	apiCode = h.do(http.MethodPatch, api+"/"+emeaID, h.token("alice@acme.com"), map[string]any{"parentId": france.ID}).Code
	r = h.postForm(base+"/move", alice, csrf, url.Values{"form": {"move"}, "virtualAccountId": {emeaID}, "parentId": {france.ID}})
	if r.status != apiCode || r.status != http.StatusBadRequest || failedField(r) != "parentId" {
		t.Errorf("a cycle: API %d, page %d %q", apiCode, r.status, failedField(r))
	}
	r = h.postForm(base+"/move", alice, csrf, url.Values{"form": {"move"}, "virtualAccountId": {france.ID}, "parentId": {""}})
	if r.status != http.StatusOK || h.vaNamed(acme.ID, "France SAS").ParentID != nil {
		t.Errorf("move to the top level: %d %s", r.status, r.body)
	}
	// Without the session's CSRF token nothing is created.
	if rec := h.page(http.MethodPost, base, alice, url.Values{"name": {"Forged"}}); rec.Code != http.StatusForbidden {
		t.Errorf("no CSRF: %d", rec.Code)
	}

	// Carol administers EMEA: she may rename it (only it), not create or move, as the API lets her.
	carol := h.withPortal("carol@acme.com")
	p = parsePage(t, h.page(http.MethodGet, base, carol, nil), http.StatusOK)
	if len(find(p.doc, "id", "va-create")) != 0 || len(find(p.doc, "id", "va-move")) != 0 {
		t.Errorf("Carol is shown the create or move form")
	}
	if opts := find(p.doc, "id", "rename-va"); len(opts) != 1 || strings.Contains(textOf(opts[0]), "DEFAULT") ||
		!strings.Contains(textOf(opts[0]), "EMEA") {
		t.Errorf("Carol may rename: %v", textOf(opts[0]))
	}
	csrf = csrfOf(t, p.doc)
	r = h.postForm(base+"/rename", carol, csrf, url.Values{"form": {"rename"}, "virtualAccountId": {emeaID}, "name": {"Europe"}})
	if r.status != http.StatusOK || h.vaNamed(acme.ID, "Europe").ID != emeaID {
		t.Errorf("Carol's rename: %d", r.status)
	}
	apiCode = h.do(http.MethodPost, api, h.token("carol@acme.com"), map[string]any{"name": "Mine"}).Code
	r = h.postForm(base, carol, csrf, url.Values{"form": {"create"}, "name": {"Mine"}})
	if apiCode != http.StatusForbidden || r.status != apiCode {
		t.Errorf("Carol's create: API %d, page %d", apiCode, r.status)
	}
	r = h.postForm(base+"/move", carol, csrf, url.Values{"form": {"move"}, "virtualAccountId": {emeaID}, "parentId": {france.ID}})
	if r.status != http.StatusForbidden {
		t.Errorf("Carol's move: %d", r.status)
	}

	// Labs is restricted: Erin gets the API's 404, and nothing is created.
	erin := h.withPortal("erin@acme.com")
	csrf = csrfOf(t, parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/"+acme.ID, erin, nil), http.StatusOK).doc)
	apiCode = h.do(http.MethodPost, "/api/v1/smart-accounts/"+labs.ID+"/virtual-accounts", h.token("erin@acme.com"),
		map[string]any{"name": "Mine"}).Code
	r = h.postForm("/app/smart-accounts/"+labs.ID+"/virtual-accounts", erin, csrf, url.Values{"name": {"Mine"}})
	if apiCode != http.StatusNotFound || r.status != apiCode || strings.Contains(r.body, labs.Name) {
		t.Errorf("a stranger's create: API %d, page %d", apiCode, r.status)
	}
}

// renderNode is an element's HTML.
func renderNode(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return b.String()
}

func TestPortalUsersShowWhereRolesComeFrom(t *testing.T) {
	h := newHarness(t)
	acme, emea := vaFixture(t, h)
	emeaID := fmt.Sprint(emea["id"])
	alice := h.token("alice@acme.com")
	base := "/api/v1/smart-accounts/" + acme.ID
	jsonOf(t, h.do(http.MethodPost, base+"/virtual-accounts", alice, map[string]any{"name": "France", "parentId": emeaID}),
		http.StatusCreated)
	g := jsonOf(t, h.do(http.MethodPost, base+"/groups", alice, map[string]any{"name": "Field team"}), http.StatusCreated)
	gid := fmt.Sprint(g["id"])
	jsonOf(t, h.do(http.MethodPost, base+"/groups/"+gid+"/members", alice, map[string]any{"emails": []string{"dan@acme.com"}}),
		http.StatusOK)
	jsonOf(t, h.do(http.MethodPut, base+"/groups/"+gid+"/roles", alice, map[string]any{"roles": []map[string]any{
		{"role": "VIRTUAL_ACCOUNT_USER", "virtualAccountId": emeaID, "includeChildren": true}}}), http.StatusOK)

	cookie := h.withPortal("alice@acme.com")
	p := parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/"+acme.ID+"/users", cookie, nil), http.StatusOK)
	carol := textOf(find(p.doc, "data-user", "carol@acme.com")[0])
	for _, want := range []string{"Virtual Account Administrator of EMEA and the virtual accounts under it (direct)",
		"Virtual Account Administrator of France (from EMEA, direct)"} {
		if !strings.Contains(carol, want) {
			t.Errorf("Carol's row %q lacks %q", carol, want)
		}
	}
	dan := textOf(find(p.doc, "data-user", "dan@acme.com")[0])
	for _, want := range []string{"Virtual Account User of EMEA and the virtual accounts under it (through the group Field team)",
		"Virtual Account User of France (from EMEA, through the group Field team)"} {
		if !strings.Contains(dan, want) {
			t.Errorf("Dan's row %q lacks %q", dan, want)
		}
	}
	if !strings.Contains(textOf(find(p.doc, "data-user", "alice@acme.com")[0]), "Smart Account Administrator (direct)") {
		t.Errorf("Alice's row")
	}
	// The same as the API answers: Dan's one role through the group, one inherited.
	users := list(t, jsonOf(t, h.do(http.MethodGet, base+"/users", alice, nil), http.StatusOK)["users"], "users")
	for _, u := range users {
		if u["email"] == "dan@acme.com" {
			roles, inh := list(t, u["roles"], "roles"), list(t, u["inherited"], "inherited")
			if len(roles) != 1 || roles[0]["source"] != "GROUP" || len(inh) != 1 || inh[0]["groupName"] != "Field team" {
				t.Errorf("the API's Dan %v", u)
			}
		}
	}
}

func TestPortalRulesForm(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()
	base := "/app/smart-accounts/" + acme.ID + "/rules"
	alice := h.withPortal("alice@acme.com")

	p := parsePage(t, h.page(http.MethodGet, base, alice, nil), http.StatusOK)
	labelled(t, p.doc)
	if n := len(find(p.doc, "class", "rule")); n != 3 {
		t.Errorf("%d empty rows, want 3", n)
	}
	csrf := csrfOf(t, p.doc)
	bad := url.Values{"form": {"rules"},
		"rules[0].action": {"APPROVE"}, "rules[0].role": {"SMART_ACCOUNT_USER"}, "rules[0].requesterDomain": {"OWN"},
		"rules[1].action": {""}, "rules[1].role": {""}, "rules[1].requesterDomain": {"ANY"},
		"rules[2].action": {"ROUTE_TO_VA_ADMINS"}, "rules[2].role": {"SMART_ACCOUNT_USER"}, "rules[2].requesterDomain": {"ANY"}}
	// The API refuses the same rule, naming its field.
	e := errorOf(t, h.do(http.MethodPut, "/api/v1/smart-accounts/"+acme.ID+"/access-rules", h.token("alice@acme.com"),
		map[string]any{"rules": []map[string]any{{"action": "ROUTE_TO_VA_ADMINS", "role": "SMART_ACCOUNT_USER"}}}), http.StatusBadRequest)
	r := h.postForm(base, alice, csrf, bad)
	if r.status != http.StatusBadRequest || failedField(r) != "rules[2].role" || e.Field != "rules[0].role" {
		t.Fatalf("refused rule: page %d %q, API %q", r.status, failedField(r), e.Field)
	}
	if sel := find(r.doc, "id", "rule-0-domain"); len(sel) != 1 || !strings.Contains(renderNode(sel[0]), `value="OWN" selected`) {
		t.Errorf("the rows typed are gone")
	}
	good := url.Values{}
	for k, v := range bad {
		good[k] = v
	}
	good.Set("rules[2].role", "VIRTUAL_ACCOUNT_USER")
	r = h.postForm(base, alice, csrf, good)
	if r.status != http.StatusOK {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	rules := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/access-rules", h.token("alice@acme.com"), nil),
		http.StatusOK)["rules"], "rules")
	if len(rules) != 2 || rules[0]["action"] != "APPROVE" || rules[0]["requesterDomain"] != "OWN" ||
		rules[1]["action"] != "ROUTE_TO_VA_ADMINS" || rules[1]["role"] != "VIRTUAL_ACCOUNT_USER" {
		t.Fatalf("the API's rules after the form: %v", rules)
	}
	if li := find(r.doc, "id", "rules"); !strings.Contains(textOf(li[0]), "approve Smart Account User for people of the account's own domain") {
		t.Errorf("the rules shown: %s", textOf(li[0]))
	}

	// Erin may not see nor change them (the API's 403); Labs is not there for her (404).
	erin := h.withPortal("erin@acme.com")
	csrf = csrfOf(t, parsePage(t, h.page(http.MethodGet, "/app/smart-accounts/"+acme.ID, erin, nil), http.StatusOK).doc)
	r = h.postForm(base, erin, csrf, url.Values{"rules[0].action": {"APPROVE"}})
	if r.status != http.StatusForbidden || len(find(r.doc, "id", "rules-form")) != 0 {
		t.Errorf("Erin's post: %d", r.status)
	}
	if n := len(list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/access-rules", h.token("alice@acme.com"), nil),
		http.StatusOK)["rules"], "rules")); n != 2 {
		t.Errorf("after Erin's post %d rules", n)
	}
	r = h.postForm("/app/smart-accounts/"+labs.ID+"/rules", erin, csrf, url.Values{"rules[0].action": {"APPROVE"}})
	if r.status != http.StatusNotFound {
		t.Errorf("Erin's post to Labs: %d", r.status)
	}
}

func TestPortalSMBBannerAndUpgrade(t *testing.T) {
	h := newHarness(t)
	// Pat made an SMB account from gmail (seed 002), then changed the profile mail to the company's: the
	// same CCO id signs in with both.
	smb := h.createSA("req-smb", "Pat's", "gmail.com", models.VisibilityUnrestricted, "pat@gmail.com")
	for _, e := range []string{"pat@gmail.com", "pat@patco.com"} {
		if _, err := models.UpsertUser(t.Context(), h.db, models.User{Email: e, Name: "Pat", CCOID: "pat-1"}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/app/smart-accounts/" + smb.ID

	// Signed in with the gmail address: the banner says why it cannot be upgraded yet.
	gmail := h.withPortal("pat@gmail.com")
	p := parsePage(t, h.page(http.MethodGet, base, gmail, nil), http.StatusOK)
	if len(find(p.doc, "id", "smb-banner")) != 1 || len(find(p.doc, "id", "upgrade-link")) != 0 ||
		!strings.Contains(textOf(find(p.doc, "id", "upgrade-reason")[0]), "personal address") {
		t.Fatalf("banner for the gmail address: %s", p.body)
	}
	p = parsePage(t, h.page(http.MethodGet, base+"/virtual-accounts", gmail, nil), http.StatusOK)
	if len(find(p.doc, "id", "va-create")) != 0 || len(find(p.doc, "id", "va-smb")) != 1 {
		t.Errorf("an SMB account is offered more virtual accounts")
	}

	company := h.withPortal("pat@patco.com")
	p = parsePage(t, h.page(http.MethodGet, base, company, nil), http.StatusOK)
	link := find(p.doc, "id", "upgrade-link")
	if len(link) != 1 || first(attr(link[0], "href")) != base+"/upgrade" {
		t.Fatalf("no upgrade offered: %s", p.body)
	}
	p = parsePage(t, h.page(http.MethodGet, base+"/upgrade", company, nil), http.StatusOK)
	labelled(t, p.doc)
	if d := find(p.doc, "id", "domain"); len(d) != 1 || first(attr(d[0], "value")) != "patco.com" {
		t.Errorf("the domain defaults to the profile's: %v", d)
	}
	form := url.Values{"name": {"Pat Co"}, "domain": {"yahoo.com"}, "visibility": {"UNRESTRICTED"}}
	for _, k := range []string{"company", "line1", "city", "region", "postalCode", "country"} {
		n := find(p.doc, "id", "headquarters."+k)
		form.Set("headquarters."+k, first(attr(n[0], "value")))
	}
	csrf := csrfOf(t, p.doc)
	// The API's refusal of a personal domain, naming it; nothing started.
	tok := h.sign(auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}, auth.Identity{Email: "pat@patco.com", CCOID: "pat-1"})
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/upgrade", tok,
		map[string]any{"domain": "yahoo.com"}), http.StatusBadRequest)
	r := h.postForm(base+"/upgrade", company, csrf, form)
	if r.status != http.StatusBadRequest || failedField(r) != e.Field || e.Field != "domain" {
		t.Fatalf("a personal domain: %d %q", r.status, failedField(r))
	}
	if n := find(r.doc, "id", "name"); first(attr(n[0], "value")) != "Pat Co" {
		t.Errorf("the name typed is gone")
	}
	if h.account(smb.ID).SMB != true {
		t.Fatalf("upgraded by a refused form")
	}
	// Mallory of the same company sees no upgrade and is refused as the API refuses her.
	mallory := h.withPortal("mallory@patco.com")
	parsePage(t, h.page(http.MethodGet, base+"/upgrade", mallory, nil), http.StatusNotFound)
	mcsrf := csrfOf(t, parsePage(t, h.page(http.MethodGet, "/app/directory", mallory, nil), http.StatusOK).doc)
	if r := h.postForm(base+"/upgrade", mallory, mcsrf, url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("Mallory's upgrade: %d", r.status)
	}

	form.Set("domain", "patco.com")
	r = h.postForm(base+"/upgrade", company, csrf, form)
	if r.status != http.StatusOK || !strings.Contains(textOf(find(r.doc, "id", "notice")[0]), "Upgrade to patco.com requested") {
		t.Fatalf("upgrade: %d %s", r.status, r.body)
	}
	sa := h.account(smb.ID)
	if sa.SMB || sa.Domain != "patco.com" || sa.Name != "Pat Co" || len(find(r.doc, "id", "smb-banner")) != 0 {
		t.Errorf("after the upgrade %+v", sa)
	}
	u, ok, err := models.LatestUpgrade(t.Context(), h.db, smb.ID)
	if err != nil || !ok || u.Status != models.UpgradeApproved || u.RequestedBy != "pat@patco.com" {
		t.Errorf("the upgrade row %+v %v %v", u, ok, err)
	}
	p = parsePage(t, h.page(http.MethodGet, base+"/upgrade", company, nil), http.StatusOK)
	if len(find(p.doc, "id", "refused")) != 1 {
		t.Errorf("a standard account is offered the upgrade again")
	}
}
