package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func onBehalfBody(name, domain string, contacts ...string) map[string]any {
	b := createBody(name, domain)
	delete(b, "headquarters")
	b["onBehalf"], b["customerContacts"], b["noteToCustomer"] = true, contacts, "please accept"
	return b
}

func TestOnBehalfCreateValidation(t *testing.T) {
	h := newHarness(t)
	tok := h.token("sam@partner.com")
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"a contact of another TLD", onBehalfBody("Cust", "cust.com", "cto@cust.com", "sam@partner.com"), "customerContacts[1]"},
		{"no contact", onBehalfBody("Cust", "cust.com"), "customerContacts"},
		{"a contact that is not an address", onBehalfBody("Cust", "cust.com", "cto"), "customerContacts[0]"},
		{"contacts without onBehalf", func() map[string]any {
			b := createBody("Cust", "cust.com")
			b["customerContacts"] = []string{"cto@cust.com"}
			return b
		}(), "customerContacts"},
		{"a personal mail domain", onBehalfBody("Cust", "gmail.com", "x@gmail.com"), "domain"},
		{"a partial address", func() map[string]any {
			b := onBehalfBody("Cust", "cust.com", "cto@cust.com")
			b["headquarters"] = map[string]any{"company": "Cust"}
			return b
		}(), "headquarters.line1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", tok, deliberatelyBad(tc.body)), http.StatusBadRequest)
			if e.Field != tc.field {
				t.Errorf("field %q, want %q (%s)", e.Field, tc.field, e.Message)
			}
		})
	}
	if n := len(h.fake.startCalls()); n != 0 {
		t.Fatalf("%d processes started by refused requests", n)
	}

	// Without an address, with contacts of a subdomain of the TLD: accepted, provisional at once.
	v := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", tok, onBehalfBody("Cust", "cust.com", "CTO@eng.cust.com")), http.StatusAccepted)
	if v["status"] != string(models.SAPendingCustomerAcceptance) || v["onBehalf"] != true {
		t.Fatalf("answer %v", v)
	}
	req := h.fake.startCalls()[0].Req
	if !req.OnBehalf || !slices.Equal(req.CustomerContacts, []string{"cto@eng.cust.com"}) || req.NoteToCustomer != "please accept" || !req.Headquarters.IsZero() {
		t.Errorf("request %+v", req)
	}
	// The contact sees it (restricted or not), a stranger of the TLD may not act on it through /decision.
	sa := h.account(fmt.Sprint(v["id"]))
	seen := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+sa.ID, h.token("cto@eng.cust.com"), nil), http.StatusOK)
	// With no worker answering the status query, the database still says whom it waits for.
	if w := list(t, seen["waitingOn"], "waitingOn"); len(w) != 1 || w[0]["who"] != "cto@eng.cust.com" || w[0]["action"] != "accept" {
		t.Errorf("waitingOn %v", w)
	}
	errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+sa.ID+"/decision", h.token("cto@eng.cust.com"),
		map[string]any{"decision": "APPROVE"}), http.StatusConflict)
}

func TestExistingDomainConflictSaysWhatToDo(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	partner := h.token("sam@partner.com")
	pending := h.createSA("req-cust", "Acme Subsidiary", "sub.acme.com", models.VisibilityUnrestricted, "sam@partner.com")
	_ = pending
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", partner, onBehalfBody("Acme again", "acme.com", "cto@acme.com")), http.StatusConflict)
	if e.Field != "domain" {
		t.Errorf("field %q", e.Field)
	}
	listed := list(t, e.Details["smartAccounts"], "smartAccounts")
	actions := map[string][]string{}
	for _, sa := range listed {
		actions[fmt.Sprint(sa["id"])] = strs(t, sa["actions"], "actions")
	}
	if !slices.Equal(actions[acme.ID], []string{"REQUEST_ACCESS"}) {
		t.Errorf("actions of the ACTIVE account: %v", actions[acme.ID])
	}
	ways := list(t, e.Details["waysForward"], "waysForward")
	names := fieldOf(ways, "action")
	for _, want := range []string{"REQUEST_ACCESS", "NOMINATE_CREATORS", "MODIFIED_DOMAIN"} {
		if !slices.Contains(names, want) {
			t.Errorf("waysForward %v lacks %s", names, want)
		}
	}
	// Nominating creators for an account whose activation is in progress is refused, saying why.
	e = errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+h.engineering().ID+"/creators", partner,
		map[string]any{"emails": []string{"cto@acme.com"}}), http.StatusConflict)
	if !strings.Contains(e.Message, "activation is in progress") {
		t.Errorf("message %q", e.Message)
	}
	e = errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+acme.ID+"/creators", partner,
		map[string]any{"emails": []string{"cto@other.com"}}), http.StatusBadRequest)
	if e.Field != "emails[0]" {
		t.Errorf("creator of another TLD: field %q", e.Field)
	}
	// modifiedDomain travels to the process.
	jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("bob@acme.com"),
		func() map[string]any { b := createBody("Acme PL", "pl.acme.com"); b["modifiedDomain"] = true; return b }()), http.StatusAccepted)
	calls := h.fake.startCalls()
	if last := calls[len(calls)-1].Req; !last.ModifiedDomain {
		t.Errorf("modifiedDomain not passed: %+v", last)
	}
}

