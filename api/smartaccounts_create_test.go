package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func TestCreateSmartAccountValidation(t *testing.T) {
	h := newHarness(t)
	tok := h.token("alice@acme.com")
	with := func(f func(b map[string]any)) map[string]any {
		b := createBody("Acme", "acme.com")
		f(b)
		return b
	}
	hqWith := func(f func(a map[string]any)) map[string]any {
		return with(func(b map[string]any) { f(b["headquarters"].(map[string]any)) })
	}
	fiftyOne := make([]string, 51)
	for i := range fiftyOne {
		fiftyOne[i] = fmt.Sprintf("n%d@acme.com", i)
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"empty name", with(func(b map[string]any) { b["name"] = "" }), "name"},
		{"blank name", with(func(b map[string]any) { b["name"] = "   " }), "name"},
		{"name of 101 characters", with(func(b map[string]any) { b["name"] = strings.Repeat("a", 101) }), "name"},
		{"domain not a host", with(func(b map[string]any) { b["domain"] = "not a host" }), "domain"},
		{"domain without a suffix", with(func(b map[string]any) { b["domain"] = "acme" }), "domain"},
		{"headquarters missing", with(func(b map[string]any) { delete(b, "headquarters") }), "headquarters"},
		{"headquarters null", with(func(b map[string]any) { b["headquarters"] = nil }), "headquarters"},
		{"headquarters.country missing", hqWith(func(a map[string]any) { delete(a, "country") }), "headquarters.country"},
		{"country of three letters", hqWith(func(a map[string]any) { a["country"] = "USA" }), "headquarters.country"},
		{"headquarters.city missing", hqWith(func(a map[string]any) { a["city"] = " " }), "headquarters.city"},
		{"a nominee that is not an address", with(func(b map[string]any) {
			b["nominatedAdmins"] = []string{"ops@acme.com", "not-an-email"}
		}), "nominatedAdmins[1]"},
		{"a nominee with a display name", with(func(b map[string]any) {
			b["nominatedAdmins"] = []string{"Ops <ops@acme.com>"}
		}), "nominatedAdmins[0]"},
		{"51 nominees", with(func(b map[string]any) { b["nominatedAdmins"] = fiftyOne }), "nominatedAdmins"},
		{"unknown visibility", with(func(b map[string]any) { b["visibility"] = "SECRET" }), "visibility"},
		{"unknown field", with(func(b map[string]any) { b["colour"] = "red" }), "colour"},
		{"wrong type", with(func(b map[string]any) { b["name"] = 5 }), "name"},
		{"invalid JSON", `{"name": "Acme",`, ""},
		{"two JSON values", `{"name":"Acme"} {"name":"Again"}`, ""},
		{"empty body", ``, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.do(http.MethodPost, "/api/v1/smart-accounts", tok, deliberatelyBad(tc.body))
			e := errorOf(t, rec, http.StatusBadRequest)
			if e.Code != models.CodeInvalid {
				t.Errorf("code %q, want %s", e.Code, models.CodeInvalid)
			}
			if e.Field != tc.field {
				t.Errorf("field %q, want %q (message %q)", e.Field, tc.field, e.Message)
			}
		})
	}
	if n := len(h.fake.startCalls()); n != 0 {
		t.Errorf("StartSACreate called %d times for invalid requests, want 0", n)
	}
	if n := h.count(&models.SmartAccount{}); n != 0 {
		t.Errorf("%d accounts after invalid requests", n)
	}
}

func TestCreateSmartAccountDefaults(t *testing.T) {
	h := newHarness(t)
	body := createBody("  Acme  ", "")
	delete(body, "visibility")
	body["nominatedAdmins"] = []string{"Ops@Acme.com", " ops@acme.com ", "myself", "ALICE@acme.com", "Sam@Acme.com"}
	rec := h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("Alice@Acme.com"), body)
	jsonOf(t, rec, http.StatusAccepted)

	calls := h.fake.startCalls()
	if len(calls) != 1 {
		t.Fatalf("StartSACreate called %d times, want 1", len(calls))
	}
	req := calls[0].Req
	if req.Domain != "acme.com" {
		t.Errorf("domain %q, want the requester's email domain acme.com", req.Domain)
	}
	if req.Name != "Acme" {
		t.Errorf("name %q, want it trimmed", req.Name)
	}
	if req.Visibility != models.VisibilityUnrestricted {
		t.Errorf("visibility %q, want UNRESTRICTED by default", req.Visibility)
	}
	if want := []string{"ops@acme.com", "alice@acme.com", "sam@acme.com"}; !slices.Equal(req.NominatedAdmins, want) {
		t.Errorf("nominatedAdmins %q, want %q (lowercased, myself = the requester, no repeats)", req.NominatedAdmins, want)
	}
	if req.Requester.Email != "alice@acme.com" || req.Requester.Name != "Alice" {
		t.Errorf("requester %+v, want alice@acme.com from the token", req.Requester)
	}
	if req.Headquarters != hq {
		t.Errorf("headquarters %+v, want %+v", req.Headquarters, hq)
	}
	if calls[0].RequestID == "" {
		t.Errorf("empty request id")
	}
}

