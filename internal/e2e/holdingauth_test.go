package e2e

import (
	"net/http"
	"testing"

	"github.com/licensecentral/clc/models"
)

// Who may deposit an order in a Partner Holding Account and transfer it out (FEATURES HA1, HA3; seed
// 003, 2-tier), against the real server, over the actors of the rules: the reseller's OFM deposits in and
// transfers from the reseller's holding account only; the distributor's OFM in and from its own and its
// reseller's; an OFM of another partner, the customer's administrator and (for a deposit) a holding
// account's member do not see the order; the fulfillment contact and support (with a reason) may use
// either. Each case answers its status and leaves line 1 where the rules say, as the database has it.
func TestHoldingAuthorizationTable(t *testing.T) {
	reseller, distributor, other := domainOf("hreseller"), domainOf("hdistri"), domainOf("hother")
	rita, dan, xena, hm := "rita@"+reseller, "dan@"+distributor, "xena@"+other, "hm@"+reseller
	registerPartner(t, reseller, nil, rita)
	registerPartner(t, distributor, []string{reseller}, dan)
	registerPartner(t, other, nil, xena)
	holdings := map[string]string{}
	// hm administers the reseller's holding account, as one of its nominees, and is no OFM.
	for _, p := range []struct {
		domain, ofm string
		admins      []string
	}{{reseller, rita, []string{"myself", hm}}, {distributor, dan, []string{"myself"}}} {
		name := "Holding " + p.domain
		st, resp := as(t, p.ofm).post("/api/v1/smart-accounts", account(name, p.domain, "type", "HOLDING",
			"nominatedAdmins", p.admins))
		if st != http.StatusAccepted || resp["status"] != "ACTIVE" {
			t.Fatalf("holding account of %s: %d %v", p.domain, st, resp)
		}
		holdings[p.domain] = str(resp["id"])
	}
	tld, _, custID := activeAccount(t, "hauthcust")
	fcEmail := "fc@" + domainOf("hauthfc")
	const reason = "customer asked by phone"
	// deposit and transfer are what depositing in, and transferring from, the reseller's and the
	// distributor's holding account answer.
	type actor struct {
		name, email       string
		roles             []string
		reason            string
		deposit, transfer [2]int
	}
	const ok, accepted, forbidden, hidden, bad = http.StatusOK, http.StatusAccepted, http.StatusForbidden,
		http.StatusNotFound, http.StatusBadRequest
	support := []string{models.RoleCiscoSupport}
	actors := []actor{
		{name: "reseller OFM", email: rita, deposit: [2]int{accepted, forbidden}, transfer: [2]int{ok, forbidden}},
		{name: "distributor OFM", email: dan, deposit: [2]int{accepted, accepted}, transfer: [2]int{ok, ok}},
		{name: "OFM of another partner", email: xena, deposit: [2]int{hidden, hidden}, transfer: [2]int{hidden, hidden}},
		{name: "holding account member", email: hm, deposit: [2]int{hidden, hidden}, transfer: [2]int{ok, hidden}},
		{name: "fulfillment contact", email: fcEmail, deposit: [2]int{accepted, accepted}, transfer: [2]int{ok, ok}},
		{name: "customer admin", email: "admin@" + tld, deposit: [2]int{hidden, hidden}, transfer: [2]int{hidden, hidden}},
		{name: "support with a reason", email: "tac@cisco.com", roles: support, reason: reason,
			deposit: [2]int{accepted, accepted}, transfer: [2]int{ok, ok}},
		{name: "support without a reason", email: "tac@cisco.com", roles: support,
			deposit: [2]int{bad, bad}, transfer: [2]int{bad, bad}},
	}
	type order struct {
		id, holding string
		a           actor
		want        int
	}
	var deposits, transfers []order
	var bodies []map[string]any
	for _, a := range actors {
		for i, h := range []string{reseller, distributor} {
			for _, kind := range []string{"D", "T"} {
				o := order{id: "WHA" + kind + "-" + uniq(), holding: h, a: a}
				b := orderBody(o.id, "STANDARD", fcEmail, reseller)
				b["distributor"] = map[string]any{"name": "Partner " + distributor, "domain": distributor}
				if kind == "D" {
					o.want = a.deposit[i]
					deposits = append(deposits, o)
				} else {
					b["holdingAccount"] = map[string]any{"name": "Holding " + h}
					o.want = a.transfer[i]
					transfers = append(transfers, o)
				}
				bodies = append(bodies, b)
			}
		}
	}
	ingest(t, bodies...)
	users := map[string]*user{}
	who := func(a actor) *user {
		if users[a.email] == nil {
			users[a.email] = as(t, a.email, a.roles...)
		}
		return users[a.email]
	}
	for _, o := range deposits {
		body := assignment([]string{o.id}, to("name", "Holding "+o.holding, ""))
		if o.a.reason != "" {
			body["reason"] = o.a.reason
		}
		st, resp := who(o.a).post("/api/v1/orders/assignments", body)
		if st != o.want {
			t.Errorf("%s deposits %s in %s's holding account: %d, want %d (%v)", o.a.name, o.id, o.holding, st, o.want, resp)
			continue
		}
		if st == http.StatusAccepted {
			assignedTo(t, o.id, holdings[o.holding], "1")
			if l := line(t, o.id, "1"); l.AssignmentStatus != models.AssignInHolding {
				t.Errorf("%s deposits %s: line 1 is %s", o.a.name, o.id, l.AssignmentStatus)
			}
		} else if l := line(t, o.id, "1"); l.SmartAccountID != "" || l.AssignmentStatus != models.AssignUnassigned {
			t.Errorf("%s refused a deposit of %s, yet line 1 is in %q (%s)", o.a.name, o.id, l.SmartAccountID, l.AssignmentStatus)
		}
	}
	for _, o := range transfers {
		if l := line(t, o.id, "1"); l.SmartAccountID != holdings[o.holding] {
			t.Fatalf("order %s deposited at sale in %s: line 1 in %q", o.id, o.holding, l.SmartAccountID)
		}
		body := map[string]any{"to": map[string]any{"smartAccount": map[string]any{"domain": tld}}}
		if o.a.reason != "" {
			body["reason"] = o.a.reason
		}
		st, resp := who(o.a).post("/api/v1/orders/"+o.id+"/transfer", body)
		if st != o.want {
			t.Errorf("%s transfers %s from %s's holding account: %d, want %d (%v)", o.a.name, o.id, o.holding, st, o.want, resp)
			continue
		}
		l := line(t, o.id, "1")
		switch {
		case st == http.StatusOK && (l.SmartAccountID != custID || l.AssignmentStatus != models.AssignAssigned):
			t.Errorf("%s transferred %s: line 1 in %q (%s)", o.a.name, o.id, l.SmartAccountID, l.AssignmentStatus)
		case st != http.StatusOK && l.SmartAccountID != holdings[o.holding]:
			t.Errorf("%s refused a transfer of %s, yet line 1 left holding for %q", o.a.name, o.id, l.SmartAccountID)
		}
	}
}
