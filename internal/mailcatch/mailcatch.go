// Package mailcatch is an in-process SMTP server that keeps every mail it
// receives, so the dev stack can show an inbox without a real mail provider
// and integration tests can read mails and follow their links.
package mailcatch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	defaultAddr = "127.0.0.1:0"
	// maxMessageBytes matches what typical providers accept, so a mail that
	// only works against the catcher is unlikely.
	maxMessageBytes = 10 << 20
	// ioTimeout frees connections of clients that vanished mid-session.
	ioTimeout = time.Minute
	// closeTimeout bounds Close so a wedged connection cannot hang shutdown.
	closeTimeout = 10 * time.Second
)

// Message is one received mail.
type Message struct {
	// ID is "1", "2", ... in arrival order, so tests and the inbox page can
	// refer to a mail without comparing bodies.
	ID string `json:"id"`
	// From is the envelope sender (MAIL FROM), or the From header address
	// when the envelope sender is empty, because that is the address the
	// application chose and tests assert on.
	From string `json:"from"`
	// To holds the envelope recipients (RCPT TO), lowercased, because that is
	// who actually gets the mail, including Bcc recipients.
	To []string `json:"to"`
	// Subject is decoded from RFC 2047 so tests can compare it to plain
	// strings.
	Subject string `json:"subject"`
	// MessageID is the Message-ID header as sent, angle brackets included, because that is what mail
	// clients thread and deduplicate by.
	MessageID string `json:"messageId,omitempty"`
	// ListUnsubscribe and ListUnsubscribePost are the RFC 8058 headers as sent (List-Unsubscribe keeps its
	// angle brackets), so a test can unsubscribe as a mail client's one-click button does.
	ListUnsubscribe     string `json:"listUnsubscribe,omitempty"`
	ListUnsubscribePost string `json:"listUnsubscribePost,omitempty"`
	// Text is the decoded text/plain body; CRLF is turned into LF so it
	// compares equal to the string the sender passed in.
	Text string `json:"text"`
	// HTML is the decoded text/html body, with LF line endings for the same
	// reason as Text.
	HTML string `json:"html"`
	// Links lists every distinct http(s) URL in Text and in HTML href
	// attributes in order of first appearance, HTML-unescaped, so a test can
	// follow a link without parsing the mail itself.
	Links []string `json:"links"`
	// ReceivedAt is in UTC so persisted inboxes read the same everywhere.
	ReceivedAt time.Time `json:"receivedAt"`
}

// Options configures a Server.
type Options struct {
	// Addr is the listen address; the default "127.0.0.1:0" lets parallel
	// tests each get their own port.
	Addr string
	// File, when set, is a JSON-lines file every received Message is
	// appended to and which is loaded at Start, so restarting the dev stack
	// keeps the inbox.
	File string
	// Keep bounds how many messages stay in memory (the newest; older ones stay in File): a dev stack
	// under a long run mails without end, and an inbox that kept every mail grew the process by about
	// 2 MB per 1,000 mails (55 MB after 30,000 creations). Zero keeps every message, which tests and the fault suite's audit need.
	Keep int
	// Logger receives one line per received mail and any SMTP errors; nil
	// keeps the server silent, which is what tests want.
	Logger *slog.Logger
}

// Server is an SMTP server that accepts any mail and keeps it in memory.
type Server struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	msgs    []Message
	nextID  int
	changed chan struct{} // closed and replaced whenever msgs changes, to wake WaitFor
	file    *os.File
	started bool
	closed  bool

	srv       *smtp.Server
	ln        *trackingListener
	addr      string
	serveDone chan struct{}
}

// New only records the options; nothing touches the network or disk until
// Start, so a Server can be built during wiring and started later.
func New(opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = defaultAddr
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		opts:    opts,
		log:     log,
		changed: make(chan struct{}),
		addr:    opts.Addr,
	}
}