func TestCreateSmartAccountAnswers202(t *testing.T) {
	h := newHarness(t)
	h.acme()
	since := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	deadline := since.Add(30 * 24 * time.Hour)
	h.fake.startWaiting = []models.Waiting{
		{Who: "alice@acme.com", Action: "approve", Since: since, Deadline: deadline},
		{Who: "bob@acme.com", Action: "approve", Since: since, Deadline: deadline},
	}
	body := createBody("Acme Engineering", "Eng.Acme.com")
	body["noteToApprover"] = "for the lab"
	rec := h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("carol@acme.com"), body)
	v := jsonOf(t, rec, http.StatusAccepted)

	id, _ := v["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", rec.Body)
	}
	if loc := rec.Header().Get("Location"); loc != "/api/v1/smart-accounts/"+id {
		t.Errorf("Location %q, want /api/v1/smart-accounts/%s", loc, id)
	}
	if v["status"] != string(models.SAPendingApproval) {
		t.Errorf("status %v, want PENDING_APPROVAL", v["status"])
	}
	if v["domain"] != "eng.acme.com" || v["tld"] != "acme.com" || v["name"] != "Acme Engineering" {
		t.Errorf("name/domain/tld = %v/%v/%v", v["name"], v["domain"], v["tld"])
	}
	if v["requestedBy"] != "carol@acme.com" || v["visibility"] != "UNRESTRICTED" || v["noteToApprover"] != "for the lab" {
		t.Errorf("requestedBy/visibility/note = %v/%v/%v", v["requestedBy"], v["visibility"], v["noteToApprover"])
	}
	if v["why"] == nil || v["why"] == "" {
		t.Errorf("no why in %s", rec.Body)
	}
	hqOut, _ := v["headquarters"].(map[string]any)
	if hqOut["postalCode"] != "95134" || hqOut["country"] != "US" {
		t.Errorf("headquarters %v, want camelCase postalCode and country", hqOut)
	}
	rfc3339UTC(t, "createdAt", v["createdAt"])
	rfc3339UTC(t, "updatedAt", v["updatedAt"])
	waiting := list(t, v["waitingOn"], "waitingOn")
	if len(waiting) != 2 {
		t.Fatalf("waitingOn %v, want what the process answered", v["waitingOn"])
	}
	for i, w := range waiting {
		if w["who"] != h.fake.startWaiting[i].Who || w["action"] != "approve" {
			t.Errorf("waitingOn[%d] = %v", i, w)
		}
		if got := rfc3339UTC(t, "waitingOn.since", w["since"]); !got.Equal(since) {
			t.Errorf("since %v, want %v", got, since)
		}
		if got := rfc3339UTC(t, "waitingOn.deadline", w["deadline"]); !got.Equal(deadline) {
			t.Errorf("deadline %v, want %v", got, deadline)
		}
	}
	if got := rfc3339UTC(t, "deadline", v["deadline"]); !got.Equal(deadline) {
		t.Errorf("deadline %v, want %v", got, deadline)
	}
	for _, internal := range []string{"requestId", "workflowId", "RequestID", "WorkflowID"} {
		if _, ok := v[internal]; ok {
			t.Errorf("the answer shows %s: %s", internal, rec.Body)
		}
	}
	// The account is there to be read back at the Location.
	got := jsonOf(t, h.do(http.MethodGet, rec.Header().Get("Location"), h.token("carol@acme.com"), nil), http.StatusOK)
	if got["id"] != id {
		t.Errorf("GET Location: id %v, want %s", got["id"], id)
	}
}

