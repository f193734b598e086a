package api

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

//go:embed pages/*.html
var pageFiles embed.FS

var pageFuncs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	},
}

var (
	taskPage    = template.Must(template.New("task").Funcs(pageFuncs).ParseFS(pageFiles, "pages/layout.html", "pages/task.html"))
	messagePage = template.Must(template.New("message").Funcs(pageFuncs).ParseFS(pageFiles, "pages/layout.html", "pages/message.html"))
)

// choice is one submit button of a task form.
type choice struct {
	Value, Label, Class string
}

// taskKind describes one purpose of emailed link: what it asks, and in which status it is still open.
type taskKind struct {
	title   string
	ask     string
	waiting models.SAStatus
	choices []choice
	done    func(res process.DecideResult, sa models.SmartAccount) string
	// flow, when set, serves the kind's page and decision itself: kinds whose subject is not an account
	// waiting in one status (access requests, upgrades), or whose form asks for more than a reason (the
	// acceptance of an account requested on a customer's behalf, with its address).
	flow taskFlow
}

// taskFlow serves one kind of emailed task; the token it gets is known and of its kind.
type taskFlow interface {
	show(s *Server, c *gin.Context, tok models.ActionToken)
	decide(s *Server, c *gin.Context, tok models.ActionToken)
}

var approveDecline = []choice{{"APPROVE", "Approve", "approve"}, {"DECLINE", "Decline", "decline"}}

var taskKinds = map[string]taskKind{
	models.PurposeSAApproval: {
		title:   "Approve a Smart Account request",
		ask:     "Someone asks to create a Smart Account under a domain your company's Smart Account already uses. As its administrator, you decide.",
		waiting: models.SAPendingApproval,
		choices: approveDecline,
		done: func(res process.DecideResult, sa models.SmartAccount) string {
			if res.Decision == process.Approve {
				return fmt.Sprintf("Approved. The Smart Account %s is now %s; %s was told by mail.", sa.Name, sa.Status, sa.RequestedBy)
			}
			return fmt.Sprintf("Declined. %s was told by mail, with your reason.", sa.RequestedBy)
		},
	},
	models.PurposeDomainApproval: {
		title:   "Approve a domain identifier",
		ask:     "The requester asks for a domain identifier outside their own mail domain. As a Cisco licensing approver, you decide whether the domain may be used.",
		waiting: models.SAPendingDomainApproval,
		choices: approveDecline,
		done: func(res process.DecideResult, sa models.SmartAccount) string {
			if res.Decision == process.Decline {
				return fmt.Sprintf("Declined. The Smart Account request %s is DECLINED; %s was told by mail.", sa.Name, sa.RequestedBy)
			}
			if sa.Status == models.SAActive {
				return fmt.Sprintf("Domain approved. The Smart Account %s is now ACTIVE.", sa.Name)
			}
			return fmt.Sprintf("Domain approved. The Smart Account %s is now %s: an ACTIVE account of %s exists, and its administrators decide next.", sa.Name, sa.Status, sa.TLD)
		},
	},
}

// taskView is what a task page shows.
type taskView struct {
	Title, Ask                                  string
	Recipient                                   string
	AccountName, Domain, TLD, Visibility, Note  string
	RequesterName, RequesterEmail, Headquarters string
	RequestedAt, Deadline                       time.Time
	Choices                                     []choice
}

type pageData struct {
	Title     string
	Status    int
	Message   string
	Detail    string
	Bad       bool
	Task      *taskView
	FormError string
	Reason    string
}

// actionPage shows an emailed task. It never changes anything: mail scanners and link previews open
// links too.
func (s *Server) actionPage(c *gin.Context) {
	if s.ownPage(c, false) {
		return
	}
	tok, sa, kind, ok := s.openTask(c)
	if !ok {
		return
	}
	if kind.flow != nil {
		kind.flow.show(s, c, tok)
		return
	}
	s.renderTask(c, http.StatusOK, tok, sa, kind, "", "")
}

