package api_test

import (
	"context"
	"slices"
	"sync"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// fakeOrders stands in for the order processes: it records what it is handed and answers assignments
// (with assignErr when set), shipments and ops actions as a process that accepted them would. A bulk
// assignment is recorded as its process's first step records it, and then left pending: nothing
// applies it, as when the worker has not got to it yet.
type fakeOrders struct {
	db        *gorm.DB
	mu        sync.Mutex
	batches   []process.AssignmentBatchInput
	assigns   []process.AssignInput
	ships     []process.ShipInput
	ops       []process.OpsInput
	transfers []process.TransferInput
	// delegations and revocations are what Delegate and Revoke were handed.
	delegations []process.DelegateInput
	revocations []process.RevokeInput
	assignErr   error
	opsErr      error
}

func (f *fakeOrders) Ingest(context.Context, process.IngestInput) (process.IngestResult, error) {
	return process.IngestResult{}, process.ErrProcessClosed
}

func (f *fakeOrders) Assign(_ context.Context, st models.OrderState, in process.AssignInput, _ bool) (process.AssignResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.assigns = append(f.assigns, in)
	return process.AssignResult{OrderID: st.Order.ID, Status: st.Order.AssignmentStatus}, f.assignErr
}

func (f *fakeOrders) StartAssignments(ctx context.Context, in process.AssignmentBatchInput) (process.AssignmentBatchCreated, error) {
	f.mu.Lock()
	f.batches = append(f.batches, in)
	for _, o := range in.Orders {
		if o.Status == models.BatchPending {
			f.assigns = append(f.assigns, process.AssignInput{RequestID: o.UpdateID, Actor: in.Actor, Via: in.Batch.Via, Request: in.Request})
		}
	}
	f.mu.Unlock()
	return (&activities.Assigner{DB: f.db}).RecordBatch(ctx, in)
}

// Delegate records the delegation and answers it pending, as a process that accepted it would.
func (f *fakeOrders) Delegate(_ context.Context, st models.OrderState, in process.DelegateInput) (process.DelegateResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delegations = append(f.delegations, in)
	return process.DelegateResult{Delegation: models.OrderDelegation{ID: in.DelegationID, OrderID: st.Order.ID,
		Delegator: in.Actor.Email, Delegate: in.Delegate, Note: in.Note, Status: models.DelegationPending}}, nil
}

// Revoke records the revocation and answers the delegation revoked.
func (f *fakeOrders) Revoke(_ context.Context, st models.OrderState, in process.RevokeInput) (process.RevokeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revocations = append(f.revocations, in)
	return process.RevokeResult{Delegation: models.OrderDelegation{ID: in.DelegationID, OrderID: st.Order.ID,
		Status: models.DelegationRevoked, ClosedBy: in.Actor.Email}}, nil
}

// Transfer records the transfer and answers as a process that moved the lines would not: the test reads
// what was handed over.
func (f *fakeOrders) Transfer(_ context.Context, st models.OrderState, in process.TransferInput) (process.TransferResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.transfers = append(f.transfers, in)
	return process.TransferResult{OrderID: st.Order.ID, Status: st.Order.AssignmentStatus, Moved: in.Request.Lines}, f.assignErr
}

func (f *fakeOrders) Ship(_ context.Context, st models.OrderState, in process.ShipInput) (process.ShipResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ships = append(f.ships, in)
	return process.ShipResult{OrderID: st.Order.ID, Shipped: in.Lines, Lines: st.Lines}, nil
}

func (f *fakeOrders) Provisioning(_ context.Context, st models.OrderState, in process.OpsInput) (process.OpsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, in)
	return process.OpsResult{OrderID: st.Order.ID, Changed: in.Lines, Lines: st.Lines}, f.opsErr
}

func (f *fakeOrders) calls() []process.AssignInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.assigns)
}