// vaFixture is Acme (alice and bob administer it) with carol a Virtual Account Administrator of EMEA
// and the virtual accounts under it.
func vaFixture(t *testing.T, h *harness) (models.SmartAccount, map[string]any) {
	t.Helper()
	acme := h.acme()
	emea := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+acme.ID+"/virtual-accounts", h.token("alice@acme.com"),
		map[string]any{"name": "EMEA", "description": "Europe"}), http.StatusCreated)
	role := models.AccountRole{ID: models.NewID(), UserEmail: "carol@acme.com", SmartAccountID: acme.ID,
		VirtualAccountID: fmt.Sprint(emea["id"]), Role: models.RoleVAAdmin, IncludeChildren: true, GrantedBy: "test", CreatedAt: time.Now().UTC()}
	if err := h.db.Create(&role).Error; err != nil {
		t.Fatal(err)
	}
	return acme, emea
}

func TestVirtualAccountsAndTheirAdministrators(t *testing.T) {
	h := newHarness(t)
	acme, emea := vaFixture(t, h)
	base := "/api/v1/smart-accounts/" + acme.ID + "/virtual-accounts"
	alice, carol, erin := h.token("alice@acme.com"), h.token("carol@acme.com"), h.token("erin@acme.com")
	emeaID := fmt.Sprint(emea["id"])

	france := jsonOf(t, h.do(http.MethodPost, base, alice, map[string]any{"name": "France", "parentId": emeaID}), http.StatusCreated)
	if france["parentId"] != emeaID {
		t.Fatalf("France %v", france)
	}
	errorOf(t, h.do(http.MethodPost, base, erin, map[string]any{"name": "Mine"}), http.StatusForbidden)
	errorOf(t, h.do(http.MethodPost, base, alice, map[string]any{"name": "emea"}), http.StatusConflict)
	if e := errorOf(t, h.do(http.MethodPost, base, alice, map[string]any{"name": " "}), http.StatusBadRequest); e.Field != "name" {
		t.Errorf("field %q", e.Field)
	}
	// Carol administers EMEA and so France under it: she may rename it, not move it or make it default.
	renamed := jsonOf(t, h.do(http.MethodPatch, base+"/"+fmt.Sprint(france["id"]), carol, map[string]any{"name": "France SAS"}), http.StatusOK)
	if renamed["name"] != "France SAS" {
		t.Errorf("renamed %v", renamed)
	}
	errorOf(t, h.do(http.MethodPatch, base+"/"+fmt.Sprint(france["id"]), carol, map[string]any{"parentId": nil}), http.StatusForbidden)
	errorOf(t, h.do(http.MethodPatch, base+"/"+emeaID, carol, map[string]any{"isDefault": true}), http.StatusForbidden)
	if e := errorOf(t, h.do(http.MethodPatch, base+"/"+emeaID, alice, map[string]any{"parentId": france["id"]}), http.StatusBadRequest); e.Field != "parentId" {
		t.Errorf("cycle: field %q", e.Field)
	}
	jsonOf(t, h.do(http.MethodPatch, base+"/"+fmt.Sprint(france["id"]), alice, map[string]any{"parentId": nil, "isDefault": true}), http.StatusOK)

	tree := jsonOf(t, h.do(http.MethodGet, base+"/tree", erin, nil), http.StatusOK)
	roots := list(t, tree["virtualAccounts"], "virtualAccounts")
	var names []string
	for _, r := range roots {
		names = append(names, fmt.Sprint(r["name"]))
		if len(list(t, r["children"], "children")) != 0 {
			t.Errorf("%v has children", r["name"])
		}
	}
	if !slices.Equal(names, []string{"France SAS", "DEFAULT", "EMEA"}) {
		t.Errorf("roots %v (the default first)", names)
	}

	users := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/users", alice, nil), http.StatusOK)
	found := false
	for _, u := range list(t, users["users"], "users") {
		if u["email"] == "carol@acme.com" {
			r := list(t, u["roles"], "roles")[0]
			found = r["role"] == string(models.RoleVAAdmin) && r["scope"] == "VIRTUAL_ACCOUNT" && r["virtualAccountName"] == "EMEA"
		}
	}
	if !found {
		t.Errorf("users %v: carol's VA role not shown with its VA", users)
	}
	errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/users", erin, nil), http.StatusForbidden)

	// Support may act with a reason, which the event keeps.
	support := h.token("sue@cisco.com", models.RoleCiscoSupport)
	errorOf(t, h.do(http.MethodPost, base, support, map[string]any{"name": "Fix"}), http.StatusBadRequest)
	jsonOf(t, h.do(http.MethodPost, base, support, map[string]any{"name": "Fix"}, "X-Support-Reason", "case 123"), http.StatusCreated)
	var ev models.Event
	h.db.Where("smart_account_id = ? AND action = ? AND actor = ?", acme.ID, models.EventVACreated, "sue@cisco.com").Take(&ev)
	if ev.Details["supportReason"] != "case 123" {
		t.Errorf("support event %+v", ev)
	}
}

