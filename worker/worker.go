// Package worker owns the construction of the License Central Temporal worker: which workflows and
// activities it runs, with which options, and the namespace setup the workflows rely on.
package worker

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// Deps are the activity implementations the worker runs.
type Deps struct {
	Store       *activities.Store
	Mailer      *activities.Mailer
	Provisioner *activities.Provisioner
	Releaser    *activities.Releaser
	Assigner    *activities.Assigner
}

// New builds a worker on the task queue with every workflow and activity registered; the caller starts
// and stops it.
func New(c client.Client, taskQueue string, deps Deps, opts worker.Options) worker.Worker {
	opts.Interceptors = append(opts.Interceptors, DomainErrors())
	w := worker.New(c, taskQueue, opts)
	Register(w, deps)
	return w
}

// Register puts the workflows and activities on any registry (a worker, or a test environment).
func Register(r worker.Registry, deps Deps) {
	RegisterWorkflows(r)
	r.RegisterActivity(deps.Store)
	r.RegisterActivity(deps.Mailer)
	r.RegisterActivity(deps.Provisioner)
	r.RegisterActivity(deps.Releaser)
	r.RegisterActivity(deps.Assigner)
}

// WorkflowRegistry is where workflows can be registered: a worker, a test environment, or the replayer
// that checks recorded histories against the code.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow under the name its processes are started by.
func RegisterWorkflows(r WorkflowRegistry) {
	for name, wf := range map[string]any{
		process.WorkflowSACreate:        workflows.SACreate,
		process.WorkflowDomainApproval:  workflows.DomainApproval,
		process.WorkflowAccessRequest:   workflows.AccessRequest,
		process.WorkflowSMBUpgrade:      workflows.SMBUpgrade,
		process.WorkflowOrder:           workflows.Order,
		process.WorkflowHoldingTransfer: workflows.HoldingTransfer,
		process.WorkflowDelegation:      workflows.Delegation,
		process.WorkflowDigest:          workflows.Digest,
		process.WorkflowTrainingRequest: workflows.TrainingRequest,
		process.WorkflowAssignmentBatch: workflows.AssignmentBatch,
	} {
		// The clients start processes by these names; the workflows start their children by function.
		r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
	}
}

// EnsureSearchAttributes registers the workflows' custom search attributes on the namespace; those
// already there are left alone (the server refuses a request naming one that exists, so only the
// missing ones are asked for).
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of %s: %w", namespace, err)
	}
	missing := process.SearchAttributes()
	for name := range have.GetCustomAttributes() {
		delete(missing, name)
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("register search attributes on %s: %w", namespace, err)
	}
	return nil
}
