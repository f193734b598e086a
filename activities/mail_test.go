package activities_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

const publicURL = "http://clc.test/"

// catcher starts a real SMTP server for one test and a Mailer that sends to it.
func catcher(t *testing.T, db *gorm.DB) (*mailcatch.Server, *activities.Mailer) {
	t.Helper()
	srv := mailcatch.New(mailcatch.Options{Addr: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		t.Fatalf("start SMTP catcher: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close SMTP catcher: %v", err)
		}
	})
	m := &activities.Mailer{
		DB:         db,
		Sender:     activities.SMTPSender{Config: activities.SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: "none", Timeout: 10 * time.Second}},
		From:       "License Central <noreply@clc.test>",
		PublicURL:  publicURL,
		Log:        slog.New(slog.DiscardHandler),
		LinkSecret: []byte("activities-test-link-secret-32by"),
	}
	return srv, m
}

// eachMailer runs a mail test on each database with a catcher and a Mailer of its own, and a suffix that
// keeps its recipients apart from the other tests'.
func eachMailer(t *testing.T, test func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string)) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		srv, m := catcher(t, db)
		test(t, db, srv, m, testdb.Unique())
	})
}

// arrived waits until every mail sent so far has arrived and answers the mails to recipient, of which
// there must be n.
func arrived(t *testing.T, srv *mailcatch.Server, m *activities.Mailer, u, recipient string, n int) []mailcatch.Message {
	t.Helper()
	fence(t, srv, m, u)
	mails := srv.To(recipient)
	if len(mails) != n {
		t.Fatalf("%d mails to %s, want %d", len(mails), recipient, n)
	}
	return mails
}

// actionLinks are the task links in a mail, as its reader would click them.
func actionLinks(msg mailcatch.Message) []string {
	var out []string
	for _, l := range msg.Links {
		if strings.HasPrefix(l, "http://clc.test/a/") {
			out = append(out, l)
		}
	}
	return out
}

// tokenOf is the token at the end of an emailed link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	lu, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return path.Base(lu.Path)
}

// approvalTask is a task mail asking recipient to approve a request of its own workflow.
func approvalTask(u, recipient string) activities.TaskMailInput {
	workflowID := "sa-create/req-" + u
	return activities.TaskMailInput{Key: workflowID + "/approval/" + recipient, Recipient: recipient,
		Purpose: models.PurposeSAApproval, WorkflowID: workflowID, SubjectID: "sa-" + u,
		ExpiresAt: time.Now().Add(72 * time.Hour), Template: "sa_approval_task",
		Data: activities.MailData{AccountName: "Acme Eng " + u, AccountID: "sa-" + u, Domain: "eng.acme-" + u + ".com",
			TLD: "acme-" + u + ".com", RequesterName: "Bob", RequesterEmail: "bob@acme-" + u + ".com"}}
}

// lostAnswer delivers every mail but fails the first sends it is told to, as a worker killed after the
// relay took the mail and before the mail log recorded it would see it.
type lostAnswer struct {
	activities.Sender
	mu    sync.Mutex
	fails int
}

func (s *lostAnswer) Send(ctx context.Context, msg *mail.Msg) error {
	if err := s.Sender.Send(ctx, msg); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails > 0 {
		s.fails--
		return errors.New("connection reset after the relay accepted the mail")
	}
	return nil
}

func waitSubject(t *testing.T, srv *mailcatch.Server, subject string) mailcatch.Message {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	msg, err := srv.WaitFor(wctx, func(m mailcatch.Message) bool { return m.Subject == subject })
	if err != nil {
		t.Fatalf("mail %q never arrived: %v", subject, err)
	}
	return msg
}

// fence sends one more mail and waits for it, so every mail sent before it has arrived when it returns.
func fence(t *testing.T, srv *mailcatch.Server, m *activities.Mailer, u string) {
	t.Helper()
	data := activities.MailData{AccountName: "Fence " + u + " " + models.NewID(), Domain: "fence.test"}
	if err := m.SendMail(ctx, activities.MailInput{Key: "fence/" + models.NewID(), To: []string{"fence@clc.test"},
		Template: "sa_expired", Data: data}); err != nil {
		t.Fatal(err)
	}
	waitSubject(t, srv, "Your Smart Account request "+data.AccountName+" expired")
}

