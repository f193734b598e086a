package activities

import (
	"net/url"
	"strings"
)

// Every informational mail links to the portal page that shows what it talks about (FEATURES X7, NO1,
// issue 12): the account's page for the mails about a Smart Account, the order's page for the mails
// about an order, the person's requests for the requests that ended without giving them access. The
// link needs a session, unlike a task's emailed link (ActionURL), and is the same for everyone: it
// carries no token, so forwarding it gives nothing away. Set from the template's name at send time, so
// the workflows' mail data (and their histories) stay as they are.

// mailPage is the page an informational mail links to: its path on the portal and the link's words.
type mailPage struct{ Path, Label string }

// mailPages maps each informational template to its page; a template absent here is a task (its link
// is the ActionURL), the digest (a link per item's category) or a training mail (the portal has no page
// for training requests yet).
var mailPages = map[string]func(d MailData, to []string) mailPage{
	"sa_active":               accountPage,
	"sa_pending":              accountPage,
	"sa_declined":             accountPage,
	"sa_expired":              accountPage,
	"sa_admin_invite":         accountPage,
	"sa_onbehalf_active":      accountPage,
	"sa_onbehalf_notice":      accountPage,
	"sa_onbehalf_pending":     accountPage,
	"sa_declined_by_customer": accountPage,
	"sa_acceptance_expired":   accountPage,
	"sa_upgraded":             accountPage,
	"sa_upgrade_declined":     accountPage,
	"access_approved":         accountPage,
	// A declined or expired request gave its requester no role: a restricted account's page would be a
	// 404 for them, their requests show the outcome.
	"access_declined":          requestsPage,
	"access_expired":           requestsPage,
	"order_delegation_done":    orderPage,
	"order_delegation_expired": orderPage,
	"order_delegation_revoked": orderPage,
	"order_holding_fulfilled":  orderPage,
	"order_provisioning_stuck": orderPage,
	"order_partner_account":    partnerAccountPage,
}

func accountPage(d MailData, _ []string) mailPage {
	if d.AccountID == "" {
		return mailPage{}
	}
	return mailPage{"/app/smart-accounts/" + url.PathEscape(d.AccountID), "See the Smart Account in License Central"}
}

func requestsPage(MailData, []string) mailPage {
	return mailPage{"/app/requests", "See your requests in License Central"}
}

// orderPage is the order's page, for everyone but the delegate: a delegate sees the order only while
// their delegation is open, and the mails they get (done, revoked) say it is closed.
func orderPage(d MailData, to []string) mailPage {
	if d.Order.ID == "" || (d.Order.Delegate != "" && len(to) == 1 && strings.EqualFold(to[0], d.Order.Delegate)) {
		return mailPage{}
	}
	return mailPage{"/app/orders/" + url.PathEscape(d.Order.ID), "See the order in License Central"}
}

// partnerAccountPage is the form that creates the partner's own account, its domain filled in: the
// mail adds &type=HOLDING for a holding account (issue 13, item 6).
func partnerAccountPage(d MailData, _ []string) mailPage {
	return mailPage{"/app/smart-accounts/new?domain=" + url.QueryEscape(d.Domain),
		"Or create your company's customer Smart Account"}
}

// withPage sets the mail's PageURL and PageLabel when its template has a page for its recipients.
func (m *Mailer) withPage(name string, d MailData, to []string) MailData {
	page, ok := mailPages[name]
	if !ok || d.PageURL != "" {
		return d
	}
	if p := page(d, to); p.Path != "" {
		d.PageURL, d.PageLabel = strings.TrimRight(m.PublicURL, "/")+p.Path, p.Label
	}
	return d
}
