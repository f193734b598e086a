package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// registerPartner has Cisco support register a partner administered by admin@<domain> (a distributor
// when it serves resellers), and its administrator designate the OFMs given, all through the API.
func registerPartner(t *testing.T, domain string, distributorOf []string, ofms ...string) (admin *user) {
	t.Helper()
	if distributorOf == nil {
		distributorOf = []string{}
	}
	support := as(t, "tac-"+uniq()+"@cisco.com", models.RoleCiscoSupport)
	if st, body := support.post("/api/v1/partners", map[string]any{"domain": domain, "name": "Partner " + domain,
		"administrators": []string{"admin@" + domain}, "distributorOf": distributorOf}); st != http.StatusCreated {
		t.Fatalf("register %s: %d %v", domain, st, body)
	}
	admin = as(t, "admin@"+domain)
	setOFMs(t, admin, domain, ofms...)
	return admin
}

// setOFMs has a partner's administrator replace its OFMs.
func setOFMs(t *testing.T, admin *user, domain string, ofms ...string) {
	t.Helper()
	if ofms == nil {
		ofms = []string{}
	}
	if st, body := admin.do(http.MethodPut, "/api/v1/partners/"+domain+"/ofms", map[string]any{"emails": ofms}); st != http.StatusOK {
		t.Fatalf("OFMs of %s: %d %v", domain, st, body)
	}
}

// Partner rights come from the partner's rows, never from a claim: Eve, whose token claims Partner X's
// company and the ofm role, is refused Partner X's order and it stays unassigned; Olivia, designated by
// the partner's administrator, assigns one; once the administrator removes her, her next assignment is
// refused; the OFM of a distributor registered as serving Partner X assigns its order (2-tier), and each
// assignment is in the order's history with who made it, as what.
func TestPartnerRightsFromRows(t *testing.T) {
	tld, _, saID := activeAccount(t, "partnered")
	px, distributor := domainOf("partnerx"), domainOf("distri")
	olivia, dan := "olivia@"+px, "dan@"+distributor
	pxAdmin := registerPartner(t, px, nil, olivia)
	registerPartner(t, distributor, []string{px}, dan)
	fc := "fc@" + tld
	ids := map[string]string{}
	var bodies []map[string]any
	for _, k := range []string{"eve", "olivia", "removed", "distributor"} {
		ids[k] = "WP-" + k + "-" + uniq()
		bodies = append(bodies, orderBody(ids[k], "STANDARD", fc, px))
	}
	ingest(t, bodies...)
	target := to("domain", tld, "")

	eve := partnerUser(t, "eve@evil.com", px, "ofm")
	for _, id := range []string{ids["eve"], ids["olivia"]} {
		if st, body := eve.get("/api/v1/orders/" + id); st != http.StatusNotFound {
			t.Fatalf("Eve reads %s: %d %v", id, st, body)
		}
	}
	st, body := eve.post("/api/v1/orders/assignments", assignment([]string{ids["eve"]}, target))
	if st != http.StatusNotFound || errCode(results(t, body)[ids["eve"]]) != models.CodeNotFound {
		t.Fatalf("Eve assigns: %d %v", st, body)
	}

	ofm := partnerUser(t, olivia, "")
	if st, body := ofm.post("/api/v1/orders/assignments", assignment([]string{ids["olivia"]}, target)); st != http.StatusAccepted {
		t.Fatalf("Olivia assigns: %d %v", st, body)
	}
	assignedTo(t, ids["olivia"], saID, "1", "2")

	setOFMs(t, pxAdmin, px)
	st, body = ofm.post("/api/v1/orders/assignments", assignment([]string{ids["removed"]}, target))
	if st != http.StatusNotFound || errCode(results(t, body)[ids["removed"]]) != models.CodeNotFound {
		t.Fatalf("Olivia, removed, assigns: %d %v", st, body)
	}

	if st, body := as(t, dan).post("/api/v1/orders/assignments", assignment([]string{ids["distributor"]}, target)); st != http.StatusAccepted {
		t.Fatalf("the distributor's OFM assigns: %d %v", st, body)
	}
	assignedTo(t, ids["distributor"], saID, "1", "2")

	// What a second request sees: Eve's and the removed OFM's orders untouched; who assigned the others.
	for _, k := range []string{"eve", "removed"} {
		if l := lines(t, ids[k]); l[0].SmartAccountID != "" || l[1].SmartAccountID != "" {
			t.Fatalf("a refused assignment moved %s: %+v", ids[k], l)
		}
	}
	owner := as(t, fc)
	for k, who := range map[string]string{"olivia": olivia, "distributor": dan} {
		st, history := owner.get("/api/v1/orders/" + ids[k] + "/events")
		if st != http.StatusOK {
			t.Fatalf("events of %s: %d %v", ids[k], st, history)
		}
		found := false
		for _, e := range history["events"].([]any) {
			ev := e.(map[string]any)
			if ev["action"] == models.EventLineAssigned && ev["targetId"] == ids[k]+"/1" {
				found = ev["actor"] == who && ev["details"].(map[string]any)["as"] == models.AsOFM
			}
		}
		if !found {
			t.Fatalf("%s's assignment of %s is not in its history as an OFM's: %v", who, ids[k], history)
		}
	}
	// The partner's history says who designated and removed Olivia.
	st, history := pxAdmin.get("/api/v1/partners/" + px + "/events")
	var trail []string
	for _, e := range history["events"].([]any) {
		ev := e.(map[string]any)
		trail = append(trail, str(ev["action"])+" "+str(ev["actor"]))
	}
	want := models.EventPartnerOFMDesignated + " admin@" + px + "," + models.EventPartnerOFMRemoved + " admin@" + px
	if st != http.StatusOK || !strings.HasSuffix(strings.Join(trail, ","), want) {
		t.Fatalf("partner history: %d %v", st, trail)
	}
}