func TestAccessRequestValidation(t *testing.T) {
	h := newHarness(t)
	acme, emea := vaFixture(t, h)
	path := "/api/v1/smart-accounts/" + acme.ID + "/access-requests"
	dev := h.token("dev@acme.com")
	ids := make([]string, 26)
	for i := range ids {
		ids[i] = fmt.Sprint(emea["id"])
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"26 virtual accounts", map[string]any{"role": "VIRTUAL_ACCOUNT_USER", "virtualAccounts": ids, "reason": "x"}, "virtualAccounts"},
		{"no virtual account for a VA role", map[string]any{"role": "VIRTUAL_ACCOUNT_USER", "reason": "x"}, "virtualAccounts"},
		{"a virtual account of another account", map[string]any{"role": "VIRTUAL_ACCOUNT_USER", "virtualAccounts": []string{fmt.Sprint(emea["id"]), "nope"}, "reason": "x"}, "virtualAccounts[1]"},
		{"virtual accounts with an SA role", map[string]any{"role": "SMART_ACCOUNT_USER", "virtualAccounts": []string{fmt.Sprint(emea["id"])}, "reason": "x"}, "virtualAccounts"},
		{"unknown role", map[string]any{"role": "OWNER", "reason": "x"}, "role"},
		{"no reason", map[string]any{"role": "SMART_ACCOUNT_USER"}, "reason"},
		{"a person who is not an address", map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "x", "forEmails": []string{"myself", "bob"}}, "forEmails[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if e := errorOf(t, h.do(http.MethodPost, path, dev, deliberatelyBad(tc.body)), http.StatusBadRequest); e.Field != tc.field {
				t.Errorf("field %q, want %q (%s)", e.Field, tc.field, e.Message)
			}
		})
	}
	if n := h.count(&models.AccessRequest{}); n != 0 {
		t.Fatalf("%d requests recorded by refused calls", n)
	}
	// Not ACTIVE: refused with the status.
	errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+h.engineering().ID+"/access-requests", dev,
		map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "x"}), http.StatusConflict)

	// A valid one, for me and a colleague outside the domain; the administrators see it counted.
	v := jsonOf(t, h.do(http.MethodPost, path, dev, map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "audit",
		"forEmails": []string{"myself", "ext@auditor.com"}}, "Idempotency-Key", "k1"), http.StatusAccepted)
	if v["status"] != "PENDING" || !slices.Equal(strs(t, v["outsideDomain"], "outsideDomain"), []string{"ext@auditor.com"}) ||
		len(list(t, v["waitingOn"], "waitingOn")) != 2 {
		t.Fatalf("answer %v", v)
	}
	again := jsonOf(t, h.do(http.MethodPost, path, dev, map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "audit"}, "Idempotency-Key", "k1"), http.StatusAccepted)
	if again["id"] != v["id"] {
		t.Errorf("repeated POST made a second request: %v vs %v", again["id"], v["id"])
	}
	admin := jsonOf(t, h.do(http.MethodGet, path+"?status=PENDING", h.token("alice@acme.com"), nil), http.StatusOK)
	if admin["pendingCount"] != float64(1) || len(list(t, admin["accessRequests"], "accessRequests")) != 1 {
		t.Errorf("admin list %v", admin)
	}
	other := jsonOf(t, h.do(http.MethodGet, path, h.token("erin@acme.com"), nil), http.StatusOK)
	if _, ok := other["pendingCount"]; ok || len(list(t, other["accessRequests"], "accessRequests")) != 0 {
		t.Errorf("a non-admin sees %v", other)
	}
	detail := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID, h.token("alice@acme.com"), nil), http.StatusOK)
	if detail["pendingAccessRequests"] != float64(1) {
		t.Errorf("detail %v", detail["pendingAccessRequests"])
	}
	// The decision's fields are checked before the process: a delegate must be a user of the account.
	reqPath := path + "/" + fmt.Sprint(v["id"]) + "/decision"
	if e := errorOf(t, h.do(http.MethodPost, reqPath, h.token("alice@acme.com"), map[string]any{"decision": "DELEGATE", "delegateTo": "x@acme.com"}),
		http.StatusBadRequest); e.Field != "delegateTo" {
		t.Errorf("field %q", e.Field)
	}
	// Someone the request does not concern does not see it.
	errorOf(t, h.do(http.MethodPost, reqPath, h.token("erin@acme.com"), map[string]any{"decision": "APPROVE"}), http.StatusNotFound)
}

