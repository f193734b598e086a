package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/licensecentral/clc/models"
)

// chromium finds the browser the end-to-end browser test drives; .ci/run installs Debian's when missing.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CLC_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium found: install Debian's chromium (apt-get install chromium; .ci/run does) or set CLC_CHROMIUM")
	return ""
}

// artifactDir is where the test keeps what a person may want to look at afterwards (not committed).
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CLC_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts a headless chromium with a window of width × height for the test, for at most
// timeout; it is closed when the test ends.
func browser(t *testing.T, width, height int, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(width, height), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// A customer contact opens the emailed acceptance link in a real (headless) browser, fills the
// headquarters form, accepts, and sees the outcome page; the account is ACTIVE.
func TestBrowserAcceptanceWithAddress(t *testing.T) {
	cust := domainOf("browser")
	_, id, link := requestForCustomer(t, "Browser Customer", cust)

	b := newBrowserWindow(t, "acceptance", 1024, 900, 90*time.Second)
	b.step("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("line1")))
	title := b.text("h1")
	b.step("fill the form and accept",
		chromedp.SetValue(chromedp.ID("company"), "Browser Customer Inc"),
		chromedp.SendKeys(chromedp.ID("line1"), "1 Browser Way"),
		chromedp.SendKeys(chromedp.ID("city"), "Raleigh"),
		chromedp.SendKeys(chromedp.ID("region"), "NC"),
		chromedp.SendKeys(chromedp.ID("postalCode"), "27601"),
		chromedp.SendKeys(chromedp.ID("country"), "US"),
		chromedp.Click(chromedp.ID("accept")),
		chromedp.WaitVisible(chromedp.ID("outcome")))
	outcome := b.text("#outcome")
	b.shot("outcome")
	if !strings.Contains(title, "Accept a Smart Account") {
		t.Errorf("page title %q", title)
	}
	if !strings.Contains(outcome, "Accepted") || !strings.Contains(outcome, "now ACTIVE") {
		t.Fatalf("outcome %q", outcome)
	}
	sa := account1(t, id)
	if sa.Status != models.SAActive || sa.Headquarters.City != "Raleigh" || sa.Headquarters.Company != "Browser Customer Inc" || sa.AcceptedBy != "cto@"+cust {
		t.Fatalf("account after the browser: %+v", sa)
	}
}