// actionDecide takes the decision of an emailed task through the process's decide update.
func (s *Server) actionDecide(c *gin.Context) {
	if s.ownPage(c, true) {
		return
	}
	ctx := c.Request.Context()
	tok, sa, kind, ok := s.openTask(c)
	if !ok {
		return
	}
	if kind.flow != nil {
		kind.flow.decide(s, c, tok)
		return
	}
	decision := process.Decision(strings.ToUpper(strings.TrimSpace(c.PostForm("decision"))))
	reason := strings.TrimSpace(c.PostForm("reason"))
	valid := false
	for _, ch := range kind.choices {
		valid = valid || string(decision) == ch.Value
	}
	if !valid {
		s.renderTask(c, http.StatusBadRequest, tok, sa, kind, "Choose one of the buttons.", reason)
		return
	}
	var roles []string
	var u models.User
	if err := s.db.WithContext(ctx).Where("email = ?", tok.Recipient).Take(&u).Error; err == nil {
		roles = u.PlatformRoles
	}
	res, err := s.processes.Decide(ctx, tok.WorkflowID, process.DecideInput{Decision: decision, Reason: reason,
		Actor: tok.Recipient, ActorRoles: roles, Via: process.ViaEmail})
	if errors.Is(err, process.ErrProcessClosed) {
		if fresh, ferr := models.FindSmartAccount(ctx, s.db, sa.ID); ferr == nil {
			err, sa = alreadyDecided(fresh), fresh
		}
	}
	if err != nil {
		if models.ErrorCode(err) == models.CodeInvalid {
			s.renderTask(c, http.StatusBadRequest, tok, sa, kind, asDomainError(err).Message, reason)
			return
		}
		s.renderError(c, err, taskOf(tok, sa, kind))
		return
	}
	if fresh, err := models.FindSmartAccount(ctx, s.db, sa.ID); err == nil {
		sa = fresh
	}
	outcome := kind.done(res, sa)
	now := time.Now().UTC()
	if err := s.db.WithContext(ctx).Model(&models.ActionToken{}).Where("id = ? AND used_at IS NULL", tok.ID).
		Updates(map[string]any{"used_at": now, "outcome": outcome}).Error; err != nil {
		s.log.ErrorContext(ctx, "mark token used", "tokenId", tok.ID, "error", err)
	}
	s.log.InfoContext(ctx, "emailed task decided", "tokenId", tok.ID, "workflowId", tok.WorkflowID,
		"smartAccountId", sa.ID, "decision", decision, "by", tok.Recipient)
	s.renderMessage(c, http.StatusOK, pageData{Title: "Thank you", Message: outcome, Task: taskOf(tok, sa, kind)})
}

// linkPage serves the emailed links of a purpose whose subject is not a Smart Account (an order's
// delegation, an access request): it loads its own subject and renders its own page, and keeps the
// same rules (GET never acts, POST decides through the process).
type linkPage struct {
	show, decide func(s *Server, c *gin.Context, tok models.ActionToken)
}

// linkPages maps a token purpose to its own page; each feature registers its purposes from its file.
var linkPages = map[string]linkPage{}

// ownPage answers the link when its purpose brings its own page, and reports whether it did.
func (s *Server) ownPage(c *gin.Context, post bool) bool {
	var tok models.ActionToken
	err := s.db.WithContext(c.Request.Context()).Where("hash = ?", models.HashToken(c.Param("token"))).Take(&tok).Error
	if err != nil {
		return false // openTask answers unknown tokens and database errors
	}
	p, ok := linkPages[tok.Purpose]
	if !ok {
		return false
	}
	if post {
		p.decide(s, c, tok)
	} else {
		p.show(s, c, tok)
	}
	return true
}

