package workflows

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
}

// DecideResult is what a decision led to.
type DecideResult struct {
	SmartAccountID string          `json:"smartAccountId"`
	Decision       Decision        `json:"decision"`
	Status         models.SAStatus `json:"status"`
	DecidedBy      string          `json:"decidedBy"`
	DecidedAt      time.Time       `json:"decidedAt"`
	Reason         string          `json:"reason,omitempty"`
}

// Waiting says who a process waits for, to do what, since when and until when.
type Waiting struct {
	Who      string    `json:"who"`
	Action   string    `json:"action"`
	Since    time.Time `json:"since"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// Step is one line of a process's own history.
type Step struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
	By   string    `json:"by,omitempty"`
}

// Status is the answer of the status query.
type Status struct {
	State          string    `json:"state"`
	SmartAccountID string    `json:"smartAccountId,omitempty"`
	WaitingOn      []Waiting `json:"waitingOn"`
	Since          time.Time `json:"since"`
	Deadline       time.Time `json:"deadline,omitzero"`
	History        []Step    `json:"history"`
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
}

// DefaultTiming is the production timing.
func DefaultTiming() Timing {
	return Timing{
		Reminders:        []time.Duration{72 * time.Hour, 7 * 24 * time.Hour},
		Expiry:           30 * 24 * time.Hour,
		DomainReminders:  []time.Duration{48 * time.Hour},
		DomainEscalation: 5 * 24 * time.Hour,
		DomainExpiry:     30 * 24 * time.Hour,
	}
}
