package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// activeAccount makes an ACTIVE account for a fresh TLD, administered by admin@<tld>.
func activeAccount(t *testing.T, label string) (tld string, admin *user, id string) {
	t.Helper()
	tld = domainOf(label)
	admin = as(t, "admin@"+tld)
	st, body := admin.post("/api/v1/smart-accounts", account(label+" Corp", ""))
	if st != http.StatusAccepted || body["status"] != "ACTIVE" {
		t.Fatalf("first account of %s: %d %v", tld, st, body)
	}
	return tld, admin, str(body["id"])
}

// provisionalAccount has bob@<tld> ask for another account of tld's company, name at domain: it waits
// for the approval of tld's administrators (PENDING_APPROVAL), or the test fails.
func provisionalAccount(t *testing.T, tld, name, domain string) (bob *user, body response) {
	t.Helper()
	bob = as(t, "bob@"+tld)
	st, body := bob.post("/api/v1/smart-accounts", account(name, domain))
	if st != http.StatusAccepted || body["status"] != "PENDING_APPROVAL" {
		t.Fatalf("%s's request for %s: %d %v", bob.email, name, st, body)
	}
	return bob, body
}

// hasEvents fails the test for each of actions missing from the account's history as u reads it.
func hasEvents(t *testing.T, u *user, saID string, actions ...string) {
	t.Helper()
	_, evs := u.get("/api/v1/smart-accounts/" + saID + "/events")
	seen := map[string]bool{}
	for _, e := range evs["events"].([]any) {
		seen[str(e.(map[string]any)["action"])] = true
	}
	for _, a := range actions {
		if !seen[a] {
			t.Errorf("the history of %s lacks %s: %v", saID, a, seen)
		}
	}
}

func TestAutoActivation(t *testing.T) {
	tld := domainOf("globex")
	carol := as(t, "Carol@"+strings.ToUpper(tld))
	nominee := "ops@" + tld
	st, body := carol.post("/api/v1/smart-accounts", account("Globex", "", "nominatedAdmins", []string{"myself", nominee}))
	if st != http.StatusAccepted {
		t.Fatalf("create: %d %v", st, body)
	}
	if body["status"] != "ACTIVE" || body["domain"] != tld || len(body["waitingOn"].([]any)) != 0 {
		t.Fatalf("create answered %v", body)
	}
	id := str(body["id"])
	sa := account1(t, id)
	if sa.Status != models.SAActive || sa.ActivatedAt == nil {
		t.Fatalf("row: %+v", sa)
	}
	admins, _ := models.AdminEmails(context.Background(), sys.db, id)
	if len(admins) != 2 || !contains(admins, "carol@"+tld) || !contains(admins, nominee) {
		t.Fatalf("admins %v", admins)
	}
	m := mailTo(t, "carol@"+tld, "is active")
	if !strings.Contains(m.Text, "Globex") {
		t.Fatalf("activation mail: %s", m.Text)
	}
	mailTo(t, nominee, "administrator of the Smart Account Globex")

	_, vas := carol.get("/api/v1/smart-accounts/" + id + "/virtual-accounts")
	if v := vas["virtualAccounts"].([]any); len(v) != 1 || v[0].(map[string]any)["name"] != "DEFAULT" {
		t.Fatalf("virtual accounts %v", vas)
	}
	hasEvents(t, carol, id, models.EventSARequested, models.EventVACreated, models.EventSAActivated, models.EventRoleGranted)
}

func TestApprovalByEmailLink(t *testing.T) {
	tld, admin, _ := activeAccount(t, "acme")
	bob, body := provisionalAccount(t, tld, "Acme Labs", "labs."+tld)
	waiting := body["waitingOn"].([]any)
	if len(waiting) != 1 || waiting[0].(map[string]any)["who"] != admin.email || str(waiting[0].(map[string]any)["deadline"]) == "" {
		t.Fatalf("waitingOn %v", waiting)
	}
	id := str(body["id"])
	mailTo(t, bob.email, "pending approval")
	link := actionLink(t, mailTo(t, admin.email, "Approve or decline the Smart Account request Acme Labs"))

	// Opening the link (as a mail scanner would, twice) changes nothing.
	for i := 0; i < 2; i++ {
		code, html := page(t, link, nil)
		if code != http.StatusOK || !strings.Contains(html, `<form method="post">`) || !strings.Contains(html, "Acme Labs") ||
			!strings.Contains(html, bob.email) || !strings.Contains(html, `value="APPROVE"`) {
			t.Fatalf("GET page: %d %s", code, html)
		}
	}
	if sa := account1(t, id); sa.Status != models.SAPendingApproval {
		t.Fatalf("GET changed the account to %s", sa.Status)
	}
	var tok models.ActionToken
	sys.db.Where("subject_id = ? AND recipient = ?", id, admin.email).Take(&tok)
	if tok.UsedAt != nil {
		t.Fatal("GET used the token")
	}

	code, html := page(t, link, url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Approved") {
		t.Fatalf("POST page: %d %s", code, html)
	}
	sa := account1(t, id)
	if sa.Status != models.SAActive || sa.DecidedBy != admin.email || sa.ActivatedAt == nil {
		t.Fatalf("after approval: %+v", sa)
	}
	mailTo(t, bob.email, "Acme Labs is active")
	_, got := bob.get("/api/v1/smart-accounts/" + id)
	if got["status"] != "ACTIVE" {
		t.Fatalf("bob sees %v", got)
	}
	// The same link again: already used.
	if code, html := page(t, link, url.Values{"decision": {"APPROVE"}}); code != http.StatusGone || !strings.Contains(html, "already used") {
		t.Fatalf("reused link: %d %s", code, html)
	}
}

