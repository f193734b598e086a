package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The assign wizard with the keyboard only (issue 12, FEATURES X7): from the inventory, Tab to each
// order's checkbox and Space to check it, Tab to "Assign" and Enter; in the wizard, Tab to the search,
// type the domain, Enter; Tab to "Use this account", Enter; Tab to "Next", Enter; Tab to "Assign",
// Enter: the confirmation lists both orders as requested. No mouse click on the way; every field of
// every step has a label.
func TestBrowserAssignWizardByKeyboard(t *testing.T) {
	tld, _, saID := activeAccount(t, "keyboardco")
	fc := "fc@" + tld
	prefix := "WK-" + strings.ToUpper(uniq())
	a, c := prefix+"-A", prefix+"-B"
	ingest(t, orderBody(a, "STANDARD", fc, ""), orderBody(c, "STANDARD", fc, ""))
	b := newBrowser(t, "keyboard")
	b.signIn(sys.app.Config.PublicURL+"/app/orders?assignmentStatus=UNASSIGNED&q="+prefix, fc, "orders")
	b.labelled("inventory")
	for _, id := range []string{a, c} {
		b.tabTo("pick-" + id)
		b.step("check "+id, chromedp.KeyEvent(" "))
	}
	b.shot("inventory-checked")
	b.tabTo("assign")
	b.step("start the wizard", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("q")))
	b.labelled("wizard: search")
	b.tabTo("q")
	b.step("find the account by domain", chromedp.KeyEvent(tld+kb.Enter), chromedp.WaitVisible(chromedp.ID("account-"+saID)))
	b.labelled("wizard: matches")
	b.shot("matches")
	b.tabTo("pick")
	b.step("use it", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("virtualAccount")))
	b.labelled("wizard: virtual account")
	b.tabTo("next")
	b.step("pick the default virtual account", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("review")))
	b.labelled("wizard: review")
	b.shot("review")
	b.tabTo("assign")
	b.step("assign", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("results")))
	b.shot("confirmation")
	for _, id := range []string{a, c} {
		if got := b.text(`tr[data-result="` + id + `"] .status`); got != "requested" {
			t.Errorf("%s answered %q", id, got)
		}
	}
}