func TestCreateSmartAccountDomainInUse(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()

	post := func(t *testing.T, email string, roles ...string) apiError {
		t.Helper()
		before := len(h.fake.startCalls())
		rec := h.do(http.MethodPost, "/api/v1/smart-accounts", h.token(email, roles...), createBody("Acme Two", "ACME.com"))
		e := errorOf(t, rec, http.StatusConflict)
		if e.Code != models.CodeConflict {
			t.Errorf("code %q, want CONFLICT", e.Code)
		}
		if !strings.Contains(e.Message, "acme.com") {
			t.Errorf("message %q does not name the domain", e.Message)
		}
		if n := len(h.fake.startCalls()) - before; n != 0 {
			t.Errorf("StartSACreate called %d times for a domain in use", n)
		}
		if e.Details["tld"] != "acme.com" {
			t.Errorf("details.tld %v, want acme.com", e.Details["tld"])
		}
		ways := list(t, e.Details["waysForward"], "details.waysForward")
		var actions []string
		for _, w := range ways {
			actions = append(actions, fmt.Sprint(w["action"]))
			if w["how"] == nil || w["how"] == "" {
				t.Errorf("way forward %v says not how", w)
			}
		}
		if !slices.Contains(actions, "REQUEST_ACCESS") || !slices.Contains(actions, "MODIFIED_DOMAIN") {
			t.Errorf("waysForward %v, want REQUEST_ACCESS and MODIFIED_DOMAIN", actions)
		}
		return e
	}
	listed := func(t *testing.T, e apiError) map[string]map[string]any {
		t.Helper()
		out := map[string]map[string]any{}
		for _, sa := range list(t, e.Details["smartAccounts"], "details.smartAccounts") {
			out[fmt.Sprint(sa["id"])] = sa
		}
		return out
	}

	t.Run("outsider of the restricted account", func(t *testing.T) {
		e := post(t, "erin@acme.com")
		got := listed(t, e)
		a, ok := got[acme.ID]
		if !ok {
			t.Fatalf("Acme is not listed: %v", e.Details["smartAccounts"])
		}
		if a["name"] != "Acme" || a["domain"] != "acme.com" || a["status"] != "ACTIVE" {
			t.Errorf("Acme listed as %v", a)
		}
		if admins := strs(t, a["admins"], "admins"); !slices.Equal(admins, []string{"alice@acme.com", "bob@acme.com"}) {
			t.Errorf("Acme admins %v, want alice and bob", admins)
		}
		if actions := strs(t, a["actions"], "actions"); !slices.Equal(actions, []string{"REQUEST_ACCESS"}) {
			t.Errorf("Acme actions %v, want [REQUEST_ACCESS]", actions)
		}
		if _, ok := got[labs.ID]; ok {
			t.Errorf("the RESTRICTED Acme Labs is listed to erin, who is not a member: %v", e.Details["smartAccounts"])
		}
		if len(got) != 1 {
			t.Errorf("listed %d accounts, want 1", len(got))
		}
	})
	t.Run("member of the restricted account", func(t *testing.T) {
		got := listed(t, post(t, "dave@acme.com"))
		l, ok := got[labs.ID]
		if !ok {
			t.Fatalf("Acme Labs is not listed to its administrator dave")
		}
		if admins := strs(t, l["admins"], "admins"); !slices.Equal(admins, []string{"dave@acme.com"}) {
			t.Errorf("Labs admins %v, want dave", admins)
		}
		if _, ok := got[acme.ID]; !ok {
			t.Errorf("Acme is not listed to dave")
		}
	})
	t.Run("Cisco support", func(t *testing.T) {
		got := listed(t, post(t, "zed@cisco.com", models.RoleCiscoSupport))
		if _, ok := got[labs.ID]; !ok {
			t.Errorf("Acme Labs is not listed to internal support")
		}
	})
}

func TestCreateSmartAccountDomainTakenWhileStarting(t *testing.T) {
	// Another request takes the domain between the handler's check and the workflow's first step: the
	// workflow refuses with CONFLICT, and the client gets the same 409 as the check would have given.
	h := newHarness(t)
	h.fake.startFn = func(ctx context.Context, rid string, req process.SARequest) (process.CreateResponse, error) {
		h.createSA("req-other", "Acme First", req.Domain, models.VisibilityUnrestricted, "bob@acme.com")
		return h.fake.create(ctx, rid, req)
	}
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("alice@acme.com"), createBody("Acme", "acme.com")),
		http.StatusConflict)
	if e.Code != models.CodeConflict {
		t.Errorf("code %q", e.Code)
	}
	accounts := list(t, e.Details["smartAccounts"], "details.smartAccounts")
	if len(accounts) != 1 || accounts[0]["name"] != "Acme First" {
		t.Errorf("smartAccounts %v, want the account that took the domain", accounts)
	}
}