func TestDeclineWithReason(t *testing.T) {
	tld, admin, _ := activeAccount(t, "initrode")
	bob, body := provisionalAccount(t, tld, "Initrode Shadow", "shadow."+tld)
	id := str(body["id"])
	link := actionLink(t, mailTo(t, admin.email, "Initrode Shadow"))

	code, html := page(t, link, url.Values{"decision": {"DECLINE"}})
	if code != http.StatusBadRequest || !strings.Contains(html, "reason") || !strings.Contains(html, `<form method="post">`) {
		t.Fatalf("decline without reason: %d %s", code, html)
	}
	if account1(t, id).Status != models.SAPendingApproval {
		t.Fatal("a refused decline changed the account")
	}
	code, html = page(t, link, url.Values{"decision": {"DECLINE"}, "reason": {"Use the existing account, ask me for access"}})
	if code != http.StatusOK || !strings.Contains(html, "Declined") {
		t.Fatalf("decline: %d %s", code, html)
	}
	sa := account1(t, id)
	if sa.Status != models.SADeclined || sa.DecisionReason != "Use the existing account, ask me for access" || sa.DecidedBy != admin.email {
		t.Fatalf("declined row: %+v", sa)
	}
	m := mailTo(t, bob.email, "was declined")
	if !strings.Contains(m.Text, "Use the existing account, ask me for access") || !strings.Contains(m.Text, admin.email) {
		t.Fatalf("decline mail: %s", m.Text)
	}
	// A second decision through the API says who decided, and when.
	st, resp := admin.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"})
	if st != http.StatusConflict || !strings.Contains(str(resp["error"].(map[string]any)["message"]), "declined by "+admin.email) {
		t.Fatalf("second decision: %d %v", st, resp)
	}
	// The domain is free again.
	if st, body := bob.post("/api/v1/smart-accounts", account("Initrode Shadow 2", "shadow."+tld)); st != http.StatusAccepted {
		t.Fatalf("domain not freed: %d %v", st, body)
	}
}

func TestDomainApprovalApproved(t *testing.T) {
	approver := as(t, "approver-"+uniq()+"@cisco.com", models.RoleCiscoApprover)
	own := domainOf("umbrella")
	foreign := domainOf("umbrella-holdings")
	req := as(t, "it@"+own)
	st, body := req.post("/api/v1/smart-accounts", account("Umbrella Holdings", foreign, "noteToApprover", "we own this domain"))
	if st != http.StatusAccepted || body["status"] != "PENDING_DOMAIN_APPROVAL" {
		t.Fatalf("create: %d %v", st, body)
	}
	id := str(body["id"])
	if !whoIn(body, approver.email) {
		t.Fatalf("waitingOn lacks %s: %v", approver.email, body["waitingOn"])
	}
	m := mailTo(t, approver.email, "Domain approval needed: "+foreign)
	if !strings.Contains(m.Text, "we own this domain") {
		t.Fatalf("task mail: %s", m.Text)
	}
	// An administrator's decide is refused while the domain waits for Cisco.
	code, html := page(t, actionLink(t, m), url.Values{"decision": {"APPROVE"}})
	if code != http.StatusOK || !strings.Contains(html, "Domain approved") {
		t.Fatalf("approve domain: %d %s", code, html)
	}
	sa := account1(t, id)
	if sa.Status != models.SAActive || sa.DecidedBy != approver.email {
		t.Fatalf("after domain approval: %+v", sa)
	}
	mailTo(t, req.email, "Umbrella Holdings is active")
}

