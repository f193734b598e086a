package activities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/wneessen/go-mail"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
)

//go:embed templates
var templateFiles embed.FS

// MailData is what a mail template may show. Each template uses the fields its mail needs.
type MailData struct {
	AccountName    string
	AccountID      string
	Domain         string
	TLD            string
	RequesterEmail string
	RequesterName  string
	Note           string
	Reason         string
	DecidedBy      string
	Status         string
	SMB            bool
	Approvers      []string
	Deadline       time.Time
	Reminder       int
	// Role, Items, People, Outside and Declined describe access requests: the role's title, the virtual
	// accounts asked for (or granted), whom it is for, who of them is outside the account's domain, and
	// the virtual accounts an approver declined.
	Role     string
	Items    []string
	People   []string
	Outside  []string
	Declined []string
	// Partner names the partner of a partner's request (FEATURES AC8), "Partner X (partnerx.com)": its
	// people, not People, are to hold the role.
	Partner string
	// ActionURL is set by SendTaskMail: the emailed link of the task, which acts without a session.
	ActionURL string
	// PageURL and PageLabel are set by the Mailer on an informational mail (mailPages): the portal page
	// that shows what the mail talks about, and the link's words.
	PageURL, PageLabel string
	// Order is what the mails about an order show.
	Order OrderMail
	// Category and UnsubscribeURL are set by SendMail on a notification mail (FEATURES NO1): the title of
	// its category and the recipient's one-click link that turns the category off.
	Category       string
	UnsubscribeURL string
	// Digest is what a digest lists.
	Digest DigestMail
	// Training is what the mails about a training or demo request show.
	Training TrainingMail
}

// MailInput is one notification: a deterministic key (workflow id + step + recipient) and a template.
type MailInput struct {
	Key      string
	To       []string
	Template string
	Data     MailData
}

// TaskMailInput is an emailed task: the mail carries a single-use link bound to its recipient.
type TaskMailInput struct {
	Key        string
	Recipient  string
	Purpose    string
	WorkflowID string
	SubjectID  string
	ExpiresAt  time.Time
	Template   string
	Data       MailData
}

// Sender delivers a message; the SMTP sender in production, anything in tests.
type Sender interface {
	Send(ctx context.Context, msg *mail.Msg) error
}

// Mailer sends notifications and emailed tasks, at least once and deduplicated by mail key. Every mail
// carries its key (X-CLC-Mail-Key) and a Message-ID derived from it.
type Mailer struct {
	DB        *gorm.DB
	Sender    Sender
	From      string
	PublicURL string
	Log       *slog.Logger
	// LinkSecret is what the emailed links' tokens are derived from (CLC_LINK_SECRET, at least
	// models.MinLinkSecretLen bytes), so that a retried task mail carries the link it may already have sent.
	LinkSecret []byte
	// Observe, when set, counts each send by outcome: "sent" or "failed" (metrics.Events.Mail).
	Observe func(outcome string)
}

func (m *Mailer) observe(outcome string) {
	if m.Observe != nil {
		m.Observe(outcome)
	}
}

// SendMail sends a notification unless the mail log shows its key was sent already.
// A notification of a category (notificationCategories) goes to each recipient as they chose.
func (m *Mailer) SendMail(ctx context.Context, in MailInput) error {
	if c, ok := notificationCategories[in.Template]; ok {
		return m.sendNotification(ctx, in, c)
	}
	if sent, err := m.sent(ctx, in.Key); err != nil || sent {
		return err
	}
	return m.send(ctx, in.Key, in.To, in.Template, in.Data)
}

