package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/licensecentral/clc/models"
)

// The requester's script (issue 12; FEATURES SA6, AC1, X7): a requester signs in on the dev sign-in
// page, opens the create-account form, fills it for their own domain, which has an account already;
// the 409 comes back as the "ways forward", one choice per account of the TLD; they follow "request
// access", ask for a role with a reason and see it requested. The request is in the database, waiting
// for the account's administrator, who is mailed. Screenshots land in artifacts/requester-*.png.
func TestBrowserRequesterCreateConflictThenAccess(t *testing.T) {
	tld, admin, saID := activeAccount(t, "portalreq")
	requester := "rita@" + tld
	b := newBrowser(t, "requester")
	b.signIn(sys.app.Config.PublicURL+"/app/smart-accounts/new", requester, "create")
	b.labelled("create form")
	if got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("domain"))); err != nil || got != tld {
		t.Errorf("the domain starts as %q, want the requester's %q", got, tld)
	}
	b.shot("create-form")
	hq := map[string]string{"company": "Portalreq Inc", "line1": "1 Main St", "city": "San Jose", "region": "CA",
		"postalCode": "95134", "country": "US"}
	actions := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.ID("name"), "Portalreq Again")}
	for _, f := range []string{"company", "line1", "city", "region", "postalCode", "country"} {
		// The address fields' ids have a dot (headquarters.company): a CSS #id would read it as a class.
		actions = append(actions, chromedp.SendKeys(chromedp.CSS(`[id="headquarters.`+f+`"]`), hq[f]))
	}
	b.step("fill the form", actions...)
	b.step("submit it", chromedp.Click(chromedp.ID("create")), chromedp.WaitVisible(chromedp.ID("ways-forward")))
	if got := b.text(`[data-choice="` + saID + `"]`); !strings.Contains(got, "portalreq Corp") ||
		!strings.Contains(got, admin.email) {
		t.Errorf("the choice of the existing account: %q", got)
	}
	if got := b.text("#failed-field"); got != "domain" {
		t.Errorf("the refusal names %q", got)
	}
	b.shot("ways-forward")
	var n int64
	sys.db.Model(&models.SmartAccount{}).Where("name = ?", "Portalreq Again").Count(&n)
	if n != 0 {
		t.Errorf("the refused create recorded %d accounts", n)
	}

	b.step("follow request access", chromedp.Click(chromedp.ID("ask-"+saID)), chromedp.WaitVisible(chromedp.ID("ask")))
	b.labelled("access request form")
	b.shot("access-form")
	b.step("ask for access", chromedp.SetValue(chromedp.ID("role"), string(models.RoleSAUser)),
		chromedp.SendKeys(chromedp.ID("reason"), "I run the lab here"),
		chromedp.Click(chromedp.ID("ask")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := b.text("#notice"); !strings.Contains(got, "Requested") {
		t.Errorf("the notice: %q", got)
	}
	b.shot("access-requested")

	var ar models.AccessRequest
	if err := sys.db.Where("smart_account_id = ? AND requested_by = ?", saID, requester).Take(&ar).Error; err != nil ||
		ar.Status != models.AccessPending || ar.Role != models.RoleSAUser || ar.Reason != "I run the lab here" ||
		!contains(ar.Approvers, admin.email) {
		t.Fatalf("the access request's row: %+v %v", ar, err)
	}
	m := mailTo(t, admin.email, "Access request to the Smart Account portalreq Corp")
	if !strings.Contains(m.Text, requester) {
		t.Errorf("the approver's mail does not name the requester:\n%s", m.Text)
	}
}
