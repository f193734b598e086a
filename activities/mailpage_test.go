package activities

import (
	"os"
	"strings"
	"testing"
)

// Every informational mail links to its portal page (issue 12): each template that is not a task (whose
// link is the ActionURL) has a page, except the digest and the training mails, which the portal has no
// page for; and each page is one of the portal's.
func TestEveryInformationalMailHasItsPage(t *testing.T) {
	entries, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	d := MailData{AccountID: "sa-1", Order: OrderMail{ID: "WO-1", Delegator: "fc@acme.com", Delegate: "helper@acme.com"}}
	m := &Mailer{PublicURL: "http://clc.test/"}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok || name == "layout" {
			continue
		}
		raw, err := os.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		task := strings.Contains(string(raw), "{{.ActionURL}}")
		_, has := mailPages[name]
		switch {
		case task && has:
			t.Errorf("%s is a task (its link is the ActionURL) and has a page too", name)
		case task, name == "digest", strings.HasPrefix(name, "training_"):
		case !has:
			t.Errorf("the informational mail %s links to no page: add it to mailPages", name)
		default:
			got := m.withPage(name, d, []string{"fc@acme.com"})
			if !strings.HasPrefix(got.PageURL, "http://clc.test/app/") || got.PageLabel == "" {
				t.Errorf("%s links to %q (%q), want a portal page", name, got.PageURL, got.PageLabel)
			}
			_, text, html, err := Render(name, got)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, got.PageURL) || !strings.Contains(html, `href="`+got.PageURL+`"`) {
				t.Errorf("%s: the page link is missing from text or html", name)
			}
		}
	}
	// The delegate no longer sees the order once their delegation is closed: their mail has no page.
	if got := m.withPage("order_delegation_revoked", d, []string{"Helper@acme.com"}); got.PageURL != "" {
		t.Errorf("the delegate's mail links to %s", got.PageURL)
	}
}