func withSubject(srv *mailcatch.Server, subject string) int {
	n := 0
	for _, m := range srv.Messages() {
		if m.Subject == subject {
			n++
		}
	}
	return n
}

func TestSendMailDeliversOnceByKey(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		to := "alice@acme-" + u + ".com"
		key := "sa-create/" + u + "/active"
		data := activities.MailData{AccountName: "Acme <" + u + "> & Co", AccountID: "sa-" + u, Domain: "acme-" + u + ".com",
			RequesterName: "Alice", DecidedBy: "bob@acme-" + u + ".com", Approvers: []string{"ops@acme-" + u + ".com"}}
		if err := m.SendMail(ctx, activities.MailInput{Key: key, To: []string{to}, Template: "sa_active", Data: data}); err != nil {
			t.Fatal(err)
		}
		// The mail links to the account's page (issue 12), in its text and its HTML.
		page := "http://clc.test/app/smart-accounts/sa-" + u
		withPage := data
		withPage.PageURL, withPage.PageLabel = page, "See the Smart Account in License Central"
		subject, text, html, err := activities.Render("sa_active", withPage)
		if err != nil {
			t.Fatal(err)
		}
		msg := waitSubject(t, srv, subject)
		if len(msg.To) != 1 || msg.To[0] != to {
			t.Errorf("delivered to %v, want [%s]", msg.To, to)
		}
		if msg.From != "noreply@clc.test" {
			t.Errorf("from %q", msg.From)
		}
		if !messageIDRe.MatchString(msg.MessageID) {
			t.Errorf("Message-ID %q, want <32 hex digits@clc.test> (the From address's domain)", msg.MessageID)
		}
		if strings.TrimSpace(msg.Text) != strings.TrimSpace(text) {
			t.Errorf("text =\n%s\nwant\n%s", msg.Text, text)
		}
		if strings.TrimSpace(msg.HTML) != strings.TrimSpace(html) {
			t.Errorf("html =\n%s\nwant\n%s", msg.HTML, html)
		}
		// A browser would get a 401 from the API: an informational mail's one link is the portal's page.
		if len(msg.Links) != 1 || msg.Links[0] != page || !strings.Contains(msg.Text, page) {
			t.Errorf("the notification has links %v, want [%s] (in the text too)", msg.Links, page)
		}
		if strings.Contains(msg.HTML, "<"+u+">") {
			t.Errorf("the account name reached the HTML unescaped")
		}

		var logs []models.MailLog
		if err := db.Where("key = ?", key).Find(&logs).Error; err != nil {
			t.Fatal(err)
		}
		if len(logs) != 1 || logs[0].Recipients != to || logs[0].Subject != subject || logs[0].SentAt.IsZero() {
			t.Errorf("mail_log = %+v, want one row for %s", logs, key)
		}

		// The same key again (an activity retry, even with other data): nothing more is sent.
		other := data
		other.AccountName = "Changed " + u
		if err := m.SendMail(ctx, activities.MailInput{Key: key, To: []string{to, "extra@acme.com"}, Template: "sa_active", Data: other}); err != nil {
			t.Fatal(err)
		}
		fence(t, srv, m, u)
		if n := withSubject(srv, subject); n != 1 {
			t.Errorf("%d mails with subject %q, want 1", n, subject)
		}
		if n := len(srv.To("extra@acme.com")); n != 0 {
			t.Errorf("the repeated key mailed %d messages to the new recipient", n)
		}
		if n := len(srv.Messages()); n != 2 {
			t.Errorf("%d messages in the catcher, want 2 (the mail and the fence)", n)
		}
		if n := rowCount(t, db, &models.MailLog{}, "key = ?", key); n != 1 {
			t.Errorf("%d mail_log rows for %s", n, key)
		}
	})
}