// openTask resolves the token of the URL and checks the task is still open, answering the page itself
// when it is not.
func (s *Server) openTask(c *gin.Context) (models.ActionToken, models.SmartAccount, taskKind, bool) {
	ctx := c.Request.Context()
	var tok models.ActionToken
	var sa models.SmartAccount
	err := s.db.WithContext(ctx).Where("hash = ?", models.HashToken(c.Param("token"))).Take(&tok).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		s.renderError(c, models.Errorf(models.CodeNotFound, "This link is not valid. Check that it was copied whole, or use the newest mail about this request."), nil)
		return tok, sa, taskKind{}, false
	}
	if err != nil {
		s.renderError(c, err, nil)
		return tok, sa, taskKind{}, false
	}
	kind, known := taskKinds[tok.Purpose]
	if !known {
		s.renderError(c, models.Errorf(models.CodeNotFound, "This link is not valid."), nil)
		return tok, sa, kind, false
	}
	if kind.flow != nil {
		// The flow checks its own subject, and the token's use and expiry.
		return tok, sa, kind, true
	}
	if sa, err = models.FindSmartAccount(ctx, s.db, tok.SubjectID); err != nil {
		s.renderError(c, err, nil)
		return tok, sa, kind, false
	}
	view := taskOf(tok, sa, kind)
	switch {
	case tok.UsedAt != nil:
		s.renderError(c, models.Errorf(models.CodeGone, "This link was already used on %s. %s",
			tok.UsedAt.UTC().Format("2 Jan 2006 15:04 UTC"), tok.Outcome), view)
		return tok, sa, kind, false
	case sa.Status != kind.waiting:
		s.renderError(c, noLongerNeeded(sa), view)
		return tok, sa, kind, false
	case time.Now().After(tok.ExpiresAt):
		s.renderError(c, models.Errorf(models.CodeGone, "This link expired on %s.", tok.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC")), view)
		return tok, sa, kind, false
	}
	return tok, sa, kind, true
}

// noLongerNeeded says why a task is closed: decided by someone (who, when), or expired.
func noLongerNeeded(sa models.SmartAccount) error {
	err := alreadyDecided(sa)
	var e *models.Error
	if errors.As(err, &e) {
		return &models.Error{Code: e.Code, Message: "No longer needed: " + e.Message + "."}
	}
	return err
}

func taskOf(tok models.ActionToken, sa models.SmartAccount, kind taskKind) *taskView {
	hq := sa.Headquarters
	parts := []string{}
	for _, p := range []string{hq.Company, hq.Line1, hq.Line2, hq.City, hq.Region, hq.PostalCode, hq.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	requester := sa.RequestedBy
	return &taskView{Title: kind.title, Ask: kind.ask, Recipient: tok.Recipient, AccountName: sa.Name,
		Domain: sa.Domain, TLD: sa.TLD, Visibility: string(sa.Visibility), Note: sa.NoteToApprover,
		RequesterName: requester, RequesterEmail: requester, Headquarters: strings.Join(parts, ", "),
		RequestedAt: sa.CreatedAt, Deadline: tok.ExpiresAt, Choices: kind.choices}
}

func (s *Server) renderTask(c *gin.Context, status int, tok models.ActionToken, sa models.SmartAccount, kind taskKind, formErr, reason string) {
	view := taskOf(tok, sa, kind)
	var u models.User
	if err := s.db.WithContext(c.Request.Context()).Where("email = ?", sa.RequestedBy).Take(&u).Error; err == nil && u.Name != "" {
		view.RequesterName = u.Name
	}
	s.render(c, status, taskPage, pageData{Title: kind.title, Task: view, FormError: formErr, Reason: reason})
}

func (s *Server) renderError(c *gin.Context, err error, task *taskView) {
	status := StatusOf(err)
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "action page failed", "error", err)
	}
	title := map[int]string{http.StatusNotFound: "Link not valid", http.StatusGone: "Link no longer usable",
		http.StatusConflict: "Already decided", http.StatusForbidden: "Not yours to decide"}[status]
	if title == "" {
		title = "Something went wrong"
	}
	s.renderMessage(c, status, pageData{Title: title, Message: asDomainError(err).Message, Bad: true, Task: task})
}

func (s *Server) renderMessage(c *gin.Context, status int, d pageData) {
	s.render(c, status, messagePage, d)
}

func (s *Server) render(c *gin.Context, status int, t *template.Template, d pageData) {
	d.Status = status
	s.writePage(c, status, t, d)
}

// writePage answers an emailed link's page with the headers every such page needs.
func (s *Server) writePage(c *gin.Context, status int, t *template.Template, d any) {
	// The token is in the URL: keep it out of caches and out of the Referer of any link followed.
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Robots-Tag", "noindex")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := t.ExecuteTemplate(c.Writer, "layout", d); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render page", "error", err)
	}
}