// Start returns only once the port is bound, so callers can send mail to
// Addr immediately without racing the listener.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("mailcatch: server already closed")
	}
	if s.started {
		return errors.New("mailcatch: server already started")
	}

	if s.opts.File != "" {
		if err := s.loadFileLocked(); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		s.closeFileLocked()
		return fmt.Errorf("mailcatch: listen on %s: %w", s.opts.Addr, err)
	}

	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.AllowInsecureAuth = true
	srv.EnableSMTPUTF8 = true
	srv.ReadTimeout = ioTimeout
	srv.WriteTimeout = ioTimeout
	srv.ErrorLog = smtpLogger{s.log}

	s.srv = srv
	s.ln = newTrackingListener(ln)
	s.addr = ln.Addr().String()
	s.serveDone = make(chan struct{})
	s.started = true

	go func() {
		defer close(s.serveDone)
		// Serve reports the listener closing as an error because we close it
		// ourselves before smtp.Server knows it is shutting down.
		if err := srv.Serve(s.ln); err != nil && !s.ln.isClosed() {
			s.log.Error("mailcatch: smtp server stopped", "err", err)
		}
	}()
	s.log.Info("mailcatch: listening", "addr", s.addr)
	return nil
}

// Addr reports the bound address, which differs from Options.Addr when the
// port was 0.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Host is split out because SMTP clients take host and port separately.
func (s *Server) Host() string {
	host, _, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return ""
	}
	return host
}

// Port is split out because SMTP clients take host and port separately.
func (s *Server) Port() int {
	_, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(port)
	return n
}

// Close stops accepting mail and waits for every connection goroutine to
// finish, so tests using goroutine-leak checks stay clean. Received messages
// remain readable afterwards.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	started := s.started
	s.mu.Unlock()

	var errs []error
	if started {
		// smtp.Server.Close misses connections accepted but not yet
		// registered, so we stop the listener ourselves, wait for the accept
		// loop to end, then close every connection it handed out; only then
		// can Shutdown's wait for handler goroutines not hang.
		if err := s.ln.Close(); err != nil {
			errs = append(errs, err)
		}
		<-s.serveDone
		s.ln.closeConns()
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		err := s.srv.Shutdown(ctx)
		cancel()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("mailcatch: waiting for connections: %w", err))
		}
	}

	s.mu.Lock()
	if err := s.closeFileLocked(); err != nil {
		errs = append(errs, err)
	}
	s.mu.Unlock()
	return errors.Join(errs...)
}

// Messages returns a copy, oldest first, so callers can keep it while mail
// keeps arriving.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// To accepts a bare address or a "Name <addr>" form and compares
// case-insensitively, because address case is not significant in practice.
func (s *Server) To(addr string) []Message {
	want := normalizeAddr(addr)
	out := []Message{}
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if to == want {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// WaitFor lets a test wait for a mail the code under test sends
// asynchronously, without polling or sleeping. On timeout the error lists
// what did arrive, so a failing test explains itself.
func (s *Server) WaitFor(ctx context.Context, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		changed := s.changed
		msgs := make([]Message, len(s.msgs))
		for i, m := range s.msgs {
			msgs[i] = m.clone()
		}
		s.mu.Unlock()

		// match runs without the lock so it may call back into the Server.
		for _, m := range msgs {
			if match(m) {
				return m, nil
			}
		}

		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, waitError(ctx.Err(), s.Messages())
		}
	}
}

func waitError(cause error, msgs []Message) error {
	var b strings.Builder
	fmt.Fprintf(&b, "mailcatch: no matching message (%d seen", len(msgs))
	if len(msgs) > 0 {
		b.WriteString(":")
		for _, m := range msgs {
			fmt.Fprintf(&b, " [#%s to=%s subject=%q]", m.ID, strings.Join(m.To, ","), m.Subject)
		}
	}
	b.WriteString(")")
	return fmt.Errorf("%s: %w", b.String(), cause)
}

// Reset gives a test or the dev inbox a clean slate; IDs restart at 1, just
// as they would for a fresh server on the truncated file.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
	s.nextID = 0
	if s.file != nil {
		if err := s.file.Truncate(0); err != nil {
			s.log.Error("mailcatch: truncate inbox file", "file", s.opts.File, "err", err)
		}
	}
	s.notifyLocked()
}

// add stores a message and wakes waiters. A failed file write is only
// logged: losing persistence is better than failing the sender's mail.
func (s *Server) add(m Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	m.ID = strconv.Itoa(s.nextID)
	s.msgs = s.trimmed(append(s.msgs, m))
	if s.file != nil {
		line, err := json.Marshal(m)
		if err == nil {
			_, err = s.file.Write(append(line, '\n'))
		}
		if err != nil {
			s.log.Error("mailcatch: append to inbox file", "file", s.opts.File, "err", err)
		}
	}
	s.notifyLocked()
	return m.clone()
}

