package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// linkSecret stands for the worker's CLC_LINK_SECRET.
var linkSecret = []byte("api-test-link-secret-of-32-bytes")

// issueToken stores an emailed link's token as the mail activity does and returns the raw token.
func (h *harness) issueToken(purpose, workflowID, subjectID, recipient string, expires time.Time) (string, models.ActionToken) {
	h.t.Helper()
	key := workflowID + "/approval/" + recipient
	raw, hash := models.LinkToken(linkSecret, key)
	tok := models.ActionToken{ID: models.NewID(), Hash: hash, Purpose: purpose, WorkflowID: workflowID, SubjectID: subjectID,
		Recipient: recipient, MailKey: key, ExpiresAt: expires.UTC(), CreatedAt: time.Now().UTC()}
	if err := h.db.Create(&tok).Error; err != nil {
		h.t.Fatalf("insert token: %v", err)
	}
	return raw, tok
}

func (h *harness) tokenRow(id string) models.ActionToken {
	h.t.Helper()
	var tok models.ActionToken
	if err := h.db.Where("id = ?", id).Take(&tok).Error; err != nil {
		h.t.Fatalf("read token: %v", err)
	}
	return tok
}

// snapshot is the state an emailed link may change: accounts, roles, events, tokens.
func (h *harness) snapshot() string {
	h.t.Helper()
	var sas []models.SmartAccount
	var roles []models.AccountRole
	var events []models.Event
	var toks []models.ActionToken
	for _, q := range []struct {
		dst   any
		order string
	}{{&sas, "id"}, {&roles, "id"}, {&events, "id"}, {&toks, "id"}} {
		if err := h.db.Order(q.order).Find(q.dst).Error; err != nil {
			h.t.Fatal(err)
		}
	}
	raw, err := json.Marshal([]any{sas, roles, events, toks})
	if err != nil {
		h.t.Fatal(err)
	}
	return string(raw)
}

// page is an HTML answer as a browser reads it.
type page struct {
	status int
	body   string
	doc    *html.Node
}

func parsePage(t *testing.T, rec *httptest.ResponseRecorder, status int) page {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	// The token is in the URL: no caching, no Referer.
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if rp := rec.Header().Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", rp)
	}
	checkBrowserHeaders(t, rec.Result().Header, "the page")
	doc, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return page{status: rec.Code, body: rec.Body.String(), doc: doc}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func (p page) all(tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.doc)
	return out
}

// text is the page's visible text, whitespace collapsed.
func (p page) text() string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "script") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.doc)
	return strings.Join(strings.Fields(b.String()), " ")
}

// checkForm checks the one POST form of a task page: decision buttons with the given values and a
// reason field.
func checkForm(t *testing.T, p page, values ...string) {
	t.Helper()
	forms := p.all("form")
	if len(forms) != 1 {
		t.Fatalf("%d forms, want 1", len(forms))
	}
	if m, _ := attr(forms[0], "method"); !strings.EqualFold(m, "post") {
		t.Errorf("form method %q, want post", m)
	}
	if a, ok := attr(forms[0], "action"); ok && a != "" {
		t.Errorf("form action %q, want it to post back to the link itself", a)
	}
	if !strings.Contains(p.body, `<form method="post">`) {
		t.Errorf("page has no literal <form method=\"post\">")
	}
	var got []string
	for _, b := range p.all("button") {
		if name, _ := attr(b, "name"); name == "decision" {
			v, _ := attr(b, "value")
			got = append(got, v)
			if typ, _ := attr(b, "type"); typ != "submit" && typ != "" {
				t.Errorf("decision button type %q, want submit", typ)
			}
		}
	}
	if !slices.Equal(got, values) {
		t.Errorf("decision buttons %v, want %v", got, values)
	}
	reason := false
	for _, tag := range []string{"textarea", "input"} {
		for _, n := range p.all(tag) {
			if name, _ := attr(n, "name"); name == "reason" {
				reason = true
			}
		}
	}
	if !reason {
		t.Errorf("no reason field")
	}
	if len(p.all("script")) != 0 {
		t.Errorf("the page uses JavaScript; it must work without")
	}
}

