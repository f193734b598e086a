package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The emailed links (FEATURES X2, X6): PUBLIC_URL/a/<token>, one registry for every purpose. A request
// reads its link once and checks it always in the same order (unknown, used, expired, its subject
// closed), each with its own page and status; GET then shows the purpose's form and never acts (mail
// scanners and link previews open links too), POST hands the form to the purpose, which sends it to
// its process. The process's Update validator has the last word on every button and field: a refusal
// re-renders the form with its message. The store step that applies the decision uses the link up in
// the decision's own transaction, so the API writes nothing around the Update.

// link is an emailed link's row with what its page needs of its recipient.
type link struct {
	models.ActionToken
	// Roles are the recipient's platform roles: the link acts as its recipient.
	Roles []string `gorm:"column:platform_roles;serializer:json"`
}

// purpose serves the links of one kind of task. A new kind of emailed task is one purpose in one file.
type purpose interface {
	// open reads what the link is about. It is called for every page of a known link, so that used,
	// expired and closed links still say what they were about.
	open(ctx context.Context, s *Server, l link) (subject, error)
}

// subject is what a link is about, as read for one request.
type subject interface {
	// task describes the task for the pages.
	task() *taskView
	// closed says why the subject no longer waits for this link's decision, or nil while it does.
	closed() error
	// form renders the purpose's form, with the values posted and the refusal to show, if any.
	form(c *gin.Context, s *Server, status int, values url.Values, refusal string)
	// decide sends the posted form to the subject's process and says what the decision did.
	decide(c *gin.Context, s *Server, l link, values url.Values) (outcome string, err error)
}

// errPageWritten tells the registry that the purpose answered with a page of its own (the next step of
// the same task).
var errPageWritten = errors.New("the purpose wrote the page")

// purposes are the kinds of emailed link by token purpose; each registers itself from its own file.
var purposes = map[string]purpose{}

// readLink reads the link of a token with its recipient's roles, in one round trip.
func (s *Server) readLink(ctx context.Context, raw string) (link, error) {
	var l link
	err := s.db.WithContext(ctx).Table("action_tokens").
		Select("action_tokens.*, COALESCE(users.platform_roles, '[]') AS platform_roles").
		Joins("LEFT JOIN users ON users.email = action_tokens.recipient").
		Where("action_tokens.hash = ?", models.HashToken(raw)).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return l, models.Errorf(models.CodeNotFound,
			"This link is not valid. Check that it was copied whole, or use the newest mail about this request.")
	}
	return l, err
}

// linkPage answers GET /a/{token}: the task and its form, or why the link no longer decides anything.
func (s *Server) linkPage(c *gin.Context) {
	if l, subj, ok := s.openLink(c); ok {
		s.linkEvent(l.Purpose, "opened")
		subj.form(c, s, http.StatusOK, nil, "")
	}
}

// sameOrigin refuses a form another site made a browser post to an emailed link (webguard.Origins, the
// check the signed-in pages use too), with a page that says why and how to decide instead. A browser
// posting the link's own page, and a client that is no browser, go on.
func (s *Server) sameOrigin(c *gin.Context) {
	if err := s.origins.Check(c.Request); err != nil {
		s.log.WarnContext(c.Request.Context(), "cross-site form refused", "route", c.FullPath(),
			"origin", c.GetHeader("Origin"), "secFetchSite", c.GetHeader("Sec-Fetch-Site"))
		s.renderMessage(c, http.StatusForbidden, pageData{Title: "Sent from another site", Bad: true,
			Message: "This decision was sent from another site, so it was refused and nothing was decided.",
			Detail:  "Open the link from your mail in your browser and decide on its page."})
		c.Abort()
		return
	}
	c.Next()
}

