package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Assigner applies the orders of a bulk assignment (FEATURES OR3, issue 10): it hands each accepted
// order to the order's own process, which checks and writes it, and records what became of it.
type Assigner struct {
	DB     *gorm.DB
	Orders *process.Client
	Log    *slog.Logger
	// Concurrency bounds the order processes one step asks at once (default 8).
	Concurrency int
}

// ApplyBatchInput is a share of a bulk assignment's pending orders.
type ApplyBatchInput struct {
	BatchID string               `json:"batchId"`
	Actor   models.OrderActor    `json:"actor"`
	Via     string               `json:"via"`
	Request models.AssignRequest `json:"request"`
	Orders  []process.BatchOrder `json:"orders"`
}

// ApplyBatchResult counts what became of the share's orders.
type ApplyBatchResult struct {
	Applied int `json:"applied"`
	Refused int `json:"refused"`
}

// RecordBatch records the batch and the API's answer for each of its orders. A retry changes nothing.
func (a *Assigner) RecordBatch(ctx context.Context, in process.AssignmentBatchInput) (process.AssignmentBatchCreated, error) {
	rows := make([]models.AssignmentBatchOrder, len(in.Orders))
	pending := 0
	now := in.Batch.CreatedAt
	for i, o := range in.Orders {
		rows[i] = models.AssignmentBatchOrder{OrderID: o.OrderID, Position: i, Status: o.Status, UpdatedAt: now}
		if o.Refusal != nil {
			rows[i].Refuse(o.Refusal)
		}
		if o.Status == models.BatchPending {
			pending++
		}
	}
	if err := models.RecordAssignmentBatch(ctx, a.DB, in.Batch, rows); err != nil {
		return process.AssignmentBatchCreated{}, err
	}
	return process.AssignmentBatchCreated{BatchID: in.Batch.ID, Pending: pending}, nil
}

// FinishBatch marks the batch finished and counts its orders as recorded.
func (a *Assigner) FinishBatch(ctx context.Context, batchID string) (process.AssignmentBatchResult, error) {
	if err := models.FinishAssignmentBatch(ctx, a.DB, batchID, time.Now().UTC()); err != nil {
		return process.AssignmentBatchResult{}, err
	}
	_, rows, err := models.FindAssignmentBatch(ctx, a.DB, batchID)
	var out process.AssignmentBatchResult
	for _, r := range rows {
		switch r.Status {
		case models.BatchApplied:
			out.Applied++
		case models.BatchRefused:
			out.Refused++
		}
	}
	return out, err
}

// ApplyBatch hands each order of the share to its process (update-with-start: an order with no process
// running gets one, from the order as the database holds it) and waits until the process recorded it
// or refused it. The update id is the batch's for the order, so a retry of this step is the same
// update for a process that saw it; orders already applied or refused are skipped. An engine that does
// not answer fails the step (retried) after recording the orders that got their answer.
func (a *Assigner) ApplyBatch(ctx context.Context, in ApplyBatchInput) (ApplyBatchResult, error) {
	ids := make([]string, len(in.Orders))
	for i, o := range in.Orders {
		ids[i] = o.OrderID
	}
	recorded, err := models.BatchOrdersIn(ctx, a.DB, in.BatchID, ids)
	if err != nil {
		return ApplyBatchResult{}, err
	}
	orders, lines, err := models.OrdersByID(ctx, a.DB, ids)
	if err != nil {
		return ApplyBatchResult{}, err
	}
	delegations, err := models.PendingDelegations(ctx, a.DB, ids)
	if err != nil {
		return ApplyBatchResult{}, err
	}
	partners := &models.PartnerAccounts{DB: a.DB}
	var res ApplyBatchResult
	var mu sync.Mutex
	var outcomes []models.AssignmentBatchOrder
	var failed error
	done := func(row models.AssignmentBatchOrder, err error) {
		mu.Lock()
		defer mu.Unlock()
		row.UpdatedAt = time.Now().UTC()
		var e *models.Error
		switch {
		case err == nil:
			row.Status = models.BatchApplied
			res.Applied++
		case errors.As(err, &e) && e.Code != models.CodeUnavailable:
			row.Refuse(e)
			res.Refused++
		default:
			failed = errors.Join(failed, fmt.Errorf("order %s: %w", row.OrderID, err))
			return
		}
		outcomes = append(outcomes, row)
	}
	sem := make(chan struct{}, a.concurrency())
	var wg sync.WaitGroup
	for i, bo := range in.Orders {
		row := recorded[bo.OrderID]
		row.OrderID = bo.OrderID
		if row.Status == models.BatchApplied || row.Status == models.BatchRefused {
			continue
		}
		o, ok := orders[bo.OrderID]
		if !ok {
			done(row, models.Errorf(models.CodeNotFound, "no order %s", bo.OrderID))
			continue
		}
		req := in.Request
		if req.Partner, err = partners.Of(ctx, o.ResellerDomain); err != nil {
			return ApplyBatchResult{}, err
		}
		ds := delegations[bo.OrderID]
		if ds == nil {
			ds = []models.OrderDelegation{}
		}
		st := models.OrderState{Order: o, Lines: lines[bo.OrderID], Delegations: ds}
		assign := process.AssignInput{RequestID: bo.UpdateID, Actor: in.Actor, Via: in.Via, Request: req}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := a.Orders.Assign(ctx, st, assign, true)
			done(row, err)
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, i)
			}
		}()
	}
	wg.Wait()
	if err := models.RecordBatchOutcomes(ctx, a.DB, in.BatchID, outcomes); err != nil {
		return ApplyBatchResult{}, err
	}
	if failed != nil {
		a.logger().Warn("bulk assignment orders not answered; retried", "batchId", in.BatchID, "error", failed)
		return res, failed
	}
	return res, nil
}

func (a *Assigner) concurrency() int {
	if a.Concurrency > 0 {
		return a.Concurrency
	}
	return 8
}

func (a *Assigner) logger() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}
