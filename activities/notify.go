package activities

import (
	"context"
	"strings"

	"github.com/licensecentral/clc/models"
)

// notificationCategories says which mails are notifications, and of which category (FEATURES NO1). It is
// the one place where preferences apply: SendMail mails a template named here to each recipient as they
// chose for its category on the mail's account. Tasks that need the recipient's decision (every task
// mail, its reminders and escalations) and the confirmations of a Smart Account request to its
// requester are not here: they are always mailed.
var notificationCategories = map[string]models.Category{
	"access_approved":          models.CategoryAccessRequests,
	"access_declined":          models.CategoryAccessRequests,
	"access_expired":           models.CategoryAccessRequests,
	"order_delegation_done":    models.CategoryOrdersToAssign,
	"order_delegation_revoked": models.CategoryOrdersToAssign,
	"order_delegation_expired": models.CategoryOrdersToAssign,
	"order_provisioning_stuck": models.CategoryProvisioningDelays,
	"sa_admin_invite":          models.CategoryAccountChanges,
	"sa_onbehalf_notice":       models.CategoryAccountChanges,
}

// CategoryOf is the category of a mail template, and whether it is a notification at all.
func CategoryOf(template string) (models.Category, bool) {
	c, ok := notificationCategories[template]
	return c, ok
}

// sendNotification mails each recipient their own copy, as they chose: at once with their one-click
// unsubscribe link, deferred to their digest, or not at all. A mail to several people gets a key per
// recipient (the key and the address), so each copy is deduplicated on its own.
func (m *Mailer) sendNotification(ctx context.Context, in MailInput, c models.Category) error {
	account, err := m.accountOf(ctx, in.Data)
	if err != nil {
		return err
	}
	for _, to := range in.To {
		r := models.NormalizeEmail(to)
		key := in.Key
		if len(in.To) > 1 {
			key += "/" + r
		}
		if sent, err := m.sent(ctx, key); err != nil {
			return err
		} else if sent {
			continue
		}
		d, err := models.DeliveryFor(ctx, m.DB, r, account, c)
		if err != nil {
			return err
		}
		switch {
		case d == models.DeliveryOff:
			m.logger().Info("mail not sent: its category is off", "mailKey", key, "category", c)
			continue
		case d.Digest():
			if err := m.deferMail(ctx, key, r, account, c, d, in); err != nil {
				return err
			}
			continue
		}
		data := in.Data
		data.Category = c.Title()
		if data.UnsubscribeURL, err = m.unsubscribeURL(ctx, r, account, c); err != nil {
			return err
		}
		if err := m.send(ctx, key, []string{r}, in.Template, data); err != nil {
			return err
		}
	}
	return nil
}

// accountOf is the account a notification is about: its account, or the account of its order's lines.
func (m *Mailer) accountOf(ctx context.Context, d MailData) (string, error) {
	if d.AccountID != "" || d.Order.ID == "" {
		return d.AccountID, nil
	}
	return models.AccountOfOrder(ctx, m.DB, d.Order.ID)
}

// deferMail keeps the mail's subject, what it says happened, for the recipient's digest of the period.
func (m *Mailer) deferMail(ctx context.Context, key, to, account string, c models.Category, d models.Delivery, in MailInput) error {
	subject, text, _, err := Render(in.Template, in.Data)
	if err != nil {
		return err
	}
	name := in.Data.AccountName
	if name == "" {
		name = in.Data.Order.SmartAccount
	}
	if err := models.DeferToDigest(ctx, m.DB, models.DigestItem{MailKey: key, Recipient: to, SmartAccountID: account,
		AccountName: name, Category: c, Period: d, Summary: summary(subject, text)}); err != nil {
		return err
	}
	m.logger().Info("mail deferred to a digest", "mailKey", key, "category", c, "period", d)
	return nil
}

// unsubscribeURL is the recipient's one-click link turning the category off on the account. It is
// derived from the link secret, so every mail of the kind carries the same link, and only its hash is
// stored.
func (m *Mailer) unsubscribeURL(ctx context.Context, to, account string, c models.Category) (string, error) {
	key := models.UnsubscribeKey(to, account, c)
	if err := m.checkSecret(key); err != nil {
		return "", err
	}
	raw, hash := models.LinkToken(m.LinkSecret, key)
	if err := models.StoreUnsubscribeLink(ctx, m.DB, models.UnsubscribeLink{Hash: hash, Recipient: to,
		SmartAccountID: account, Category: c}); err != nil {
		return "", err
	}
	return strings.TrimRight(m.PublicURL, "/") + "/u/" + raw, nil
}

// summary is what a digest says of a mail: its subject and the first paragraph after the greeting, on
// one line, at most 400 characters.
func summary(subject, text string) string {
	out := subject
	for _, p := range strings.Split(text, "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" || strings.HasSuffix(p, ",") && len(p) < 40 {
			continue
		}
		out += ". " + p
		break
	}
	if r := []rune(out); len(r) > 400 {
		out = string(r[:399]) + "…"
	}
	return out
}
