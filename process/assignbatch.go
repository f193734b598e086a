package process

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/licensecentral/clc/models"
)

// WorkflowAssignmentBatch is the process of one bulk assignment.
const WorkflowAssignmentBatch = "AssignmentBatch"

// AssignmentBatchWorkflowID is the workflow id of a bulk assignment.
func AssignmentBatchWorkflowID(batchID string) string { return "assignment-batch/" + batchID }

// AssignmentBatchInput is a bulk assignment as the API checked it: the common request and every order
// of it, in the request's order, each with the API's answer. The partner each order's partner services
// go to is found again when it is applied (it depends on the order's reseller).
type AssignmentBatchInput struct {
	Batch   models.AssignmentBatch `json:"batch"`
	Actor   models.OrderActor      `json:"actor"`
	Request models.AssignRequest   `json:"request"`
	Orders  []BatchOrder           `json:"orders"`
}

// BatchOrder is one order of a bulk assignment: its update id (so a retry is the same update) and,
// when the API refused it or found nothing to change, that answer.
type BatchOrder struct {
	OrderID  string                  `json:"orderId"`
	UpdateID string                  `json:"updateId,omitempty"`
	Status   models.BatchOrderStatus `json:"status"`
	Refusal  *models.Error           `json:"refusal,omitempty"`
}

// AssignmentBatchCreated answers the start of a bulk assignment once it is recorded.
type AssignmentBatchCreated struct {
	BatchID string `json:"batchId"`
	Pending int    `json:"pending"`
}

// AssignmentBatchResult is how a bulk assignment ended.
type AssignmentBatchResult struct {
	Applied int `json:"applied"`
	Refused int `json:"refused"`
}

// StartAssignments starts the process of a bulk assignment and returns once it recorded the batch, so
// a second request sees it. The same batch id (from the Idempotency-Key) joins the running process; a
// finished one is refused with AlreadyStarted, which the caller answers from the database.
func (p *Client) StartAssignments(ctx context.Context, in AssignmentBatchInput) (AssignmentBatchCreated, error) {
	return startAndAsk[AssignmentBatchCreated](ctx, p, AssignmentBatchWorkflowID(in.Batch.ID),
		enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowAssignmentBatch, in)
}
