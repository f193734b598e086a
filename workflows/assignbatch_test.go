package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// A bulk assignment's process records the batch first (its created update answers then), hands only
// the accepted orders to the order processes in shares of 50, asks a failed share again, and finishes
// the batch with the counts the database holds.
func TestAssignmentBatchAppliesAcceptedOrdersInShares(t *testing.T) {
	h := newHarness(t, process.AssignmentBatchWorkflowID("b1"))
	// Encoding a hundred orders under the race detector on a loaded machine can take the SDK's 1 s.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	in := process.AssignmentBatchInput{Batch: models.AssignmentBatch{ID: "b1", Actor: "fc@acme.com", Via: process.ViaAPI},
		Actor: models.OrderActor{Email: "fc@acme.com"}}
	var pending []string
	for i := range 123 {
		o := process.BatchOrder{OrderID: fmt.Sprintf("WO-%d", i), Status: models.BatchPending, UpdateID: fmt.Sprintf("u-%d", i)}
		switch i {
		case 3, 77:
			o.Status, o.UpdateID, o.Refusal = models.BatchRefused, "", models.Errorf(models.CodeRefused, "EA")
		case 9:
			o.Status, o.UpdateID = models.BatchApplied, ""
		default:
			pending = append(pending, o.OrderID)
		}
		in.Orders = append(in.Orders, o)
	}
	var mu sync.Mutex
	var recorded, finished int
	var shares [][]string
	failOnce := true
	h.env.OnActivity(ag.RecordBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, b process.AssignmentBatchInput) (process.AssignmentBatchCreated, error) {
			recorded++
			return process.AssignmentBatchCreated{BatchID: b.Batch.ID, Pending: len(pending)}, nil
		})
	h.env.OnActivity(ag.ApplyBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, s activities.ApplyBatchInput) (activities.ApplyBatchResult, error) {
			mu.Lock()
			defer mu.Unlock()
			if len(shares) == 1 && failOnce {
				failOnce = false
				return activities.ApplyBatchResult{}, errors.New("engine did not answer")
			}
			var ids []string
			for _, o := range s.Orders {
				ids = append(ids, o.OrderID)
			}
			shares = append(shares, ids)
			return activities.ApplyBatchResult{Applied: len(ids)}, nil
		})
	h.env.OnActivity(ag.FinishBatch, mock.Anything, "b1").Return(
		func(context.Context, string) (process.AssignmentBatchResult, error) {
			finished++
			return process.AssignmentBatchResult{Applied: 121, Refused: 2}, nil
		})
	created := h.updateAt(0, "", process.UpdateCreated)
	res := runResult[process.AssignmentBatchResult](h, workflows.AssignmentBatch, in)
	require.Equal(t, process.AssignmentBatchCreated{BatchID: "b1", Pending: 120},
		requireAnswer[process.AssignmentBatchCreated](t, created))
	require.Equal(t, 1, recorded)
	require.Equal(t, 1, finished)
	require.Equal(t, process.AssignmentBatchResult{Applied: 121, Refused: 2}, res)
	var all []string
	var sizes []int
	for _, s := range shares {
		all = append(all, s...)
		sizes = append(sizes, len(s))
	}
	require.ElementsMatch(t, pending, all)
	require.ElementsMatch(t, []int{50, 50, 20}, sizes)
}
