package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// validateOnBehalf checks the on-behalf part of a create request (FEATURES SA5): at least one customer
// contact, each of the requested domain's TLD, and a note within bounds; none of it without onBehalf.
func (r *createSARequest) validateOnBehalf(out *process.SARequest) error {
	out.ModifiedDomain = r.ModifiedDomain
	if !r.OnBehalf {
		if len(r.CustomerContacts) > 0 {
			return models.Invalid("customerContacts", "customerContacts are only for a request on a customer's behalf (onBehalf: true)")
		}
		if strings.TrimSpace(r.NoteToCustomer) != "" {
			return models.Invalid("noteToCustomer", "noteToCustomer is only for a request on a customer's behalf (onBehalf: true)")
		}
		return nil
	}
	if models.IsPersonalMailDomain(out.Domain) {
		return models.Invalid("domain", "an account for a personal mail domain (%s) cannot be requested on someone's behalf", out.Domain)
	}
	out.OnBehalf = true
	out.NoteToCustomer = strings.TrimSpace(r.NoteToCustomer)
	if len(out.NoteToCustomer) > 1000 {
		return models.Invalid("noteToCustomer", "noteToCustomer is longer than 1000 characters")
	}
	if len(r.CustomerContacts) == 0 {
		return models.Invalid("customerContacts", "name at least one customer contact who will authorize the account")
	}
	if len(r.CustomerContacts) > maxNominees {
		return models.Invalid("customerContacts", "at most %d customer contacts", maxNominees)
	}
	tld, _ := models.TLD(out.Domain)
	out.CustomerContacts = []string{}
	for i, raw := range r.CustomerContacts {
		e := models.NormalizeEmail(raw)
		field := fmt.Sprintf("customerContacts[%d]", i)
		if !models.ValidEmail(e) {
			return models.Invalid(field, "%q is not an email address", raw)
		}
		if !models.SameTLD(e, out.Domain) {
			return models.Invalid(field, "the customer contact %s is not an address of %s, the requested domain's top-level domain", e, tld)
		}
		if !contains(out.CustomerContacts, e) {
			out.CustomerContacts = append(out.CustomerContacts, e)
		}
	}
	return nil
}

// waysForward tells a requester who met an existing account for the TLD what they may do (FEATURES SA6).
func waysForward(tld string) []gin.H {
	return []gin.H{
		{"action": "REQUEST_ACCESS", "statuses": []models.SAStatus{models.SAActive},
			"how": "POST /api/v1/smart-accounts/{id}/access-requests for an ACTIVE account above"},
		{"action": "NOMINATE_CREATORS", "statuses": []models.SAStatus{models.SAPendingCustomerAcceptance, models.SADeclinedByCustomer},
			"how": "POST /api/v1/smart-accounts/{id}/creators {\"emails\":[…]} for an account that waits for its customer's acceptance or that the customer declined"},
		{"action": "MODIFIED_DOMAIN",
			"how": "POST /api/v1/smart-accounts again with a prefix (for example pl." + tld + ") or another domain and \"modifiedDomain\": true; Cisco approves the domain"},
		{"action": "NONE", "statuses": []models.SAStatus{models.SAPendingApproval, models.SAPendingDomainApproval, models.SAPendingCustomerAddress},
			"how": "accounts whose activation is in progress cannot be selected"},
	}
}

// nominateRequest is the body of POST /smart-accounts/{id}/creators.
type nominateRequest struct {
	Emails []string `json:"emails"`
}

// nominateCreators names more customer contacts for an account that waits for its customer or that the
// customer declined; they are mailed the acceptance task.
func (s *Server) nominateCreators(c *gin.Context) error {
	ctx := c.Request.Context()
	who, body, err := bind[nominateRequest](c, s.loadFindable)
	if err != nil {
		return err
	}
	if len(body.Emails) == 0 || len(body.Emails) > maxNominees {
		return models.Invalid("emails", "name between 1 and %d creators", maxNominees)
	}
	emails := []string{}
	for i, raw := range body.Emails {
		e := models.NormalizeEmail(raw)
		if !models.ValidEmail(e) {
			return models.Invalid(fmt.Sprintf("emails[%d]", i), "%q is not an email address", raw)
		}
		if !models.SameTLD(e, who.sa.Domain) {
			return models.Invalid(fmt.Sprintf("emails[%d]", i), "%s is not an address of %s, the account's top-level domain", e, who.sa.TLD)
		}
		if !contains(emails, e) {
			emails = append(emails, e)
		}
	}
	if err := notSelectable(who.sa, models.SAPendingCustomerAcceptance, models.SADeclinedByCustomer); err != nil {
		return err
	}
	res, err := s.processes.Nominate(ctx, process.SACreateID(who.sa.RequestID), process.NominateInput{Emails: emails, Actor: who.id.Email})
	if errors.Is(err, process.ErrProcessClosed) {
		err = models.Errorf(models.CodeConflict, "the request for %s is closed", who.sa.Name)
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "creators nominated", "smartAccountId", who.sa.ID, "by", who.id.Email, "count", len(emails))
	c.JSON(http.StatusOK, gin.H{"smartAccountId": res.SmartAccountID, "status": res.Status,
		"customerContacts": res.CustomerContacts, "mailed": res.Mailed, "deadline": res.Deadline})
	return nil
}

