package process

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/licensecentral/clc/models"
)

// Client is the API's side of the processes: it starts them with ids from business keys and explicit id
// policies, sends them decisions and assignments as Updates, and asks for their status. It names the
// workflows by type, so a program holding it links none of their code.
type Client struct {
	Temporal  client.Client
	TaskQueue string
	// Timing is handed to every process it starts, so operators and tests can shorten the delays.
	Timing Timing
	// DelegationExpiry is how long a delegation's link works (default 14 days).
	DelegationExpiry time.Duration
	// Provision paces the orders' deposits and says when a line is stuck.
	Provision ProvisionTiming
	// Holding paces the reminders of orders waiting in holding accounts.
	Holding HoldingTiming
	// TrainingExpiry closes a training request never scheduled (default 90 days).
	TrainingExpiry time.Duration
}

// ErrProcessClosed tells that the process a decision was meant for has already ended.
var ErrProcessClosed = errors.New("the process has already ended")

// IsAlreadyStarted reports whether a start found a finished process with the same id.
func IsAlreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}

// Ping asks the Temporal frontend whether it serves. It is the API's readiness on Temporal's side:
// without the frontend no process can be started, decided or asked.
func (p *Client) Ping(ctx context.Context) error {
	_, err := p.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// Status asks a process what it waits for.
func (p *Client) Status(ctx context.Context, workflowID string) (Status, error) {
	v, err := p.Temporal.QueryWorkflow(ctx, workflowID, "", QueryStatus)
	if err != nil {
		return Status{}, wrap(err, workflowID)
	}
	var st Status
	if err := v.Get(&st); err != nil {
		return Status{}, fmt.Errorf("decode status of %s: %w", workflowID, err)
	}
	return st, nil
}

// call sends an Update, starting the workflow first when start is set, waits for the stage the options
// name and, once completed, decodes the answer into out (when out is not nil).
func (p *Client) call(ctx context.Context, workflowID string, start client.WithStartWorkflowOperation,
	opts client.UpdateWorkflowOptions, out any) (client.WorkflowUpdateHandle, error) {
	var h client.WorkflowUpdateHandle
	var err error
	if start != nil {
		h, err = p.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: start, UpdateOptions: opts})
	} else {
		opts.WorkflowID = workflowID
		h, err = p.Temporal.UpdateWorkflow(ctx, opts)
	}
	if err != nil {
		return nil, wrap(err, workflowID)
	}
	if opts.WaitForStage != client.WorkflowUpdateStageCompleted || out == nil {
		return h, nil
	}
	if err := h.Get(ctx, out); err != nil {
		return h, wrap(err, workflowID)
	}
	return h, nil
}

// update sends a named Update to a running process and waits for its answer.
func update[R any](ctx context.Context, p *Client, workflowID, name string, arg any) (R, error) {
	var out R
	_, err := p.call(ctx, workflowID, nil, client.UpdateWorkflowOptions{UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted}, &out)
	return out, err
}

// wrap turns what the engine answered into the error the API maps: a process's refusal into the
// *models.Error it carries, an unknown or closed process into ErrProcessClosed, an engine that does not
// answer into UNAVAILABLE.
func wrap(err error, workflowID string) error {
	if err == nil {
		return nil
	}
	if m := DecodeError(err); m != err {
		return m
	}
	// The server answers NotFound both for an unknown id and for an update to a closed workflow.
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("%s: %w", workflowID, ErrProcessClosed)
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	// A frontend that has just restarted answers NamespaceNotFound until its namespace cache is loaded
	// (seconds; the fault suite meets it after every Temporal restart): an outage, not our bug.
	var noNamespace *serviceerror.NamespaceNotFound
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &noNamespace) ||
		errors.Is(err, context.DeadlineExceeded) {
		return &models.Error{Code: models.CodeUnavailable, Message: "the process engine did not answer in time; try again"}
	}
	return fmt.Errorf("%s: %w", workflowID, err)
}
