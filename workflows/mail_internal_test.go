package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// A store step is retried while the database is away (a failover takes longer than one attempt's 10
// seconds): the SDK bounds all attempts of a local activity by ScheduleToCloseTimeout, which defaults
// to the StartToCloseTimeout, so it must be set for the retries to outlive a short outage.
func TestStoreStepsRetryThroughAnOutage(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.ExecuteWorkflow(func(ctx workflow.Context) (workflow.LocalActivityOptions, error) {
		return workflow.GetLocalActivityOptions(lctx(ctx)), nil
	})
	var o workflow.LocalActivityOptions
	if err := env.GetWorkflowResult(&o); err != nil {
		t.Fatal(err)
	}
	if o.ScheduleToCloseTimeout < time.Hour {
		t.Errorf("store steps give up after %v of retries (StartToClose %v): a database failover fails the decision for good",
			max(o.ScheduleToCloseTimeout, o.StartToCloseTimeout), o.StartToCloseTimeout)
	}
	if o.RetryPolicy == nil || o.RetryPolicy.MaximumAttempts != 0 {
		t.Errorf("retry policy %+v: store steps are retried until the database answers", o.RetryPolicy)
	}
}