func TestSendTaskMailStoresOnlyTheTokenHash(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		recipient := "Approver-" + u + "@ACME.com"
		workflowID := "sa-create/req-" + u
		key := workflowID + "/approval/" + strings.ToLower(recipient)
		expires := time.Now().Add(72 * time.Hour).Truncate(time.Second).In(time.FixedZone("CEST", 2*3600))
		in := activities.TaskMailInput{Key: key, Recipient: recipient, Purpose: models.PurposeSAApproval,
			WorkflowID: workflowID, SubjectID: "sa-" + u, ExpiresAt: expires, Template: "sa_approval_task",
			Data: activities.MailData{AccountName: "Acme Eng " + u, AccountID: "sa-" + u, Domain: "eng.acme-" + u + ".com",
				TLD: "acme-" + u + ".com", RequesterName: "Bob", RequesterEmail: "bob@acme-" + u + ".com", Deadline: expires}}
		if err := m.SendTaskMail(ctx, in); err != nil {
			t.Fatal(err)
		}
		subject, _, _, err := activities.Render(in.Template, in.Data)
		if err != nil {
			t.Fatal(err)
		}
		msg := waitSubject(t, srv, subject)
		lower := strings.ToLower(recipient)
		if len(msg.To) != 1 || msg.To[0] != lower {
			t.Errorf("delivered to %v, want [%s]", msg.To, lower)
		}
		var link string
		for _, l := range msg.Links {
			if strings.HasPrefix(l, "http://clc.test/a/") {
				if link != "" && l != link {
					t.Errorf("two action links: %s and %s", link, l)
				}
				link = l
			}
		}
		if link == "" {
			t.Fatalf("no action link in the mail; links %v, text:\n%s", msg.Links, msg.Text)
		}
		if !strings.Contains(msg.Text, link) {
			t.Errorf("the text part lacks the link %s", link)
		}
		lu, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		raw := path.Base(lu.Path)
		if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != 32 {
			t.Errorf("token %q is not 32 bytes of base64url: %v", raw, err)
		}

		var toks []models.ActionToken
		if err := db.Where("workflow_id = ?", workflowID).Find(&toks).Error; err != nil {
			t.Fatal(err)
		}
		if len(toks) != 1 {
			t.Fatalf("%d tokens for %s, want 1", len(toks), workflowID)
		}
		tok := toks[0]
		if tok.Hash != models.HashToken(raw) {
			t.Errorf("stored hash %s, want HashToken(token in the link) %s", tok.Hash, models.HashToken(raw))
		}
		if tok.Recipient != lower || tok.Purpose != models.PurposeSAApproval || tok.SubjectID != "sa-"+u ||
			tok.MailKey != key || tok.UsedAt != nil || tok.Outcome != "" {
			t.Errorf("token row = %+v", tok)
		}
		if !tok.ExpiresAt.Equal(expires) {
			t.Errorf("expires_at = %v, want %v", tok.ExpiresAt, expires)
		}
		// No column of the token row, nor of the mail log, holds the token itself.
		var row map[string]any
		if err := db.Table("action_tokens").Where("id = ?", tok.ID).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		if len(row) < 10 {
			t.Fatalf("read %d columns of action_tokens: %v", len(row), row)
		}
		for col, v := range row {
			if strings.Contains(fmt.Sprint(v), raw) || strings.Contains(fmt.Sprintf("%s", v), raw) {
				t.Errorf("action_tokens.%s holds the raw token", col)
			}
		}
		var logRow map[string]any
		if err := db.Table("mail_log").Where("key = ?", key).Take(&logRow).Error; err != nil {
			t.Fatal(err)
		}
		for col, v := range logRow {
			if strings.Contains(fmt.Sprintf("%s", v), raw) {
				t.Errorf("mail_log.%s holds the raw token", col)
			}
		}

		// A retry with the same key after the send was recorded stores no second token and sends nothing.
		if err := m.SendTaskMail(ctx, in); err != nil {
			t.Fatal(err)
		}
		fence(t, srv, m, u)
		if n := withSubject(srv, subject); n != 1 {
			t.Errorf("%d task mails, want 1", n)
		}
		if n := rowCount(t, db, &models.ActionToken{}, "workflow_id = ?", workflowID); n != 1 {
			t.Errorf("%d tokens after a retry, want 1", n)
		}
	})
}

// messageIDRe is the Message-ID of every mail: 16 bytes of the mail key's SHA-256 at the sender's domain.
var messageIDRe = regexp.MustCompile(`^<[0-9a-f]{32}@clc\.test>$`)