// trimmed keeps the newest Keep messages. It copies them out once the slice is a quarter over the
// bound, so the dropped messages' backing array is freed and an append is still amortised O(1).
func (s *Server) trimmed(msgs []Message) []Message {
	if k := s.opts.Keep; k > 0 && len(msgs) > k+k/4 {
		return append(make([]Message, 0, k+k/4+1), msgs[len(msgs)-k:]...)
	}
	return msgs
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// loadFileLocked tolerates corrupt lines, such as a half-written last line
// after a crash, because a dev inbox is not worth refusing to start over.
func (s *Server) loadFileLocked() error {
	f, err := os.OpenFile(s.opts.File, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("mailcatch: open inbox file: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("mailcatch: read inbox file: %w", err)
	}
	var msgs []Message
	maxID := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 4*maxMessageBytes)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var m Message
		if err := json.Unmarshal(line, &m); err != nil {
			s.log.Warn("mailcatch: skipping corrupt inbox line", "file", s.opts.File, "line", lineNo, "err", err)
			continue
		}
		if n, err := strconv.Atoi(m.ID); err == nil && n > maxID {
			maxID = n
		}
		if m.To == nil {
			m.To = []string{}
		}
		if m.Links == nil {
			m.Links = []string{}
		}
		msgs = append(msgs, m)
	}
	if err := sc.Err(); err != nil {
		s.log.Warn("mailcatch: stopped reading inbox file early", "file", s.opts.File, "err", err)
	}
	// Without this, the next append would be glued onto a truncated line.
	if len(data) > 0 && data[len(data)-1] != '\n' {
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return fmt.Errorf("mailcatch: repair inbox file: %w", err)
		}
	}
	s.msgs = s.trimmed(msgs)
	s.nextID = maxID
	s.file = f
	return nil
}

func (s *Server) closeFileLocked() error {
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

func (m Message) clone() Message {
	m.To = append([]string{}, m.To...)
	m.Links = append([]string{}, m.Links...)
	return m
}

func normalizeAddr(addr string) string {
	addr = strings.TrimSpace(addr)
	if strings.ContainsAny(addr, "<>") {
		if a, err := mail.ParseAddress(addr); err == nil {
			addr = a.Address
		} else {
			addr = strings.Trim(addr, "<>")
		}
	}
	return strings.ToLower(addr)
}

// backend accepts everything: the catcher's job is to record what the
// application sends, not to enforce policy.
type backend struct{ s *Server }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s}, nil
}

// session implements smtp.AuthSession so clients configured with SMTP AUTH
// work unchanged against the catcher; any credentials are accepted.
type session struct {
	s    *Server
	from string
	to   []string
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error { return nil }), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	se.to = nil
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	to = strings.ToLower(to)
	for _, t := range se.to {
		if t == to {
			return nil
		}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	p := parseMessage(raw)
	from := se.from
	if from == "" {
		from = p.from
	}
	m := se.s.add(Message{
		From:                from,
		To:                  append([]string{}, se.to...),
		Subject:             p.subject,
		MessageID:           p.messageID,
		ListUnsubscribe:     p.listUnsubscribe,
		ListUnsubscribePost: p.listUnsubscribePost,
		Text:                p.text,
		HTML:                p.html,
		Links:               extractLinks(p.text, p.html),
		ReceivedAt:          time.Now().UTC(),
	})
	se.s.log.Info("mailcatch: received mail", "id", m.ID, "from", m.From, "to", m.To, "subject", m.Subject)
	return nil
}

func (se *session) Reset() {
	se.from = ""
	se.to = nil
}

// Logout may run concurrently with Data when the server closes a
// connection, so it must not touch session state.
func (se *session) Logout() error { return nil }

// smtpLogger routes go-smtp's internal errors into slog instead of stderr.
type smtpLogger struct{ log *slog.Logger }

func (l smtpLogger) Printf(format string, v ...any) {
	l.log.Warn("mailcatch: smtp: " + fmt.Sprintf(format, v...))
}

func (l smtpLogger) Println(v ...any) {
	l.log.Warn("mailcatch: smtp: " + strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

// trackingListener remembers every accepted connection so Close can end
// them all, including ones go-smtp has not registered yet.
type trackingListener struct {
	net.Listener

	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

func newTrackingListener(l net.Listener) *trackingListener {
	return &trackingListener{Listener: l, conns: map[*trackedConn]struct{}{}}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[tc] = struct{}{}
	return tc, nil
}

func (l *trackingListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	return l.Listener.Close()
}

func (l *trackingListener) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

func (l *trackingListener) closeConns() {
	l.mu.Lock()
	conns := make([]*trackedConn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
