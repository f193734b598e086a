package process

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// StartSACreate starts the creation process of a request and returns what its first step decided, in
// one round trip (update-with-start). The same request id joins the running process instead of
// starting a second one; a finished one is refused with an AlreadyStarted error the caller resolves
// from the database.
func (p *Client) StartSACreate(ctx context.Context, requestID string, req SARequest) (CreateResponse, error) {
	return startAndAsk[CreateResponse](ctx, p, SACreateID(requestID),
		enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowSACreate,
		SACreateInput{RequestID: requestID, Request: req, Timing: p.Timing})
}

// StartAccessRequest starts the process of an access request and returns its first answer in one round
// trip. The request id (from the Idempotency-Key, or fresh) makes a repeated POST join the same
// process; a finished one is refused with AlreadyStarted, which the caller answers from the database.
func (p *Client) StartAccessRequest(ctx context.Context, in AccessRequestInput) (AccessCreated, error) {
	in.Timing = p.Timing
	return startAndAsk[AccessCreated](ctx, p, AccessRequestID(in.RequestID),
		enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowAccessRequest, in)
}

// StartUpgrade starts the upgrade of an SMB account, or joins the one already running for it (a
// repeated POST), and returns what the rules decided. A finished upgrade does not block the next one.
func (p *Client) StartUpgrade(ctx context.Context, in UpgradeInput) (UpgradeCreated, error) {
	in.Timing = p.Timing
	return startAndAsk[UpgradeCreated](ctx, p, SMBUpgradeID(in.SmartAccountID),
		enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE, WorkflowSMBUpgrade, in)
}

// Decide sends a decision to the process waiting for it and returns the outcome once applied.
func (p *Client) Decide(ctx context.Context, workflowID string, in DecideInput) (DecideResult, error) {
	return update[DecideResult](ctx, p, workflowID, UpdateDecide, in)
}

// Nominate sends nominated creators to a request made on a customer's behalf and returns whom it waits
// for afterwards.
func (p *Client) Nominate(ctx context.Context, workflowID string, in NominateInput) (NominateResult, error) {
	return update[NominateResult](ctx, p, workflowID, UpdateNominate, in)
}

// startAndAsk starts (or joins: the id conflict policy) a request's process and waits for its created
// update's answer.
func startAndAsk[R any](ctx context.Context, p *Client, id string, reuse enumspb.WorkflowIdReusePolicy,
	workflow string, in any) (R, error) {
	var out R
	start := p.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    reuse,
	}, workflow, in)
	_, err := p.call(ctx, id, start, client.UpdateWorkflowOptions{UpdateID: "created", UpdateName: UpdateCreated,
		WaitForStage: client.WorkflowUpdateStageCompleted}, &out)
	return out, err
}
