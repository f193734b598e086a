package process

import (
	"time"

	"github.com/licensecentral/clc/models"
)

// Update and signal names of the order processes.
const (
	// UpdateIngest hands the order process an order commerce sent (again): it answers the order as
	// recorded, or refuses changed content.
	UpdateIngest = "ingest"
	// UpdateAssign asks the order process to move lines to accounts.
	UpdateAssign = "assign"
	// UpdateDelegate asks the order process to delegate its assignment to someone by email.
	UpdateDelegate = "delegate"
	// UpdateRevoke asks the order process to revoke a delegation.
	UpdateRevoke = "revoke"
	// SignalDelegationClose tells a delegation process how it ended (used or revoked).
	SignalDelegationClose = "close"
	// SignalDelegationEnded tells the order process that one of its delegations ended by itself (expired).
	SignalDelegationEnded = "delegation-ended"
)

// OrderWorkflowID is the workflow id of an order's process.
func OrderWorkflowID(orderID string) string { return "order/" + orderID }

// DelegationWorkflowID is the workflow id of a delegation of an order's assignment.
func DelegationWorkflowID(orderID, delegationID string) string {
	return "delegation/" + orderID + "/" + delegationID
}

// OrderInput starts an order's process: from commerce's order (Ingest, recorded as the first step), or
// from the order as the database holds it (State), when an action finds no process running.
type OrderInput struct {
	OrderID string            `json:"orderId"`
	State   models.OrderState `json:"state"`
	Ingest  *IngestInput      `json:"ingest,omitempty"`
	// Provisioning paces the deposits of the order's lines.
	Provisioning ProvisionTiming `json:"provisioning"`
	// Holdings are the holding accounts the order's lines were in (FEATURES NO2), across continue-as-new.
	Holdings []string `json:"holdings,omitempty"`
}

// OrderResult is how an order's process ended: when every line is provisioned, failed, or has nothing to provision.
type OrderResult struct {
	Status models.AssignmentStatus `json:"status"`
}

// IngestResult answers the ingest: the order as recorded.
type IngestResult struct {
	State models.OrderState `json:"state"`
}

// AssignInput is one order's share of an assignment request.
type AssignInput struct {
	// RequestID is the update id: a repeated request (same Idempotency-Key) is the same update.
	RequestID string            `json:"requestId"`
	Actor     models.OrderActor `json:"actor"`
	Via       string            `json:"via"`
	// DelegationID, when set, is the delegation the actor assigns through (the emailed link): the
	// actor must be its delegate, and the delegation is used whatever else entitles them.
	DelegationID string `json:"delegationId,omitempty"`
	// TokenID is the emailed link the assignment came through: its store step uses it up.
	TokenID string               `json:"tokenId,omitempty"`
	Request models.AssignRequest `json:"request"`
}

// AssignResult is what an assignment did to the order.
type AssignResult struct {
	OrderID string                  `json:"orderId"`
	Status  models.AssignmentStatus `json:"status"`
	Changed []string                `json:"changed"`
	Notes   []string                `json:"notes,omitempty"`
	As      string                  `json:"as"`
}

// DelegateInput asks to delegate an order's assignment to someone by email.
type DelegateInput struct {
	DelegationID string            `json:"delegationId"`
	Actor        models.OrderActor `json:"actor"`
	Delegate     string            `json:"delegate"`
	Note         string            `json:"note"`
	// TokenID is the emailed link the delegation came through, Outcome what its page then says.
	TokenID string `json:"tokenId,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	// Expiry ends the delegation unused (default 14 days).
	Expiry time.Duration `json:"expiry"`
}

// DelegateResult is the delegation made.
type DelegateResult struct {
	Delegation models.OrderDelegation `json:"delegation"`
	WaitingOn  []models.Waiting       `json:"waitingOn"`
}

// RevokeInput asks to revoke a delegation.
type RevokeInput struct {
	DelegationID string            `json:"delegationId"`
	Actor        models.OrderActor `json:"actor"`
	Reason       string            `json:"reason"`
}

// RevokeResult is the delegation after the revocation.
type RevokeResult struct {
	Delegation models.OrderDelegation `json:"delegation"`
}

// IngestInput is an order commerce sent, validated and prepared by the API for recording.
type IngestInput struct {
	Order models.Order
	Lines []models.OrderLine
}
