package api

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The emailed tasks of this file's kinds: a customer contact's acceptance (with the address step), an
// access request's decision, an SMB upgrade's approval. Each page GET shows and never acts; POST
// decides through the process's decide update, whose validator has the last word.

var (
	acceptancePage = template.Must(template.New("acceptance").Funcs(pageFuncs).ParseFS(pageFiles, "pages/layout.html", "pages/acceptance.html"))
	accessPage     = template.Must(template.New("access").Funcs(pageFuncs).ParseFS(pageFiles, "pages/layout.html", "pages/access.html"))
)

func init() {
	taskKinds[models.PurposeSAAcceptance] = taskKind{title: "Accept a Smart Account requested for your company", flow: acceptanceFlow{}}
	taskKinds[models.PurposeAccessApproval] = taskKind{title: "Decide an access request", flow: accessFlow{}}
	taskKinds[models.PurposeUpgradeApproval] = taskKind{title: "Approve an SMB account upgrade", flow: upgradeFlow{}}
}

// flowPage is what this file's pages show; pageData's fields are the layout's and the message page's.
type flowPage struct {
	pageData
	Notice  string
	Step    string
	Address models.Address
	Access  *accessTaskView
}

type accessTaskView struct {
	Role            string
	People          []personView
	Outside         bool
	VirtualAccounts []vaView
	DelegatedTo     string
	DelegateTo      string
}

type personView struct {
	Email   string
	Outside bool
}

type vaView struct{ ID, Name string }

// tokenClosed refuses a used or expired link with the page that says so.
func tokenClosed(tok models.ActionToken) error {
	if tok.UsedAt != nil {
		return models.Errorf(models.CodeGone, "This link was already used on %s. %s", tok.UsedAt.UTC().Format("2 Jan 2006 15:04 UTC"), tok.Outcome)
	}
	if time.Now().After(tok.ExpiresAt) {
		return models.Errorf(models.CodeGone, "This link expired on %s.", tok.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	return nil
}

func closedPage(err error) error {
	var e *models.Error
	if errors.As(err, &e) && e.Code != models.CodeGone {
		return &models.Error{Code: e.Code, Message: "No longer needed: " + strings.TrimSuffix(e.Message, ".") + "."}
	}
	return err
}

// markUsed ends a link's life with the outcome its page showed.
func (s *Server) markUsed(c *gin.Context, tok models.ActionToken, outcome string) {
	err := s.db.WithContext(c.Request.Context()).Model(&models.ActionToken{}).Where("id = ? AND used_at IS NULL", tok.ID).
		Updates(map[string]any{"used_at": time.Now().UTC(), "outcome": outcome}).Error
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "mark token used", "tokenId", tok.ID, "error", err)
	}
}

func (s *Server) recipientRoles(c *gin.Context, email string) []string {
	var u models.User
	if err := s.db.WithContext(c.Request.Context()).Where("email = ?", email).Take(&u).Error; err == nil {
		return u.PlatformRoles
	}
	return nil
}

func (s *Server) requesterName(c *gin.Context, email string) string {
	var u models.User
	if err := s.db.WithContext(c.Request.Context()).Where("email = ?", email).Take(&u).Error; err == nil && u.Name != "" {
		return u.Name
	}
	return email
}

func formAddress(c *gin.Context) models.Address {
	f := func(k string) string { return strings.TrimSpace(c.PostForm(k)) }
	return models.Address{Company: f("company"), Line1: f("line1"), Line2: f("line2"), City: f("city"),
		Region: f("region"), PostalCode: f("postalCode"), Country: f("country")}
}

// acceptanceFlow is the customer contact's task: accept (with the headquarters address, or give it in
// a second step on the same page) or decline.
type acceptanceFlow struct{}