// notSelectable refuses an action on an account outside the statuses it is for, saying why.
func notSelectable(sa models.SmartAccount, allowed ...models.SAStatus) error {
	for _, a := range allowed {
		if sa.Status == a {
			return nil
		}
	}
	switch sa.Status {
	case models.SAPendingDomainApproval, models.SAPendingCustomerAddress, models.SAPendingApproval:
		return &models.Error{Code: models.CodeConflict, Message: fmt.Sprintf("the Smart Account %s is %s: its activation is in progress, so it cannot be selected", sa.Name, sa.Status),
			Details: gin.H{"status": sa.Status}}
	case models.SAActive:
		return &models.Error{Code: models.CodeConflict, Message: fmt.Sprintf("the Smart Account %s is ACTIVE: request access to it instead", sa.Name),
			Details: gin.H{"status": sa.Status}}
	}
	return &models.Error{Code: models.CodeConflict, Message: fmt.Sprintf("the Smart Account %s is %s", sa.Name, sa.Status),
		Details: gin.H{"status": sa.Status}}
}

// acceptanceRequest is the body of POST /smart-accounts/{id}/acceptance.
type acceptanceRequest struct {
	Decision     process.Decision `json:"decision"`
	Reason       string           `json:"reason"`
	Headquarters *models.Address  `json:"headquarters"`
}

// acceptSmartAccount is a customer contact's answer through the API, the same update as the emailed link.
func (s *Server) acceptSmartAccount(c *gin.Context) error {
	var body acceptanceRequest
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	if body.Decision != process.Accept && body.Decision != process.Decline {
		return models.Invalid("decision", "decision must be ACCEPT or DECLINE")
	}
	in := process.DecideInput{Decision: body.Decision, Reason: strings.TrimSpace(body.Reason)}
	if body.Decision == process.Accept && body.Headquarters != nil && !body.Headquarters.IsZero() {
		hq, err := models.ValidAddress("headquarters", *body.Headquarters)
		if err != nil {
			return err
		}
		in.Headquarters = &hq
	}
	return s.customerDecision(c, in, models.SAPendingCustomerAcceptance)
}

// giveHeadquarters completes an accepted account's address step.
func (s *Server) giveHeadquarters(c *gin.Context) error {
	var body models.Address
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	hq, err := models.ValidAddress("headquarters", body)
	if err != nil {
		return err
	}
	return s.customerDecision(c, process.DecideInput{Decision: process.Submit, Headquarters: &hq}, models.SAPendingCustomerAddress)
}

// customerDecision sends a customer contact's decision to the account's process if it waits on that
// step, and answers the decision with the account as it is now.
func (s *Server) customerDecision(c *gin.Context, in process.DecideInput, waiting models.SAStatus) error {
	ctx := c.Request.Context()
	who, err := s.load(c)
	if err != nil {
		return err
	}
	wfID := ""
	if who.sa.Status == waiting {
		wfID = process.SACreateID(who.sa.RequestID)
	}
	in.Actor, in.ActorRoles, in.Via = who.id.Email, who.id.Roles, process.ViaAPI
	res, err := s.decideAccount(ctx, who.sa, in, wfID, func(sa models.SmartAccount) error { return customerStepClosed(sa, waiting) })
	if err != nil {
		return err
	}
	sa, err := models.FindSmartAccount(ctx, s.db, who.sa.ID)
	return jsonOr(c, http.StatusOK, gin.H{"decision": res, "smartAccount": newAccountView(sa, sa.WaitingOn)}, err)
}
