package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/internal/fulfillment"
)

// The bare workflow has the order process's provisioning shape without License Central in it: started
// by an update whose handler runs a local activity (the ingest's store step), a "ship" and an "assign"
// update each running one, then one activity that deposits every line with a fulfillment simulator over
// HTTP (concurrently, as the real Deposit does) and one activity that records the outcomes.

const (
	bareQueue        = "bench-provision-bare"
	bareUpdateIngest = "ingest"
	bareUpdateShip   = "ship"
	bareUpdateAssign = "assign"
)

// bareInput names the order and its lines.
type bareInput struct {
	OrderID string
	Lines   int
}

type bareActs struct{ ful *fulfillment.Client }

func (*bareActs) Store(context.Context, string) error  { return nil }
func (*bareActs) Record(context.Context, string) error { return nil }
func (*bareActs) Mail(context.Context, string) error   { return nil }

func (a *bareActs) Deposit(ctx context.Context, in bareInput) error {
	var wg sync.WaitGroup
	errs := make([]error, in.Lines)
	for i := range in.Lines {
		wg.Go(func() {
			_, errs[i] = a.ful.Deposit(ctx, fulfillment.Deposit{OrderID: in.OrderID, LineID: fmt.Sprint(i + 1),
				SKU: "BENCH-SKU", Quantity: 1, SmartAccountID: "bench", VirtualAccountID: "bench"})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func bareWorkflow(ctx workflow.Context, in bareInput) error {
	var a *bareActs
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	step := func(ctx workflow.Context, name string) error {
		return workflow.ExecuteLocalActivity(lctx, a.Store, name).Get(ctx, nil)
	}
	var ingested, shipped, assigned bool
	for _, u := range []struct {
		name string
		done *bool
	}{{bareUpdateIngest, &ingested}, {bareUpdateShip, &shipped}, {bareUpdateAssign, &assigned}} {
		if err := workflow.SetUpdateHandler(ctx, u.name, func(ctx workflow.Context) error {
			*u.done = true
			return step(ctx, u.name)
		}); err != nil {
			return err
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: time.Second}})
	if err := workflow.Await(ctx, func() bool { return ingested }); err != nil {
		return err
	}
	mail := workflow.ExecuteActivity(actx, a.Mail, in.OrderID)
	if err := workflow.Await(ctx, func() bool { return shipped && assigned }); err != nil {
		return err
	}
	if err := mail.Get(ctx, nil); err != nil {
		return err
	}
	if err := workflow.ExecuteActivity(actx, a.Deposit, in).Get(ctx, nil); err != nil {
		return err
	}
	return workflow.ExecuteActivity(actx, a.Record, in.OrderID).Get(ctx, nil)
}

// bare drives the bare workflow against the same Temporal server.
func startBare(address, namespace string, latency time.Duration) (*loadtest.Bare, error) {
	return loadtest.StartBare(address, namespace, bareQueue, latency, func(w worker.Worker, ful *fulfillment.Client) {
		w.RegisterWorkflow(bareWorkflow)
		w.RegisterActivity(&bareActs{ful: ful})
	})
}

// order runs one order through ingest, ship and assign; the deposits follow in the workflow.
func bareOrder(ctx context.Context, b *loadtest.Bare, id string, lines int) (client.WorkflowRun, error) {
	in := bareInput{OrderID: id, Lines: lines}
	op := b.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: "bench-bare/" + id, TaskQueue: bareQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, bareWorkflow, in)
	h, err := b.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: bareUpdateIngest, WaitForStage: client.WorkflowUpdateStageCompleted}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	for _, name := range []string{bareUpdateShip, bareUpdateAssign} {
		if err != nil {
			break
		}
		var u client.WorkflowUpdateHandle
		u, err = b.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: "bench-bare/" + id, UpdateName: name,
			WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = u.Get(ctx, nil)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bare order %s: %w", id, err)
	}
	return b.Client.GetWorkflow(ctx, "bench-bare/"+id, ""), nil
}
