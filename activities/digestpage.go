package activities

import (
	"net/url"
	"strings"

	"github.com/licensecentral/clc/models"
)

// digestPage is the portal page a digest's item links to (issue 12: every mail links to the page that
// shows what it talks about). An item keeps only its category and account, not the mail it stood for,
// so the page is the one that lists what the category's mails are about for their recipients: the
// access mails go to the people a request was for (My requests shows its outcome, a declined one
// included, where the account's page would be a 404), the order mails to the orders' contacts (the
// inventory), the account changes to the account's administrators and invitees (the account's page).
func digestPage(c models.Category, account string) mailPage {
	switch c {
	case models.CategoryAccessRequests:
		return requestsPage(MailData{}, nil)
	case models.CategoryOrdersToAssign, models.CategoryProvisioningDelays:
		return mailPage{"/app/orders", "See your orders in License Central"}
	case models.CategoryAccountChanges:
		if account != "" {
			return mailPage{"/app/smart-accounts/" + url.PathEscape(account), "See the Smart Account in License Central"}
		}
	}
	return mailPage{}
}

// digestLink is the address and words of a digest item's page, or nothing when it has none.
func (m *Mailer) digestLink(c models.Category, account string) (string, string) {
	p := digestPage(c, account)
	if p.Path == "" {
		return "", ""
	}
	return strings.TrimRight(m.PublicURL, "/") + p.Path, p.Label
}
