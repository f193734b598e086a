package process

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Workflow type names, as the worker registers them: clients start processes by name, so they link
// none of the workflows' code.
const (
	WorkflowSACreate       = "SACreate"
	WorkflowDomainApproval = "DomainApproval"
	WorkflowAccessRequest  = "AccessRequest"
	WorkflowSMBUpgrade     = "SMBUpgrade"
	WorkflowOrder          = "Order"
	WorkflowDelegation     = "Delegation"
)

// DefaultTaskQueue is the task queue of the License Central worker unless configured otherwise.
const DefaultTaskQueue = "clc"

// Update, signal and query names the API and the workflows agree on.
const (
	// UpdateCreated answers a creation request with what the workflow's first step decided.
	UpdateCreated = "created"
	// UpdateDecide carries a person's decision (approve or decline) on a waiting step.
	UpdateDecide = "decide"
	// QueryStatus returns a Status: the state, whom the process waits for, since when, until when.
	QueryStatus = "status"
)

// SACreateID is the workflow id of a Smart Account creation request.
func SACreateID(requestID string) string { return "sa-create/" + requestID }

// DomainApprovalID is the workflow id of the domain approval of a creation request.
func DomainApprovalID(requestID string) string { return "domain-approval/" + requestID }

// Search attributes that let operations list processes by state and by whom they wait for.
var (
	SearchState        = temporal.NewSearchAttributeKeyKeyword("ClcState")
	SearchWaitingOn    = temporal.NewSearchAttributeKeyKeywordList("ClcWaitingOn")
	SearchSmartAccount = temporal.NewSearchAttributeKeyKeyword("ClcSmartAccountId")
	// SearchStuck marks an order with a line pending past its SLA (FEATURES PR3).
	SearchStuck = temporal.NewSearchAttributeKeyBool("ClcStuck")
)

// SearchAttributes lists the custom search attributes to register on the namespace.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SearchState.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchWaitingOn.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
		SearchSmartAccount.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchStuck.GetName():        enumspb.INDEXED_VALUE_TYPE_BOOL,
	}
}
