package process

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
)

// WorkflowDigest is the process that mails one period's digests (FEATURES NO1).
const WorkflowDigest = "Digest"

// DigestInput is one digest run: the period whose deferred mails it sends, the period's length (the
// digest tells what happened since one period before it), and how many people each batch serves.
type DigestInput struct {
	Period    models.Delivery `json:"period"`
	Every     time.Duration   `json:"every"`
	BatchSize int             `json:"batchSize"`
}

// DigestResult says what a digest run did.
type DigestResult struct {
	Period models.Delivery `json:"period"`
	Since  time.Time       `json:"since"`
	Until  time.Time       `json:"until"`
	People int             `json:"people"`
	Sent   int             `json:"sent"`
	Items  int             `json:"items"`
}

// DigestTiming is when the digests run: Temporal Schedules every Daily and every Weekly, At into each
// interval as counted from the Unix epoch (a Thursday, 00:00 UTC): 6h is 06:00 UTC, on Thursdays for the
// weekly one.
type DigestTiming struct {
	Daily  time.Duration `json:"daily"`
	Weekly time.Duration `json:"weekly"`
	At     time.Duration `json:"at"`
}

// WithDefaults fills the durations left zero: daily and weekly at 06:00 UTC.
func (t DigestTiming) WithDefaults() DigestTiming {
	orDefault(&t.Daily, 24*time.Hour)
	orDefault(&t.Weekly, 7*24*time.Hour)
	if t.At < 0 {
		t.At = 0
	}
	return t
}

// Every is the length of a period.
func (t DigestTiming) Every(p models.Delivery) time.Duration {
	if p == models.DeliveryWeekly {
		return t.Weekly
	}
	return t.Daily
}

// DigestScheduleID is the id of a period's schedule.
func DigestScheduleID(p models.Delivery) string { return "digest-" + strings.ToLower(string(p)) }

// DigestWorkflowID is the id of a period's digest runs; the schedule appends each run's time to it.
func DigestWorkflowID(p models.Delivery) string { return "digest/" + string(p) }

// digestPeriods are the periods that have a digest.
var digestPeriods = []models.Delivery{models.DeliveryDaily, models.DeliveryWeekly}

// EnsureDigestSchedules creates the daily and weekly digest schedules, or brings existing ones to the
// timing and task queue given: every worker calls it at start, so a changed timing takes effect with
// the next deployment. A run that would overlap the one before is skipped.
func EnsureDigestSchedules(ctx context.Context, c client.Client, taskQueue string, t DigestTiming) error {
	t = t.WithDefaults()
	var errs []error
	for _, p := range digestPeriods {
		spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: t.Every(p), Offset: t.At % t.Every(p)}}}
		action := &client.ScheduleWorkflowAction{ID: DigestWorkflowID(p), Workflow: WorkflowDigest, TaskQueue: taskQueue,
			Args: []any{DigestInput{Period: p, Every: t.Every(p)}}}
		h := c.ScheduleClient().GetHandle(ctx, DigestScheduleID(p))
		_, err := h.Describe(ctx)
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
			_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: DigestScheduleID(p), Spec: spec, Action: action,
				Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP})
			var exists *serviceerror.AlreadyExists
			if errors.As(err, &exists) || errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
				err = nil // another worker made it meanwhile
			}
		case err == nil:
			err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				s := in.Description.Schedule
				s.Spec, s.Action = &spec, action
				if s.Policy == nil {
					s.Policy = &client.SchedulePolicies{}
				}
				s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
				return &client.ScheduleUpdate{Schedule: &s}, nil
			}})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("digest schedule %s: %w", DigestScheduleID(p), err))
		}
	}
	return errors.Join(errs...)
}

// RunDigest runs a period's digest now, outside its schedule, and waits for it: the dev stack's
// POST /dev/digests, and the tests.
func (p *Client) RunDigest(ctx context.Context, period models.Delivery, every time.Duration) (DigestResult, error) {
	if period != models.DeliveryDaily && period != models.DeliveryWeekly {
		return DigestResult{}, models.Invalid("period", "period must be DAILY or WEEKLY")
	}
	id := DigestWorkflowID(period) + "-now-" + time.Now().UTC().Format(time.RFC3339Nano)
	run, err := p.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: p.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL},
		WorkflowDigest, DigestInput{Period: period, Every: every})
	if err != nil {
		return DigestResult{}, wrap(err, id)
	}
	var res DigestResult
	if err := run.Get(ctx, &res); err != nil {
		return DigestResult{}, wrap(err, id)
	}
	return res, nil
}
