package main

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/internal/fulfillment"
)

// The bare workflow has the transfer's shape without License Central in it: started by a "transfer"
// update whose handler runs a local activity (the store step that moves the line and its licenses),
// then a signal-sending activity (the holding-transfer process told), one activity depositing the line
// with a fulfillment simulator over HTTP, and a local activity recording it.

const bareQueue = "bench-holding-bare"

type bareActs struct{ ful *fulfillment.Client }

func (*bareActs) Store(context.Context, string) error { return nil }
func (*bareActs) Tell(context.Context, string) error  { return nil }

func (a *bareActs) Deposit(ctx context.Context, id string) error {
	_, err := a.ful.Deposit(ctx, fulfillment.Deposit{OrderID: id, LineID: "1", SKU: "BENCH-SKU", Quantity: 10,
		SmartAccountID: "bench", VirtualAccountID: "bench"})
	return err
}

func bareWorkflow(ctx workflow.Context, id string) error {
	var a *bareActs
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	moved := false
	if err := workflow.SetUpdateHandler(ctx, "transfer", func(ctx workflow.Context) error {
		moved = true
		return workflow.ExecuteLocalActivity(lctx, a.Store, id).Get(ctx, nil)
	}); err != nil {
		return err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: time.Second}})
	if err := workflow.Await(ctx, func() bool { return moved }); err != nil {
		return err
	}
	tell := workflow.ExecuteActivity(actx, a.Tell, id)
	if err := workflow.ExecuteActivity(actx, a.Deposit, id).Get(ctx, nil); err != nil {
		return err
	}
	if err := workflow.ExecuteLocalActivity(lctx, a.Store, id).Get(ctx, nil); err != nil {
		return err
	}
	return tell.Get(ctx, nil)
}

func startBare(address, namespace string, latency time.Duration) (*loadtest.Bare, error) {
	return loadtest.StartBare(address, namespace, bareQueue, latency, func(w worker.Worker, ful *fulfillment.Client) {
		w.RegisterWorkflow(bareWorkflow)
		w.RegisterActivity(&bareActs{ful: ful})
	})
}

// bareRound runs n bare transfers from the clients and waits for every workflow to end.
func (r *run) bareRound(b *loadtest.Bare, n int) time.Duration {
	ctx := context.Background()
	runs := make([]client.WorkflowRun, n)
	start := time.Now()
	_, _, failed := loadtest.Parallel(r.clients, n, func(i int) (time.Duration, error) {
		id := fmt.Sprintf("bench-holding-bare/%s-%d", r.c.Run, i)
		op := b.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: id, TaskQueue: bareQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}, bareWorkflow, id)
		h, err := b.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateName: "transfer", WaitForStage: client.WorkflowUpdateStageCompleted}})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		runs[i] = b.Client.GetWorkflow(ctx, id, "")
		return 0, err
	})
	if failed > 0 {
		panic(fmt.Sprintf("%d bare transfers failed", failed))
	}
	for _, run := range runs {
		if err := run.Get(ctx, nil); err != nil {
			panic(err)
		}
	}
	return time.Since(start)
}
