package api

import (
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

// newAccountView shows an account with whom it waits for: what the store wrote with its status, or what
// the process just answered.
// myAccountView is the account as the caller holding roles on it reads it: with their roles.
func myAccountView(sa models.SmartAccount, roles []models.AccountRole) accountView {
	v := newAccountView(sa, sa.WaitingOn)
	for _, r := range roles {
		v.MyRoles = append(v.MyRoles, r.Role)
	}
	return v
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

// accountSummary is an account in lists: search results and the 409 of a create.
type accountSummary struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Domain     string            `json:"domain"`
	Status     models.SAStatus   `json:"status"`
	Visibility models.Visibility `json:"visibility"`
	SMB        bool              `json:"smb"`
	Type       models.SAType     `json:"type"`
	Admins     []string          `json:"admins,omitempty"`
	Actions    []string          `json:"actions,omitempty"`
}

func summary(sa models.SmartAccount) accountSummary {
	return accountSummary{ID: sa.ID, Name: sa.Name, Domain: sa.Domain, Status: sa.Status, Visibility: sa.Visibility, SMB: sa.SMB,
		Type: sa.Type}
}
