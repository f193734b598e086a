package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/licensecentral/clc/models"
)

// The portal's assign wizard in a real (headless) browser (FEATURES X7, OR2–OR9): a fulfillment
// contact signs in on the dev sign-in page, filters the unassigned orders, checks two, finds the
// account by its domain and picks a virtual account with the keyboard only, reviews, assigns and sees
// both assigned; then delegates a third from its page, and the delegate assigns it with the picker on
// the emailed page.
func TestBrowserPortalAssignAndDelegate(t *testing.T) {
	tld, _, saID := activeAccount(t, "portalco")
	fc, helper := "fc@"+tld, "helper@"+tld
	prefix := "WP-" + strings.ToUpper(uniq())
	a, b, c := prefix+"-A", prefix+"-B", prefix+"-C"
	ingest(t, orderBody(a, "STANDARD", fc, ""), orderBody(b, "STANDARD", fc, ""), orderBody(c, "STANDARD", fc, ""))

	br := newBrowserWindow(t, "portal", 1280, 1000, 120*time.Second)

	base := sys.app.Config.PublicURL
	br.signIn(base+"/app/orders?q="+prefix, fc, "orders")
	br.step("filter the unassigned", chromedp.SetValue(chromedp.ID("f-status"), string(models.AssignUnassigned)),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-order="`+c+`"]`)))
	if got := br.text("#orders tbody"); !strings.Contains(got, a) || !strings.Contains(got, b) {
		t.Fatalf("the unassigned orders: %s", got)
	}
	br.shot("inventory")
	br.step("check two and start the wizard", chromedp.Click(chromedp.ID("pick-"+a)), chromedp.Click(chromedp.ID("pick-"+b)),
		chromedp.Click(chromedp.ID("assign")), chromedp.WaitVisible(chromedp.ID("q")))
	// From here the keyboard only: type the domain and Enter (the form's first button, Search); Enter
	// on the focused buttons; the virtual account's dropdown keeps its default.
	br.step("find the account by domain", chromedp.SendKeys(chromedp.ID("q"), tld+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("account-"+saID)))
	br.shot("wizard-account")
	br.step("use it", chromedp.Focus(chromedp.ID("account-"+saID)), chromedp.Focus(chromedp.ID("pick")),
		chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("virtualAccount")))
	br.shot("wizard-virtual-account")
	if got := br.text("#virtualAccount"); !strings.Contains(got, models.DefaultVAName) {
		t.Fatalf("virtual accounts: %s", got)
	}
	br.step("pick the virtual account", chromedp.Focus(chromedp.ID("next")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("review")))
	br.shot("wizard-review")
	if got := br.text("#review-products"); !strings.Contains(got, tld) || !strings.Contains(got, models.DefaultVAName) {
		t.Fatalf("review: %s", got)
	}
	br.step("assign", chromedp.Focus(chromedp.ID("assign")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("results")))
	br.shot("wizard-confirmation")
	for _, id := range []string{a, b} {
		if got := br.text(`tr[data-result="` + id + `"] .status`); got != "requested" {
			t.Errorf("%s answered %q", id, got)
		}
	}
	for _, id := range []string{a, b} {
		eventually(t, id+" assigned", func() bool {
			_ = chromedp.Do(br.ctx, chromedp.Navigate(base+"/app/orders/"+id), chromedp.WaitVisible(chromedp.ID("order-status")))
			s, _ := chromedp.Run(br.ctx, chromedp.Text(chromedp.ID("order-status")))
			return s == "assigned"
		})
	}
	if got := br.text("#trail"); !strings.Contains(got, tld) && !strings.Contains(got, "portalco") {
		t.Errorf("the trail does not name the account: %s", got)
	}
	br.shot("order-assigned")

	br.step("delegate the third", chromedp.Navigate(base+"/app/orders/"+c), chromedp.WaitVisible(chromedp.ID("delegate-email")),
		chromedp.SendKeys(chromedp.ID("delegate-email"), helper), chromedp.SendKeys(chromedp.ID("delegate-note"), "the customer's account"),
		chromedp.Click(chromedp.ID("do-delegate")), chromedp.WaitVisible(chromedp.ID("delegated")))
	br.shot("order-delegated")
	if got := br.text(`tr[data-delegation="` + helper + `"]`); !strings.Contains(got, "pending") {
		t.Errorf("the delegation on the order's page: %s", got)
	}
	link := actionLink(t, mailTo(t, helper, "asks you to assign order "+c))
	br.step("the delegate finds the account", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), tld+kb.Enter), chromedp.WaitVisible(chromedp.ID("account-"+saID)))
	br.shot("delegate-picker")
	br.step("the delegate picks it and assigns", chromedp.Click(chromedp.ID("pick")), chromedp.WaitVisible(chromedp.ID("virtualAccount")),
		chromedp.Click(chromedp.ID("do-assign")), chromedp.WaitVisible(chromedp.ID("outcome")))
	br.shot("delegate-outcome")
	if got := br.text("#outcome"); !strings.Contains(got, c) {
		t.Errorf("the delegate's outcome: %s", got)
	}
	eventually(t, c+" assigned", func() bool {
		var o models.Order
		return sys.db.Where("id = ?", c).Take(&o).Error == nil && o.AssignmentStatus == models.AssignAssigned
	})
	var l models.OrderLine
	if err := sys.db.Where("order_id = ? AND id = ?", c, "1").Take(&l).Error; err != nil || l.SmartAccountID != saID ||
		l.AssignedBy != helper {
		t.Errorf("line 1 of %s: %+v %v", c, l, err)
	}
}
