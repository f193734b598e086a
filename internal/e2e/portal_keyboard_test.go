package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// portalBrowser is a headless chromium for one test, with the steps the portal's browser tests take.
type portalBrowser struct {
	t      *testing.T
	ctx    context.Context
	prefix string
}

func newBrowser(t *testing.T, prefix string) *portalBrowser {
	t.Helper()
	return &portalBrowser{t: t, ctx: browser(t, 1280, 1000, 150*time.Second), prefix: prefix}
}

// step runs actions, failing the test with the page's address and text when one fails.
func (b *portalBrowser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
		b.t.Fatalf("%s: %v (at %s)\n%s", what, err, loc, body)
	}
}

// shot keeps a screenshot of the page in artifacts/ as <prefix>-<name>.png.
func (b *portalBrowser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(artifactDir(b.t), b.prefix+"-"+name+".png"), png, 0o644); err != nil {
		b.t.Errorf("keep the screenshot: %v", err)
	}
}

func (b *portalBrowser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// signIn signs in on the dev sign-in page the portal sends a browser without a session to.
func (b *portalBrowser) signIn(url, email, waitFor string) {
	b.t.Helper()
	b.step("sign in as "+email, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email), chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID(waitFor)))
}

// labelled checks that every form field of the page (not hidden) has a label: a <label> for it or
// around it, or an aria-label / aria-labelledby (the inventory's row checkboxes), so a screen reader
// names each (FEATURES X7).
func (b *portalBrowser) labelled(page string) {
	b.t.Helper()
	missing, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input, select, textarea'))
		.filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
		.map(e => e.name || e.id || e.outerHTML)`))
	if err != nil {
		b.t.Fatalf("%s: read the fields: %v", page, err)
	}
	if len(missing) > 0 {
		b.t.Errorf("%s: fields without a label: %v", page, missing)
	}
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('input:not([type=hidden]), select, textarea').length`))
	if err != nil || n == 0 {
		b.t.Errorf("%s: %d fields (%v): the check saw no form", page, n, err)
	}
}

// focused is the id of the element that has the keyboard's focus.
func (b *portalBrowser) focused() string {
	id, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	return id
}

// tabTo presses Tab until the element with that id has the focus, as a keyboard user moves through
// the page; the test fails when it is not reached within the page's focusable elements.
func (b *portalBrowser) tabTo(id string) {
	b.t.Helper()
	for range 120 {
		if b.focused() == id {
			return
		}
		b.step("Tab towards "+id, chromedp.KeyEvent(kb.Tab))
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf("Tab never reached #%s at %s (focus on #%s)", id, loc, b.focused())
}

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
