package api

import (
	"context"
	"fmt"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// The approval of an SMB account's upgrade (FEATURES SA8), by Cisco (a domain not the requester's own)
// or by the administrators of the new domain's TLD.

func init() { purposes[models.PurposeUpgradeApproval] = upgradeTask{} }

type upgradeTask struct{}

func (upgradeTask) open(ctx context.Context, s *Server, l link) (subject, error) {
	u, err := models.FindUpgrade(ctx, s.db, l.SubjectID)
	if err != nil {
		return nil, err
	}
	v := &taskView{Title: "Approve an SMB account upgrade", Recipient: l.Recipient, AccountName: u.Name, Domain: u.Domain,
		TLD: u.TLD, Visibility: string(u.Visibility), RequesterName: u.RequestedBy, RequesterEmail: u.RequestedBy,
		RequestedAt: u.CreatedAt, Deadline: l.ExpiresAt, Choices: approveDecline, Headquarters: u.Headquarters.OneLine(),
		Ask: fmt.Sprintf("%s asks to upgrade an SMB account (%s) to a standard Smart Account with the domain %s. You "+
			"administer a Smart Account of %s, so you decide.", u.RequestedBy, u.FromDomain, u.Domain, u.TLD)}
	if u.Status == models.UpgradePendingDomainApproval {
		v.Ask = fmt.Sprintf("%s asks to upgrade an SMB account to a standard Smart Account with the domain %s, which is "+
			"not under their own mail domain. As a Cisco licensing approver, you decide whether the domain may be used.",
			u.RequestedBy, u.Domain)
	}
	if name, ok := s.userNamed(ctx, u.RequestedBy); ok {
		v.RequesterName = name
	}
	return &pendingUpgrade{u: u, view: v}, nil
}

type pendingUpgrade struct {
	u    models.SAUpgrade
	view *taskView
}

func (p *pendingUpgrade) task() *taskView { return p.view }

func (p *pendingUpgrade) closed() error {
	if !p.u.Status.Pending() {
		return upgradeClosed(p.u)
	}
	return nil
}

func (p *pendingUpgrade) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	s.render(c, status, taskPage, pageData{Title: p.view.Title, Task: p.view, FormError: refusal, Reason: text(values, "reason")})
}

func (p *pendingUpgrade) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	ctx := c.Request.Context()
	if _, err := s.processes.Decide(ctx, l.WorkflowID, linkDecision(l, values)); err != nil {
		return "", err
	}
	fresh, err := models.FindUpgrade(ctx, s.db, p.u.ID)
	if err != nil {
		return "", err
	}
	out := models.UpgradeOutcome(fresh)
	if fresh.Status != models.UpgradePendingApproval {
		out += " " + p.u.RequestedBy + " was told by mail."
	}
	return out, nil
}

// userNamed is the name a person signed in with, when they did.
func (s *Server) userNamed(ctx context.Context, email string) (string, bool) {
	var u models.User
	if err := s.db.WithContext(ctx).Where("email = ?", email).Take(&u).Error; err == nil && u.Name != "" {
		return u.Name, true
	}
	return "", false
}