func TestNotificationMessageIDFollowsTheMailKey(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		to := "alice@acme-" + u + ".com"
		data := activities.MailData{AccountName: "Acme " + u, Domain: "acme-" + u + ".com"}
		send := func(key string) {
			t.Helper()
			if err := m.SendMail(ctx, activities.MailInput{Key: key, To: []string{to}, Template: "sa_expired",
				Data: data}); err != nil {
				t.Fatal(err)
			}
		}
		key, other := "sa-create/"+u+"/expired", "sa-create/"+u+"/expired-again"
		send(key)
		// The worker dies before the mail log records the send; the retry sends again.
		if err := db.Where("key = ?", key).Delete(&models.MailLog{}).Error; err != nil {
			t.Fatal(err)
		}
		send(key)
		send(other)
		mails := arrived(t, srv, m, u, to, 3)
		for _, msg := range mails {
			if !messageIDRe.MatchString(msg.MessageID) {
				t.Errorf("Message-ID %q, want <32 hex digits@clc.test>", msg.MessageID)
			}
		}
		if mails[0].MessageID != mails[1].MessageID {
			t.Errorf("the resend of %s has Message-ID %s, the first send %s", key, mails[1].MessageID, mails[0].MessageID)
		}
		if mails[2].MessageID == mails[0].MessageID {
			t.Errorf("the mail keys %s and %s share the Message-ID %s", key, other, mails[0].MessageID)
		}
	})
}

func TestSendTaskMailRetriedAfterAnUnrecordedSendMailsTheSameLink(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		crashes := map[string]func(t *testing.T, db *gorm.DB, m *activities.Mailer, in activities.TaskMailInput){
			"the relay's answer is lost": func(t *testing.T, _ *gorm.DB, m *activities.Mailer, in activities.TaskMailInput) {
				m.Sender = &lostAnswer{Sender: m.Sender, fails: 1}
				if err := m.SendTaskMail(ctx, in); err == nil {
					t.Fatal("the attempt whose send failed reported success")
				}
			},
			"the mail log row is lost": func(t *testing.T, db *gorm.DB, m *activities.Mailer, in activities.TaskMailInput) {
				if err := m.SendTaskMail(ctx, in); err != nil {
					t.Fatal(err)
				}
				if err := db.Where("key = ?", in.Key).Delete(&models.MailLog{}).Error; err != nil {
					t.Fatal(err)
				}
			},
		}
		for name, crash := range crashes {
			t.Run(name, func(t *testing.T) {
				srv, m := catcher(t, db)
				u := testdb.Unique()
				recipient := "approver-" + u + "@acme.com"
				in := approvalTask(u, recipient)
				crash(t, db, m, in)
				if n := rowCount(t, db, &models.MailLog{}, "key = ?", in.Key); n != 0 {
					t.Fatalf("%d mail_log rows after the crash, want none", n)
				}
				// The activity is retried.
				if err := m.SendTaskMail(ctx, in); err != nil {
					t.Fatal(err)
				}
				mails := arrived(t, srv, m, u, recipient, 2) // the unrecorded one and the retry
				var links []string
				for _, msg := range mails {
					l := actionLinks(msg)
					if len(l) != 1 {
						t.Fatalf("mail %s has action links %v, want one", msg.ID, l)
					}
					links = append(links, l[0])
				}
				if links[0] != links[1] {
					t.Errorf("the retry mailed the link %s, the first attempt %s: two live links", links[1], links[0])
				}
				if mails[0].MessageID != mails[1].MessageID || !messageIDRe.MatchString(mails[0].MessageID) {
					t.Errorf("Message-IDs %q and %q, want the same one twice: the retry is the same message",
						mails[0].MessageID, mails[1].MessageID)
				}
				var toks []models.ActionToken
				if err := db.Where("workflow_id = ?", in.WorkflowID).Find(&toks).Error; err != nil {
					t.Fatal(err)
				}
				if len(toks) != 1 {
					t.Fatalf("%d token rows for %s, want 1", len(toks), in.WorkflowID)
				}
				if toks[0].Hash != models.HashToken(tokenOf(t, links[0])) || toks[0].MailKey != in.Key {
					t.Errorf("the token row %+v is not the mailed link's", toks[0])
				}
				if n := rowCount(t, db, &models.MailLog{}, "key = ?", in.Key); n != 1 {
					t.Errorf("%d mail_log rows after the retry, want 1", n)
				}
			})
		}
	})
}

