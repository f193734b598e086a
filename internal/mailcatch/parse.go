package mailcatch

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxPartDepth bounds multipart recursion so a hostile message cannot make
// the parser recurse without limit.
const maxPartDepth = 10

// parsed holds what a raw message contributes to a Message; envelope data and
// bookkeeping are filled in by the session.
type parsed struct {
	from      string
	subject   string
	messageID string
	// listUnsubscribe and listUnsubscribePost are the RFC 8058 headers.
	listUnsubscribe, listUnsubscribePost string
	text                                 string
	html                                 string
}

// parseMessage never fails: a catcher that drops mail it cannot fully
// understand would hide exactly the bugs it exists to reveal, so anything
// unparseable is kept as raw text instead.
func parseMessage(raw []byte) parsed {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return parsed{text: normalizeNewlines(string(raw))}
	}
	var p parsed
	p.subject = decodeHeader(msg.Header.Get("Subject"))
	p.messageID = strings.TrimSpace(msg.Header.Get("Message-Id"))
	p.listUnsubscribe = strings.TrimSpace(msg.Header.Get("List-Unsubscribe"))
	p.listUnsubscribePost = strings.TrimSpace(msg.Header.Get("List-Unsubscribe-Post"))
	if addr, err := msg.Header.AddressList("From"); err == nil && len(addr) > 0 {
		p.from = addr[0].Address
	}
	walkPart(textproto.MIMEHeader(msg.Header), msg.Body, &p, 0)
	return p
}

// decodeHeader falls back to the raw value because an undecodable subject is
// still more useful to a reader than an empty one.
func decodeHeader(v string) string {
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	s, err := dec.DecodeHeader(v)
	if err != nil {
		return v
	}
	return s
}

// charsetReader extends mime.WordDecoder, which only knows UTF-8, US-ASCII
// and ISO-8859-1, with the one legacy charset still common in the wild.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(toUTF8(b, charset)), nil
}

// walkPart keeps the first text/plain and first text/html body, which is what
// a mail client would show for multipart/alternative and multipart/mixed.
func walkPart(h textproto.MIMEHeader, body io.Reader, p *parsed, depth int) {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// RFC 2045 says to treat a broken Content-Type as plain text.
		mediaType, params = "text/plain", nil
	}

	if strings.HasPrefix(mediaType, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" || depth >= maxPartDepth {
			return
		}
		mr := multipart.NewReader(body, boundary)
		for {
			// NextPart (not NextRawPart) so quoted-printable parts are decoded
			// transparently; decodeBody then only sees base64 or identity.
			part, err := mr.NextPart()
			if err != nil {
				return
			}
			walkPart(part.Header, part, p, depth+1)
			part.Close()
		}
	}

	if disp, _, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && disp == "attachment" {
		return
	}

	switch mediaType {
	case "text/plain":
		if p.text == "" {
			p.text = decodeBody(h, body, params["charset"])
		}
	case "text/html":
		if p.html == "" {
			p.html = decodeBody(h, body, params["charset"])
		}
	}
}

func decodeBody(h textproto.MIMEHeader, body io.Reader, charset string) string {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		// The decoder skips CR and LF, so wrapped base64 lines need no help.
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil && len(b) == 0 {
		return ""
	}
	return normalizeNewlines(toUTF8(b, charset))
}

// toUTF8 converts the charsets that can be handled without an external
// dependency; anything else is assumed to be UTF-8 already, which is what
// every sender in this project produces.
func toUTF8(b []byte, charset string) string {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1":
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

// normalizeNewlines turns SMTP's CRLF into LF so bodies compare equal to the
// strings the sender passed in.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}

var (
	textURLRe = regexp.MustCompile(`(?i)https?://[^\s<>"'\x60(){}\[\]]+`)
	hrefRe    = regexp.MustCompile(`(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

// extractLinks collects the URLs a human could click, so tests can follow
// them without knowing whether the template put them in the text or HTML.
func extractLinks(text, htmlBody string) []string {
	links := []string{}
	seen := map[string]bool{}
	add := func(u string) {
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		links = append(links, u)
	}
	for _, u := range textURLRe.FindAllString(text, -1) {
		// Sentence punctuation directly after a URL belongs to the sentence.
		add(strings.TrimRight(u, ".,;:!?"))
	}
	for _, m := range hrefRe.FindAllStringSubmatch(htmlBody, -1) {
		u := strings.TrimSpace(html.UnescapeString(m[1] + m[2] + m[3]))
		lu := strings.ToLower(u)
		if strings.HasPrefix(lu, "http://") || strings.HasPrefix(lu, "https://") {
			add(u)
		}
	}
	return links
}
