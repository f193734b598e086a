package process

import "github.com/licensecentral/clc/models"

// AccessRequestID is the workflow id of an access request.
func AccessRequestID(requestID string) string { return "access-request/" + requestID }

// AccessRequestInput starts the process of one access request, as the API validated it.
type AccessRequestInput struct {
	RequestID       string        `json:"requestId"`
	SmartAccountID  string        `json:"smartAccountId"`
	Requester       models.Person `json:"requester"`
	Role            models.Role   `json:"role"`
	VirtualAccounts []string      `json:"virtualAccounts"`
	ForEmails       []string      `json:"forEmails"`
	Reason          string        `json:"reason"`
	// PartnerDomain, on a partner's request (FEATURES AC8), names the registered partner whose people are to
	// hold the role; ForEmails is then empty.
	PartnerDomain string `json:"partnerDomain,omitempty"`
	Timing        Timing `json:"timing"`
}

// AccessCreated answers the request: its status at once (a rule may have decided it) and whom it waits for.
type AccessCreated struct {
	RequestID      string              `json:"requestId"`
	SmartAccountID string              `json:"smartAccountId"`
	Status         models.AccessStatus `json:"status"`
	DecidedBy      string              `json:"decidedBy,omitempty"`
	Reason         string              `json:"reason,omitempty"`
	WaitingOn      []models.Waiting    `json:"waitingOn"`
}

// AccessRequestResult is how the request ended.
type AccessRequestResult struct {
	RequestID string              `json:"requestId"`
	Status    models.AccessStatus `json:"status"`
	DecidedBy string              `json:"decidedBy,omitempty"`
	Reason    string              `json:"reason,omitempty"`
}