// A stranger to an unrestricted account may ask for access to it, and then follows their requests in
// its list; a stranger who asked nothing gets the 404 of every read of an account they cannot see.
func TestAccessRequestListOfAStranger(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	path := "/api/v1/smart-accounts/" + acme.ID + "/access-requests"
	for _, who := range []string{"mallory@evil.com", "ext@auditor.com"} {
		errorOf(t, h.do(http.MethodGet, path, h.token(who), nil), http.StatusNotFound)
	}
	asked := jsonOf(t, h.do(http.MethodPost, path, h.token("mallory@evil.com"), map[string]any{"role": "SMART_ACCOUNT_VIEWER",
		"reason": "audit", "forEmails": []string{"myself", "ext@auditor.com"}}), http.StatusAccepted)
	for _, who := range []string{"mallory@evil.com", "ext@auditor.com"} {
		mine := list(t, jsonOf(t, h.do(http.MethodGet, path, h.token(who), nil), http.StatusOK)["accessRequests"], "accessRequests")
		if len(mine) != 1 || mine[0]["id"] != asked["id"] {
			t.Errorf("%s sees %v, want their request %v", who, mine, asked["id"])
		}
	}
	// Asking opens the list, not the account.
	errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID, h.token("mallory@evil.com"), nil), http.StatusNotFound)
	errorOf(t, h.do(http.MethodGet, path, h.token("trudy@evil.com"), nil), http.StatusNotFound)
	// A colleague of the account's TLD sees the account, and none of the requests they are not in.
	if other := list(t, jsonOf(t, h.do(http.MethodGet, path, h.token("erin@acme.com"), nil), http.StatusOK)["accessRequests"],
		"accessRequests"); len(other) != 0 {
		t.Errorf("a colleague sees %v", other)
	}
}

func TestAccessRulesAPI(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	path := "/api/v1/smart-accounts/" + acme.ID + "/access-rules"
	alice := h.token("alice@acme.com")
	body := map[string]any{"rules": []map[string]any{
		{"action": "DECLINE", "requesterDomain": "OTHER"},
		{"action": "APPROVE", "role": "SMART_ACCOUNT_VIEWER", "requesterDomain": "OWN"},
	}}
	errorOf(t, h.do(http.MethodPut, path, h.token("erin@acme.com"), body), http.StatusForbidden)
	if e := errorOf(t, h.do(http.MethodPut, path, alice, map[string]any{"rules": []map[string]any{{"action": "ROUTE_TO_VA_ADMINS", "role": "SMART_ACCOUNT_USER"}}}),
		http.StatusBadRequest); e.Field != "rules[0].role" {
		t.Errorf("field %q", e.Field)
	}
	v := jsonOf(t, h.do(http.MethodPut, path, alice, body), http.StatusOK)
	if rules := list(t, v["rules"], "rules"); len(rules) != 2 || rules[1]["description"] != "approve Smart Account Viewer for people of the account's own domain" {
		t.Fatalf("rules %v", v)
	}
	// The rule decides at once; the first answer says so.
	ok := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+acme.ID+"/access-requests", h.token("dev@acme.com"),
		map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "read"}), http.StatusAccepted)
	if ok["status"] != "APPROVED" || !strings.HasPrefix(fmt.Sprint(ok["decidedBy"]), models.ActorRulePrefix) {
		t.Errorf("rule-approved answer %v", ok)
	}
	no := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+acme.ID+"/access-requests", h.token("x@elsewhere.org"),
		map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "please"}), http.StatusAccepted)
	if no["status"] != "DECLINED" {
		t.Errorf("rule-declined answer %v", no)
	}
}

