package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/models"
)

// The ops console in a real (headless) browser (FEATURES PR3): a licensing-ops user signs in through
// the dev sign-in page, finds a line stuck in manual review on /ops, retries it with a reason once the
// SKU is fixed at the service, and sees it provisioned, with its trail, once.
func TestBrowserOpsConsoleRetriesAStuckLine(t *testing.T) {
	tld, admin, saID := activeAccount(t, "consoleco")
	id := "WB-" + uniq()
	body := orderBody(id, "STANDARD", "fc@"+tld, "")
	sku := "REJ-" + strings.ToUpper(uniq())
	body["lines"].([]any)[0].(map[string]any)["sku"] = sku
	// Through the API whose processes have a 2 s SLA, so the line is stuck soon after it ships.
	fast := commerceOn(t)
	if st, resp := fast.post("/api/v1/orders", body); st != http.StatusCreated {
		t.Fatalf("ingest: %d %v", st, resp)
	}
	controlFulfillment(t, fulfillment.Control{RejectSKUs: []string{sku}})
	if st, resp := admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, ""))); st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, resp)
	}
	if st, resp := fast.post("/api/v1/orders/"+id+"/shipments", map[string]any{"lines": []string{"1"},
		"shippedAt": time.Now().UTC().Format(time.RFC3339)}); st != http.StatusOK {
		t.Fatalf("ship: %d %v", st, resp)
	}
	eventually(t, "stuck in review", func() bool {
		l := line(t, id, "1")
		return l.DelayReason == models.DelayManualReview && l.StuckAt != nil
	})

	b := newBrowserWindow(t, "ops-console", 1280, 1000, 90*time.Second)

	base := sys.app.Config.PublicURL
	list := base + "/ops?" + url.Values{"smartAccountId": {saID}, "stuck": {"true"}}.Encode()
	opsEmail := "ops-" + uniq() + "@cisco.com"
	row := `tr[data-order="` + id + `"][data-line="1"]`
	b.step("sign in and open the console", chromedp.Navigate(list), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), opsEmail), chromedp.SendKeys(chromedp.ID("roles"), models.RoleLicensingOps),
		chromedp.Submit(chromedp.ID("email")), chromedp.WaitVisible(chromedp.CSS(row)))
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	if loc != list {
		t.Errorf("signed in at %s, want back at %s", loc, list)
	}
	reason, _ := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(row), "data-reason"))
	cells, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(row)))
	counts, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID("counts")))
	if reason.Value != "MANUAL_REVIEW" || !strings.Contains(cells, "stuck") || !strings.Contains(counts, "1\nMANUAL_REVIEW") {
		t.Fatalf("the stuck line: reason %q, row %q, counts %q", reason.Value, cells, counts)
	}

	sys.fulfillment.Set(fulfillment.Control{}) // the SKU is mapped at the service now
	b.step("retry with a reason", chromedp.Click(chromedp.CSS(row+" + tr summary")),
		chromedp.WaitVisible(chromedp.ID("reason-retry-0")),
		chromedp.SendKeys(chromedp.ID("reason-retry-0"), "SKU mapped at the entitlement service"),
		chromedp.Click(chromedp.ID("retry-0")), chromedp.WaitVisible(chromedp.ID("outcome")))
	outcome, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID("outcome")))
	if !strings.Contains(outcome, "Retry now: recorded for line 1.") {
		t.Fatalf("after the retry: %q", outcome)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(row), "data-status"))
		if err == nil && status.Value == "PROVISIONED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the line is %q on the order's page, not PROVISIONED", status.Value)
		}
		time.Sleep(300 * time.Millisecond)
		b.step("reload the order's page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(row)))
	}
	trail, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(row+" + tr ol.trail")))
	for _, want := range []string{"REJECTED", "Stuck", "RETRIED by ops", "SKU mapped at the entitlement service", "by " + opsEmail,
		"DEPOSITED", "10 licenses put in"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the trail lacks %q:\n%s", want, trail)
		}
	}
	b.shot("order")
	if lics := licensesOf(t, id, "1"); len(lics) != 1 || lics[0].Quantity != 10 || sys.fulfillment.Deposits(id, "1") != 1 {
		t.Errorf("licenses %+v, %d deposits", lics, sys.fulfillment.Deposits(id, "1"))
	}
	var ev models.Event
	if err := sys.db.Where("target_id = ? AND action = ?", id+"/1", models.EventLineRetried).Take(&ev).Error; err != nil ||
		ev.Actor != opsEmail || ev.Details["reason"] != "SKU mapped at the entitlement service" {
		t.Errorf("the retry's event: %+v %v", ev, err)
	}
}