func TestSendTaskMailGivesEachKeyItsOwnLink(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		recipient := "approver-" + u + "@acme.com"
		first := approvalTask(u, recipient)
		reminder := first
		reminder.Key = first.WorkflowID + "/reminder-1/" + recipient
		for _, in := range []activities.TaskMailInput{first, reminder} {
			if err := m.SendTaskMail(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		mails := arrived(t, srv, m, u, recipient, 2)
		a, b := actionLinks(mails[0]), actionLinks(mails[1])
		if len(a) != 1 || len(b) != 1 {
			t.Fatalf("action links %v and %v, want one in each mail", a, b)
		}
		if a[0] == b[0] {
			t.Errorf("two mail keys mailed the same link %s", a[0])
		}
		if mails[0].MessageID == mails[1].MessageID {
			t.Errorf("two mail keys sent the same Message-ID %s", mails[0].MessageID)
		}
		for _, link := range []string{a[0], b[0]} {
			if n := rowCount(t, db, &models.ActionToken{}, "hash = ?", models.HashToken(tokenOf(t, link))); n != 1 {
				t.Errorf("%d token rows for the link %s, want 1", n, link)
			}
		}
		if n := rowCount(t, db, &models.ActionToken{}, "workflow_id = ?", first.WorkflowID); n != 2 {
			t.Errorf("%d token rows for %s, want 2", n, first.WorkflowID)
		}
	})
}

func TestSendTaskMailWithoutALinkSecretMailsNothing(t *testing.T) {
	eachMailer(t, func(t *testing.T, db *gorm.DB, srv *mailcatch.Server, m *activities.Mailer, u string) {
		recipient := "approver-" + u + "@acme.com"
		in := approvalTask(u, recipient)
		secret := m.LinkSecret
		for _, short := range [][]byte{nil, secret[:31]} {
			m.LinkSecret = short
			if err := m.SendTaskMail(ctx, in); err == nil || !strings.Contains(err.Error(), "CLC_LINK_SECRET") {
				t.Errorf("a %d-byte secret: error %v, want one naming CLC_LINK_SECRET", len(short), err)
			}
		}
		m.LinkSecret = secret
		fence(t, srv, m, u)
		if n := len(srv.To(recipient)); n != 0 {
			t.Errorf("%d mails sent without a link secret", n)
		}
		if n := rowCount(t, db, &models.ActionToken{}, "workflow_id = ?", in.WorkflowID); n != 0 {
			t.Errorf("%d token rows stored without a link secret", n)
		}
	})
}

