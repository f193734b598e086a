package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// An access request's task (FEATURES AC1, AC2): approve (declining some virtual accounts), decline,
// or hand the decision to another user of the account. A partner's request (FEATURES AC8) names the
// partner company whose people are to hold the role, and is approved or declined, never handed on.

func init() { purposes[models.PurposeAccessApproval] = accessTask{} }

type accessTask struct{}

// accessPageData is what the access page shows besides the task.
type accessPageData struct {
	pageData
	Access *accessTaskView
}

type accessTaskView struct {
	Role            string
	People          []personView
	Outside         bool
	VirtualAccounts []vaView
	DelegatedTo     string
	DelegateTo      string
	// Partner names the partner of a partner's request, "Partner X (partnerx.com)"; PartnerDomain is its
	// domain.
	Partner       string
	PartnerDomain string
}

type personView struct {
	Email   string
	Outside bool
}

type vaView struct{ ID, Name string }

func (accessTask) open(ctx context.Context, s *Server, l link) (subject, error) {
	ar, err := models.FindAccessRequest(ctx, s.db, l.SubjectID)
	if err != nil {
		return nil, err
	}
	sa, err := models.FindSmartAccount(ctx, s.db, ar.SmartAccountID)
	if err != nil {
		return nil, err
	}
	v := &taskView{Title: "Decide an access request", Recipient: l.Recipient, AccountName: sa.Name, Domain: sa.Domain,
		TLD: sa.TLD, Visibility: string(sa.Visibility), Note: ar.Reason, RequesterName: ar.RequestedBy,
		RequesterEmail: ar.RequestedBy, RequestedAt: ar.CreatedAt, Deadline: l.ExpiresAt,
		Ask: fmt.Sprintf("%s asks for access to this Smart Account. As one who decides its access requests, approve, "+
			"decline or hand the decision to another user of the account.", ar.RequestedBy)}
	if name, ok := s.userNamed(ctx, ar.RequestedBy); ok {
		v.RequesterName = name
	}
	a := &accessTaskView{Role: ar.Role.Title(), DelegatedTo: ar.DelegatedTo, Outside: len(ar.OutsideDomain) > 0}
	if ar.PartnerDomain != "" {
		name, err := models.PartnerName(ctx, s.db, ar.PartnerDomain)
		if err != nil {
			return nil, err
		}
		a.Partner, a.PartnerDomain, a.Outside = name+" ("+ar.PartnerDomain+")", ar.PartnerDomain, false
		v.Title = "Decide a partner's access request"
		v.Ask = fmt.Sprintf("%s asks, for the partner %s, that the partner's people (every address of %s or of a "+
			"subdomain of it) hold this role on this Smart Account until its administrators revoke it. As one who "+
			"decides its access requests, approve or decline; a decline needs a reason, which %s reads.",
			ar.RequestedBy, a.Partner, ar.PartnerDomain, ar.RequestedBy)
	}
	for _, p := range ar.ForEmails {
		a.People = append(a.People, personView{Email: p, Outside: slices.Contains(ar.OutsideDomain, p)})
	}
	if len(ar.VirtualAccounts) > 0 {
		names, err := s.vaNames(ctx, ar)
		if err != nil {
			return nil, err
		}
		for _, id := range ar.VirtualAccounts {
			a.VirtualAccounts = append(a.VirtualAccounts, vaView{ID: id, Name: names[id]})
		}
	}
	return &pendingAccess{ar: ar, view: v, access: a}, nil
}

type pendingAccess struct {
	ar     models.AccessRequest
	view   *taskView
	access *accessTaskView
}

func (a *pendingAccess) task() *taskView { return a.view }

func (a *pendingAccess) closed() error {
	if a.ar.Status != models.AccessPending {
		return accessClosed(a.ar)
	}
	return nil
}

func (a *pendingAccess) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	view := *a.access
	view.DelegateTo = text(values, "delegateTo")
	s.writePage(c, status, accessPage, accessPageData{pageData: pageData{Title: a.view.Title, Status: status, Task: a.view,
		FormError: refusal, Reason: text(values, "reason")}, Access: &view})
}

func (a *pendingAccess) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	in := linkDecision(l, values)
	in.DelegateTo = text(values, "delegateTo")
	if in.Decision == process.Approve {
		// The boxes only matter for an approval; a decline or a delegation leaves them out.
		in.DeclinedVirtualAccounts = values["declinedVirtualAccounts"]
	}
	res, fresh, err := s.sendAccessDecision(c, a.ar, in)
	if err != nil {
		return "", err
	}
	a.ar = fresh
	return accessOutcome(res, fresh), nil
}

// accessOutcome says what a decision on an access request did, and who was told.
func accessOutcome(res process.DecideResult, ar models.AccessRequest) string {
	out := models.AccessOutcome(string(res.Decision), ar)
	switch res.Decision {
	case process.Delegate:
		return out + " They were sent the request by mail."
	case process.Decline:
		return out + " " + ar.RequestedBy + " was told by mail, with your reason."
	}
	return out + " " + ar.RequestedBy + " was told by mail."
}
