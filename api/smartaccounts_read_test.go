package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"

	"github.com/licensecentral/clc/models"
)

func TestGetSmartAccountVisibility(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()
	eng := h.engineering()
	widgets := h.foreignDomain(models.VisibilityRestricted)
	skunk := h.createSA("req-skunk", "Acme Skunkworks", "skunk.acme.com", models.VisibilityRestricted, "carol@acme.com")
	if skunk.Status != models.SAPendingApproval {
		t.Fatalf("fixture: skunkworks is %s", skunk.Status)
	}

	cases := []struct {
		name    string
		sa      models.SmartAccount
		email   string
		roles   []string
		visible bool
	}{
		{"administrator of the account", acme, "alice@acme.com", nil, true},
		{"same TLD, unrestricted", acme, "erin@acme.com", nil, true},
		{"same TLD, uppercase email", acme, "Erin@ACME.com", nil, true},
		{"another TLD, unrestricted", acme, "mallory@evil.com", nil, false},
		{"requester of a pending account", eng, "carol@acme.com", nil, true},
		{"member of a restricted account", labs, "dave@acme.com", nil, true},
		{"same TLD, restricted", labs, "erin@acme.com", nil, false},
		{"administrator of another account of the TLD, restricted", labs, "alice@acme.com", nil, false},
		{"licensing ops, restricted", labs, "ops@cisco.com", []string{models.RoleLicensingOps}, true},
		{"cisco approver, restricted", widgets, "ann@cisco.com", []string{models.RoleCiscoApprover}, true},
		{"cisco support, restricted", widgets, "sue@cisco.com", []string{models.RoleCiscoSupport}, true},
		{"partner role is not internal", labs, "pat@partner.com", []string{"ofm"}, false},
		{"requester of a restricted account", widgets, "carol@other.com", nil, true},
		{"same TLD as a restricted account", widgets, "zed@widgets.org", nil, false},
		{"approver of a restricted pending request", skunk, "bob@acme.com", nil, true},
		{"same TLD, restricted pending request", skunk, "erin@acme.com", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.do(http.MethodGet, "/api/v1/smart-accounts/"+tc.sa.ID, h.token(tc.email, tc.roles...), nil)
			if !tc.visible {
				e := errorOf(t, rec, http.StatusNotFound)
				if e.Code != models.CodeNotFound {
					t.Errorf("code %q", e.Code)
				}
				// The same 404 as an unknown id, for every read of the account: nothing tells that it exists.
				for _, sub := range []string{"/events", "/virtual-accounts", "/virtual-accounts/tree", "/users",
					"/access-requests", "/access-requests?status=PENDING", "/access-rules"} {
					errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+tc.sa.ID+sub, h.token(tc.email, tc.roles...), nil),
						http.StatusNotFound)
				}
				return
			}
			v := jsonOf(t, rec, http.StatusOK)
			if v["id"] != tc.sa.ID || v["name"] != tc.sa.Name || v["status"] != string(tc.sa.Status) {
				t.Errorf("got %v/%v/%v, want %s/%s/%s", v["id"], v["name"], v["status"], tc.sa.ID, tc.sa.Name, tc.sa.Status)
			}
			if _, ok := v["waitingOn"]; !ok {
				t.Errorf("no waitingOn in %s", rec.Body)
			}
		})
	}

	t.Run("unknown id", func(t *testing.T) {
		e := errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+models.NewID(), h.token("ops@cisco.com", models.RoleLicensingOps), nil),
			http.StatusNotFound)
		if e.Code != models.CodeNotFound {
			t.Errorf("code %q", e.Code)
		}
	})
	t.Run("my roles", func(t *testing.T) {
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID, h.token("alice@acme.com"), nil), http.StatusOK)
		if roles := strs(t, v["myRoles"], "myRoles"); !slices.Equal(roles, []string{string(models.RoleSAAdmin)}) {
			t.Errorf("myRoles %v, want [SMART_ACCOUNT_ADMINISTRATOR]", roles)
		}
		rfc3339UTC(t, "activationDate", v["activationDate"])
	})
	t.Run("pending account says whom it waits for", func(t *testing.T) {
		// No worker answers the status query: the database still names the approvers.
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+eng.ID, h.token("carol@acme.com"), nil), http.StatusOK)
		var who []string
		for _, w := range list(t, v["waitingOn"], "waitingOn") {
			who = append(who, fmt.Sprint(w["who"]))
			if w["action"] != "approve" {
				t.Errorf("action %v, want approve", w["action"])
			}
			rfc3339UTC(t, "waitingOn.since", w["since"])
		}
		// The administrators of every ACTIVE account of acme.com approve: Acme's and Acme Labs'.
		if !slices.Equal(who, []string{"alice@acme.com", "bob@acme.com", "dave@acme.com"}) {
			t.Errorf("waitingOn %v, want alice, bob and dave", who)
		}
	})
}

