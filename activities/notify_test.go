package activities_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/models"
)

// accessOutcome is an access request's outcome mail to people about an account (ACCESS_REQUESTS).
func accessOutcome(key, account string, to ...string) activities.MailInput {
	return activities.MailInput{Key: key, To: to, Template: "access_approved", Data: activities.MailData{
		AccountName: "Notify " + account, AccountID: account, Domain: "notify.test", RequesterEmail: to[0],
		Role: "Smart Account User", People: to, DecidedBy: "admin@notify.test"}}
}

func setPref(t *testing.T, db *gorm.DB, email, account string, c models.Category, d models.Delivery) {
	t.Helper()
	if err := models.SetNotificationPreferences(ctx, db, email, account, map[models.Category]models.Delivery{c: d}, "test"); err != nil {
		t.Fatal(err)
	}
}

// One mail to three people who chose differently: the one on IMMEDIATE gets their own copy with a one-click
// unsubscribe link, the one on DAILY gets nothing now and an item waits for their digest, the one on OFF
// (by default for every account) gets nothing at all. A retry changes nothing.
func TestNotificationHonoursEachRecipientsPreference(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		account := "sa-" + u
		now, daily, off := "now-"+u+"@notify.test", "daily-"+u+"@notify.test", "off-"+u+"@notify.test"
		setPref(t, db, daily, account, models.CategoryAccessRequests, models.DeliveryDaily)
		setPref(t, db, off, "", models.CategoryAccessRequests, models.DeliveryOff)
		key := "access-request/" + u + "/approved"
		in := accessOutcome(key, account, now, daily, off)
		for range 2 {
			if err := m.SendMail(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		got := arrived(t, srv, m, u, now, 1) // the IMMEDIATE recipient's
		msg := got[0]
		if len(msg.To) != 1 {
			t.Errorf("the copy went to %v, want its recipient alone", msg.To)
		}
		if msg.ListUnsubscribePost != "List-Unsubscribe=One-Click" || !strings.HasPrefix(msg.ListUnsubscribe, "<http://clc.test/u/") {
			t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", msg.ListUnsubscribe, msg.ListUnsubscribePost)
		}
		link := strings.Trim(msg.ListUnsubscribe, "<>")
		if !strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, link) {
			t.Errorf("the unsubscribe link is not in the text and the HTML")
		}
		l, err := models.FindUnsubscribeLink(ctx, db, tokenOf(t, link))
		if err != nil || l.Recipient != now || l.SmartAccountID != account || l.Category != models.CategoryAccessRequests {
			t.Errorf("stored link %+v, %v", l, err)
		}
		if n := len(srv.To(daily)) + len(srv.To(off)); n != 0 {
			t.Errorf("%d mails to the DAILY and OFF recipients", n)
		}
		items, err := models.WaitingDigestItems(ctx, db, daily, models.DeliveryDaily, time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].MailKey != key+"/"+daily || items[0].SmartAccountID != account ||
			!strings.HasPrefix(items[0].Summary, "Access to the Smart Account Notify "+account+" approved. The request of") {
			t.Errorf("digest items %+v", items)
		}
		if n := rowCount(t, db, &models.DigestItem{}, "recipient = ?", off); n != 0 {
			t.Errorf("%d digest items for the OFF recipient", n)
		}
		if n := rowCount(t, db, &models.MailLog{}, "key = ?", key+"/"+now); n != 1 {
			t.Errorf("%d mail_log rows for the copy", n)
		}
	})
}

// A mail that is no notification (a request's confirmation) ignores the preferences and carries no
// unsubscribe link.
func TestConfirmationIgnoresPreferences(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		to := "req-" + u + "@notify.test"
		for _, c := range models.Categories {
			setPref(t, db, to, "", c, models.DeliveryOff)
		}
		data := activities.MailData{AccountName: "Conf " + u, AccountID: "sa-" + u, Domain: "conf.test"}
		if err := m.SendMail(ctx, activities.MailInput{Key: "sa-create/" + u + "/active", To: []string{to},
			Template: "sa_active", Data: data}); err != nil {
			t.Fatal(err)
		}
		fence(t, srv, m, u)
		got := srv.To(to)
		if len(got) != 1 || got[0].ListUnsubscribe != "" {
			t.Fatalf("mails %+v, want one without List-Unsubscribe", got)
		}
	})
}

// The digest of a period: one mail per person listing their items grouped by account, nothing for a
// person whose category was turned off since, and no second digest or item on a retry.
func TestSendDigests(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		a1, a2 := "sa1-"+u, "sa2-"+u
		reader, quitter := "reader-"+u+"@notify.test", "quitter-"+u+"@notify.test"
		for _, p := range []string{reader, quitter} {
			setPref(t, db, p, "", models.CategoryAccessRequests, models.DeliveryDaily)
			setPref(t, db, p, "", models.CategoryAccountChanges, models.DeliveryWeekly)
		}
		for i, a := range []string{a1, a2, a1} {
			for _, p := range []string{reader, quitter} {
				if err := m.SendMail(ctx, accessOutcome("access-request/"+u+"-"+strconv.Itoa(i)+"/approved", a, p)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := m.SendMail(ctx, activities.MailInput{Key: "sa-create/" + u + "/invite/" + reader, To: []string{reader},
			Template: "sa_admin_invite", Data: activities.MailData{AccountName: "Weekly " + u, AccountID: a1}}); err != nil {
			t.Fatal(err)
		}
		setPref(t, db, quitter, "", models.CategoryAccessRequests, models.DeliveryOff)
		before := time.Now().Add(time.Second)
		in := activities.DigestBatchInput{Period: models.DeliveryDaily, Before: before, Limit: 1}
		total := activities.DigestBatchResult{}
		for {
			res, err := m.SendDigests(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			total.People += res.People
			total.Sent += res.Sent
			total.Items += res.Items
			if res.Next == "" {
				break
			}
			in.After = res.Next
		}
		// Other tests' people may wait for a digest in the same database: count ours.
		got := arrived(t, srv, m, u, reader, 1) // the reader's digest
		d := got[0]
		if d.Subject != "Your daily License Central summary: 3 notification(s)" {
			t.Errorf("subject %q", d.Subject)
		}
		first, second := strings.Index(d.Text, "Notify "+a1), strings.Index(d.Text, "Notify "+a2)
		if first < 0 || second < 0 || strings.Count(d.Text, "approved. The request of") != 3 || strings.Contains(d.Text, "Weekly "+u) {
			t.Errorf("digest text:\n%s", d.Text)
		}
		if d.ListUnsubscribe == "" {
			t.Errorf("the digest has no List-Unsubscribe")
		}
		if n := len(srv.To(quitter)); n != 0 {
			t.Errorf("%d digests to the person who turned the category off", n)
		}
		if n := rowCount(t, db, &models.DigestItem{}, "recipient IN ? AND period = ? AND digest_key IS NULL",
			[]string{reader, quitter}, models.DeliveryDaily); n != 0 {
			t.Errorf("%d daily items still waiting", n)
		}
		if n := rowCount(t, db, &models.DigestItem{}, "recipient = ? AND period = ? AND digest_key IS NULL", reader,
			models.DeliveryWeekly); n != 1 {
			t.Errorf("%d weekly items waiting, want the invitation", n)
		}
		// The same run again: nothing more.
		if _, err := m.SendDigests(ctx, activities.DigestBatchInput{Period: models.DeliveryDaily, Before: before, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		fence(t, srv, m, u+"-again")
		if n := len(srv.To(reader)); n != 1 {
			t.Errorf("%d digests after the repeat", n)
		}
	})
}
