package activities

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
)

// Each item of a digest links to the portal page that shows what it is about (issue 12), in the text
// and the HTML: every category has one, and an account change needs its account.
func TestDigestItemsLinkToTheirPage(t *testing.T) {
	m := &Mailer{PublicURL: "http://clc.test/"}
	want := map[models.Category]string{
		models.CategoryAccessRequests:     "http://clc.test/app/requests",
		models.CategoryOrdersToAssign:     "http://clc.test/app/orders",
		models.CategoryProvisioningDelays: "http://clc.test/app/orders",
		models.CategoryAccountChanges:     "http://clc.test/app/smart-accounts/sa-1",
	}
	for _, c := range models.Categories {
		u, label := m.digestLink(c, "sa-1")
		if u != want[c] || label == "" {
			t.Errorf("%s links to %q (%q), want %q", c, u, label, want[c])
		}
	}
	if u, _ := m.digestLink(models.CategoryAccountChanges, ""); u != "" {
		t.Errorf("an account change about no account links to %q", u)
	}
	u, label := m.digestLink(models.CategoryAccessRequests, "sa-1")
	d := MailData{Digest: DigestMail{Period: "daily", Until: time.Now(), Count: 1, Accounts: []DigestAccount{{Name: "Acme",
		Items: []DigestEntry{{Category: "Access requests", Summary: "approved", At: time.Now(),
			UnsubscribeURL: "http://clc.test/u/x", PageURL: u, PageLabel: label}}}}}}
	_, text, html, err := Render("digest", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, label+": "+u) || !strings.Contains(html, `href="`+u+`"`) {
		t.Errorf("the item's page link is missing:\n%s\n%s", text, html)
	}
}

// The training mails link to no page on purpose: the portal has none for training requests yet (docs/
// features.md X7), and a link to the JSON API would answer a browser 401. They carry no link at all.
func TestTrainingMailsLinkNowhere(t *testing.T) {
	entries, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	d := MailData{RequesterEmail: "ann@acme.com", Training: TrainingMail{ID: "tr-1", Topic: "Smart Accounts",
		Portal: "CSSM", Queue: "americas", ScheduledAt: time.Now(), Outcome: "DONE"}}
	n := 0
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok || !strings.HasPrefix(name, "training_") {
			continue
		}
		n++
		if _, has := mailPages[name]; has {
			t.Errorf("%s has a page, but the portal has none for training requests", name)
		}
		_, text, html, err := Render(name, (&Mailer{PublicURL: "http://clc.test"}).withPage(name, d, []string{"ann@acme.com"}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "http") || strings.Contains(html, "href=") {
			t.Errorf("%s links somewhere:\n%s\n%s", name, text, html)
		}
	}
	if n == 0 {
		t.Fatal("no training mail templates")
	}
}
