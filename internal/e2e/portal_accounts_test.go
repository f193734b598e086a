package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/licensecentral/clc/models"
)

// The portal's account pages in a real (headless) browser (FEATURES SA9, AC1–AC7, SA8, X7): an SA
// administrator signs in on the dev sign-in page, sees the pending access request's badge in the Access
// Directory and on the account, approves it in place, creates a virtual account in the tree, and visits
// every sub-page; a second request (the requester's, through the API) sees the approval and the tree.
// Each page's screenshot (PNG) lands in artifacts/portal-account-*.png.
func TestBrowserPortalAccountAdmin(t *testing.T) {
	tld, admin, saID := activeAccount(t, "portalacct")
	dev := as(t, "dev@"+tld)
	st, ar := dev.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": "SMART_ACCOUNT_USER",
		"reason": "I run the lab"})
	if st != http.StatusAccepted || ar["status"] != "PENDING" {
		t.Fatalf("access request: %d %v", st, ar)
	}
	reqID := str(ar["id"])

	b := newBrowserWindow(t, "portal-account", 1280, 900, 300*time.Second)

	base := sys.app.Config.PublicURL
	acctPage := base + "/app/smart-accounts/" + saID
	b.signIn(base+"/app/directory", admin.email, "directory")
	if got := strings.TrimSpace(b.text(`[data-pending="` + saID + `"]`)); got != "1" {
		t.Errorf("the directory's badge: %q", got)
	}
	b.shot("directory")
	b.step("open the account", chromedp.Click(chromedp.CSS(`tr[data-account="`+saID+`"] td a`)),
		chromedp.WaitVisible(chromedp.ID("details")))
	if got := strings.TrimSpace(b.text("#pending-badge")); got != "1" {
		t.Errorf("the account's badge: %q", got)
	}
	b.shot("details")

	b.step("open the requests", chromedp.Click(chromedp.ID("pending-badge")), chromedp.WaitVisible(chromedp.ID("approve-"+reqID)))
	b.shot("access-requests")
	b.step("approve in place", chromedp.SendKeys(chromedp.ID("reason-"+reqID), "welcome"),
		chromedp.Click(chromedp.ID("approve-"+reqID)), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := b.text("#notice"); !strings.Contains(got, "Approved the request of "+dev.email) {
		t.Errorf("notice: %q", got)
	}
	if got := b.text(`tr[data-request="` + reqID + `"] .status`); !strings.Contains(got, "approved") {
		t.Errorf("the request's row: %q", got)
	}
	b.shot("access-approved")
	// A second request, the requester's through the API, sees the decision and the role.
	if st, got := dev.get("/api/v1/smart-accounts/" + saID + "/access-requests/" + reqID); st != http.StatusOK ||
		got["status"] != "APPROVED" || got["decidedBy"] != admin.email {
		t.Errorf("the request through the API: %d %v", st, got)
	}
	var row models.AccessRequest
	if err := sys.db.Where("id = ?", reqID).Take(&row).Error; err != nil || row.Status != models.AccessApproved ||
		row.DecidedBy != admin.email {
		t.Errorf("the request's row: %+v %v", row, err)
	}
	if roles := rolesOf(t, saID, dev.email); len(roles) != 1 || roles[0].Role != models.RoleSAUser {
		t.Errorf("the requester's roles: %+v", roles)
	}

	b.step("open the tree", chromedp.Navigate(acctPage+"/virtual-accounts"), chromedp.WaitVisible(chromedp.ID("va-create")))
	b.step("create a virtual account", chromedp.SendKeys(chromedp.ID("create-name"), "Lab"),
		chromedp.SendKeys(chromedp.ID("create-description"), "the test lab"),
		chromedp.Click(chromedp.ID("do-create")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := b.text("#va-tree"); !strings.Contains(got, "Lab") || !strings.Contains(got, models.DefaultVAName) {
		t.Errorf("the tree after the create: %q", got)
	}
	b.shot("virtual-accounts")
	_, tree := dev.get("/api/v1/smart-accounts/" + saID + "/virtual-accounts/tree")
	names := []string{}
	for _, n := range tree["virtualAccounts"].([]any) {
		names = append(names, str(n.(map[string]any)["name"]))
	}
	if !contains(names, "Lab") {
		t.Errorf("the tree through the API: %v", names)
	}
	var va models.VirtualAccount
	if err := sys.db.Where("smart_account_id = ? AND name = ?", saID, "Lab").Take(&va).Error; err != nil ||
		va.Description != "the test lab" || va.ParentID != nil {
		t.Errorf("the virtual account's row: %+v %v", va, err)
	}
	// A refused form comes back with the message naming the field and what was typed.
	b.step("a name in use", chromedp.SendKeys(chromedp.ID("create-name"), "lab"),
		chromedp.Click(chromedp.ID("do-create")), chromedp.WaitVisible(chromedp.ID("failed-field")))
	if got := strings.TrimSpace(b.text("#failed-field")); got != "name" {
		t.Errorf("the refusal names %q", got)
	}
	b.shot("virtual-accounts-refused")

	for _, tab := range []string{"licenses", "users", "rules", "history"} {
		b.step("open "+tab, chromedp.Navigate(acctPage+"/"+tab), chromedp.WaitVisible(chromedp.CSS(`nav.tabs a[aria-current=page]`)))
		b.shot(tab)
		if tab == "users" {
			if got := b.text(`tr[data-user="` + dev.email + `"]`); !strings.Contains(got, "Smart Account User (direct)") {
				t.Errorf("the users page after the approval: %q", got)
			}
		}
	}
}