// approvalTask is the pending Acme Engineering request and alice's emailed approval link for it.
func approvalTask(t *testing.T) (*harness, models.SmartAccount, string, models.ActionToken) {
	t.Helper()
	h := newHarness(t)
	h.acme()
	eng := h.engineering()
	raw, tok := h.issueToken(models.PurposeSAApproval, process.SACreateID(eng.RequestID), eng.ID, "alice@acme.com",
		time.Now().Add(24*time.Hour))
	return h, eng, raw, tok
}

func TestActionPageShowsTheTaskAndChangesNothing(t *testing.T) {
	h, eng, raw, _ := approvalTask(t)
	before := h.snapshot()

	for i := 0; i < 2; i++ { // a mail scanner, then the person
		p := parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusOK)
		checkForm(t, p, "APPROVE", "DECLINE")
		text := p.text()
		for _, want := range []string{eng.Name, "eng.acme.com", "carol@acme.com", "alice@acme.com"} {
			if !strings.Contains(text, want) {
				t.Errorf("page does not show %q: %s", want, text)
			}
		}
	}
	if n := len(h.fake.decideCalls()); n != 0 {
		t.Errorf("GET called Decide %d times", n)
	}
	if after := h.snapshot(); after != before {
		t.Errorf("GET changed the database:\nbefore %s\nafter  %s", before, after)
	}
	// HEAD, as link previewers send, changes nothing either.
	h.do(http.MethodHead, "/a/"+raw, "", nil)
	if after := h.snapshot(); after != before {
		t.Errorf("HEAD changed the database")
	}
}

func TestActionPageRequesterName(t *testing.T) {
	h, _, raw, _ := approvalTask(t)
	// carol signed in once: the page names her.
	if _, err := models.UpsertUser(context.Background(), h.db, models.User{Email: "carol@acme.com", Name: "Carol Jones"}); err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusOK)
	if !strings.Contains(p.text(), "Carol Jones <carol@acme.com>") {
		t.Errorf("page does not name the requester: %s", p.text())
	}
}

func TestActionPageRefusals(t *testing.T) {
	t.Run("forged token", func(t *testing.T) {
		h, _, _, _ := approvalTask(t)
		before := h.snapshot()
		// Well formed, but made with another secret: no row has its hash.
		forged, _ := models.LinkToken([]byte("not-the-server-link-secret-32-by"), "sa-create/req-x/approval/alice@acme.com")
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var rec *httptest.ResponseRecorder
			if method == http.MethodGet {
				rec = h.do(method, "/a/"+forged, "", nil)
			} else {
				rec = h.form("/a/"+forged, url.Values{"decision": {"APPROVE"}})
			}
			p := parsePage(t, rec, http.StatusNotFound)
			if len(p.all("form")) != 0 {
				t.Errorf("%s: a forged link shows a form", method)
			}
			if !strings.Contains(p.text(), "not valid") {
				t.Errorf("%s: page %q does not say the link is not valid", method, p.text())
			}
		}
		h.undecided(before, "a forged link")
	})
	t.Run("expired token", func(t *testing.T) {
		h := newHarness(t)
		h.acme()
		eng := h.engineering()
		raw, _ := h.issueToken(models.PurposeSAApproval, process.SACreateID(eng.RequestID), eng.ID, "alice@acme.com",
			time.Now().Add(-time.Minute))
		before := h.snapshot()
		p := parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusGone)
		if len(p.all("form")) != 0 || !strings.Contains(p.text(), "expired") {
			t.Errorf("expired link page: %s", p.text())
		}
		parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}), http.StatusGone)
		h.undecided(before, "an expired link")
	})
	t.Run("used token", func(t *testing.T) {
		h, _, raw, tok := approvalTask(t)
		used := time.Now().Add(-time.Hour).UTC()
		outcome := "Declined. carol@acme.com was told by mail, with your reason."
		if err := h.db.Model(&models.ActionToken{}).Where("id = ?", tok.ID).
			Updates(map[string]any{"used_at": used, "outcome": outcome}).Error; err != nil {
			t.Fatal(err)
		}
		before := h.snapshot()
		for _, rec := range []*httptest.ResponseRecorder{
			h.do(http.MethodGet, "/a/"+raw, "", nil),
			h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}),
		} {
			p := parsePage(t, rec, http.StatusGone)
			if !strings.Contains(p.text(), outcome) {
				t.Errorf("used link page does not mention the earlier outcome: %s", p.text())
			}
			if !strings.Contains(p.text(), "already used") {
				t.Errorf("used link page does not say it was used: %s", p.text())
			}
			if len(p.all("form")) != 0 {
				t.Errorf("a used link shows a form")
			}
		}
		h.undecided(before, "a used link")
	})
	t.Run("no longer pending", func(t *testing.T) {
		h, eng, raw, _ := approvalTask(t)
		if _, err := h.store.DecideSmartAccount(context.Background(), activities.DecideSAInput{SmartAccountID: eng.ID,
			Actor: "bob@acme.com", Reason: "duplicate", Via: process.ViaEmail}); err != nil {
			t.Fatal(err)
		}
		declined := h.account(eng.ID)
		before := h.snapshot()
		for _, rec := range []*httptest.ResponseRecorder{
			h.do(http.MethodGet, "/a/"+raw, "", nil),
			h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}),
		} {
			p := parsePage(t, rec, http.StatusConflict)
			text := p.text()
			if !strings.Contains(text, "No longer needed") {
				t.Errorf("page does not say No longer needed: %s", text)
			}
			if want := "already declined by bob@acme.com at " + declined.DecidedAt.UTC().Format(time.RFC3339); !strings.Contains(text, want) {
				t.Errorf("page does not say %q: %s", want, text)
			}
			if len(p.all("form")) != 0 {
				t.Errorf("a closed task shows a form")
			}
		}
		h.undecided(before, "a closed task's link")
	})
}