func TestRenderEveryTemplate(t *testing.T) {
	entries, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	data := activities.MailData{
		AccountName: "Acme <Engineering> & Sons", AccountID: "01a2", Domain: "eng.acme.com", TLD: "acme.com",
		RequesterEmail: "bob@acme.com", RequesterName: "Bob Builder", Note: "please hurry", Reason: "duplicate",
		DecidedBy: "alice@acme.com", Status: string(models.SAPendingApproval), SMB: true,
		Approvers: []string{"alice@acme.com", "ops@acme.com"}, Deadline: time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC),
		Reminder: 1, ActionURL: "http://clc.test/a/TOKEN",
		Order: activities.OrderMail{ID: "WO-1001", PurchaseOrder: "PO-7", EndCustomer: "Acme <Engineering>", Lines: 3,
			Delegator: "fc@acme.com", Delegate: "helper@integrator.com", Note: "pick the lab account", SmartAccount: "Acme",
			VirtualAccount: "DEFAULT", By: "helper@integrator.com", Outcome: "helper@integrator.com assigned order WO-1001."},
	}
	htmlFiles := map[string]bool{}
	var names []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".txt")
		if ok {
			names = append(names, name)
		}
		if h, ok := strings.CutSuffix(e.Name(), ".html"); ok {
			htmlFiles[h] = true
		}
	}
	if len(names) < 8 {
		t.Fatalf("found %d text templates: %v", len(names), names)
	}
	for _, name := range names {
		if !htmlFiles[name] {
			t.Errorf("%s.txt has no %s.html", name, name)
		}
		for _, d := range []activities.MailData{data, {}} {
			subject, text, html, err := activities.Render(name, d)
			if err != nil {
				t.Errorf("Render(%s): %v", name, err)
				continue
			}
			if strings.TrimSpace(subject) == "" || strings.ContainsAny(subject, "\r\n") {
				t.Errorf("%s: subject %q", name, subject)
			}
			if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "Subject:") {
				t.Errorf("%s: text %q", name, text)
			}
			if !strings.Contains(html, "<html") || !strings.Contains(html, "</html>") {
				t.Errorf("%s: html is not a document:\n%s", name, html)
			}
			for _, part := range []string{subject, text, html} {
				if strings.Contains(part, "<no value>") {
					t.Errorf("%s renders <no value>", name)
				}
				// A browser opening an API URL gets a 401 in JSON; a mail links to pages only.
				if strings.Contains(part, "/api/") {
					t.Errorf("%s renders an API URL:\n%s", name, part)
				}
			}
			key := d.AccountName
			if strings.HasPrefix(name, "order_") {
				key = d.Order.ID // a mail about an order names the order
			}
			if strings.HasPrefix(name, "training_") {
				key = d.Training.ID // a mail about a training request names its case
			}
			if name == "digest" {
				key = "" // a digest names the accounts of its items (TestSendDigests), not one account
			}
			if key == "" {
				continue
			}
			if !strings.Contains(text, key) && !strings.Contains(subject, key) {
				t.Errorf("%s: %q is in neither subject nor text", name, key)
			}
			if strings.Contains(html, "<Engineering>") {
				t.Errorf("%s: the account name reached the HTML unescaped", name)
			}
			if strings.Contains(name, "task") || strings.Contains(name, "escalation") {
				if !strings.Contains(text, d.ActionURL) || !strings.Contains(html, d.ActionURL) {
					t.Errorf("%s: the action link is missing from text or html", name)
				}
			}
		}
	}
	if _, _, _, err := activities.Render("no_such_template", data); err == nil {
		t.Error("Render of an unknown template succeeded")
	}
}

// failingLog makes the first n writes of the mail log under a context carrying it fail, as a database
// restarting or out of connections does right after the mail went out.
type failingLog struct{ n int }

type failingLogKey struct{}

// failMailLog registers, once per database, the callback failingLog works through.
func failMailLog(t *testing.T, db *gorm.DB) {
	t.Helper()
	err := db.Callback().Create().Before("gorm:create").Register("test:fail_mail_log_"+testdb.Unique(), func(tx *gorm.DB) {
		f, _ := tx.Statement.Context.Value(failingLogKey{}).(*failingLog)
		if f != nil && tx.Statement.Table == "mail_log" && f.n > 0 {
			f.n--
			_ = tx.AddError(errors.New("connection reset by peer"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The mail is out but its log row cannot be written for a moment: the row is written once the database
// answers, within the same attempt, so no retry sends the mail a second time.
func TestSentMailIsRecordedThroughADatabaseBlip(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		srv, m := catcher(t, db)
		failMailLog(t, db)
		u := testdb.Unique()
		key := "sa-create/" + u + "/active"
		data := activities.MailData{AccountName: "Blip " + u, AccountID: "sa-" + u, Domain: "blip-" + u + ".com", RequesterName: "Alice"}
		fctx := context.WithValue(ctx, failingLogKey{}, &failingLog{n: 3})
		if err := m.SendMail(fctx, activities.MailInput{Key: key, To: []string{"alice@blip-" + u + ".com"}, Template: "sa_active", Data: data}); err != nil {
			t.Fatalf("send through a database blip: %v", err)
		}
		if err := m.SendMail(ctx, activities.MailInput{Key: key, To: []string{"alice@blip-" + u + ".com"}, Template: "sa_active", Data: data}); err != nil {
			t.Fatal(err)
		}
		subject, _, _, err := activities.Render("sa_active", data)
		if err != nil {
			t.Fatal(err)
		}
		waitSubject(t, srv, subject)
		if n := withSubject(srv, subject); n != 1 {
			t.Errorf("%d mails, want 1", n)
		}
		if n := rowCount(t, db, &models.MailLog{}, "key = ?", key); n != 1 {
			t.Errorf("%d mail log rows for %s", n, key)
		}
	})
}