// SendTaskMail stores the hash of the recipient's token and mails the link. The token is derived from
// the mail key and its row is stored once, so a retry after a recorded send does nothing and a retry
// after an unrecorded one (a crash between the send and the mail log) mails the same link again.
func (m *Mailer) SendTaskMail(ctx context.Context, in TaskMailInput) error {
	if sent, err := m.sent(ctx, in.Key); err != nil || sent {
		return err
	}
	// The worker does not start without the secret; this keeps a Mailer built elsewhere from mailing
	// links anyone could compute.
	if err := m.checkSecret(in.Key); err != nil {
		return err
	}
	raw, hash := models.LinkToken(m.LinkSecret, in.Key)
	now := time.Now().UTC().Truncate(time.Microsecond)
	tok := models.ActionToken{ID: models.NewID(), Hash: hash, Purpose: in.Purpose, WorkflowID: in.WorkflowID,
		SubjectID: in.SubjectID, Recipient: models.NormalizeEmail(in.Recipient), MailKey: in.Key,
		ExpiresAt: in.ExpiresAt.UTC(), CreatedAt: now}
	// A retry finds the row of the attempt before it under the same (unique) hash and keeps it.
	err := m.DB.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "hash"}}, DoNothing: true}).
		Create(&tok).Error
	if err != nil {
		return fmt.Errorf("store token for %s: %w", in.Key, err)
	}
	in.Data.ActionURL = strings.TrimRight(m.PublicURL, "/") + "/a/" + raw
	return m.send(ctx, in.Key, []string{in.Recipient}, in.Template, in.Data)
}

// checkSecret refuses to mail links derived from a secret that is missing or too short: anyone who
// can guess a mail key could compute them.
func (m *Mailer) checkSecret(key string) error {
	if len(m.LinkSecret) < models.MinLinkSecretLen {
		return fmt.Errorf("mail %s: the link secret (CLC_LINK_SECRET) has %d bytes, fewer than %d",
			key, len(m.LinkSecret), models.MinLinkSecretLen)
	}
	return nil
}

func (m *Mailer) sent(ctx context.Context, key string) (bool, error) {
	var n int64
	if err := m.DB.WithContext(ctx).Model(&models.MailLog{}).Where("key = ?", key).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read mail log %s: %w", key, err)
	}
	return n > 0, nil
}