func (acceptanceFlow) open(s *Server, c *gin.Context, tok models.ActionToken) (models.SmartAccount, string, bool) {
	sa, err := models.FindSmartAccount(c.Request.Context(), s.db, tok.SubjectID)
	if err != nil {
		s.renderError(c, err, nil)
		return sa, "", false
	}
	view := acceptanceView(s, c, tok, sa)
	if tok.UsedAt != nil {
		s.renderError(c, tokenClosed(tok), view)
		return sa, "", false
	}
	switch {
	case sa.Status == models.SAPendingCustomerAcceptance:
		if err := tokenClosed(tok); err != nil {
			s.renderError(c, err, view)
			return sa, "", false
		}
		return sa, "accept", true
	case sa.Status == models.SAPendingCustomerAddress && sa.AcceptedBy == tok.Recipient:
		// The same link carries its recipient through the address step they were asked for.
		return sa, "address", true
	}
	s.renderError(c, closedPage(customerStepClosed(sa, models.SAPendingCustomerAcceptance)), view)
	return sa, "", false
}

func acceptanceView(s *Server, c *gin.Context, tok models.ActionToken, sa models.SmartAccount) *taskView {
	v := taskOf(tok, sa, taskKinds[models.PurposeSAAcceptance])
	v.Title = "Accept a Smart Account requested for your company"
	v.Ask = fmt.Sprintf("%s asks to create this Smart Account for your company and named you as one who may authorize it. If you accept, you become its administrator.", sa.RequestedBy)
	v.Note = sa.NoteToCustomer
	v.RequesterName = s.requesterName(c, sa.RequestedBy)
	return v
}

func (f acceptanceFlow) show(s *Server, c *gin.Context, tok models.ActionToken) {
	sa, step, ok := f.open(s, c, tok)
	if !ok {
		return
	}
	f.page(s, c, http.StatusOK, tok, sa, step, sa.Headquarters, "", "", "")
}

func (acceptanceFlow) page(s *Server, c *gin.Context, status int, tok models.ActionToken, sa models.SmartAccount, step string, hq models.Address, notice, formErr, reason string) {
	view := acceptanceView(s, c, tok, sa)
	if step == "address" {
		view.Title, view.Ask = "Give the headquarters address", "You accepted this Smart Account. One step is left: its headquarters address."
	}
	s.writePage(c, status, acceptancePage, flowPage{pageData: pageData{Title: view.Title, Status: status, Task: view,
		FormError: formErr, Reason: reason}, Notice: notice, Step: step, Address: hq})
}

func (f acceptanceFlow) decide(s *Server, c *gin.Context, tok models.ActionToken) {
	ctx := c.Request.Context()
	sa, step, ok := f.open(s, c, tok)
	if !ok {
		return
	}
	decision := process.Decision(strings.ToUpper(strings.TrimSpace(c.PostForm("decision"))))
	reason := strings.TrimSpace(c.PostForm("reason"))
	raw := formAddress(c)
	in := process.DecideInput{Decision: decision, Reason: reason, Actor: tok.Recipient,
		ActorRoles: s.recipientRoles(c, tok.Recipient), Via: process.ViaEmail}
	valid := (step == "accept" && (decision == process.Accept || decision == process.Decline)) ||
		(step == "address" && decision == process.Submit)
	if !valid {
		f.page(s, c, http.StatusBadRequest, tok, sa, step, raw, "", "Choose one of the buttons.", reason)
		return
	}
	if decision != process.Decline && (step == "address" || !raw.IsZero()) {
		hq, err := models.ValidAddress("headquarters", raw)
		if err != nil {
			f.page(s, c, http.StatusBadRequest, tok, sa, step, raw, "", asDomainError(err).Message, reason)
			return
		}
		in.Headquarters = &hq
	}
	_, err := s.processes.Decide(ctx, tok.WorkflowID, in)
	if errors.Is(err, process.ErrProcessClosed) {
		if fresh, ferr := models.FindSmartAccount(ctx, s.db, sa.ID); ferr == nil {
			err = customerStepClosed(fresh, sa.Status)
		}
	}
	if err != nil {
		if models.ErrorCode(err) == models.CodeInvalid {
			f.page(s, c, http.StatusBadRequest, tok, sa, step, raw, "", asDomainError(err).Message, reason)
			return
		}
		s.renderError(c, err, acceptanceView(s, c, tok, sa))
		return
	}
	if fresh, err := models.FindSmartAccount(ctx, s.db, sa.ID); err == nil {
		sa = fresh
	}
	s.log.InfoContext(ctx, "emailed task decided", "tokenId", tok.ID, "workflowId", tok.WorkflowID,
		"smartAccountId", sa.ID, "decision", decision, "by", tok.Recipient)
	if sa.Status == models.SAPendingCustomerAddress {
		f.page(s, c, http.StatusOK, tok, sa, "address", sa.Headquarters,
			"Accepted. One step is left: the headquarters address of "+sa.Name+".", "", "")
		return
	}
	outcome := acceptanceOutcome(decision, sa)
	s.markUsed(c, tok, outcome)
	s.renderMessage(c, http.StatusOK, pageData{Title: "Thank you", Message: outcome, Task: acceptanceView(s, c, tok, sa)})
}

