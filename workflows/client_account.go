package workflows

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// StartAccessRequest starts the process of an access request and returns its first answer in one round
// trip. The request id (from the Idempotency-Key, or fresh) makes a repeated POST join the same
// process; a finished one is refused with AlreadyStarted, which the caller answers from the database.
func (p *Processes) StartAccessRequest(ctx context.Context, in AccessRequestInput) (AccessCreated, error) {
	in.Timing = p.Timing
	var out AccessCreated
	err := p.startAndAsk(ctx, client.StartWorkflowOptions{
		ID:                       AccessRequestID(in.RequestID),
		TaskQueue:                p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, AccessRequest, in, &out)
	return out, err
}

// StartUpgrade starts the upgrade of an SMB account, or joins the one already running for it (a
// repeated POST), and returns what the rules decided. A finished upgrade does not block the next one.
func (p *Processes) StartUpgrade(ctx context.Context, in UpgradeInput) (UpgradeCreated, error) {
	in.Timing = p.Timing
	var out UpgradeCreated
	err := p.startAndAsk(ctx, client.StartWorkflowOptions{
		ID:                       SMBUpgradeID(in.SmartAccountID),
		TaskQueue:                p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, SMBUpgrade, in, &out)
	return out, err
}

// Nominate sends nominated creators to a request made on a customer's behalf and returns whom it waits
// for afterwards.
func (p *Processes) Nominate(ctx context.Context, workflowID string, in NominateInput) (NominateResult, error) {
	return update[NominateResult](ctx, p, workflowID, UpdateNominate, in)
}

// startAndAsk starts (or joins) a workflow and waits for its created update's answer.
func (p *Processes) startAndAsk(ctx context.Context, opts client.StartWorkflowOptions, wf, in, out any) error {
	start := p.Client.NewWithStartWorkflowOperation(opts, wf, in)
	h, err := p.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     "created",
			UpdateName:   UpdateCreated,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return p.wrap(err, opts.ID)
	}
	if err := h.Get(ctx, out); err != nil {
		return p.wrap(err, opts.ID)
	}
	return nil
}