func (m *Mailer) send(ctx context.Context, key string, to []string, name string, data MailData) error {
	data = m.withPage(name, data, to)
	subject, text, html, err := Render(name, data)
	if err != nil {
		return err
	}
	if data.UnsubscribeURL != "" {
		text = strings.TrimRight(text, "\n") + "\n\n--\nYou get this mail because of your settings for " + data.Category +
			" mails. To stop them: " + data.UnsubscribeURL + "\n"
	}
	msg := mail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("sender %q: %w", m.From, err)
	}
	if err := msg.To(to...); err != nil {
		return fmt.Errorf("recipients %v: %w", to, err)
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(messageID(key, msg.GetFrom()))
	msg.SetDate()
	msg.SetGenHeader("X-CLC-Mail-Key", key)
	if data.UnsubscribeURL != "" {
		// RFC 8058: a mail client's one-click unsubscribe POSTs "List-Unsubscribe=One-Click" to the URL.
		msg.SetGenHeader("List-Unsubscribe", "<"+data.UnsubscribeURL+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(mail.TypeTextPlain, text)
	msg.AddAlternativeString(mail.TypeTextHTML, html)
	if err := m.Sender.Send(ctx, msg); err != nil {
		m.observe("failed")
		return fmt.Errorf("send %s to %v: %w", key, to, err)
	}
	m.observe("sent")
	rec := models.MailLog{Key: key, Recipients: strings.Join(to, ","), Subject: subject, SentAt: time.Now().UTC()}
	if err := m.record(ctx, rec); err != nil {
		return fmt.Errorf("record mail %s: %w", key, err)
	}
	m.logger().Info("mail sent", "mailKey", key, "template", name, "recipients", len(to))
	return nil
}

// MessageID is the Message-ID (without angle brackets) of the mail sent under key from the address
// from: an audit of delivered mail matches the mail log's keys to the messages received by it.
func MessageID(key, from string) string {
	return messageID(key, []*netmail.Address{{Address: from}})
}

// recordWindow bounds how long a sent mail's log row is tried again within one attempt.
const recordWindow = 45 * time.Second

// record writes the mail log row of a mail that is out. Failing here would make the activity's retry
// send the mail a second time, so a database that is away for a moment (a restart, a full pool: the
// fault suite meets both) is waited for, with backoff, as long as the attempt may run.
func (m *Mailer) record(ctx context.Context, rec models.MailLog) error {
	ctx, cancel := context.WithTimeout(ctx, recordWindow)
	defer cancel()
	wait := 100 * time.Millisecond
	for {
		err := m.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rec).Error
		if err == nil {
			return nil
		}
		var e *models.Error
		if errors.As(models.Classify(err), &e) && e.Code != models.CodeUnavailable && e.Code != models.CodeInternal {
			return err
		}
		m.logger().Warn("mail sent, its log row not written yet; trying again", "mailKey", rec.Key, "error", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// messageID is the Message-ID of the mail sent under key, without its angle brackets. It is derived from
// the key so that a mail resent after a crash is, to mail clients, the message they may already have; the
// sender's domain makes it unique beyond this system, as RFC 5322 asks.
func messageID(key string, from []*netmail.Address) string {
	sum := sha256.Sum256([]byte(key))
	domain := "localhost"
	if len(from) > 0 {
		if at := strings.LastIndex(from[0].Address, "@"); at >= 0 && at < len(from[0].Address)-1 {
			domain = from[0].Address[at+1:]
		}
	}
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

func (m *Mailer) logger() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}

var funcs = map[string]any{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	},
	"join": strings.Join,
}

// Render produces a mail's subject, text and HTML from templates/<name>.txt (first line "Subject: …")
// and templates/<name>.html; the link to the mail's page (PageURL) ends the text and the HTML's body.
func Render(name string, data MailData) (subject, text, html string, err error) {
	tt, err := texttemplate.New(name+".txt").Funcs(funcs).ParseFS(templateFiles, "templates/"+name+".txt")
	if err != nil {
		return "", "", "", fmt.Errorf("mail template %s: %w", name, err)
	}
	var tb bytes.Buffer
	if err := tt.Execute(&tb, data); err != nil {
		return "", "", "", fmt.Errorf("render %s: %w", name, err)
	}
	first, body, ok := strings.Cut(tb.String(), "\n")
	subject, found := strings.CutPrefix(first, "Subject: ")
	if !ok || !found {
		return "", "", "", errors.New("mail template " + name + " must start with a Subject: line")
	}
	ht, err := htmltemplate.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
	if err != nil {
		return "", "", "", fmt.Errorf("mail template %s: %w", name, err)
	}
	var hb bytes.Buffer
	if err := ht.Execute(&hb, struct {
		Subject string
		MailData
	}{subject, data}); err != nil {
		return "", "", "", fmt.Errorf("render %s: %w", name, err)
	}
	text = strings.TrimLeft(body, "\n")
	if data.PageURL != "" {
		text = strings.TrimRight(text, "\n") + "\n\n" + data.PageLabel + ": " + data.PageURL + "\n"
	}
	return strings.TrimSpace(subject), text, hb.String(), nil
}

// SMTPConfig says how to reach the mail relay.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "mandatory" (STARTTLS required), "opportunistic", "none", or "ssl" (implicit TLS).
	TLS     string
	Timeout time.Duration
}

// SMTPSender delivers through an SMTP relay with go-mail; a connection per send keeps it safe to use
// from many activity goroutines at once.
type SMTPSender struct{ Config SMTPConfig }

// Send dials the relay and delivers msg.
func (s SMTPSender) Send(ctx context.Context, msg *mail.Msg) error {
	opts := []mail.Option{mail.WithPort(s.Config.Port), mail.WithTimeout(s.timeout())}
	switch s.Config.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "ssl":
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.Config.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.Config.Username), mail.WithPassword(s.Config.Password))
	}
	c, err := mail.NewClient(s.Config.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, msg)
}

func (s SMTPSender) timeout() time.Duration {
	if s.Config.Timeout > 0 {
		return s.Config.Timeout
	}
	return 15 * time.Second
}
