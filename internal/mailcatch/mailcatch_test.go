package mailcatch_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	netsmtp "net/smtp"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/licensecentral/clc/internal/mailcatch"
)

const activationLink = "http://localhost:8080/a/abc_DEF-123"

func startServer(t *testing.T, opts mailcatch.Options) *mailcatch.Server {
	t.Helper()
	s := mailcatch.New(opts)
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

type outgoing struct {
	to       []string
	subject  string
	text     string
	html     string
	msgOpts  []mail.MsgOption
	clientOp []mail.Option
}

// send goes through go-mail because that is the library the application
// uses, so the tests cover the exact MIME shapes that reach the catcher.
func send(t *testing.T, s *mailcatch.Server, o outgoing) error {
	t.Helper()
	m := mail.NewMsg(o.msgOpts...)
	if err := m.From("LicenseCentral <noreply@licensecentral.test>"); err != nil {
		t.Fatalf("From: %v", err)
	}
	if err := m.To(o.to...); err != nil {
		t.Fatalf("To: %v", err)
	}
	m.Subject(o.subject)
	if o.text != "" {
		m.SetBodyString(mail.TypeTextPlain, o.text)
	}
	if o.html != "" {
		if o.text != "" {
			m.AddAlternativeString(mail.TypeTextHTML, o.html)
		} else {
			m.SetBodyString(mail.TypeTextHTML, o.html)
		}
	}
	opts := append([]mail.Option{
		mail.WithPort(s.Port()),
		mail.WithTLSPolicy(mail.NoTLS),
		mail.WithTimeout(10 * time.Second),
	}, o.clientOp...)
	c, err := mail.NewClient(s.Host(), opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c.DialAndSend(m)
}

func mustSend(t *testing.T, s *mailcatch.Server, o outgoing) {
	t.Helper()
	if err := send(t, s, o); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func TestGoMailMultipartIsDecoded(t *testing.T) {
	s := startServer(t, mailcatch.Options{})

	// Long enough that quoted-printable must soft-wrap it, and containing
	// '=' which quoted-printable escapes.
	resetLink := "https://app.licensecentral.test/reset?token=" + strings.Repeat("x1Y2", 25) + "&next=/dashboard"
	subject := "Bestätigen Sie Ihr Konto – Größe ✓"
	text := "Hallo Jörg,\n\nbitte bestätigen: " + activationLink + ".\nOder zurücksetzen: " + resetLink + "\n"
	htmlBody := `<p>Hallo Jörg,</p><p><a href="` + activationLink + `">Bestätigen</a></p>` +
		`<p><a href='https://example.com/x?a=1&amp;b=2'>Weitere</a> <a href="mailto:help@example.com">Hilfe</a></p>`

	before := time.Now().UTC()
	mustSend(t, s, outgoing{
		to:      []string{"Alice.Example@Example.COM", "bob@example.com"},
		subject: subject,
		text:    text,
		html:    htmlBody,
	})

	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ID != "1" {
		t.Errorf("ID = %q, want 1", m.ID)
	}
	if m.From != "noreply@licensecentral.test" {
		t.Errorf("From = %q", m.From)
	}
	if want := []string{"alice.example@example.com", "bob@example.com"}; !slices.Equal(m.To, want) {
		t.Errorf("To = %q, want %q", m.To, want)
	}
	if m.Subject != subject {
		t.Errorf("Subject = %q, want %q", m.Subject, subject)
	}
	if m.Text != text {
		t.Errorf("Text = %q, want %q", m.Text, text)
	}
	if m.HTML != htmlBody {
		t.Errorf("HTML = %q, want %q", m.HTML, htmlBody)
	}
	wantLinks := []string{activationLink, resetLink, "https://example.com/x?a=1&b=2"}
	if !slices.Equal(m.Links, wantLinks) {
		t.Errorf("Links = %q, want %q", m.Links, wantLinks)
	}
	if m.ReceivedAt.Location() != time.UTC || m.ReceivedAt.Before(before) || time.Since(m.ReceivedAt) > time.Minute {
		t.Errorf("ReceivedAt = %v, want UTC time just after %v", m.ReceivedAt, before)
	}

	if got := s.To("ALICE.example@example.com"); len(got) != 1 || got[0].ID != "1" {
		t.Errorf("To(alice) = %+v, want message 1", got)
	}
	if got := s.To("Bob <bob@example.com>"); len(got) != 1 {
		t.Errorf("To(Bob <bob@...>) returned %d messages, want 1", len(got))
	}
	if got := s.To("carol@example.com"); len(got) != 0 {
		t.Errorf("To(carol) = %+v, want none", got)
	}
}

func TestBase64AndHTMLOnlyMail(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	htmlBody := `<a href="` + activationLink + `">Aktivieren</a> – ünïcödé`
	mustSend(t, s, outgoing{
		to:      []string{"a@example.com"},
		subject: "Base64 ✓",
		html:    htmlBody,
		msgOpts: []mail.MsgOption{mail.WithEncoding(mail.EncodingB64)},
	})
	m := s.Messages()[0]
	if m.HTML != htmlBody || m.Text != "" {
		t.Errorf("HTML = %q, Text = %q; want HTML %q and no text", m.HTML, m.Text, htmlBody)
	}
	if m.Subject != "Base64 ✓" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if !slices.Equal(m.Links, []string{activationLink}) {
		t.Errorf("Links = %q", m.Links)
	}
}

// Raw messages cover encodings go-mail does not produce by default: a
// Latin-1 Q-encoded subject, base64 text and an attachment that must be
// ignored.
func TestRawMIMEMessage(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	raw := strings.Join([]string{
		"From: Sender <sender@example.com>",
		"To: x@example.com",
		"Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= =?UTF-8?B?4pyT?=",
		"Message-ID: <raw-1@example.com>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="outer"`,
		"",
		"--outer",
		`Content-Type: multipart/alternative; boundary="inner"`,
		"",
		"--inner",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: base64",
		"",
		"U2llaGUgaHR0cDovL2xvY2FsaG9zdDo4MDgwL2EvYWJjX0RFRi0xMjMgKGpldHp0KQ==",
		"--inner",
		"Content-Type: text/html; charset=iso-8859-1",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		`<a href=3D"http://localhost:8080/a/abc_DEF-123?x=3D1&amp;y=3D2">Gr=FC=DF=`,
		"e</a>",
		"--inner--",
		"--outer",
		"Content-Type: text/plain",
		"Content-Disposition: attachment; filename=notes.txt",
		"",
		"not the body http://attachment.example/",
		"--outer--",
		"",
	}, "\r\n")
	if err := netsmtp.SendMail(s.Addr(), nil, "bounce@example.com", []string{"X@Example.com"}, []byte(raw)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	m := s.Messages()[0]
	if m.From != "bounce@example.com" {
		t.Errorf("From = %q, want envelope sender", m.From)
	}
	if m.Subject != "Grüße✓" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.MessageID != "<raw-1@example.com>" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if m.Text != "Siehe "+activationLink+" (jetzt)" {
		t.Errorf("Text = %q", m.Text)
	}
	if want := `<a href="http://localhost:8080/a/abc_DEF-123?x=1&amp;y=2">Grüße</a>`; m.HTML != want {
		t.Errorf("HTML = %q, want %q", m.HTML, want)
	}
	want := []string{activationLink, activationLink + "?x=1&y=2"}
	if !slices.Equal(m.Links, want) {
		t.Errorf("Links = %q, want %q", m.Links, want)
	}
}

func TestAuthPlainIsAccepted(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	mustSend(t, s, outgoing{
		to:      []string{"auth@example.com"},
		subject: "with auth",
		text:    "hi",
		clientOp: []mail.Option{
			mail.WithSMTPAuth(mail.SMTPAuthPlainNoEnc),
			mail.WithUsername("any"),
			mail.WithPassword("thing"),
		},
	})
	if got := s.To("auth@example.com"); len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
}

func TestOversizedMailIsRejected(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	body := "Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("a", 998)+"\r\n", 11*1024)
	err := netsmtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(body))
	if err == nil {
		t.Fatal("11 MiB mail was accepted, want rejection")
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("kept %d messages, want 0", n)
	}
}

func TestWaitForMailArrivingLater(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	mustSend(t, s, outgoing{to: []string{"other@example.com"}, subject: "noise", text: "x"})

	errc := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		errc <- send(t, s, outgoing{to: []string{"late@example.com"}, subject: "Welcome", text: "go " + activationLink})
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := s.WaitFor(ctx, func(m mailcatch.Message) bool {
		return slices.Contains(m.To, "late@example.com")
	})
	if err != nil {
		t.Fatalf("WaitFor: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("send: %v", err)
	}
	if m.Subject != "Welcome" || m.ID != "2" || !slices.Equal(m.Links, []string{activationLink}) {
		t.Errorf("got %+v", m)
	}

	// An already received mail satisfies WaitFor immediately.
	m, err = s.WaitFor(ctx, func(m mailcatch.Message) bool { return m.Subject == "noise" })
	if err != nil || m.ID != "1" {
		t.Errorf("WaitFor(existing) = %+v, %v", m, err)
	}
}

func TestWaitForTimeoutExplainsWhatArrived(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	mustSend(t, s, outgoing{to: []string{"someone@example.com"}, subject: "Password reset", text: "x"})

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.WaitFor(ctx, func(m mailcatch.Message) bool { return m.Subject == "Invoice" })
	if err == nil {
		t.Fatal("WaitFor succeeded, want timeout")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("WaitFor took %v to give up", time.Since(start))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	for _, want := range []string{"1 seen", "someone@example.com", `"Password reset"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestConcurrentSenders(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- send(t, s, outgoing{
				to:      []string{fmt.Sprintf("user%d@example.com", i)},
				subject: fmt.Sprintf("mail %d", i),
				text:    fmt.Sprintf("link http://localhost:8080/a/%d", i),
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("send: %v", err)
		}
	}

	msgs := s.Messages()
	if len(msgs) != n {
		t.Fatalf("got %d messages, want %d", len(msgs), n)
	}
	ids := map[string]bool{}
	for i, m := range msgs {
		if m.ID != fmt.Sprint(i+1) {
			t.Errorf("message %d has ID %q; IDs must follow arrival order", i, m.ID)
		}
		ids[m.ID] = true
	}
	for i := range n {
		got := s.To(fmt.Sprintf("user%d@example.com", i))
		if len(got) != 1 || got[0].Subject != fmt.Sprintf("mail %d", i) {
			t.Errorf("user%d: got %+v", i, got)
		}
	}
}

func TestFilePersistsAcrossRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "inbox.jsonl")

	first := mailcatch.New(mailcatch.Options{File: file})
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	mustSend(t, first, outgoing{to: []string{"a@example.com"}, subject: "first ✓", text: "see " + activationLink})
	mustSend(t, first, outgoing{to: []string{"b@example.com"}, subject: "second", html: `<a href="` + activationLink + `">x</a>`})
	want := first.Messages()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, mailcatch.Options{File: file})
	got := second.Messages()
	if len(got) != len(want) {
		t.Fatalf("after restart got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Subject != w.Subject || g.Text != w.Text || g.HTML != w.HTML ||
			!slices.Equal(g.To, w.To) || !slices.Equal(g.Links, w.Links) || !g.ReceivedAt.Equal(w.ReceivedAt) {
			t.Errorf("message %d after restart = %+v, want %+v", i, g, w)
		}
	}

	// IDs continue where the previous run stopped, so they stay unique.
	mustSend(t, second, outgoing{to: []string{"c@example.com"}, subject: "third", text: "x"})
	if msgs := second.Messages(); len(msgs) != 3 || msgs[2].ID != "3" {
		t.Fatalf("after third mail: %+v", msgs)
	}

	second.Reset()
	if n := len(second.Messages()); n != 0 {
		t.Errorf("after Reset: %d messages", n)
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() != 0 {
		t.Errorf("after Reset the file should be empty: %v, %v", fi, err)
	}
	mustSend(t, second, outgoing{to: []string{"d@example.com"}, subject: "after reset", text: "x"})

	third := mailcatch.New(mailcatch.Options{File: file})
	if err := third.Start(); err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	msgs := third.Messages()
	if len(msgs) != 1 || msgs[0].Subject != "after reset" || msgs[0].ID != "1" {
		t.Errorf("third server loaded %+v, want only the mail sent after Reset", msgs)
	}
}

func TestCorruptFileLineIsSkipped(t *testing.T) {
	file := filepath.Join(t.TempDir(), "inbox.jsonl")
	content := `{"id":"1","from":"a@x","to":["b@x"],"subject":"ok","text":"","html":"","links":[],"receivedAt":"2024-01-02T03:04:05Z"}` + "\n" + `{"id":"2","subj`
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, mailcatch.Options{File: file})
	if msgs := s.Messages(); len(msgs) != 1 || msgs[0].Subject != "ok" {
		t.Fatalf("loaded %+v", msgs)
	}
	mustSend(t, s, outgoing{to: []string{"c@example.com"}, subject: "new", text: "x"})
	s.Close()

	again := startServer(t, mailcatch.Options{File: file})
	msgs := again.Messages()
	if len(msgs) != 2 || msgs[1].Subject != "new" || msgs[1].ID != "2" {
		t.Errorf("after appending to a file with a torn line: %+v", msgs)
	}
}

func TestHandlerJSON(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	h := s.Handler("/dev/mail")

	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail.json", nil))
		return rec
	}

	rec := get()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if body := strings.TrimSpace(rec.Body.String()); body != "[]" {
		t.Errorf("empty inbox body = %q, want []", body)
	}

	mustSend(t, s, outgoing{to: []string{"first@example.com"}, subject: "one", text: "see " + activationLink})
	mustSend(t, s, outgoing{to: []string{"second@example.com"}, subject: "two", html: "<p>two</p>"})

	var raw []map[string]any
	if err := json.Unmarshal(get().Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 2 {
		t.Fatalf("got %d entries", len(raw))
	}
	wantKeys := []string{"from", "html", "id", "links", "messageId", "receivedAt", "subject", "text", "to"}
	for i, entry := range raw {
		var keys []string
		for k := range entry {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("entry %d keys = %v, want %v", i, keys, wantKeys)
		}
	}
	if raw[0]["subject"] != "one" || raw[1]["subject"] != "two" {
		t.Errorf("order: got %v then %v, want oldest first", raw[0]["subject"], raw[1]["subject"])
	}
	if links, ok := raw[1]["links"].([]any); !ok || len(links) != 0 {
		t.Errorf("links of a mail without links = %#v, want []", raw[1]["links"])
	}
	if _, err := time.Parse(time.RFC3339, raw[0]["receivedAt"].(string)); err != nil {
		t.Errorf("receivedAt: %v", err)
	}

	var typed []mailcatch.Message
	if err := json.Unmarshal(get().Body.Bytes(), &typed); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(typed[0].Links, []string{activationLink}) || typed[0].To[0] != "first@example.com" {
		t.Errorf("typed decode: %+v", typed[0])
	}
}

func TestHandlerHTMLPage(t *testing.T) {
	s := startServer(t, mailcatch.Options{})
	mustSend(t, s, outgoing{
		to:      []string{"victim@example.com"},
		subject: `<script>alert("x")</script> Welcome`,
		text:    "Activate: " + activationLink,
	})
	mustSend(t, s, outgoing{to: []string{"later@example.com"}, subject: "Newest", text: "x"})

	srv := httptest.NewServer(s.Handler("/dev/mail"))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/dev/mail")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)

	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, `<a href="`+activationLink+`">`) {
		t.Errorf("page has no clickable link to %s:\n%s", activationLink, page)
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("subject <script> was not escaped:\n%s", page)
	}
	if !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("escaped subject missing:\n%s", page)
	}
	for _, want := range []string{"victim@example.com", "Activate: " + activationLink} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %q", want)
		}
	}
	if newest, oldest := strings.Index(page, "Newest"), strings.Index(page, "victim@example.com"); newest < 0 || newest > oldest {
		t.Errorf("newest mail should be listed first")
	}

	resp, err = http.Get(srv.URL + "/dev/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path status = %d, want 404", resp.StatusCode)
	}
}

// Close must return promptly even with a client that connected and went
// quiet, and must not leave goroutines behind.
func TestCloseWithIdleConnection(t *testing.T) {
	baseline := runtime.NumGoroutine()

	s := mailcatch.New(mailcatch.Options{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "EHLO test\r\n"); err != nil {
		t.Fatal(err)
	}
	// Read up to the final EHLO line so the server has consumed everything
	// we sent; otherwise its close may surface as a reset instead of EOF.
	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading EHLO response: %v", err)
		}
		if strings.HasPrefix(line, "250 ") {
			break
		}
	}

	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung with an idle connection open")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadAll(br); err != nil {
		t.Errorf("client connection not closed by server: %v", err)
	}

	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
	if err := s.Start(); err == nil {
		t.Error("Start after Close succeeded")
	}
}

// Keep bounds the inbox in memory to the newest messages, also after a restart loads the file, and
// the file keeps them all.
func TestKeepHoldsTheNewestMessages(t *testing.T) {
	file := filepath.Join(t.TempDir(), "inbox.jsonl")
	s := startServer(t, mailcatch.Options{File: file, Keep: 4})
	for i := range 11 {
		mustSend(t, s, outgoing{to: []string{"a@example.com"}, subject: fmt.Sprintf("mail %d", i), text: "x"})
	}
	ids := func(msgs []mailcatch.Message) (out []string) {
		for _, m := range msgs {
			out = append(out, m.ID)
		}
		return out
	}
	got := ids(s.Messages())
	if len(got) < 4 || len(got) > 5 || got[len(got)-1] != "11" {
		t.Fatalf("in memory: %v, want the newest 4 or 5 ending with 11", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n")); n != 11 {
		t.Fatalf("the file holds %d messages, want all 11", n)
	}
	again := startServer(t, mailcatch.Options{File: file, Keep: 4})
	if got := ids(again.Messages()); !slices.Equal(got, []string{"8", "9", "10", "11"}) {
		t.Fatalf("after restart: %v, want the newest four", got)
	}
}
