package api_test

import (
	"context"
	"slices"
	"sync"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// fakeOrders stands in for the order processes: it records what it is handed and answers assignments
// (with assignErr when set), shipments and ops actions as a process that accepted them would.
type fakeOrders struct {
	mu        sync.Mutex
	assigns   []process.AssignInput
	ships     []process.ShipInput
	ops       []process.OpsInput
	transfers []process.TransferInput
	assignErr error
	opsErr    error
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

func (f *fakeOrders) Delegate(context.Context, models.OrderState, process.DelegateInput) (process.DelegateResult, error) {
	return process.DelegateResult{}, process.ErrProcessClosed
}

func (f *fakeOrders) Revoke(context.Context, models.OrderState, process.RevokeInput) (process.RevokeResult, error) {
	return process.RevokeResult{}, process.ErrProcessClosed
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