func TestDirectoryAndSMBUpgrade(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()
	dir := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/directory", h.token("erin@acme.com"), nil), http.StatusOK)
	entries := list(t, dir["smartAccounts"], "smartAccounts")
	if len(entries) != 1 || entries[0]["id"] != acme.ID || !slices.Equal(strs(t, entries[0]["admins"], "admins"), []string{"alice@acme.com", "bob@acme.com"}) {
		t.Errorf("erin's directory %v (restricted Labs must not be listed)", entries)
	}
	dave := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/directory", h.token("dave@acme.com"), nil), http.StatusOK)["smartAccounts"], "smartAccounts")
	if len(dave) != 2 || dave[0]["id"] != acme.ID || dave[1]["id"] != labs.ID || list(t, dave[1]["myRoles"], "myRoles")[0]["role"] != string(models.RoleSAAdmin) {
		t.Errorf("dave's directory %v", dave)
	}

	// Pat made an SMB account from gmail; signed in with the same CCO id and a company mail, it is eligible.
	smb := h.createSA("req-smb", "Pat's", "gmail.com", models.VisibilityUnrestricted, "pat@gmail.com")
	signer := auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}
	gmail := h.sign(signer, auth.Identity{Email: "pat@gmail.com", CCOID: "pat-1"})
	me := jsonOf(t, h.do(http.MethodGet, "/api/v1/me", gmail, nil), http.StatusOK)
	if me["upgradeEligible"] != false || list(t, me["smbAccounts"], "smbAccounts")[0]["reason"] == "" {
		t.Errorf("personal mail: %v", me)
	}
	errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/virtual-accounts", gmail, map[string]any{"name": "More"}), http.StatusUnprocessableEntity)
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/upgrade", gmail, map[string]any{}), http.StatusUnprocessableEntity)
	if !strings.Contains(e.Message, "personal address") {
		t.Errorf("message %q", e.Message)
	}
	company := h.sign(signer, auth.Identity{Email: "pat@patco.com", CCOID: "pat-1"})
	me = jsonOf(t, h.do(http.MethodGet, "/api/v1/me", company, nil), http.StatusOK)
	infos := list(t, me["smbAccounts"], "smbAccounts")
	if me["upgradeEligible"] != true || len(infos) != 1 || infos[0]["smartAccountId"] != smb.ID {
		t.Fatalf("company mail: %v", me)
	}
	if d := infos[0]["defaults"].(map[string]any); d["domain"] != "patco.com" || d["name"] != "Pat's" {
		t.Errorf("defaults %v", d)
	}
	detail := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+smb.ID, company, nil), http.StatusOK)
	if up, _ := detail["upgrade"].(map[string]any); up == nil || up["eligible"] != true {
		t.Errorf("the detail's upgrade %v", detail["upgrade"])
	}
	errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/upgrade", h.token("mallory@patco.com"), map[string]any{}), http.StatusNotFound)
	if e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/upgrade", company, map[string]any{"domain": "yahoo.com"}),
		http.StatusBadRequest); e.Field != "domain" {
		t.Errorf("personal domain: field %q", e.Field)
	}
	v := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/upgrade", company, map[string]any{"name": "Pat Co"}), http.StatusAccepted)
	if up := v["upgrade"].(map[string]any); up["status"] != "APPROVED" || up["domain"] != "patco.com" {
		t.Fatalf("upgrade %v", v)
	}
	sa := h.account(smb.ID)
	if sa.SMB || sa.Domain != "patco.com" || sa.Name != "Pat Co" {
		t.Errorf("account after the upgrade %+v", sa)
	}
	jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/virtual-accounts", company, map[string]any{"name": "More"}), http.StatusCreated)
}

