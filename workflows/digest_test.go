package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// A digest run serves the people batch by batch, each batch after the last one's last address, all of
// them for what waited up to the run's start; a batch that fails (the relay is down) is tried again.
func TestDigestServesEveryBatch(t *testing.T) {
	h := newHarness(t, process.DigestWorkflowID(models.DeliveryDaily)+"-2025-03-03T09:00:00Z")
	var calls []activities.DigestBatchInput
	pages := map[string]activities.DigestBatchResult{
		"":         {People: 2, Sent: 2, Items: 5, Next: "b@x.test"},
		"b@x.test": {People: 2, Sent: 1, Items: 1, Next: "d@x.test"},
		"d@x.test": {People: 1, Sent: 1, Items: 3},
	}
	failed := false
	h.env.OnActivity(ml.SendDigests, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DigestBatchInput) (activities.DigestBatchResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if in.After == "b@x.test" && !failed {
				failed = true
				return activities.DigestBatchResult{}, errors.New("relay down")
			}
			calls = append(calls, in)
			return pages[in.After], nil
		})
	h.env.ExecuteWorkflow(workflows.Digest, process.DigestInput{Period: models.DeliveryDaily, Every: 24 * time.Hour, BatchSize: 2})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var res process.DigestResult
	require.NoError(t, h.env.GetWorkflowResult(&res))

	require.Len(t, calls, 3)
	for i, after := range []string{"", "b@x.test", "d@x.test"} {
		assert.Equal(t, after, calls[i].After)
		assert.Equal(t, 2, calls[i].Limit)
		assert.Equal(t, models.DeliveryDaily, calls[i].Period)
		requireSameTime(t, t0, calls[i].Before, "the cut-off of every batch is the run's start")
	}
	assert.Equal(t, process.DigestResult{Period: models.DeliveryDaily, Since: t0.Add(-24 * time.Hour), Until: t0,
		People: 5, Sent: 4, Items: 9}, res)
}

// Nobody waiting: one batch finds nobody and the run ends having mailed nothing.
func TestDigestWithNothingToSay(t *testing.T) {
	h := newHarness(t, process.DigestWorkflowID(models.DeliveryWeekly)+"-now")
	h.env.OnActivity(ml.SendDigests, mock.Anything, mock.Anything).Return(activities.DigestBatchResult{}, nil).Once()
	h.env.ExecuteWorkflow(workflows.Digest, process.DigestInput{Period: models.DeliveryWeekly, Every: 7 * 24 * time.Hour})
	require.NoError(t, h.env.GetWorkflowError())
	var res process.DigestResult
	require.NoError(t, h.env.GetWorkflowResult(&res))
	assert.Zero(t, res.Sent)
	h.env.AssertExpectations(t)
}
