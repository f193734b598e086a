package process

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
)

// The order calls are all update-with-start: the process of an order that has none running (loaded in
// bulk, or from before) starts from the order as the caller read it, so no action ever finds "no
// process".

// orderCall sends an Update to an order's process, starting it from st (or from the ingest) when none runs.
func (p *Client) orderCall(ctx context.Context, in OrderInput, opts client.UpdateWorkflowOptions, out any) (
	client.WorkflowUpdateHandle, error) {
	in.Provisioning = p.Provision
	start := p.Temporal.NewWithStartWorkflowOperation(p.orderStart(in), WorkflowOrder, in)
	return p.call(ctx, OrderWorkflowID(in.OrderID), start, opts, out)
}

// orderStart are the options of every start of an order's process.
func (p *Client) orderStart(in OrderInput) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       OrderWorkflowID(in.OrderID),
		TaskQueue:                p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A process that ended (failed, terminated by an operator) is started afresh from the database.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: OrderSearchAttributes(in),
	}
}

func completed(updateID, name string, arg any) client.UpdateWorkflowOptions {
	return client.UpdateWorkflowOptions{UpdateID: updateID, UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted}
}

// Ingest hands an order from commerce to its process, starting it when needed, and returns the order
// as recorded. Changed content for a recorded order is refused with CONFLICT.
func (p *Client) Ingest(ctx context.Context, in IngestInput) (IngestResult, error) {
	var out IngestResult
	_, err := p.orderCall(ctx, OrderInput{OrderID: in.Order.ID, Ingest: &in},
		completed("ingest-"+in.Order.PayloadHash, UpdateIngest, in), &out)
	return out, err
}

// Assign asks the order's process to apply an assignment. With wait, it returns once recorded;
// without, once the process accepted it (its validator passed), which is the API's "assignment
// requested".
func (p *Client) Assign(ctx context.Context, st models.OrderState, in AssignInput, wait bool) (AssignResult, error) {
	id := st.Order.ID
	opts := completed(in.RequestID, UpdateAssign, in)
	if !wait {
		opts.WaitForStage = client.WorkflowUpdateStageAccepted
	}
	var out AssignResult
	h, err := p.orderCall(ctx, OrderInput{OrderID: id, State: st}, opts, &out)
	if err != nil || wait {
		return out, err
	}
	return AssignResult{OrderID: id, Status: models.AssignRequested}, wrap(refusal(h), OrderWorkflowID(id))
}

// Delegate asks the order's process to delegate its assignment; it returns the delegation made.
func (p *Client) Delegate(ctx context.Context, st models.OrderState, in DelegateInput) (DelegateResult, error) {
	if in.Expiry <= 0 {
		in.Expiry = p.DelegationExpiry
	}
	if in.Expiry <= 0 {
		in.Expiry = models.DefaultDelegationExpiry
	}
	var out DelegateResult
	_, err := p.orderCall(ctx, OrderInput{OrderID: st.Order.ID, State: st},
		completed("delegate-"+in.DelegationID, UpdateDelegate, in), &out)
	return out, err
}

// Revoke asks the order's process to revoke a delegation.
func (p *Client) Revoke(ctx context.Context, st models.OrderState, in RevokeInput) (RevokeResult, error) {
	var out RevokeResult
	_, err := p.orderCall(ctx, OrderInput{OrderID: st.Order.ID, State: st}, completed("", UpdateRevoke, in), &out)
	return out, err
}

// refusal is the validator's refusal of an update waited for only until accepted: a refused update
// comes back completed with its error, an accepted one is still running and its result is not asked
// for (a cancelled context makes sure of that).
func refusal(h client.WorkflowUpdateHandle) error {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.Get(done, nil)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	return nil
}