// linkDecide answers POST /a/{token}: the purpose sends the form to its process.
func (s *Server) linkDecide(c *gin.Context) {
	l, subj, ok := s.openLink(c)
	if !ok {
		return
	}
	values := c.Request.PostForm
	outcome, err := subj.decide(c, s, l, values)
	if errors.Is(err, process.ErrProcessClosed) {
		// The process ended meanwhile (another approver was quicker): the subject says how.
		if fresh, ferr := purposes[l.Purpose].open(c.Request.Context(), s, l); ferr == nil && fresh.closed() != nil {
			subj, err = fresh, fresh.closed()
		}
	}
	switch {
	case errors.Is(err, errPageWritten):
	case err == nil:
		s.log.InfoContext(c.Request.Context(), "emailed task decided", "tokenId", l.ID, "workflowId", l.WorkflowID,
			"purpose", l.Purpose, "by", l.Recipient)
		s.linkEvent(l.Purpose, "used")
		s.renderMessage(c, http.StatusOK, pageData{Title: "Thank you", Message: outcome, Task: subj.task()})
	case formRefusal(err):
		subj.form(c, s, StatusOf(err), values, asDomainError(err).Message)
	default:
		s.renderError(c, noLongerNeeded(err), subj.task())
	}
}

// linkEvent counts an emailed link opened or used.
func (s *Server) linkEvent(purpose, event string) {
	if s.observeLink != nil {
		s.observeLink(purpose, event)
	}
}

// openLink reads the link and its subject and checks, in this order, that the link is known, unused,
// unexpired and still awaited; otherwise it answers the page that says which, and reports false.
func (s *Server) openLink(c *gin.Context) (link, subject, bool) {
	ctx := c.Request.Context()
	l, err := s.readLink(ctx, c.Param("token"))
	p, known := purposes[l.Purpose]
	if err == nil && !known {
		err = models.Errorf(models.CodeNotFound, "This link is not valid.")
	}
	if err != nil {
		s.renderError(c, err, nil)
		return l, nil, false
	}
	subj, err := p.open(ctx, s, l)
	if err != nil {
		s.renderError(c, err, nil)
		return l, nil, false
	}
	switch {
	case l.UsedAt != nil:
		s.renderMessage(c, http.StatusGone, pageData{Title: "Already used", Task: subj.task(),
			Message: "This link was already used on " + l.UsedAt.UTC().Format(pageTime) + " by " + l.Recipient + ". " + l.Outcome,
			Detail:  "Nothing more is needed from this link. Whatever this request needs next comes by mail, with its own link."})
	case !time.Now().Before(l.ExpiresAt):
		s.renderError(c, models.Errorf(models.CodeGone, "This link expired on %s.", l.ExpiresAt.UTC().Format(pageTime)), subj.task())
	case subj.closed() != nil:
		s.renderError(c, noLongerNeeded(subj.closed()), subj.task())
	default:
		if c.Request.Method == http.MethodPost {
			values, err := readForm(c.Request)
			switch {
			case values == nil && err != nil:
				s.renderError(c, err, subj.task())
				return l, subj, false
			case err != nil:
				subj.form(c, s, http.StatusBadRequest, values, asDomainError(err).Message)
				return l, subj, false
			}
		}
		return l, subj, true
	}
	return l, subj, false
}

// formRefusal reports whether an error is about what the form says, so the form is shown again with it.
func formRefusal(err error) bool {
	switch models.ErrorCode(err) {
	case models.CodeInvalid, models.CodeNotFound, models.CodeRefused:
		return true
	}
	return false
}

// noLongerNeeded says why a task is closed: "No longer needed: already declined by … at …."; a used or
// expired one (GONE) says so as it is.
func noLongerNeeded(err error) error {
	var e *models.Error
	if errors.As(err, &e) && e.Code != models.CodeGone && e.Code != models.CodeForbidden && e.Code != models.CodeUnavailable &&
		!strings.HasPrefix(e.Message, "No longer needed") {
		return &models.Error{Code: e.Code, Message: "No longer needed: " + strings.TrimSuffix(e.Message, ".") + "."}
	}
	return err
}

// text is a posted field as the process gets it: trimmed.
func text(values url.Values, name string) string { return strings.TrimSpace(values.Get(name)) }

// decision is the pressed button, as the process gets it.
func decision(values url.Values) process.Decision {
	return process.Decision(strings.ToUpper(text(values, "decision")))
}
