package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
)

// A partner line with nowhere to go (issue 13, item 6), end to end: an order resold by a registered
// partner without an account of its own is ingested and its fulfillment contact assigns it; the
// partner's services line then waits for the partner's OFM, who is mailed once with the portal's links
// to create a holding or customer account, and the contact is not waited on. Once the OFM creates the
// partner's holding account, the line goes there and nobody is waited on for it.
func TestHoldingPartnerLineWaitsForTheOFMs(t *testing.T) {
	partner := domainOf("nowhere")
	olivia := "olivia@" + partner
	registerPartner(t, partner, nil, olivia)
	tld, _, custID := activeAccount(t, "nowherecust")
	fcEmail := "fc@" + tld
	id := "WNW-" + uniq()
	ingest(t, orderBody(id, "STANDARD", fcEmail, partner))
	fc := as(t, fcEmail)
	if st, body := fc.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, ""))); st != http.StatusAccepted {
		t.Fatalf("the contact assigns: %d %v", st, body)
	}
	assignedTo(t, id, custID, "1", "2")

	var order map[string]any
	eventually(t, "the order waits for the partner's OFM", func() bool {
		_, order = fc.get("/api/v1/orders/" + id)
		return strings.Contains(fmt.Sprint(order["waitingOn"]), olivia)
	})
	if order["assignmentStatus"] != string(models.AssignPartial) {
		t.Errorf("order status %v", order["assignmentStatus"])
	}
	for _, w := range order["waitingOn"].([]any) {
		w := w.(map[string]any)
		if w["who"] == fcEmail {
			t.Errorf("the contact is still waited on: %v", order["waitingOn"])
		}
		if w["who"] == olivia && w["action"] != models.ActCreateAccount {
			t.Errorf("the OFM is waited on for %v", w["action"])
		}
	}
	o, _, err := models.FindOrder(context.Background(), sys.db, id)
	if err != nil || o.PartnerWaitingSince == nil || !contains(o.PartnerOFMs, olivia) {
		t.Fatalf("the order's row: %v %v %v", err, o.PartnerWaitingSince, o.PartnerOFMs)
	}

	subject := "your services need a Smart Account of " + partner
	m := mailTo(t, olivia, subject)
	holdingLink, customerLink := false, false
	for _, l := range m.Links {
		holdingLink = holdingLink || strings.HasSuffix(l, "/app/smart-accounts/new?domain="+partner+"&type=HOLDING")
		customerLink = customerLink || strings.HasSuffix(l, "/app/smart-accounts/new?domain="+partner)
	}
	if !holdingLink || !customerLink {
		t.Errorf("the mail's links %v", m.Links)
	}
	// A second assignment of the order leaves the line where it is and mails nobody again.
	if st, body := fc.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, ""))); st != http.StatusAccepted {
		t.Fatalf("the contact assigns again: %d %v", st, body)
	}

	ofm := as(t, olivia)
	st, resp := ofm.post("/api/v1/smart-accounts", account("Holding "+partner, partner, "type", "HOLDING"))
	if st != http.StatusAccepted || resp["status"] != "ACTIVE" {
		t.Fatalf("the OFM creates the holding account: %d %v", st, resp)
	}
	holdID := str(resp["id"])
	assignedTo(t, id, holdID, "3")
	eventually(t, "nobody waited on for the partner", func() bool {
		_, order = fc.get("/api/v1/orders/" + id)
		return !strings.Contains(fmt.Sprint(order["waitingOn"]), olivia)
	})
	if o, _, err = models.FindOrder(context.Background(), sys.db, id); err != nil || o.PartnerWaitingSince != nil {
		t.Errorf("the order's row still waits: %v %v", err, o.PartnerWaitingSince)
	}
	time.Sleep(time.Second)
	if n := len(mailsTo(olivia, subject)); n != 1 {
		t.Errorf("the OFM got %d mails about the order's services", n)
	}
}