func acceptanceOutcome(d process.Decision, sa models.SmartAccount) string {
	if d == process.Decline {
		return fmt.Sprintf("Declined. The Smart Account %s is DECLINED_BY_CUSTOMER; %s was told by mail, with your reason.", sa.Name, sa.RequestedBy)
	}
	verb := "Accepted"
	if d == process.Submit {
		verb = "Address saved"
	}
	switch sa.Status {
	case models.SAActive:
		return fmt.Sprintf("%s. The Smart Account %s is now ACTIVE, and you are its administrator.", verb, sa.Name)
	case models.SAPendingApproval:
		return fmt.Sprintf("%s. The Smart Account %s is now PENDING_APPROVAL: an ACTIVE account of %s exists, and its administrators decide next.", verb, sa.Name, sa.TLD)
	case models.SAPendingDomainApproval:
		return fmt.Sprintf("%s. The Smart Account %s is now PENDING_DOMAIN_APPROVAL: a Cisco licensing approver checks its domain %s next.", verb, sa.Name, sa.Domain)
	}
	return fmt.Sprintf("%s. The Smart Account %s is now %s.", verb, sa.Name, sa.Status)
}

// accessFlow is an access request's task: approve (declining some virtual accounts), decline, delegate.
type accessFlow struct{}

func (accessFlow) open(s *Server, c *gin.Context, tok models.ActionToken) (models.AccessRequest, models.SmartAccount, bool) {
	ctx := c.Request.Context()
	ar, err := models.FindAccessRequest(ctx, s.db, tok.SubjectID)
	if err != nil {
		s.renderError(c, err, nil)
		return ar, models.SmartAccount{}, false
	}
	sa, err := models.FindSmartAccount(ctx, s.db, ar.SmartAccountID)
	if err != nil {
		s.renderError(c, err, nil)
		return ar, sa, false
	}
	view := accessTask(s, c, tok, ar, sa)
	if tok.UsedAt != nil {
		s.renderError(c, tokenClosed(tok), view)
		return ar, sa, false
	}
	if ar.Status != models.AccessPending {
		s.renderError(c, closedPage(accessClosed(ar)), view)
		return ar, sa, false
	}
	if err := tokenClosed(tok); err != nil {
		s.renderError(c, err, view)
		return ar, sa, false
	}
	return ar, sa, true
}

func accessTask(s *Server, c *gin.Context, tok models.ActionToken, ar models.AccessRequest, sa models.SmartAccount) *taskView {
	return &taskView{Title: "Decide an access request", Recipient: tok.Recipient, AccountName: sa.Name, Domain: sa.Domain,
		TLD: sa.TLD, Visibility: string(sa.Visibility), Note: ar.Reason, RequesterName: s.requesterName(c, ar.RequestedBy),
		RequesterEmail: ar.RequestedBy, RequestedAt: ar.CreatedAt, Deadline: tok.ExpiresAt,
		Ask: fmt.Sprintf("%s asks for access to this Smart Account. As one who decides its access requests, approve, decline or hand the decision to another user of the account.", ar.RequestedBy)}
}

func (f accessFlow) show(s *Server, c *gin.Context, tok models.ActionToken) {
	ar, sa, ok := f.open(s, c, tok)
	if !ok {
		return
	}
	f.page(s, c, http.StatusOK, tok, ar, sa, "", "", "")
}

