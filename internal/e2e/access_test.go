package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// virtualAccounts makes n virtual accounts in the account, as its administrator, and returns their ids.
func virtualAccounts(t *testing.T, admin *user, saID string, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		st, va := admin.post("/api/v1/smart-accounts/"+saID+"/virtual-accounts", map[string]any{"name": fmt.Sprintf("Region %02d", i)})
		if st != http.StatusCreated {
			t.Fatalf("create VA %d: %d %v", i, st, va)
		}
		ids = append(ids, str(va["id"]))
	}
	return ids
}

func rolesOf(t *testing.T, saID, email string) []models.AccountRole {
	t.Helper()
	roles, err := models.RolesOn(context.Background(), sys.db, email, saID)
	if err != nil {
		t.Fatal(err)
	}
	return roles
}

// A user asks for a virtual account role on 25 virtual accounts; the administrator approves by the
// mailed link; every role is granted and the requester is told. A 26th is refused at once.
func TestAccessRequest25VirtualAccounts(t *testing.T) {
	tld, admin, saID := activeAccount(t, "regions")
	vas := virtualAccounts(t, admin, saID, 26)
	dev := as(t, "dev@"+tld)
	st, refused := dev.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "VIRTUAL_ACCOUNT_USER",
		"virtualAccounts": vas, "reason": "all regions"})
	if st != http.StatusBadRequest || refused["error"].(map[string]any)["field"] != "virtualAccounts" {
		t.Fatalf("26 VAs: %d %v", st, refused)
	}
	st, ar := dev.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "VIRTUAL_ACCOUNT_USER",
		"virtualAccounts": vas[:25], "reason": "on-call for every region"})
	if st != http.StatusAccepted || ar["status"] != "PENDING" || !whoIn(ar, admin.email) {
		t.Fatalf("25 VAs: %d %v", st, ar)
	}
	_, list := admin.get("/api/v1/smart-accounts/" + saID + "/access-requests?status=PENDING")
	if list["pendingCount"] != float64(1) {
		t.Fatalf("pending count %v", list["pendingCount"])
	}
	m := mailTo(t, admin.email, "Access request to the Smart Account regions Corp")
	if !strings.Contains(m.Text, "Virtual accounts (25)") || !strings.Contains(m.Text, "on-call for every region") {
		t.Fatalf("task mail: %s", m.Text)
	}
	link := actionLink(t, m)
	code, html := page(t, link, nil)
	if code != http.StatusOK || strings.Count(html, `name="declinedVirtualAccounts"`) != 25 {
		t.Fatalf("page: %d, %d boxes", code, strings.Count(html, `name="declinedVirtualAccounts"`))
	}
	code, html = page(t, link, url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Approved") || !strings.Contains(html, "25 virtual account") {
		t.Fatalf("approve: %d %s", code, html)
	}
	if roles := rolesOf(t, saID, dev.email); len(roles) != 25 || roles[0].Role != models.RoleVAUser {
		t.Fatalf("%d roles granted", len(roles))
	}
	mailTo(t, dev.email, "Access to the Smart Account regions Corp approved")
	_, list = admin.get("/api/v1/smart-accounts/" + saID + "/access-requests?status=PENDING")
	if list["pendingCount"] != float64(0) {
		t.Fatalf("pending count after: %v", list["pendingCount"])
	}
	_, users := admin.get("/api/v1/smart-accounts/" + saID + "/users")
	found := false
	for _, u := range users["users"].([]any) {
		if u.(map[string]any)["email"] == dev.email {
			found = len(u.(map[string]any)["roles"].([]any)) == 25
		}
	}
	if !found {
		t.Fatalf("users list lacks dev's 25 roles: %v", users)
	}
}

