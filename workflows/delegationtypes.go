package workflows

import (
	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
)

// DelegationInput starts the process of one delegation.
type DelegationInput struct {
	Delegation      models.OrderDelegation `json:"delegation"`
	OrderWorkflowID string                 `json:"orderWorkflowId"`
	Mail            activities.OrderMail   `json:"mail"`
}

// DelegationClose is how the order process tells a delegation it ended: used by its delegate (with
// where the order went) or revoked.
type DelegationClose struct {
	Status         models.DelegationStatus `json:"status"`
	By             string                  `json:"by"`
	SmartAccount   string                  `json:"smartAccount,omitempty"`
	VirtualAccount string                  `json:"virtualAccount,omitempty"`
}

// DelegationEnded tells the order process a delegation ended on its own.
type DelegationEnded struct {
	DelegationID string                  `json:"delegationId"`
	Status       models.DelegationStatus `json:"status"`
}

// DelegationResult is how a delegation ended.
type DelegationResult struct {
	Status models.DelegationStatus `json:"status"`
	By     string                  `json:"by,omitempty"`
}