// TestWaitingOnWithoutAKnownDeadline: when the process cannot answer, the API still says whom an
// account waits for, from the database; it does not know the deadline then, and must not invent one.
func TestWaitingOnWithoutAKnownDeadline(t *testing.T) {
	h := newHarness(t)
	h.acme()
	eng := h.engineering()
	rec := h.do(http.MethodGet, "/api/v1/smart-accounts/"+eng.ID, h.token("carol@acme.com"), nil)
	v := jsonOf(t, rec, http.StatusOK)
	for _, w := range list(t, v["waitingOn"], "waitingOn") {
		if d, ok := w["deadline"]; ok {
			rfc3339UTC(t, "waitingOn.deadline", d)
			if d == "0001-01-01T00:00:00Z" {
				t.Errorf("waitingOn entry %v: deadline is the zero time, shown to clients as 1 Jan 0001; leave it out when unknown", w)
			}
		}
	}
}

func TestSmartAccountEventsVirtualAccountsUsers(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	tok := h.token("alice@acme.com")

	t.Run("events", func(t *testing.T) {
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/events", tok, nil), http.StatusOK)
		events := list(t, v["events"], "events")
		var actions []string
		for _, e := range events {
			actions = append(actions, fmt.Sprint(e["action"]))
			rfc3339UTC(t, "event.at", e["at"])
			if e["actor"] == nil || e["actor"] == "" {
				t.Errorf("event without actor: %v", e)
			}
		}
		for _, want := range []string{models.EventSARequested, models.EventVACreated, models.EventSAActivated, models.EventRoleGranted} {
			if !slices.Contains(actions, want) {
				t.Errorf("events %v lack %s", actions, want)
			}
		}
		if actions[0] != models.EventSARequested {
			t.Errorf("first event %s, want SA_REQUESTED (oldest first)", actions[0])
		}
		if events[0]["actor"] != "alice@acme.com" {
			t.Errorf("SA_REQUESTED actor %v, want alice@acme.com", events[0]["actor"])
		}

		page := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/events?limit=2", tok, nil), http.StatusOK)
		if got := list(t, page["events"], "events"); len(got) != 2 || page["next"] == nil {
			t.Errorf("limit=2: %d events, next %v", len(got), page["next"])
		}
		rest := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/events?after="+url.QueryEscape(fmt.Sprint(page["next"])), tok, nil), http.StatusOK)
		if got := list(t, rest["events"], "events"); len(got) != len(events)-2 {
			t.Errorf("after next: %d events, want %d", len(got), len(events)-2)
		}
		e := errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/events?limit=0", tok, nil), http.StatusBadRequest)
		if e.Field != "limit" {
			t.Errorf("limit=0: field %q", e.Field)
		}
		// An empty limit is the default, as on every other list (it was refused here alone).
		all := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/events?limit=", tok, nil), http.StatusOK)
		if got := list(t, all["events"], "events"); len(got) != len(events) {
			t.Errorf("limit empty: %d events, want %d", len(got), len(events))
		}
	})
	t.Run("virtual accounts", func(t *testing.T) {
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/virtual-accounts", tok, nil), http.StatusOK)
		vas := list(t, v["virtualAccounts"], "virtualAccounts")
		if len(vas) != 1 || vas[0]["name"] != models.DefaultVAName || vas[0]["isDefault"] != true || vas[0]["smartAccountId"] != acme.ID {
			t.Errorf("virtualAccounts %v, want the one DEFAULT", vas)
		}
	})
	t.Run("users", func(t *testing.T) {
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts/"+acme.ID+"/users", tok, nil), http.StatusOK)
		users := list(t, v["users"], "users")
		var emails []string
		for _, u := range users {
			emails = append(emails, fmt.Sprint(u["email"]))
			roles := list(t, u["roles"], "roles")
			if len(roles) != 1 || roles[0]["role"] != string(models.RoleSAAdmin) {
				t.Errorf("%v roles %v, want SMART_ACCOUNT_ADMINISTRATOR", u["email"], roles)
			}
		}
		if !slices.Equal(emails, []string{"alice@acme.com", "bob@acme.com"}) {
			t.Errorf("users %v, want alice and bob", emails)
		}
	})
}