func TestActionPagePostApprove(t *testing.T) {
	h, eng, raw, tok := approvalTask(t)
	h.fake.decideWithStore(eng.ID)
	p := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}, "reason": {"  welcome  "}}), http.StatusOK)

	calls := h.fake.decideCalls()
	if len(calls) != 1 {
		t.Fatalf("Decide called %d times, want 1", len(calls))
	}
	c := calls[0]
	if c.WorkflowID != tok.WorkflowID {
		t.Errorf("workflow %q, want the token's %q", c.WorkflowID, tok.WorkflowID)
	}
	if c.In.Decision != process.Approve || c.In.Actor != "alice@acme.com" || c.In.Via != process.ViaEmail || c.In.Reason != "welcome" {
		t.Errorf("decide input %+v, want APPROVE by the recipient alice@acme.com via email", c.In)
	}
	text := p.text()
	if !strings.Contains(text, "Approved") || !strings.Contains(text, "ACTIVE") {
		t.Errorf("page does not show the outcome: %s", text)
	}
	if len(p.all("form")) != 0 {
		t.Errorf("the outcome page still shows a form")
	}
	row := h.tokenRow(tok.ID)
	if row.UsedAt == nil {
		t.Fatalf("token not marked used")
	}
	if !strings.Contains(row.Outcome, "Approved") {
		t.Errorf("token outcome %q", row.Outcome)
	}
	if h.account(eng.ID).Status != models.SAActive {
		t.Errorf("account %s, want ACTIVE", h.account(eng.ID).Status)
	}

	// The link works once.
	again := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"DECLINE"}, "reason": {"changed my mind"}}), http.StatusGone)
	if !strings.Contains(again.text(), row.Outcome) {
		t.Errorf("second use does not show the first outcome: %s", again.text())
	}
	if n := len(h.fake.decideCalls()); n != 1 {
		t.Errorf("Decide called %d times after the second POST, want 1", n)
	}
}

func TestActionPagePostDomainApprovalUsesRecipientRoles(t *testing.T) {
	h := newHarness(t)
	widgets := h.foreignDomain(models.VisibilityUnrestricted)
	if _, err := models.UpsertUser(context.Background(), h.db, models.User{Email: "ann@cisco.com", Name: "Ann",
		PlatformRoles: []string{models.RoleCiscoApprover}}); err != nil {
		t.Fatal(err)
	}
	raw, tok := h.issueToken(models.PurposeDomainApproval, process.DomainApprovalID(widgets.RequestID), widgets.ID, "ann@cisco.com",
		time.Now().Add(time.Hour))
	checkForm(t, parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusOK), "APPROVE", "DECLINE")
	h.fake.decideRes = process.DecideResult{SmartAccountID: widgets.ID, Decision: process.Decline, Status: models.SADeclined}
	parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"DECLINE"}, "reason": {"not theirs"}}), http.StatusOK)
	calls := h.fake.decideCalls()
	if len(calls) != 1 {
		t.Fatalf("Decide called %d times", len(calls))
	}
	if calls[0].WorkflowID != "domain-approval/req-foreign" || calls[0].WorkflowID != tok.WorkflowID {
		t.Errorf("workflow %q", calls[0].WorkflowID)
	}
	in := calls[0].In
	if in.Actor != "ann@cisco.com" || !slices.Equal(in.ActorRoles, []string{models.RoleCiscoApprover}) || in.Via != process.ViaEmail ||
		in.Decision != process.Decline || in.Reason != "not theirs" {
		t.Errorf("decide input %+v", in)
	}
}