func (accessFlow) page(s *Server, c *gin.Context, status int, tok models.ActionToken, ar models.AccessRequest, sa models.SmartAccount, formErr, reason, delegateTo string) {
	view := accessTask(s, c, tok, ar, sa)
	a := &accessTaskView{Role: ar.Role.Title(), DelegatedTo: ar.DelegatedTo, DelegateTo: delegateTo, Outside: len(ar.OutsideDomain) > 0}
	for _, p := range append([]string{}, ar.ForEmails...) {
		a.People = append(a.People, personView{Email: p, Outside: slices.Contains(ar.OutsideDomain, p)})
	}
	if vas, err := models.VirtualAccounts(c.Request.Context(), s.db, sa.ID); err == nil {
		for _, id := range ar.VirtualAccounts {
			name := id
			for _, va := range vas {
				if va.ID == id {
					name = va.Name
				}
			}
			a.VirtualAccounts = append(a.VirtualAccounts, vaView{ID: id, Name: name})
		}
	}
	s.writePage(c, status, accessPage, flowPage{pageData: pageData{Title: view.Title, Status: status, Task: view,
		FormError: formErr, Reason: reason}, Access: a})
}

func (f accessFlow) decide(s *Server, c *gin.Context, tok models.ActionToken) {
	ar, sa, ok := f.open(s, c, tok)
	if !ok {
		return
	}
	body := accessDecisionBody{Decision: process.Decision(strings.ToUpper(strings.TrimSpace(c.PostForm("decision")))),
		Reason: strings.TrimSpace(c.PostForm("reason")), DelegateTo: strings.TrimSpace(c.PostForm("delegateTo")),
		DeclinedVirtualAccounts: c.PostFormArray("declinedVirtualAccounts")}
	if body.Decision != process.Approve && len(body.DeclinedVirtualAccounts) > 0 && body.Decision != "" {
		// The boxes only matter for an approval; a decline or a delegation leaves them out.
		body.DeclinedVirtualAccounts = nil
	}
	in, err := s.accessDecision(c, ar, body)
	if err != nil {
		f.page(s, c, http.StatusBadRequest, tok, ar, sa, asDomainError(err).Message, body.Reason, body.DelegateTo)
		return
	}
	in.Actor, in.ActorRoles, in.Via = tok.Recipient, s.recipientRoles(c, tok.Recipient), process.ViaEmail
	res, fresh, err := s.sendAccessDecision(c, ar, in)
	if err != nil {
		if models.ErrorCode(err) == models.CodeInvalid {
			f.page(s, c, http.StatusBadRequest, tok, ar, sa, asDomainError(err).Message, body.Reason, body.DelegateTo)
			return
		}
		s.renderError(c, err, accessTask(s, c, tok, ar, sa))
		return
	}
	outcome := accessOutcome(res, fresh)
	s.markUsed(c, tok, outcome)
	s.renderMessage(c, http.StatusOK, pageData{Title: "Thank you", Message: outcome, Task: accessTask(s, c, tok, fresh, sa)})
}

func accessOutcome(res process.DecideResult, ar models.AccessRequest) string {
	switch res.Decision {
	case process.Delegate:
		return fmt.Sprintf("Handed over. %s decides now and was sent the request by mail.", res.DelegatedTo)
	case process.Decline:
		return fmt.Sprintf("Declined. %s was told by mail, with your reason.", ar.RequestedBy)
	}
	scope := ""
	if n := len(ar.VirtualAccounts) - len(ar.DeclinedVirtualAccounts); ar.Role.VARole() {
		scope = fmt.Sprintf(" on %d virtual account(s)", n)
		if len(ar.DeclinedVirtualAccounts) > 0 {
			scope += fmt.Sprintf(", %d declined", len(ar.DeclinedVirtualAccounts))
		}
	}
	return fmt.Sprintf("Approved. %s now hold %s%s; %s was told by mail.", strings.Join(ar.ForEmails, ", "), ar.Role.Title(), scope, ar.RequestedBy)
}

// upgradeFlow is the approval of an SMB account's upgrade, by Cisco (domain) or the TLD's administrators.
type upgradeFlow struct{}

