package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/process"
)

// Digest mails one period's digests (FEATURES NO1): its Temporal Schedule starts it every day or week,
// and it sends, batch by batch of people, one mail to each person with mails of the period waiting,
// listing what happened grouped by account; a person with nothing to be told gets nothing. Everything
// waiting up to the run's start is in it; what comes later waits for the next run.
func Digest(ctx workflow.Context, in process.DigestInput) (process.DigestResult, error) {
	return start[process.DigestResult](ctx, &digestProc{proc: newProc(ctx), in: in})
}

type digestProc struct {
	proc
	in    process.DigestInput
	res   process.DigestResult
	state string
}

// defaultDigestBatch is how many people one activity serves when the input does not say.
const defaultDigestBatch = 200

func (w *digestProc) setup(ctx workflow.Context) error {
	return workflow.SetQueryHandler(ctx, process.QueryStatus, func() (process.Status, error) {
		return process.Status{State: w.state, Since: w.res.Until, History: w.history}, nil
	})
}

func (w *digestProc) run(ctx workflow.Context) (process.DigestResult, error) {
	until := workflow.Now(ctx).UTC()
	w.res = process.DigestResult{Period: w.in.Period, Since: until.Add(-w.in.Every), Until: until}
	w.state = "SENDING"
	batch := w.in.BatchSize
	if batch <= 0 {
		batch = defaultDigestBatch
	}
	// A batch mails up to a few hundred people: minutes, not the seconds of one mail; retried like a
	// mail while the relay is down (the mail log keeps a retried batch from mailing anyone twice).
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
	after := ""
	for {
		var b activities.DigestBatchResult
		err := workflow.ExecuteActivity(actx, mailer.SendDigests, activities.DigestBatchInput{Period: w.in.Period,
			Before: until, After: after, Limit: batch}).Get(ctx, &b)
		if err != nil {
			return w.res, err
		}
		w.res.People += b.People
		w.res.Sent += b.Sent
		w.res.Items += b.Items
		w.step(ctx, "digests mailed to "+itoa(b.Sent)+" of "+itoa(b.People)+" people", "")
		if b.Next == "" {
			break
		}
		after = b.Next
	}
	w.state = "DONE"
	return w.res, w.finish(ctx, nil)
}