func TestActionPagePostDeclineWithoutReason(t *testing.T) {
	h, eng, raw, tok := approvalTask(t)
	msg := "a decline needs a reason for the requester"
	h.fake.decideErr = models.Invalid("reason", "%s", msg)
	before := h.snapshot()
	p := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"DECLINE"}, "reason": {"  "}}), http.StatusBadRequest)
	checkForm(t, p, "APPROVE", "DECLINE")
	if !strings.Contains(p.text(), msg) {
		t.Errorf("the form does not show %q: %s", msg, p.text())
	}
	if !strings.Contains(p.text(), eng.Name) {
		t.Errorf("the form no longer shows the task")
	}
	calls := h.fake.decideCalls()
	if len(calls) != 1 || calls[0].In.Decision != process.Decline || calls[0].In.Reason != "" {
		t.Errorf("decide calls %+v, want one DECLINE with an empty reason", calls)
	}
	h.refusalKept(tok.ID, before)
}

// undecided fails the test when a link that may not decide (what) called Decide or changed the
// database since before.
func (h *harness) undecided(before, what string) {
	h.t.Helper()
	if n := len(h.fake.decideCalls()); n != 0 {
		h.t.Errorf("Decide called %d times", n)
	}
	if h.snapshot() != before {
		h.t.Errorf("%s changed the database", what)
	}
}

// refusalKept fails the test when a refused decision used up its link's token or changed the database
// since before: a refusal leaves both as they were.
func (h *harness) refusalKept(tokID, before string) {
	h.t.Helper()
	if row := h.tokenRow(tokID); row.UsedAt != nil {
		h.t.Errorf("a refused decision used up the token")
	}
	if h.snapshot() != before {
		h.t.Errorf("a refused decision changed the database")
	}
}

// The buttons are checked where every decision is, in the process's validator: the page shows its
// refusal on the form again and changes nothing.
func TestActionPagePostUnknownDecision(t *testing.T) {
	h, _, raw, tok := approvalTask(t)
	before := h.snapshot()
	h.fake.decideErr = models.Invalid("decision", "decision must be APPROVE or DECLINE")
	for _, values := range []url.Values{{"decision": {"X"}}, {}, {"decision": {"ACCEPT"}}} {
		p := parsePage(t, h.form("/a/"+raw, values), http.StatusBadRequest)
		checkForm(t, p, "APPROVE", "DECLINE")
		if !strings.Contains(p.text(), "decision must be APPROVE or DECLINE") {
			t.Errorf("the form does not show the refusal: %s", p.text())
		}
	}
	if n := len(h.fake.decideCalls()); n != 3 {
		t.Errorf("Decide called %d times, want 3", n)
	}
	h.refusalKept(tok.ID, before)
}

func TestActionPagePostProcessClosed(t *testing.T) {
	// bob declined through the API a moment before alice presses Approve in her mail.
	h, eng, raw, tok := approvalTask(t)
	h.fake.decideFn = func(ctx context.Context, _ string, _ process.DecideInput) (process.DecideResult, error) {
		if _, err := h.store.DecideSmartAccount(ctx, activities.DecideSAInput{SmartAccountID: eng.ID,
			Actor: "bob@acme.com", Reason: "duplicate", Via: process.ViaAPI}); err != nil {
			return process.DecideResult{}, err
		}
		return process.DecideResult{}, process.ErrProcessClosed
	}
	p := parsePage(t, h.form("/a/"+raw, url.Values{"decision": {"APPROVE"}}), http.StatusConflict)
	declined := h.account(eng.ID)
	if want := "already declined by bob@acme.com at " + declined.DecidedAt.UTC().Format(time.RFC3339); !strings.Contains(p.text(), want) {
		t.Errorf("page does not say %q: %s", want, p.text())
	}
	if row := h.tokenRow(tok.ID); row.UsedAt != nil {
		t.Errorf("token marked used by a decision that did not happen")
	}
}