// The administrator hands the decision to a user of the account, who gets the task and approves.
// Neither a plain member nor the requester may decide (403).
func TestAccessRequestDelegated(t *testing.T) {
	tld, admin, saID := activeAccount(t, "delegating")
	// The administrator's own request for the lead is granted at once: the lead is now a user.
	st, lead := admin.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "SMART_ACCOUNT_USER",
		"reason": "team lead", "forEmails": []string{"lead@" + tld}})
	if st != http.StatusAccepted || lead["status"] != "APPROVED" {
		t.Fatalf("admin's request: %d %v", st, lead)
	}
	leadUser := as(t, "lead@"+tld)
	dev := as(t, "dev@"+tld)
	_, ar := dev.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "read the licenses"})
	id := str(ar["id"])
	for _, u := range []*user{leadUser, dev} {
		if st, resp := u.post("/api/v1/smart-accounts/"+saID+"/access-requests/"+id+"/decision", map[string]any{"decision": "APPROVE"}); st != http.StatusForbidden {
			t.Fatalf("%s decided: %d %v", u.email, st, resp)
		}
	}
	link := actionLink(t, mailTo(t, admin.email, "Access request to the Smart Account delegating Corp"))
	code, html := page(t, link, url.Values{"decision": {"DELEGATE"}, "delegateTo": {"nobody@" + tld}})
	if code != http.StatusBadRequest || !strings.Contains(html, "holds no role") {
		t.Fatalf("delegate to a stranger: %d %s", code, html)
	}
	code, html = page(t, link, url.Values{"decision": {"DELEGATE"}, "delegateTo": {leadUser.email}, "reason": {"your team"}})
	if code != http.StatusOK || !strings.Contains(html, "Handed over") {
		t.Fatalf("delegate: %d %s", code, html)
	}
	_, got := dev.get("/api/v1/smart-accounts/" + saID + "/access-requests/" + id)
	if got["delegatedTo"] != leadUser.email || !whoIn(got, leadUser.email) || whoIn(got, admin.email) {
		t.Fatalf("after delegation: %v", got)
	}
	code, html = page(t, actionLink(t, mailTo(t, leadUser.email, "Access request to the Smart Account delegating Corp")), url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Approved") {
		t.Fatalf("delegate approves: %d %s", code, html)
	}
	if roles := rolesOf(t, saID, dev.email); len(roles) != 1 || roles[0].Role != models.RoleSAViewer || roles[0].GrantedBy != leadUser.email {
		t.Fatalf("roles %+v", roles)
	}
	var ev models.Event
	if err := sys.db.Where("target_id = ? AND action = ?", id, models.EventAccessDelegated).Take(&ev).Error; err != nil || ev.Actor != admin.email {
		t.Fatalf("delegation event %+v %v", ev, err)
	}
}

// An automation rule approves a request of the account's own domain at once, and says so in the history.
func TestAccessRequestApprovedByRule(t *testing.T) {
	tld, admin, saID := activeAccount(t, "automated")
	st, rules := admin.do(http.MethodPut, "/api/v1/smart-accounts/"+saID+"/access-rules", map[string]any{"rules": []map[string]any{
		{"action": "APPROVE", "role": "SMART_ACCOUNT_VIEWER", "requesterDomain": "OWN"},
		{"action": "DECLINE", "requesterDomain": "OTHER"},
	}})
	if st != http.StatusOK {
		t.Fatalf("rules: %d %v", st, rules)
	}
	dev := as(t, "dev@"+tld)
	st, ar := dev.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "read"})
	if st != http.StatusAccepted || ar["status"] != "APPROVED" || len(ar["waitingOn"].([]any)) != 0 {
		t.Fatalf("request: %d %v", st, ar)
	}
	if roles := rolesOf(t, saID, dev.email); len(roles) != 1 || !strings.HasPrefix(roles[0].GrantedBy, models.ActorRulePrefix) {
		t.Fatalf("roles %+v", roles)
	}
	mailTo(t, dev.email, "Access to the Smart Account automated Corp approved")
	var ev models.Event
	sys.db.Where("target_id = ? AND action = ?", str(ar["id"]), models.EventAccessApproved).Take(&ev)
	if !strings.HasPrefix(ev.Actor, models.ActorRulePrefix) || ev.Details["rule"] == nil {
		t.Fatalf("the history does not name the rule: %+v", ev)
	}
	outsider := as(t, "guest@"+domainOf("outside"))
	if _, ar := outsider.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "hi"}); ar["status"] != "DECLINED" {
		t.Fatalf("outsider: %v", ar)
	}
	if n := len(mailsTo(admin.email, "Access request to the Smart Account automated Corp")); n != 0 {
		t.Fatalf("the administrator was asked %d times", n)
	}
}
