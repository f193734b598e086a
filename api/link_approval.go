package api

import (
	"context"
	"html/template"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The approval of a Smart Account request by the TLD's administrators, and Cisco's approval of its
// domain identifier (FEATURES SA3, SA4): one page, each purpose with its ask and the status it waits in.

func init() {
	purposes[models.PurposeSAApproval] = accountApproval{waits: models.SAPendingApproval,
		title: "Approve a Smart Account request",
		ask: "Someone asks to create a Smart Account under a domain your company's Smart Account already uses. " +
			"As its administrator, you decide.",
		outcome: func(approved bool, sa models.SmartAccount) string {
			return models.ApprovalOutcome(approved, sa) + " " + sa.RequestedBy + " was told by mail."
		}}
	purposes[models.PurposeDomainApproval] = accountApproval{waits: models.SAPendingDomainApproval,
		title: "Approve a domain identifier",
		ask: "The requester asks for a domain identifier outside their own mail domain. " +
			"As a Cisco licensing approver, you decide whether the domain may be used.",
		outcome: func(approved bool, sa models.SmartAccount) string {
			out := models.DomainOutcome(approved, sa)
			if sa.Status == models.SAPendingApproval {
				out += " An ACTIVE account of " + sa.TLD + " exists: its administrators decide next."
			}
			return out
		}}
}

var approveDecline = []choice{{"APPROVE", "Approve", "approve"}, {"DECLINE", "Decline", "decline"}}

// accountApproval is a purpose whose subject is an account waiting in one status.
type accountApproval struct {
	waits      models.SAStatus
	title, ask string
	outcome    func(approved bool, sa models.SmartAccount) string
}

func (p accountApproval) open(ctx context.Context, s *Server, l link) (subject, error) {
	sa, name, err := models.FindSmartAccountWithRequester(ctx, s.db, l.SubjectID)
	if err != nil {
		return nil, err
	}
	v := accountTask(sa, l, p.title, p.ask)
	v.Choices, v.RequesterName = approveDecline, name
	return &pendingAccount{p: p, sa: sa, view: v}, nil
}

type pendingAccount struct {
	p    accountApproval
	sa   models.SmartAccount
	view *taskView
}

func (a *pendingAccount) task() *taskView { return a.view }

func (a *pendingAccount) closed() error {
	if a.sa.Status != a.p.waits {
		return accountClosed(a.sa)
	}
	return nil
}

func (a *pendingAccount) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	s.render(c, status, taskPage, pageData{Title: a.view.Title, Task: a.view, FormError: refusal, Reason: text(values, "reason")})
}

func (a *pendingAccount) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	res, err := s.processes.Decide(c.Request.Context(), l.WorkflowID, linkDecision(l, values))
	if err != nil {
		return "", err
	}
	a.sa.Status = res.Status
	return a.p.outcome(res.Decision == process.Approve, a.sa), nil
}

// linkDecision is the decision a posted form carries, made by the link's recipient through the link.
func linkDecision(l link, values url.Values) process.DecideInput {
	return process.DecideInput{Decision: decision(values), Reason: text(values, "reason"), Actor: l.Recipient,
		ActorRoles: l.Roles, Via: process.ViaEmail, TokenID: l.ID}
}

// accountTask describes a task about an account for its pages.
func accountTask(sa models.SmartAccount, l link, title, ask string) *taskView {
	return &taskView{Title: title, Ask: ask, Recipient: l.Recipient, AccountName: sa.Name, Domain: sa.Domain, TLD: sa.TLD,
		Visibility: string(sa.Visibility), Note: sa.NoteToApprover, RequesterName: sa.RequestedBy,
		RequesterEmail: sa.RequestedBy, Headquarters: sa.Headquarters.OneLine(), RequestedAt: sa.CreatedAt,
		Deadline: l.ExpiresAt}
}

func (s *Server) render(c *gin.Context, status int, t *template.Template, d pageData) {
	d.Status = status
	s.writePage(c, status, t, d)
}