func TestDomainApprovalThenAdministrators(t *testing.T) {
	approver := as(t, "approver2-"+uniq()+"@cisco.com", models.RoleCiscoApprover)
	tld, admin, _ := activeAccount(t, "wayne")
	outsider := as(t, "consultant@"+domainOf("consulting"))
	st, body := outsider.post("/api/v1/smart-accounts", account("Wayne East", "east."+tld))
	if st != http.StatusAccepted || body["status"] != "PENDING_DOMAIN_APPROVAL" {
		t.Fatalf("create: %d %v", st, body)
	}
	id := str(body["id"])
	// The administrators cannot decide before Cisco approved the domain.
	if st, resp := admin.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"}); st != http.StatusForbidden {
		t.Fatalf("admin decided the domain: %d %v", st, resp)
	}
	st, resp := approver.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"})
	if st != http.StatusOK || resp["smartAccount"].(map[string]any)["status"] != "PENDING_APPROVAL" {
		t.Fatalf("domain approval: %d %v", st, resp)
	}
	mailTo(t, admin.email, "Wayne East")
	st, resp = admin.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"})
	if st != http.StatusOK || resp["smartAccount"].(map[string]any)["status"] != "ACTIVE" {
		t.Fatalf("admin approval: %d %v", st, resp)
	}
	if sa := account1(t, id); sa.Status != models.SAActive || sa.DecidedBy != admin.email {
		t.Fatalf("row: %+v", sa)
	}
}

func TestDomainApprovalDeclined(t *testing.T) {
	approver := as(t, "approver3-"+uniq()+"@cisco.com", models.RoleCiscoApprover)
	req := as(t, "it@"+domainOf("oscorp"))
	foreign := domainOf("not-oscorp")
	_, body := req.post("/api/v1/smart-accounts", account("Oscorp Foreign", foreign))
	id := str(body["id"])
	link := actionLink(t, mailTo(t, approver.email, foreign))
	code, html := page(t, link, url.Values{"decision": {"DECLINE"}, "reason": {"The requester does not own " + foreign}})
	if code != http.StatusOK || !strings.Contains(html, "DECLINED") {
		t.Fatalf("decline domain: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SADeclined || !strings.Contains(sa.DecisionReason, "does not own") {
		t.Fatalf("row: %+v", sa)
	}
	if m := mailTo(t, req.email, "was declined"); !strings.Contains(m.Text, "does not own "+foreign) {
		t.Fatalf("decline mail: %s", m.Text)
	}
}

func TestExpiryWithReminders(t *testing.T) {
	tld, admin, _ := activeAccount(t, "cyberdyne")
	bob := asOn(t, sys.fast, "bob@"+tld)
	st, body := bob.post("/api/v1/smart-accounts", account("Cyberdyne Skynet", "skynet."+tld))
	if st != http.StatusAccepted || body["status"] != "PENDING_APPROVAL" {
		t.Fatalf("create: %d %v", st, body)
	}
	id := str(body["id"])
	task := mailTo(t, admin.email, "Cyberdyne Skynet")
	mailTo(t, admin.email, "Reminder: Approve or decline the Smart Account request Cyberdyne Skynet")
	mailTo(t, bob.email, "Cyberdyne Skynet expired")
	if sa := account1(t, id); sa.Status != models.SAExpired {
		t.Fatalf("after expiry: %s", sa.Status)
	}
	if n := len(mailsTo(admin.email, "Reminder: Approve or decline the Smart Account request Cyberdyne Skynet")); n != 2 {
		t.Errorf("reminders sent: %d, want 2", n)
	}
	// The expired task's link: a clear page, a 4xx, nothing changes.
	code, html := page(t, actionLink(t, task), url.Values{"decision": {"APPROVE"}})
	if code != http.StatusGone || !strings.Contains(html, "expired") {
		t.Fatalf("expired link: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SAExpired {
		t.Fatalf("expired link changed the account to %s", sa.Status)
	}
}

func TestForgedAndExpiredTokens(t *testing.T) {
	base := sys.app.Config.PublicURL
	code, html := page(t, base+"/a/forged-token-that-was-never-issued", nil)
	if code != http.StatusNotFound || !strings.Contains(html, "not valid") {
		t.Fatalf("forged GET: %d %s", code, html)
	}
	code, _ = page(t, base+"/a/forged-token-that-was-never-issued", url.Values{"decision": {"APPROVE"}})
	if code != http.StatusNotFound {
		t.Fatalf("forged POST: %d", code)
	}

	// A token past its expiry while the account still waits (a link from an old mail).
	tld, admin, _ := activeAccount(t, "tyrell")
	_, body := provisionalAccount(t, tld, "Tyrell Replicants", "nexus."+tld)
	id := str(body["id"])
	link := actionLink(t, mailTo(t, admin.email, "Tyrell Replicants"))
	sys.db.Model(&models.ActionToken{}).Where("subject_id = ?", id).Update("expires_at", time.Now().UTC().Add(-time.Minute))
	code, html = page(t, link, url.Values{"decision": {"APPROVE"}})
	if code != http.StatusGone || !strings.Contains(html, "expired") {
		t.Fatalf("expired token: %d %s", code, html)
	}
	if account1(t, id).Status != models.SAPendingApproval {
		t.Fatal("an expired token changed the account")
	}
}

func TestNonApproverIsForbidden(t *testing.T) {
	tld, admin, _ := activeAccount(t, "soylent")
	bob, body := provisionalAccount(t, tld, "Soylent Green", "green."+tld)
	mallory := as(t, "mallory@"+tld)
	id := str(body["id"])
	for _, u := range []*user{mallory, bob} {
		st, resp := u.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"})
		if st != http.StatusForbidden {
			t.Fatalf("%s decided: %d %v", u.email, st, resp)
		}
	}
	if account1(t, id).Status != models.SAPendingApproval {
		t.Fatal("a forbidden decision changed the account")
	}
	if st, resp := admin.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "DECLINE"}); st != http.StatusBadRequest ||
		resp["error"].(map[string]any)["field"] != "reason" {
		t.Fatalf("decline without reason: %d %v", st, resp)
	}
}

