package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func decisionPath(id string) string { return "/api/v1/smart-accounts/" + id + "/decision" }

func TestDecisionValidation(t *testing.T) {
	h := newHarness(t)
	h.acme()
	eng := h.engineering()
	tok := h.token("alice@acme.com")
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"unknown decision", map[string]any{"decision": "MAYBE"}, "decision"},
		{"lowercase decision", map[string]any{"decision": "approve"}, "decision"},
		{"no decision", map[string]any{"reason": "fine"}, "decision"},
		{"unknown field", map[string]any{"decision": "APPROVE", "comment": "x"}, "comment"},
		{"wrong type", map[string]any{"decision": true}, "decision"},
		{"invalid JSON", `{"decision":`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := errorOf(t, h.do(http.MethodPost, decisionPath(eng.ID), tok, deliberatelyBad(tc.body)), http.StatusBadRequest)
			if e.Code != models.CodeInvalid || e.Field != tc.field {
				t.Errorf("error %+v, want INVALID with field %q", e, tc.field)
			}
		})
	}
	t.Run("unknown account", func(t *testing.T) {
		errorOf(t, h.do(http.MethodPost, decisionPath(models.NewID()), tok, map[string]any{"decision": "APPROVE"}), http.StatusNotFound)
	})
	if n := len(h.fake.decideCalls()); n != 0 {
		t.Errorf("Decide called %d times for refused requests", n)
	}
}

func TestDecisionOnPendingApproval(t *testing.T) {
	h := newHarness(t)
	h.acme()
	eng := h.engineering()
	h.fake.decideWithStore(eng.ID)
	tok := h.token("Alice@Acme.com", "smart-account-approver-beta")

	rec := h.do(http.MethodPost, decisionPath(eng.ID), tok, map[string]any{"decision": "APPROVE", "reason": "  welcome  "})
	v := jsonOf(t, rec, http.StatusOK)
	calls := h.fake.decideCalls()
	if len(calls) != 1 {
		t.Fatalf("Decide called %d times, want 1", len(calls))
	}
	c := calls[0]
	if want := process.SACreateID(eng.RequestID); c.WorkflowID != want || want != "sa-create/req-eng" {
		t.Errorf("workflow %q, want %q", c.WorkflowID, want)
	}
	if c.In.Decision != process.Approve || c.In.Actor != "alice@acme.com" || c.In.Via != process.ViaAPI || c.In.Reason != "welcome" {
		t.Errorf("decide input %+v, want APPROVE by alice@acme.com via api, reason trimmed", c.In)
	}
	if !slices.Equal(c.In.ActorRoles, []string{"smart-account-approver-beta"}) {
		t.Errorf("actor roles %v, want the token's", c.In.ActorRoles)
	}
	dec, _ := v["decision"].(map[string]any)
	if dec["decision"] != "APPROVE" || dec["status"] != "ACTIVE" || dec["decidedBy"] != "alice@acme.com" {
		t.Errorf("decision %v", dec)
	}
	rfc3339UTC(t, "decision.decidedAt", dec["decidedAt"])
	sa, _ := v["smartAccount"].(map[string]any)
	if sa["id"] != eng.ID || sa["status"] != "ACTIVE" {
		t.Errorf("smartAccount %v, want the account, now ACTIVE", sa)
	}
	if w := list(t, sa["waitingOn"], "smartAccount.waitingOn"); len(w) != 0 {
		t.Errorf("an ACTIVE account waits on %v", w)
	}
}

func TestDecisionOnPendingDomainApproval(t *testing.T) {
	h := newHarness(t)
	widgets := h.foreignDomain(models.VisibilityUnrestricted)
	h.fake.decideRes = process.DecideResult{SmartAccountID: widgets.ID, Decision: process.Decline,
		Status: models.SAPendingDomainApproval, DecidedBy: "ann@cisco.com", DecidedAt: time.Now().UTC()}
	rec := h.do(http.MethodPost, decisionPath(widgets.ID), h.token("ann@cisco.com", models.RoleCiscoApprover),
		map[string]any{"decision": "DECLINE", "reason": "not theirs"})
	jsonOf(t, rec, http.StatusOK)
	calls := h.fake.decideCalls()
	if len(calls) != 1 {
		t.Fatalf("Decide called %d times", len(calls))
	}
	if want := "domain-approval/req-foreign"; calls[0].WorkflowID != want || process.DomainApprovalID(widgets.RequestID) != want {
		t.Errorf("workflow %q, want %q", calls[0].WorkflowID, want)
	}
	in := calls[0].In
	if in.Decision != process.Decline || in.Reason != "not theirs" || in.Actor != "ann@cisco.com" ||
		!slices.Equal(in.ActorRoles, []string{models.RoleCiscoApprover}) || in.Via != process.ViaAPI {
		t.Errorf("decide input %+v", in)
	}
}

func TestDecisionOnAccountThatWaitsForNone(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	e := errorOf(t, h.do(http.MethodPost, decisionPath(acme.ID), h.token("alice@acme.com"), map[string]any{"decision": "APPROVE"}),
		http.StatusConflict)
	if e.Code != models.CodeConflict || !strings.Contains(e.Message, "ACTIVE") {
		t.Errorf("error %+v, want CONFLICT saying the account is ACTIVE", e)
	}
	if n := len(h.fake.decideCalls()); n != 0 {
		t.Errorf("Decide called %d times for an ACTIVE account", n)
	}

	// Declined before the call: the 409 says by whom and when, without asking the process.
	eng := h.engineering()
	if _, err := h.store.DecideSmartAccount(context.Background(), activities.DecideSAInput{SmartAccountID: eng.ID,
		Actor: "bob@acme.com", Reason: "no", Via: process.ViaEmail}); err != nil {
		t.Fatal(err)
	}
	eng = h.account(eng.ID)
	e = errorOf(t, h.do(http.MethodPost, decisionPath(eng.ID), h.token("alice@acme.com"), map[string]any{"decision": "APPROVE"}),
		http.StatusConflict)
	if want := "already declined by bob@acme.com at " + eng.DecidedAt.UTC().Format(time.RFC3339); e.Message != want {
		t.Errorf("message %q, want %q", e.Message, want)
	}
	if n := len(h.fake.decideCalls()); n != 0 {
		t.Errorf("Decide called %d times for a DECLINED account", n)
	}
}

