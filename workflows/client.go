package workflows

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/licensecentral/clc/models"
)

// Processes is the API's side of the workflows: it starts them with ids from business keys and
// explicit id policies, sends them decisions, and asks for their status.
type Processes struct {
	Client    client.Client
	TaskQueue string
	Timing    Timing
}

// ErrProcessClosed tells that the process a decision was meant for has already ended.
var ErrProcessClosed = errors.New("the process has already ended")

// StartSACreate starts the creation process of a request and returns what its first step decided, in
// one round trip (update-with-start). The same request id joins the running process instead of
// starting a second one; a finished one is refused with an AlreadyStarted error the caller resolves
// from the database.
func (p *Processes) StartSACreate(ctx context.Context, requestID string, req SARequest) (CreateResponse, error) {
	var out CreateResponse
	err := p.startAndAsk(ctx, client.StartWorkflowOptions{
		ID:                       SACreateID(requestID),
		TaskQueue:                p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, SACreate, SACreateInput{RequestID: requestID, Request: req, Timing: p.Timing}, &out)
	return out, err
}

// Decide sends a decision to the process waiting for it and returns the outcome once applied.
func (p *Processes) Decide(ctx context.Context, workflowID string, in DecideInput) (DecideResult, error) {
	return update[DecideResult](ctx, p, workflowID, UpdateDecide, in)
}

// update sends a named update and waits until the workflow completed it, with its answer.
func update[R any](ctx context.Context, p *Processes, workflowID, name string, arg any) (R, error) {
	var out R
	h, err := p.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		WaitForStage: client.WorkflowUpdateStageCompleted,
		Args:         []any{arg},
	})
	if err != nil {
		return out, p.wrap(err, workflowID)
	}
	if err := h.Get(ctx, &out); err != nil {
		return out, p.wrap(err, workflowID)
	}
	return out, nil
}

// Status asks a process what it waits for.
func (p *Processes) Status(ctx context.Context, workflowID string) (Status, error) {
	v, err := p.Client.QueryWorkflow(ctx, workflowID, "", QueryStatus)
	if err != nil {
		return Status{}, p.wrap(err, workflowID)
	}
	var st Status
	if err := v.Get(&st); err != nil {
		return Status{}, fmt.Errorf("decode status of %s: %w", workflowID, err)
	}
	return st, nil
}

// IsAlreadyStarted reports whether a start found a finished process with the same id.
func IsAlreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}

func (p *Processes) wrap(err error, workflowID string) error {
	if m := AsModelError(err); m != err {
		return m
	}
	// The server answers NotFound both for an unknown id and for an update to a closed workflow.
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("%s: %w", workflowID, ErrProcessClosed)
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) || errors.Is(err, context.DeadlineExceeded) {
		return &models.Error{Code: models.CodeUnavailable, Message: "the process engine did not answer in time; try again"}
	}
	return fmt.Errorf("%s: %w", workflowID, err)
}
