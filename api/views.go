package api

import (
	"context"
	"time"

	"github.com/licensecentral/clc/models"
)

// accountView is a Smart Account as the API shows it: the entity plus, while it waits, whom for.
type accountView struct {
	models.SmartAccount
	Limited   bool             `json:"limited"`
	WaitingOn []models.Waiting `json:"waitingOn"`
	Deadline  *time.Time       `json:"deadline,omitempty"`
	Why       string           `json:"why,omitempty"`
	MyRoles   []models.Role    `json:"myRoles,omitempty"`
	// Upgrade is shown to the owner of an SMB account: whether it can be upgraded, with the form's defaults.
	Upgrade *upgradeInfo `json:"upgrade,omitempty"`
	// PendingAccessRequests is shown to the account's administrators (FEATURES AC7).
	PendingAccessRequests *int64 `json:"pendingAccessRequests,omitempty"`
}

func newAccountView(sa models.SmartAccount, waiting []models.Waiting) accountView {
	if waiting == nil {
		waiting = []models.Waiting{}
	}
	v := accountView{SmartAccount: sa, Limited: sa.SMB, WaitingOn: waiting}
	if len(waiting) > 0 && !waiting[0].Deadline.IsZero() {
		d := waiting[0].Deadline
		v.Deadline = &d
	}
	return v
}

// waitingOn asks the account's process whom it waits for. When the process cannot answer in time
// (no worker polling), the database still says who the approvers are, without the deadline.
func (s *Server) waitingOn(ctx context.Context, sa models.SmartAccount) []models.Waiting {
	if !sa.Status.Pending() {
		return []models.Waiting{}
	}
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if st, err := s.processes.Status(qctx, sa.WorkflowID); err == nil && len(st.WaitingOn) > 0 {
		return st.WaitingOn
	}
	var who []string
	switch sa.Status {
	case models.SAPendingApproval:
		active, err := models.ActiveAccountIDsForTLD(ctx, s.db, sa.TLD)
		if err == nil {
			who, _ = models.ApproverEmails(ctx, s.db, active)
		}
	case models.SAPendingDomainApproval:
		who = []string{"role:" + models.RoleCiscoApprover}
	case models.SAPendingCustomerAcceptance:
		return waitingFor(sa.CustomerContacts, "accept", sa.UpdatedAt)
	case models.SAPendingCustomerAddress:
		return waitingFor([]string{sa.AcceptedBy}, "give-address", sa.UpdatedAt)
	}
	return waitingFor(who, "approve", sa.UpdatedAt)
}

func waitingFor(who []string, action string, since time.Time) []models.Waiting {
	out := make([]models.Waiting, 0, len(who))
	for _, w := range who {
		out = append(out, models.Waiting{Who: w, Action: action, Since: since})
	}
	return out
}

// accountSummary is an account in lists: search results and the 409 of a create.
type accountSummary struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Domain     string            `json:"domain"`
	Status     models.SAStatus   `json:"status"`
	Visibility models.Visibility `json:"visibility"`
	SMB        bool              `json:"smb"`
	Admins     []string          `json:"admins,omitempty"`
	Actions    []string          `json:"actions,omitempty"`
}

func summary(sa models.SmartAccount) accountSummary {
	return accountSummary{ID: sa.ID, Name: sa.Name, Domain: sa.Domain, Status: sa.Status, Visibility: sa.Visibility, SMB: sa.SMB}
}