func TestIdempotencyKey(t *testing.T) {
	tld := domainOf("hooli")
	gavin := as(t, "gavin@"+tld)
	var wg sync.WaitGroup
	ids := make([]string, 4)
	codes := make([]int, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, body := gavin.post("/api/v1/smart-accounts", account("Hooli", ""), "Idempotency-Key", "create-hooli-1")
			ids[i], codes[i] = str(body["id"]), st
		}()
	}
	wg.Wait()
	for i := range ids {
		if codes[i] != http.StatusAccepted || ids[i] != ids[0] || ids[0] == "" {
			t.Fatalf("answers %v %v", codes, ids)
		}
	}
	// Later, once the process has finished: still the same account.
	st, body := gavin.post("/api/v1/smart-accounts", account("Hooli", ""), "Idempotency-Key", "create-hooli-1")
	if st != http.StatusAccepted || body["id"] != ids[0] {
		t.Fatalf("repeat: %d %v", st, body)
	}
	var n int64
	sys.db.Model(&models.SmartAccount{}).Where("domain = ?", tld).Count(&n)
	if n != 1 {
		t.Fatalf("%d accounts for %s", n, tld)
	}
	sa := account1(t, ids[0])
	eventually(t, "visibility of the workflow", func() bool {
		resp, err := sys.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: sys.temporal.GetDefaultNamespace(), Query: `WorkflowId = "` + process.SACreateID(sa.RequestID) + `"`})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Executions) > 1 {
			t.Fatalf("%d runs of %s", len(resp.Executions), sa.WorkflowID)
		}
		return len(resp.Executions) == 1
	})
	if st, _ := gavin.post("/api/v1/smart-accounts", account("Hooli XYZ", ""), "Idempotency-Key", "create-hooli-1"); st != http.StatusConflict {
		t.Fatalf("key reused for another request: %d", st)
	}
}

func TestWorkerRestartLosesNothing(t *testing.T) {
	tld, admin, _ := activeAccount(t, "aperture")
	bob, body := provisionalAccount(t, tld, "Aperture Science", "science."+tld)
	id := str(body["id"])
	link := actionLink(t, mailTo(t, admin.email, "Aperture Science"))

	sys.app.StopWorker()
	type result struct {
		code int
		html string
	}
	done := make(chan result, 1)
	go func() {
		code, html := page(t, link, url.Values{"decision": {"APPROVE"}})
		done <- result{code, html}
	}()
	time.Sleep(time.Second)
	if account1(t, id).Status != models.SAPendingApproval {
		t.Fatal("decided without a worker")
	}
	replacement, err := sys.newApp(context.Background(), sys.cfg, false, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		replacement.StopWorker()
		if err := sys.app.StartWorker(); err != nil {
			t.Error(err)
		}
	}()
	select {
	case r := <-done:
		if r.code != http.StatusOK || !strings.Contains(r.html, "Approved") {
			t.Fatalf("approval across the restart: %d %s", r.code, r.html)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the approval did not complete after the new worker started")
	}
	if sa := account1(t, id); sa.Status != models.SAActive {
		t.Fatalf("after restart: %s", sa.Status)
	}
	mailTo(t, bob.email, "Aperture Science is active")
}

func whoIn(body response, email string) bool {
	ws, _ := body["waitingOn"].([]any)
	for _, w := range ws {
		if w.(map[string]any)["who"] == email {
			return true
		}
	}
	return false
}
