package process

import (
	"time"

	"github.com/licensecentral/clc/models"
)

// Decision is a person's answer to a task.
type Decision string

// Decisions on approval tasks.
const (
	Approve Decision = "APPROVE"
	Decline Decision = "DECLINE"
	// Accept is a customer contact's yes to an account requested on their behalf.
	Accept Decision = "ACCEPT"
	// Submit gives the headquarters address an accepted account waits for.
	Submit Decision = "SUBMIT"
	// Delegate hands an access request's decision to another person; the request stays open.
	Delegate Decision = "DELEGATE"
)

// Ways a decision arrives, recorded in the event history.
const (
	ViaEmail = "email"
	ViaAPI   = "api"
)

// DecideInput is the argument of the decide update.
type DecideInput struct {
	Decision Decision `json:"decision"`
	Reason   string   `json:"reason"`
	// Actor is who decides: the signed-in caller, or the recipient an emailed token is bound to.
	Actor      string   `json:"actor"`
	ActorRoles []string `json:"actorRoles"`
	Via        string   `json:"via"`
	// Headquarters comes with ACCEPT (optional) and SUBMIT (required) on an account requested on a
	// customer's behalf.
	Headquarters *models.Address `json:"headquarters,omitempty"`
	// DelegateTo names who decides an access request after a DELEGATE.
	DelegateTo string `json:"delegateTo,omitempty"`
	// DeclinedVirtualAccounts are requested virtual accounts an approver declines while approving the rest.
	DeclinedVirtualAccounts []string `json:"declinedVirtualAccounts,omitempty"`
	// TokenID is the emailed link that carried the decision: the store step that applies the decision uses
	// it up in the same transaction.
	TokenID string `json:"tokenId,omitempty"`
}

// DecideResult is what a decision led to.
type DecideResult struct {
	SmartAccountID string          `json:"smartAccountId"`
	Decision       Decision        `json:"decision"`
	Status         models.SAStatus `json:"status"`
	DecidedBy      string          `json:"decidedBy"`
	DecidedAt      time.Time       `json:"decidedAt"`
	Reason         string          `json:"reason,omitempty"`
	// RequestID and RequestStatus name what was decided when it is not the account's own creation: an
	// access request or an upgrade. DelegatedTo answers a DELEGATE.
	RequestID     string `json:"requestId,omitempty"`
	RequestStatus string `json:"requestStatus,omitempty"`
	DelegatedTo   string `json:"delegatedTo,omitempty"`
}

// Step is one line of a process's own history.
type Step struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
	By   string    `json:"by,omitempty"`
}

// Status is the answer of the status query.
type Status struct {
	State          string           `json:"state"`
	SmartAccountID string           `json:"smartAccountId,omitempty"`
	WaitingOn      []models.Waiting `json:"waitingOn"`
	Since          time.Time        `json:"since"`
	Deadline       time.Time        `json:"deadline,omitzero"`
	History        []Step           `json:"history"`
}

// Timing holds every delay of the Smart Account processes, so tests and operators can shorten them.
type Timing struct {
	// Reminders are sent to approvers this long after the task began (default 3 and 7 days).
	Reminders []time.Duration `json:"reminders"`
	// Expiry ends an undecided approval (default 30 days).
	Expiry time.Duration `json:"expiry"`
	// DomainReminders are sent to Cisco approvers this long after the domain task began.
	DomainReminders []time.Duration `json:"domainReminders"`
	// DomainEscalation marks the domain approval's service level: past it, an escalation mail goes out.
	DomainEscalation time.Duration `json:"domainEscalation"`
	// DomainExpiry ends an undecided domain approval.
	DomainExpiry time.Duration `json:"domainExpiry"`
	// AcceptanceReminders go to the customer contacts of a request made on their behalf (default 7 and
	// 30 days); AcceptanceExpiry ends it unanswered (default 90 days), and bounds the address step too.
	AcceptanceReminders []time.Duration `json:"acceptanceReminders"`
	AcceptanceExpiry    time.Duration   `json:"acceptanceExpiry"`
	// AccessReminders go to whoever decides an access request (default 3 and 7 days); AccessExpiry
	// ends it undecided (default 14 days).
	AccessReminders []time.Duration `json:"accessReminders"`
	AccessExpiry    time.Duration   `json:"accessExpiry"`
}

// DefaultTiming is the production timing.
func DefaultTiming() Timing {
	return Timing{
		Reminders:        []time.Duration{72 * time.Hour, 7 * 24 * time.Hour},
		Expiry:           30 * 24 * time.Hour,
		DomainReminders:  []time.Duration{48 * time.Hour},
		DomainEscalation: 5 * 24 * time.Hour,
		DomainExpiry:     30 * 24 * time.Hour,

		AcceptanceReminders: []time.Duration{7 * 24 * time.Hour, 30 * 24 * time.Hour},
		AcceptanceExpiry:    90 * 24 * time.Hour,
		AccessReminders:     []time.Duration{72 * time.Hour, 7 * 24 * time.Hour},
		AccessExpiry:        14 * 24 * time.Hour,
	}
}

// orDefault sets *v to def when it is unset (zero or less): what the timings' WithDefaults do for each
// duration and count.
func orDefault[T ~int64 | ~int](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// withDefaults fills the delays a caller left at zero (a Timing made before they existed) from
// DefaultTiming, so no process expires the moment it starts.
func (t Timing) WithDefaults() Timing {
	d := DefaultTiming()
	if t.AcceptanceExpiry <= 0 {
		t.AcceptanceExpiry, t.AcceptanceReminders = d.AcceptanceExpiry, d.AcceptanceReminders
	}
	if t.AccessExpiry <= 0 {
		t.AccessExpiry, t.AccessReminders = d.AccessExpiry, d.AccessReminders
	}
	return t
}
