package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/licensecentral/clc/models"
)

// The SMB banner and the upgrade form in a real browser (issue 12, seed 002; FEATURES SA8, X7): Pat made
// an SMB account from a personal address, then changed the profile mail to the company's (the same CCO
// id). Signed in with the company address, the account's page shows the banner with the upgrade link;
// the form starts with the profile's domain; Pat upgrades to a part of the company, and the page says
// whom it waits for: the company's administrator, who is mailed. Screenshots: artifacts/smb-*.png.
func TestBrowserSMBBannerAndUpgrade(t *testing.T) {
	tld, admin, _ := activeAccount(t, "smbportal")
	_, cco, id := smbOwner(t, "pat", "Pat Portal")
	company := asProfile(t, "pat@"+tld, cco)

	b := newBrowser(t, "smb")
	b.signIn(sys.app.Config.PublicURL+"/app/smart-accounts/"+id, company.email, "smb-banner")
	if got := b.text("#smb-banner"); !strings.Contains(got, "capabilities are limited") {
		t.Errorf("the banner: %q", got)
	}
	b.shot("banner")
	b.step("open the upgrade form", chromedp.Click(chromedp.ID("upgrade-link")), chromedp.WaitVisible(chromedp.ID("do-upgrade")))
	b.labelled("upgrade form")
	if got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("domain"))); err != nil || got != tld {
		t.Errorf("the domain starts as %q (%v), want the profile's %q", got, err, tld)
	}
	b.shot("upgrade-form")
	domain := "pat." + tld
	b.step("upgrade", chromedp.SetValue(chromedp.ID("name"), "Pat at Smbportal"), chromedp.SetValue(chromedp.ID("domain"), domain),
		chromedp.Click(chromedp.ID("do-upgrade")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := b.text("#notice"); !strings.Contains(got, "Upgrade to "+domain+" requested") || !strings.Contains(got, admin.email) {
		t.Errorf("the notice: %q", got)
	}
	b.shot("upgrade-requested")

	u, ok, err := models.LatestUpgrade(context.Background(), sys.db, id)
	if err != nil || !ok || u.Status != models.UpgradePendingApproval || u.RequestedBy != company.email || u.Domain != domain {
		t.Fatalf("the upgrade's row: %+v %v %v", u, ok, err)
	}
	if sa := account1(t, id); !sa.SMB {
		t.Errorf("the account changed before the approval: %+v", sa)
	}
	mailTo(t, admin.email, "Approve the upgrade of the SMB Smart Account Pat at Smbportal")
}
