package process

import (
	"time"

	"github.com/licensecentral/clc/models"
)

// SARequest is a Smart Account request as the API validated it.
type SARequest struct {
	Name            string            `json:"name"`
	Domain          string            `json:"domain"`
	NoteToApprover  string            `json:"noteToApprover"`
	Visibility      models.Visibility `json:"visibility"`
	Headquarters    models.Address    `json:"headquarters"`
	NominatedAdmins []string          `json:"nominatedAdmins"`
	Requester       models.Person     `json:"requester"`
	// OnBehalf requests wait for one of the CustomerContacts to accept (FEATURES SA5); NoteToCustomer
	// is shown to them.
	OnBehalf         bool     `json:"onBehalf,omitempty"`
	CustomerContacts []string `json:"customerContacts,omitempty"`
	NoteToCustomer   string   `json:"noteToCustomer,omitempty"`
	// ModifiedDomain sends the domain identifier to Cisco's approval (FEATURES SA6).
	ModifiedDomain bool `json:"modifiedDomain,omitempty"`
	// Type is CUSTOMER, or HOLDING for a Partner Holding Account (FEATURES SA12); empty is CUSTOMER.
	Type models.SAType `json:"type,omitempty"`
}

// SACreateInput starts the creation process of one request.
type SACreateInput struct {
	RequestID string    `json:"requestId"`
	Request   SARequest `json:"request"`
	Timing    Timing    `json:"timing"`
}

// SACreateResult is how the request ended.
type SACreateResult struct {
	SmartAccountID string          `json:"smartAccountId"`
	Status         models.SAStatus `json:"status"`
	DecidedBy      string          `json:"decidedBy,omitempty"`
	Reason         string          `json:"reason,omitempty"`
}

// CreateResponse answers the creation request: the account and the status the rules decided.
type CreateResponse struct {
	SmartAccountID string           `json:"smartAccountId"`
	Status         models.SAStatus  `json:"status"`
	Domain         string           `json:"domain"`
	SMB            bool             `json:"smb"`
	WaitingOn      []models.Waiting `json:"waitingOn"`
	Why            string           `json:"why"`
}

// UpdateNominate adds customer contacts ("creators") to a request made on a customer's behalf that waits
// for acceptance or was declined (FEATURES SA6).
const UpdateNominate = "nominate"

// NominateInput is the argument of the nominate update.
type NominateInput struct {
	Emails []string `json:"emails"`
	Actor  string   `json:"actor"`
}

// NominateResult says whom the request waits for after a nomination.
type NominateResult struct {
	SmartAccountID   string          `json:"smartAccountId"`
	Status           models.SAStatus `json:"status"`
	CustomerContacts []string        `json:"customerContacts"`
	Mailed           []string        `json:"mailed"`
	Deadline         time.Time       `json:"deadline"`
}
