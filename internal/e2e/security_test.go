package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// whoWaits lists the people an answer's waitingOn names.
func whoWaits(body response) []string {
	var out []string
	ws, _ := body["waitingOn"].([]any)
	for _, w := range ws {
		out = append(out, str(w.(map[string]any)["who"]))
	}
	return out
}

// The approval gate cannot be made to escalate itself: an administrator of one account of the TLD never
// approves their own request, and an outsider they nominate into a new account never becomes an
// approver of the company's later requests (the reproduction of the review: Alice approves Bob's labs
// account; Bob requests another nominating eve@evil.com and approves it himself; Eve then decides every
// later request of the TLD).
func TestApprovalGateCannotEscalateItself(t *testing.T) {
	tld, alice, _ := activeAccount(t, "gate")
	bob, labs := provisionalAccount(t, tld, "Gate Labs", "labs."+tld)
	if st, body := alice.post("/api/v1/smart-accounts/"+str(labs["id"])+"/decision", map[string]any{"decision": "APPROVE"}); st != http.StatusOK {
		t.Fatalf("alice approves labs: %d %v", st, body)
	}

	st, second := bob.post("/api/v1/smart-accounts", account("Gate Two", "two."+tld, "nominatedAdmins", []string{"eve@evil.com"}))
	if st != http.StatusAccepted || second["status"] != "PENDING_APPROVAL" {
		t.Fatalf("second: %d %v", st, second)
	}
	if who := whoWaits(second); !slices.Equal(who, []string{alice.email}) {
		t.Fatalf("the second request waits for %v: its requester must not approve it", who)
	}
	id := str(second["id"])
	st, body := bob.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"})
	if st != http.StatusForbidden {
		t.Fatalf("bob approving his own request: %d %v", st, body)
	}
	if sa := account1(t, id); sa.Status != models.SAPendingApproval {
		t.Fatalf("after bob's attempt the account is %s", sa.Status)
	}
	if st, body := alice.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "APPROVE"}); st != http.StatusOK {
		t.Fatalf("alice approves: %d %v", st, body)
	}

	// Eve now administers an account of the TLD, but her address is not the company's: she decides nothing.
	eve := as(t, "eve@evil.com")
	carol := as(t, "carol@"+tld)
	st, third := carol.post("/api/v1/smart-accounts", account("Gate Three", "three."+tld))
	if st != http.StatusAccepted {
		t.Fatalf("third: %d %v", st, third)
	}
	who := whoWaits(third)
	if slices.Contains(who, eve.email) || !slices.Contains(who, alice.email) || !slices.Contains(who, bob.email) {
		t.Fatalf("carol's request waits for %v: the company's administrators, not eve", who)
	}
	if st, body := eve.post("/api/v1/smart-accounts/"+str(third["id"])+"/decision",
		map[string]any{"decision": "DECLINE", "reason": "mine now"}); st != http.StatusNotFound && st != http.StatusForbidden {
		t.Fatalf("eve declining: %d %v", st, body)
	}
	if len(mailsTo(eve.email, "Gate Three")) != 0 {
		t.Errorf("eve was mailed a task for the company's request")
	}
}

// A NUL byte in a decision is refused at the door, through the API and through the emailed link's
// form, and the request stays decidable: the next decision goes through.
func TestNULByteNeverPoisonsADecision(t *testing.T) {
	tld, admin, _ := activeAccount(t, "nul")
	bob, req := provisionalAccount(t, tld, "Nul Labs", "labs."+tld)
	id := str(req["id"])
	st, body := admin.post("/api/v1/smart-accounts/"+id+"/decision", map[string]any{"decision": "DECLINE", "reason": "x\u0000y"})
	if st != http.StatusBadRequest || str(body["error"].(map[string]any)["field"]) != "reason" {
		t.Fatalf("NUL through the API: %d %v", st, body)
	}
	link := actionLink(t, mailTo(t, admin.email, "Nul Labs"))
	code, html := page(t, link, url.Values{"decision": {"DECLINE"}, "reason": {"x\u0000y"}})
	if code != http.StatusBadRequest || !strings.Contains(html, `<form method="post">`) || !strings.Contains(html, "control characters") {
		t.Fatalf("NUL through the link: %d %s", code, html)
	}
	// A bidi override, which would reorder a mail subject, is refused the same way.
	if st, body := admin.post("/api/v1/smart-accounts/"+id+"/decision",
		map[string]any{"decision": "DECLINE", "reason": "ok\u202egnp.exe"}); st != http.StatusBadRequest {
		t.Fatalf("bidi override: %d %v", st, body)
	}
	code, html = page(t, link, url.Values{"decision": {"DECLINE"}, "reason": {"a duplicate of our lab"}})
	if code != http.StatusOK || !strings.Contains(html, "Declined") {
		t.Fatalf("the decision after the refusals: %d %s", code, html)
	}
	if sa := account1(t, id); sa.Status != models.SADeclined {
		t.Fatalf("account is %s", sa.Status)
	}
	_, acme := admin.get("/api/v1/smart-accounts?domain=" + tld)
	acmeID := str(acme["smartAccounts"].([]any)[0].(map[string]any)["id"])
	if st, body := bob.post("/api/v1/smart-accounts/"+acmeID+"/access-requests",
		map[string]any{"role": "SMART_ACCOUNT_VIEWER", "reason": "read\u0000"}); st != http.StatusBadRequest ||
		str(body["error"].(map[string]any)["field"]) != "reason" {
		t.Fatalf("NUL in an access request: %d %v", st, body)
	}
}

// Repeating one's own decision after a lost answer is answered with its outcome, also once the
// process has ended; another decision is a conflict.
func TestRepeatedDecisionIsIdempotent(t *testing.T) {
	tld, admin, _ := activeAccount(t, "again")
	_, req := provisionalAccount(t, tld, "Again Labs", "labs."+tld)
	path := "/api/v1/smart-accounts/" + str(req["id"]) + "/decision"
	st, first := admin.post(path, map[string]any{"decision": "APPROVE"})
	if st != http.StatusOK {
		t.Fatalf("approve: %d %v", st, first)
	}
	for i := 0; i < 2; i++ {
		st, again := admin.post(path, map[string]any{"decision": "APPROVE"})
		if st != http.StatusOK || again["decision"].(map[string]any)["decidedBy"] != admin.email ||
			again["smartAccount"].(map[string]any)["status"] != "ACTIVE" {
			t.Fatalf("repeat %d: %d %v", i, st, again)
		}
	}
	if st, body := admin.post(path, map[string]any{"decision": "DECLINE", "reason": "changed my mind"}); st != http.StatusConflict {
		t.Fatalf("another decision: %d %v", st, body)
	}
}