// An acceptance link's page shows the address form and changes nothing; a used link says so.
func TestAcceptancePageNeverActsOnGet(t *testing.T) {
	h := newHarness(t)
	st, err := h.store.CreateSmartAccount(context.Background(), activities.CreateSAInput{RequestID: "req-ob", WorkflowID: process.SACreateID("req-ob"),
		SARequest: process.SARequest{Name: "Cust", Domain: "cust.com", Visibility: models.VisibilityUnrestricted,
			Requester: models.Person{Email: "sam@partner.com"}, OnBehalf: true, CustomerContacts: []string{"cto@cust.com"},
			NoteToCustomer: "sign"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, tok := h.issueToken(models.PurposeSAAcceptance, process.SACreateID("req-ob"), st.SmartAccountID, "cto@cust.com", time.Now().Add(time.Hour))
	before := h.snapshot()
	for i := 0; i < 2; i++ {
		p := parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusOK)
		for _, want := range []string{`name="line1"`, `name="country"`, `value="ACCEPT"`, `value="DECLINE"`, "sign", "sam@partner.com"} {
			if !strings.Contains(p.body, want) {
				t.Fatalf("page lacks %s:\n%s", want, p.body)
			}
		}
	}
	if h.snapshot() != before {
		t.Fatal("GET changed the database")
	}
	// A bad address is refused by the process's validator (which has the last word on every field) and
	// shown back on the form, with what was typed; nothing changes.
	h.fake.decideErr = models.Invalid("headquarters.line1", "headquarters.line1 is required")
	p := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"ACCEPT"}, "company": {"Cust"}, "country": {"USA"}}), http.StatusBadRequest)
	if !strings.Contains(p.body, "headquarters.line1 is required") || !strings.Contains(p.body, `value="USA"`) ||
		len(h.fake.decideCalls()) != 1 || h.fake.decideCalls()[0].In.Headquarters == nil {
		t.Errorf("bad address: %s", p.body)
	}
	if h.snapshot() != before {
		t.Fatal("a refused answer changed the database")
	}
	h.db.Model(&models.ActionToken{}).Where("id = ?", tok.ID).Update("used_at", time.Now().UTC())
	parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusGone)
}

// The upgrade process of an account keeps its id while it finishes (mailing the outcome, which waits
// for an SMTP relay that is down): a new upgrade that joins it is told so, not answered 202 with the
// earlier, decided upgrade as if it were the one just requested.
func TestUpgradeJoiningAFinishedUpgradeIsAConflict(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	smb := h.createSA("req-smb2", "Kim's", "gmail.com", models.VisibilityUnrestricted, "kim@gmail.com")
	h.createSA("req-big", "Big Co", "bigco.com", models.VisibilityUnrestricted, "boss@bigco.com")
	old, err := h.store.RequestUpgrade(ctx, activities.RequestUpgradeInput{UpgradeID: models.NewID(), WorkflowID: process.SMBUpgradeID(smb.ID),
		SmartAccountID: smb.ID, Requester: models.Person{Email: "kim@bigco.com"}, Name: "Kim", Domain: "kim.bigco.com",
		Headquarters: models.Address{Company: "Kim", Line1: "1 St", City: "Oslo", Country: "NO"},
		Visibility:   models.VisibilityUnrestricted})
	if err != nil || old.Status != models.UpgradePendingApproval {
		t.Fatalf("first upgrade: %+v %v", old, err)
	}
	if _, err := h.store.DecideUpgrade(ctx, activities.DecideUpgradeInput{UpgradeID: old.UpgradeID, Actor: "boss@bigco.com", Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	h.fake.upgradeFn = func(context.Context, process.UpgradeInput) (process.UpgradeCreated, error) {
		return process.UpgradeCreated{UpgradeID: old.UpgradeID, SmartAccountID: smb.ID, Status: models.UpgradeDeclined}, nil
	}
	signer := auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}
	kim := h.sign(signer, auth.Identity{Email: "kim@kimco.com", CCOID: "kim-1"})
	// Kim signed in with the personal address first: the account is theirs through the CCO id.
	jsonOf(t, h.do(http.MethodGet, "/api/v1/me", h.sign(signer, auth.Identity{Email: "kim@gmail.com", CCOID: "kim-1"}), nil), http.StatusOK)
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts/"+smb.ID+"/upgrade", kim, map[string]any{"name": "Kim Co"}), http.StatusConflict)
	if !strings.Contains(e.Message, "try again") {
		t.Errorf("message %q", e.Message)
	}
}
