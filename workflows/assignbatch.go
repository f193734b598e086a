package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Bulk assignments are applied in shares: each share is one activity asking its orders' processes,
// a few shares at a time, so one request of 1,000 orders keeps a short history and a bounded load.
const (
	batchShare    = 50
	batchInFlight = 8
)

// assigner names the bulk-assignment activities for ExecuteActivity; the worker registers the real one.
var assigner *activities.Assigner

// AssignmentBatch is the process of one bulk assignment (FEATURES OR3, issue 10). The API checked every
// order against the rules from the database and answered at once; this process records the batch (its
// created update answers once it is recorded, so a second request sees it), hands each accepted order
// to the order's own process, which checks it again and writes it, and records each outcome, a later
// refusal included. Nothing is lost on a crash: the orders not yet answered are asked again with the
// same update ids.
func AssignmentBatch(ctx workflow.Context, in process.AssignmentBatchInput) (process.AssignmentBatchResult, error) {
	return start[process.AssignmentBatchResult](ctx, &assignmentBatch{proc: newProc(ctx), in: in})
}

type assignmentBatch struct {
	proc
	in process.AssignmentBatchInput
	opening
	created process.AssignmentBatchCreated
	state   string
	since   time.Time
}

func (w *assignmentBatch) setup(ctx workflow.Context) error {
	w.state, w.since = "RECORDING", workflow.Now(ctx)
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, w.status); err != nil {
		return err
	}
	return workflow.SetUpdateHandler(ctx, process.UpdateCreated, func(ctx workflow.Context) (process.AssignmentBatchCreated, error) {
		return answerCreated(ctx, &w.opening, func() process.AssignmentBatchCreated { return w.created })
	})
}

func (w *assignmentBatch) status() (process.Status, error) {
	return process.Status{State: w.state, SmartAccountID: w.in.Batch.SmartAccountID, WaitingOn: []models.Waiting{},
		Since: w.since, History: w.history}, nil
}

func (w *assignmentBatch) run(ctx workflow.Context) (process.AssignmentBatchResult, error) {
	created, err := run(ctx, assigner.RecordBatch, w.in)
	w.created = created
	w.open(err)
	if err != nil {
		return process.AssignmentBatchResult{}, w.finish(ctx, err)
	}
	w.state = "APPLYING"
	w.step(ctx, "recorded", w.in.Batch.Actor)
	var pending []process.BatchOrder
	for _, o := range w.in.Orders {
		if o.Status == models.BatchPending {
			pending = append(pending, o)
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// A share waits for its orders' processes to record them; a stalled one is asked again.
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	var inFlight []workflow.Future
	for start := 0; start < len(pending); start += batchShare {
		if len(inFlight) == batchInFlight {
			// Shares only fail for good when the batch itself is cancelled; outcomes are in the database.
			_ = inFlight[0].Get(ctx, nil)
			inFlight = inFlight[1:]
		}
		inFlight = append(inFlight, workflow.ExecuteActivity(actx, assigner.ApplyBatch, activities.ApplyBatchInput{
			BatchID: w.in.Batch.ID, Actor: w.in.Actor, Via: w.in.Batch.Via, Request: w.in.Request,
			Orders: pending[start:min(start+batchShare, len(pending))],
		}))
	}
	for _, f := range inFlight {
		_ = f.Get(ctx, nil)
	}
	res, err := run(ctx, assigner.FinishBatch, w.in.Batch.ID)
	w.state = "DONE"
	w.step(ctx, "every order applied or refused", "")
	return res, w.finish(ctx, err)
}
