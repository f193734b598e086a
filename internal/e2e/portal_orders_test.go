package e2e

import (
	"os"
	"path/filepath"
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

	ctx := browser(t, 1280, 1000, 120*time.Second)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		path := filepath.Join(artifactDir(t), "portal-"+name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Errorf("keep the screenshot: %v", err)
		}
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v (at %s)\n%s", what, err, loc, body)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	base := sys.app.Config.PublicURL
	step("sign in", chromedp.Navigate(base+"/app/orders?q="+prefix),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), fc),
		chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID("orders")))
	step("filter the unassigned", chromedp.SetValue(chromedp.ID("f-status"), string(models.AssignUnassigned)),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-order="`+c+`"]`)))
	if got := text("#orders tbody"); !strings.Contains(got, a) || !strings.Contains(got, b) {
		t.Fatalf("the unassigned orders: %s", got)
	}
	shot("inventory")
	step("check two and start the wizard", chromedp.Click(chromedp.ID("pick-"+a)), chromedp.Click(chromedp.ID("pick-"+b)),
		chromedp.Click(chromedp.ID("assign")), chromedp.WaitVisible(chromedp.ID("q")))
	// From here the keyboard only: type the domain and Enter (the form's first button, Search); Enter
	// on the focused buttons; the virtual account's dropdown keeps its default.
	step("find the account by domain", chromedp.SendKeys(chromedp.ID("q"), tld+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("account-"+saID)))
	shot("wizard-account")
	step("use it", chromedp.Focus(chromedp.ID("account-"+saID)), chromedp.Focus(chromedp.ID("pick")),
		chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("virtualAccount")))
	shot("wizard-virtual-account")
	if got := text("#virtualAccount"); !strings.Contains(got, models.DefaultVAName) {
		t.Fatalf("virtual accounts: %s", got)
	}
	step("pick the virtual account", chromedp.Focus(chromedp.ID("next")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("review")))
	shot("wizard-review")
	if got := text("#review-products"); !strings.Contains(got, tld) || !strings.Contains(got, models.DefaultVAName) {
		t.Fatalf("review: %s", got)
	}
	step("assign", chromedp.Focus(chromedp.ID("assign")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("results")))
	shot("wizard-confirmation")
	for _, id := range []string{a, b} {
		if got := text(`tr[data-result="` + id + `"] .status`); got != "requested" {
			t.Errorf("%s answered %q", id, got)
		}
	}
	for _, id := range []string{a, b} {
		eventually(t, id+" assigned", func() bool {
			_ = chromedp.Do(ctx, chromedp.Navigate(base+"/app/orders/"+id), chromedp.WaitVisible(chromedp.ID("order-status")))
			s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("order-status")))
			return s == "assigned"
		})
	}
	if got := text("#trail"); !strings.Contains(got, tld) && !strings.Contains(got, "portalco") {
		t.Errorf("the trail does not name the account: %s", got)
	}
	shot("order-assigned")

	step("delegate the third", chromedp.Navigate(base+"/app/orders/"+c), chromedp.WaitVisible(chromedp.ID("delegate-email")),
		chromedp.SendKeys(chromedp.ID("delegate-email"), helper), chromedp.SendKeys(chromedp.ID("delegate-note"), "the customer's account"),
		chromedp.Click(chromedp.ID("do-delegate")), chromedp.WaitVisible(chromedp.ID("delegated")))
	shot("order-delegated")
	if got := text(`tr[data-delegation="` + helper + `"]`); !strings.Contains(got, "pending") {
		t.Errorf("the delegation on the order's page: %s", got)
	}
	link := actionLink(t, mailTo(t, helper, "asks you to assign order "+c))
	step("the delegate finds the account", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), tld+kb.Enter), chromedp.WaitVisible(chromedp.ID("account-"+saID)))
	shot("delegate-picker")
	step("the delegate picks it and assigns", chromedp.Click(chromedp.ID("pick")), chromedp.WaitVisible(chromedp.ID("virtualAccount")),
		chromedp.Click(chromedp.ID("do-assign")), chromedp.WaitVisible(chromedp.ID("outcome")))
	shot("delegate-outcome")
	if got := text("#outcome"); !strings.Contains(got, c) {
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
