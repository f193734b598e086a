package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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

// newBrowser is a portalBrowser with a 1280 × 1000 window and 150 s for the test; its screenshots are
// named <prefix>-<name>.png.
func newBrowser(t *testing.T, prefix string) *portalBrowser {
	t.Helper()
	return newBrowserWindow(t, prefix, 1280, 1000, 150*time.Second)
}

// newBrowserWindow is newBrowser with its own window and time limit, for a test that looks at a
// narrower page or takes longer.
func newBrowserWindow(t *testing.T, prefix string, width, height int, timeout time.Duration) *portalBrowser {
	t.Helper()
	return &portalBrowser{t: t, ctx: browser(t, width, height, timeout), prefix: prefix}
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
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		b.t.Errorf("screenshot %s is not a PNG", name)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(b.t), b.prefix+"-"+name+".png"), png, 0o644); err != nil {
		b.t.Errorf("keep the screenshot: %v", err)
	}
}

// text is the text of the first element that matches the CSS selector sel.
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