func TestSearchSmartAccounts(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	labs := h.labs()
	tok := h.token("mallory@evil.com")
	search := func(t *testing.T, q url.Values) []string {
		t.Helper()
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts?"+q.Encode(), tok, nil), http.StatusOK)
		ids := fieldOf(list(t, v["smartAccounts"], "smartAccounts"), "id")
		sort.Strings(ids)
		return ids
	}
	sorted := func(ids ...string) []string { sort.Strings(ids); return ids }
	cases := []struct {
		name string
		q    url.Values
		want []string
	}{
		{"partial name finds unrestricted only", url.Values{"name": {"acm"}}, []string{acme.ID}},
		{"partial name of a restricted account", url.Values{"name": {"Labs"}}, nil},
		{"exact name of a restricted account", url.Values{"name": {"Acme Labs"}}, []string{labs.ID}},
		{"exact name, other case", url.Values{"name": {"acme labs"}}, []string{labs.ID}},
		{"partial domain finds unrestricted only", url.Values{"domain": {"acme"}}, []string{acme.ID}},
		{"exact domain of a restricted account", url.Values{"domain": {"labs.acme.com"}}, []string{labs.ID}},
		{"member email finds unrestricted only", url.Values{"email": {"dave@acme.com"}}, nil},
		{"member email", url.Values{"email": {"Alice@acme.com"}}, []string{acme.ID}},
		{"wildcards are literal", url.Values{"name": {"%"}}, nil},
		{"no match", url.Values{"name": {"nothing"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := search(t, tc.q); !slices.Equal(got, sorted(tc.want...)) {
				t.Errorf("found %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("no filter", func(t *testing.T) {
		e := errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts", tok, nil), http.StatusBadRequest)
		if e.Code != models.CodeInvalid || e.Field == "" {
			t.Errorf("error %+v, want INVALID naming a field", e)
		}
	})
	t.Run("bad limit", func(t *testing.T) {
		e := errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts?name=acme&limit=x", tok, nil), http.StatusBadRequest)
		if e.Field != "limit" {
			t.Errorf("field %q, want limit", e.Field)
		}
	})
}

// TestSearchSmartAccountsLiteralWildcards: "_" and "%" in a search are the characters themselves, as
// escapeLike intends, on every database.
func TestSearchSmartAccountsLiteralWildcards(t *testing.T) {
	h := newHarness(t)
	tools := h.createSA("req-tools", "Acme_Tools 100%", "tools.acme.com", models.VisibilityUnrestricted, "alice@acme.com")
	h.createSA("req-tx", "Acmextools", "tx.acme.com", models.VisibilityUnrestricted, "alice@acme.com")
	tok := h.token("mallory@evil.com")
	for _, q := range []string{"e_t", "100%", "_tools"} {
		v := jsonOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts?name="+url.QueryEscape(q), tok, nil), http.StatusOK)
		ids := fieldOf(list(t, v["smartAccounts"], "smartAccounts"), "id")
		if !slices.Equal(ids, []string{tools.ID}) {
			t.Errorf("name=%q found %v, want only %s (Acme_Tools 100%%)", q, ids, tools.ID)
		}
	}
}