func TestDecisionErrorsFromTheProcess(t *testing.T) {
	t.Run("forbidden", func(t *testing.T) {
		h := newHarness(t)
		h.acme()
		eng := h.engineering()
		forbidden := &models.Error{Code: models.CodeForbidden, Message: "erin@acme.com is not an approver of this request"}
		h.fake.decideErr = forbidden
		e := errorOf(t, h.do(http.MethodPost, decisionPath(eng.ID), h.token("erin@acme.com"), map[string]any{"decision": "APPROVE"}),
			http.StatusForbidden)
		if e.Code != models.CodeForbidden || e.Message != forbidden.Message {
			t.Errorf("error %+v", e)
		}
		if h.account(eng.ID).Status != models.SAPendingApproval {
			t.Errorf("the account changed")
		}
	})
	t.Run("invalid from the validator", func(t *testing.T) {
		h := newHarness(t)
		h.acme()
		eng := h.engineering()
		h.fake.decideErr = models.Invalid("reason", "a decline needs a reason for the requester")
		e := errorOf(t, h.do(http.MethodPost, decisionPath(eng.ID), h.token("alice@acme.com"), map[string]any{"decision": "DECLINE"}),
			http.StatusBadRequest)
		if e.Field != "reason" {
			t.Errorf("field %q, want reason", e.Field)
		}
	})
	t.Run("process closed: already declined by someone else", func(t *testing.T) {
		h := newHarness(t)
		h.acme()
		eng := h.engineering()
		// bob's decline lands while alice's decision is on its way: the process has ended when hers arrives.
		h.fake.decideFn = func(ctx context.Context, _ string, _ process.DecideInput) (process.DecideResult, error) {
			if _, err := h.store.DecideSmartAccount(ctx, activities.DecideSAInput{SmartAccountID: eng.ID,
				Actor: "bob@acme.com", Reason: "duplicate", Via: process.ViaEmail}); err != nil {
				return process.DecideResult{}, err
			}
			return process.DecideResult{}, fmt.Errorf("x: %w", process.ErrProcessClosed)
		}
		e := errorOf(t, h.do(http.MethodPost, decisionPath(eng.ID), h.token("alice@acme.com"), map[string]any{"decision": "APPROVE"}),
			http.StatusConflict)
		declined := h.account(eng.ID)
		if declined.Status != models.SADeclined || declined.DecidedAt == nil {
			t.Fatalf("fixture: %s", declined.Status)
		}
		want := "already declined by bob@acme.com at " + declined.DecidedAt.UTC().Format(time.RFC3339)
		if e.Code != models.CodeConflict || e.Message != want {
			t.Errorf("error %+v, want CONFLICT %q", e, want)
		}
	})
	t.Run("process closed after it expired", func(t *testing.T) {
		h := newHarness(t)
		h.acme()
		eng := h.engineering()
		h.fake.decideFn = func(ctx context.Context, _ string, _ process.DecideInput) (process.DecideResult, error) {
			if _, err := h.store.ExpireSmartAccount(ctx, activities.ExpireSAInput{SmartAccountID: eng.ID, From: models.SAPendingApproval}); err != nil {
				return process.DecideResult{}, err
			}
			return process.DecideResult{}, fmt.Errorf("x: %w", process.ErrProcessClosed)
		}
		e := errorOf(t, h.do(http.MethodPost, decisionPath(eng.ID), h.token("alice@acme.com"), map[string]any{"decision": "APPROVE"}),
			http.StatusGone)
		if !strings.Contains(e.Message, "expired") {
			t.Errorf("message %q, want it to say the request expired", e.Message)
		}
	})
}

// TestDecisionOnAccountTheCallerCannotSee: an account that GET answers 404 to is 404 on the decision
// route too, before any process is asked and without telling its status or who decided it.
func TestDecisionOnAccountTheCallerCannotSee(t *testing.T) {
	h := newHarness(t)
	h.acme()
	labs := h.labs()
	eng := h.engineering()
	if _, err := h.store.DecideSmartAccount(context.Background(), activities.DecideSAInput{SmartAccountID: eng.ID,
		Actor: "bob@acme.com", Reason: "duplicate", Via: process.ViaEmail}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		sa    models.SmartAccount
		email string
	}{
		{"restricted account, same TLD", labs, "erin@acme.com"},
		{"declined account of another TLD", eng, "mallory@evil.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := h.token(tc.email)
			errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+tc.sa.ID, tok, nil), http.StatusNotFound)
			rec := h.do(http.MethodPost, decisionPath(tc.sa.ID), tok, map[string]any{"decision": "APPROVE"})
			if rec.Code != http.StatusNotFound {
				t.Errorf("POST decision: %d %s, want the 404 GET gives", rec.Code, rec.Body)
			}
			for _, leak := range []string{"bob@acme.com", "alice@acme.com", string(tc.sa.Status)} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("POST decision tells %s about an account %s may not see: %s", leak, tc.email, rec.Body)
				}
			}
		})
	}
	if n := len(h.fake.decideCalls()); n != 0 {
		t.Errorf("Decide called %d times", n)
	}
}
