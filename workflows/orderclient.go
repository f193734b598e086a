package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
)

// Orders is the API's side of the order processes. Every call is an update-with-start: the process of
// an order that has none running (loaded in bulk, or from before) starts from the order as the caller
// read it, so no action ever finds "no process".
type Orders struct {
	Client    client.Client
	TaskQueue string
	// DelegationExpiry is how long a delegation's link works (default 14 days).
	DelegationExpiry time.Duration
}

func (p *Orders) start(orderID string, in OrderInput) client.WithStartWorkflowOperation {
	return p.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       OrderWorkflowID(orderID),
		TaskQueue:                p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A process that ended (failed, terminated by an operator) is started afresh from the database.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: OrderSearchAttributes(in),
	}, Order, in)
}

func (p *Orders) update(ctx context.Context, orderID string, in OrderInput, updateID, name string, arg any,
	stage client.WorkflowUpdateStage) (client.WorkflowUpdateHandle, error) {
	h, err := p.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: p.start(orderID, in),
		UpdateOptions: client.UpdateWorkflowOptions{UpdateID: updateID, UpdateName: name, Args: []any{arg},
			WaitForStage: stage},
	})
	if err != nil {
		return nil, wrapOrderErr(err, orderID)
	}
	return h, nil
}

// Ingest hands an order from commerce to its process, starting it when needed, and returns the order
// as recorded. Changed content for a recorded order is refused with CONFLICT.
func (p *Orders) Ingest(ctx context.Context, in IngestInput) (IngestResult, error) {
	h, err := p.update(ctx, in.Order.ID, OrderInput{OrderID: in.Order.ID, Ingest: &in}, "ingest-"+in.Order.PayloadHash,
		UpdateIngest, in, client.WorkflowUpdateStageCompleted)
	if err != nil {
		return IngestResult{}, err
	}
	var out IngestResult
	if err := h.Get(ctx, &out); err != nil {
		return IngestResult{}, wrapOrderErr(err, in.Order.ID)
	}
	return out, nil
}

// Assign asks the order's process to apply an assignment. With wait, it returns once recorded;
// without, once the process accepted it (its validator passed), which is the API's "assignment
// requested".
func (p *Orders) Assign(ctx context.Context, st activities.OrderState, in AssignInput, wait bool) (AssignResult, error) {
	stage := client.WorkflowUpdateStageAccepted
	if wait {
		stage = client.WorkflowUpdateStageCompleted
	}
	id := st.Order.ID
	h, err := p.update(ctx, id, OrderInput{OrderID: id, State: st}, in.RequestID, UpdateAssign, in, stage)
	if err != nil {
		return AssignResult{}, err
	}
	if !wait {
		return AssignResult{OrderID: id, Status: models.AssignRequested}, wrapOrderErr(refusal(h), id)
	}
	var out AssignResult
	if err := h.Get(ctx, &out); err != nil {
		return AssignResult{}, wrapOrderErr(err, id)
	}
	return out, nil
}

// Delegate asks the order's process to delegate its assignment; it returns the delegation made.
func (p *Orders) Delegate(ctx context.Context, st activities.OrderState, in DelegateInput) (DelegateResult, error) {
	if in.Expiry <= 0 {
		in.Expiry = p.DelegationExpiry
	}
	if in.Expiry <= 0 {
		in.Expiry = models.DefaultDelegationExpiry
	}
	id := st.Order.ID
	h, err := p.update(ctx, id, OrderInput{OrderID: id, State: st}, "delegate-"+in.DelegationID, UpdateDelegate, in,
		client.WorkflowUpdateStageCompleted)
	if err != nil {
		return DelegateResult{}, err
	}
	var out DelegateResult
	if err := h.Get(ctx, &out); err != nil {
		return DelegateResult{}, wrapOrderErr(err, id)
	}
	return out, nil
}

// Revoke asks the order's process to revoke a delegation.
func (p *Orders) Revoke(ctx context.Context, st activities.OrderState, in RevokeInput) (RevokeResult, error) {
	id := st.Order.ID
	h, err := p.update(ctx, id, OrderInput{OrderID: id, State: st}, "", UpdateRevoke, in, client.WorkflowUpdateStageCompleted)
	if err != nil {
		return RevokeResult{}, err
	}
	var out RevokeResult
	if err := h.Get(ctx, &out); err != nil {
		return RevokeResult{}, wrapOrderErr(err, id)
	}
	return out, nil
}

// OrderStatus asks an order's process what it waits for.
func (p *Orders) OrderStatus(ctx context.Context, orderID string) (Status, error) {
	v, err := p.Client.QueryWorkflow(ctx, OrderWorkflowID(orderID), "", QueryStatus)
	if err != nil {
		return Status{}, wrapOrderErr(err, orderID)
	}
	var st Status
	if err := v.Get(&st); err != nil {
		return Status{}, fmt.Errorf("decode status of order %s: %w", orderID, err)
	}
	return st, nil
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

// wrapOrderErr turns what the engine answered into the error the API maps.
func wrapOrderErr(err error, orderID string) error {
	if err == nil {
		return nil
	}
	if m := AsModelError(err); m != err {
		return m
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) {
		return &models.Error{Code: models.CodeUnavailable, Message: "the process engine did not answer in time; try again"}
	}
	return fmt.Errorf("order %s: %w", orderID, err)
}