func (upgradeFlow) open(s *Server, c *gin.Context, tok models.ActionToken) (models.SAUpgrade, *taskView, bool) {
	u, err := models.FindUpgrade(c.Request.Context(), s.db, tok.SubjectID)
	if err != nil {
		s.renderError(c, err, nil)
		return u, nil, false
	}
	view := &taskView{Title: "Approve an SMB account upgrade", Recipient: tok.Recipient, AccountName: u.Name, Domain: u.Domain,
		TLD: u.TLD, Visibility: string(u.Visibility), RequesterName: s.requesterName(c, u.RequestedBy), RequesterEmail: u.RequestedBy,
		RequestedAt: u.CreatedAt, Deadline: tok.ExpiresAt, Choices: approveDecline, Headquarters: addressLine(u.Headquarters)}
	view.Ask = fmt.Sprintf("%s asks to upgrade an SMB account (%s) to a standard Smart Account with the domain %s. You administer a Smart Account of %s, so you decide.", u.RequestedBy, u.FromDomain, u.Domain, u.TLD)
	if u.Status == models.UpgradePendingDomainApproval {
		view.Ask = fmt.Sprintf("%s asks to upgrade an SMB account to a standard Smart Account with the domain %s, which is not under their own mail domain. As a Cisco licensing approver, you decide whether the domain may be used.", u.RequestedBy, u.Domain)
	}
	if err := tokenClosed(tok); err != nil {
		s.renderError(c, err, view)
		return u, view, false
	}
	if !u.Status.Pending() {
		s.renderError(c, closedPage(upgradeClosed(u)), view)
		return u, view, false
	}
	return u, view, true
}

func (f upgradeFlow) show(s *Server, c *gin.Context, tok models.ActionToken) {
	if _, view, ok := f.open(s, c, tok); ok {
		s.render(c, http.StatusOK, taskPage, pageData{Title: view.Title, Task: view})
	}
}

func (f upgradeFlow) decide(s *Server, c *gin.Context, tok models.ActionToken) {
	ctx := c.Request.Context()
	u, view, ok := f.open(s, c, tok)
	if !ok {
		return
	}
	decision := process.Decision(strings.ToUpper(strings.TrimSpace(c.PostForm("decision"))))
	reason := strings.TrimSpace(c.PostForm("reason"))
	if decision != process.Approve && decision != process.Decline {
		s.render(c, http.StatusBadRequest, taskPage, pageData{Title: view.Title, Task: view, FormError: "Choose one of the buttons.", Reason: reason})
		return
	}
	_, err := s.processes.Decide(ctx, tok.WorkflowID, process.DecideInput{Decision: decision, Reason: reason,
		Actor: tok.Recipient, ActorRoles: s.recipientRoles(c, tok.Recipient), Via: process.ViaEmail})
	if errors.Is(err, process.ErrProcessClosed) {
		if fresh, ferr := models.FindUpgrade(ctx, s.db, u.ID); ferr == nil {
			err = upgradeClosed(fresh)
		}
	}
	if err != nil {
		if models.ErrorCode(err) == models.CodeInvalid {
			s.render(c, http.StatusBadRequest, taskPage, pageData{Title: view.Title, Task: view, FormError: asDomainError(err).Message, Reason: reason})
			return
		}
		s.renderError(c, err, view)
		return
	}
	fresh, err := models.FindUpgrade(ctx, s.db, u.ID)
	if err != nil {
		s.renderError(c, err, view)
		return
	}
	outcome := fmt.Sprintf("Declined. %s was told by mail, with your reason; the account stays an SMB account.", u.RequestedBy)
	switch fresh.Status {
	case models.UpgradeApproved:
		outcome = fmt.Sprintf("Approved. The account is now the standard Smart Account %s (%s); %s was told by mail.", fresh.Name, fresh.Domain, u.RequestedBy)
	case models.UpgradePendingApproval:
		outcome = fmt.Sprintf("Domain approved. The upgrade now waits for the administrators of %s's ACTIVE Smart Account.", fresh.TLD)
	}
	s.markUsed(c, tok, outcome)
	s.renderMessage(c, http.StatusOK, pageData{Title: "Thank you", Message: outcome, Task: view})
}

func addressLine(a models.Address) string {
	parts := []string{}
	for _, p := range []string{a.Company, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