func TestCreateSmartAccountIdempotencyKey(t *testing.T) {
	h := newHarness(t)
	tok := h.token("alice@acme.com")
	key := []string{"Idempotency-Key", "order-4711"}

	first := jsonOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", tok, createBody("Acme", "acme.com"), key...), http.StatusAccepted)
	rec := h.do(http.MethodPost, "/api/v1/smart-accounts", tok, createBody("Acme", "acme.com"), key...)
	second := jsonOf(t, rec, http.StatusAccepted)
	if first["id"] == nil || second["id"] != first["id"] {
		t.Errorf("repeated POST answered id %v, the first %v", second["id"], first["id"])
	}
	if second["status"] != first["status"] {
		t.Errorf("repeated POST status %v, first %v", second["status"], first["status"])
	}
	if loc := rec.Header().Get("Location"); loc != fmt.Sprint("/api/v1/smart-accounts/", first["id"]) {
		t.Errorf("repeated POST Location %q", loc)
	}
	if n := len(h.fake.startCalls()); n != 1 {
		t.Errorf("StartSACreate called %d times, want 1", n)
	}

	t.Run("same key, another request", func(t *testing.T) {
		e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", tok, createBody("Acme Corp", "acme.com"), key...),
			http.StatusConflict)
		if e.Field != "Idempotency-Key" {
			t.Errorf("field %q, want Idempotency-Key", e.Field)
		}
		if n := len(h.fake.startCalls()); n != 1 {
			t.Errorf("StartSACreate called %d times, want 1", n)
		}
	})
	t.Run("same key, another requester", func(t *testing.T) {
		// Keys are per requester: bob's key does not answer with alice's account.
		e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("bob@acme.com"), createBody("Acme", "acme.com"), key...),
			http.StatusConflict)
		if e.Field != "domain" {
			t.Errorf("field %q, want domain (the domain is in use)", e.Field)
		}
	})
	t.Run("key too long", func(t *testing.T) {
		e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", tok, createBody("Other", "other.acme.com"),
			"Idempotency-Key", strings.Repeat("k", 201)), http.StatusBadRequest)
		if e.Field != "Idempotency-Key" {
			t.Errorf("field %q, want Idempotency-Key", e.Field)
		}
	})
}

func TestCreateSmartAccountAlreadyStarted(t *testing.T) {
	t.Run("answered from the database", func(t *testing.T) {
		// A concurrent request with the same key started the process first: the start is refused as
		// already started, and the handler answers with the account that process made.
		h := newHarness(t)
		var made string
		h.fake.startFn = func(ctx context.Context, rid string, req process.SARequest) (process.CreateResponse, error) {
			res, err := h.fake.create(ctx, rid, req)
			if err != nil {
				return res, err
			}
			made = res.SmartAccountID
			return process.CreateResponse{}, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow already started", "", "run-1")
		}
		rec := h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("alice@acme.com"), createBody("Acme", "acme.com"),
			"Idempotency-Key", "k1")
		v := jsonOf(t, rec, http.StatusAccepted)
		if v["id"] != made || made == "" {
			t.Errorf("id %v, want the account the first start made (%s)", v["id"], made)
		}
		if rec.Header().Get("Location") != "/api/v1/smart-accounts/"+made {
			t.Errorf("Location %q", rec.Header().Get("Location"))
		}
		if v["status"] != "ACTIVE" {
			t.Errorf("status %v, want ACTIVE", v["status"])
		}
	})
	t.Run("refused request", func(t *testing.T) {
		// The process of that key ended without an account (it was refused): 409, not 500.
		h := newHarness(t)
		h.fake.startFn = func(context.Context, string, process.SARequest) (process.CreateResponse, error) {
			return process.CreateResponse{}, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow already started", "", "run-1")
		}
		e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("alice@acme.com"), createBody("Acme", "acme.com"),
			"Idempotency-Key", "k1"), http.StatusConflict)
		if e.Code != models.CodeConflict {
			t.Errorf("code %q", e.Code)
		}
	})
}

func TestCreateSmartAccountProcessErrors(t *testing.T) {
	h := newHarness(t)
	h.fake.startFn = func(context.Context, string, process.SARequest) (process.CreateResponse, error) {
		return process.CreateResponse{}, &models.Error{Code: models.CodeUnavailable, Message: "the process engine did not answer in time; try again"}
	}
	e := errorOf(t, h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("alice@acme.com"), createBody("Acme", "acme.com")),
		http.StatusServiceUnavailable)
	if e.Code != models.CodeUnavailable {
		t.Errorf("code %q", e.Code)
	}

	h.fake.startFn = func(context.Context, string, process.SARequest) (process.CreateResponse, error) {
		return process.CreateResponse{}, fmt.Errorf("dial tcp 10.0.0.7:7233: secret-internal-detail")
	}
	rec := h.do(http.MethodPost, "/api/v1/smart-accounts", h.token("alice@acme.com"), createBody("Acme", "acme.com"))
	e = errorOf(t, rec, http.StatusInternalServerError)
	if e.Code != models.CodeInternal || strings.Contains(rec.Body.String(), "secret-internal-detail") {
		t.Errorf("500 body %s: want INTERNAL without the internal detail", rec.Body)
	}
}
