package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// BatchOrderStatus is what became of one order of a bulk assignment.
type BatchOrderStatus string

// Statuses of an order in a bulk assignment: handed to its process and not yet applied, applied by it,
// or refused (by the API's check, or later by the order's process, with its reason).
const (
	BatchPending BatchOrderStatus = "PENDING"
	BatchApplied BatchOrderStatus = "APPLIED"
	BatchRefused BatchOrderStatus = "REFUSED"
)

// AssignmentBatch is a bulk assignment request as the API checked it (FEATURES OR3).
type AssignmentBatch struct {
	ID               string     `gorm:"primaryKey" json:"batchId"`
	Actor            string     `json:"actor"`
	Via              string     `json:"via"`
	SmartAccountID   string     `json:"smartAccountId"`
	VirtualAccountID string     `json:"virtualAccountId"`
	Reason           string     `json:"reason,omitempty"`
	CreatedAt        time.Time  `json:"createdAt"`
	FinishedAt       *time.Time `json:"finishedAt,omitempty"`
}

// AssignmentBatchOrder is one order of a bulk assignment and what became of it.
type AssignmentBatchOrder struct {
	BatchID   string           `gorm:"primaryKey" json:"-"`
	OrderID   string           `gorm:"primaryKey" json:"order"`
	Position  int              `json:"-"`
	Status    BatchOrderStatus `json:"status"`
	Code      string           `json:"code,omitempty"`
	Field     string           `json:"field,omitempty"`
	Message   string           `json:"message,omitempty"`
	UpdatedAt time.Time        `json:"updatedAt"`
}

// Refusal is the order's refusal as the API answers errors, or nil.
func (o AssignmentBatchOrder) Refusal() *Error {
	if o.Code == "" {
		return nil
	}
	return &Error{Code: o.Code, Field: o.Field, Message: o.Message}
}

// Refuse marks the order refused with err's code, field and message (any error: a non-domain one
// becomes INTERNAL without its text, which is for logs).
func (o *AssignmentBatchOrder) Refuse(err error) {
	o.Status = BatchRefused
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: CodeInternal, Message: "the assignment could not be applied"}
	}
	o.Code, o.Field, o.Message = e.Code, e.Field, e.Message
}

// RecordAssignmentBatch records a bulk assignment and its orders in one transaction. A repeat (the
// same batch id: a retried step, a repeated request) leaves what is recorded as it is.
func RecordAssignmentBatch(ctx context.Context, db *gorm.DB, b AssignmentBatch, orders []AssignmentBatchOrder) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error; err != nil {
			return fmt.Errorf("record assignment batch %s: %w", b.ID, err)
		}
		for i := range orders {
			orders[i].BatchID = b.ID
		}
		if len(orders) == 0 {
			return nil
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(orders, chunk).Error; err != nil {
			return fmt.Errorf("record orders of assignment batch %s: %w", b.ID, err)
		}
		return nil
	})
}

// RecordBatchOutcomes writes what became of some orders of a batch, in one statement.
func RecordBatchOutcomes(ctx context.Context, db *gorm.DB, batchID string, orders []AssignmentBatchOrder) error {
	if len(orders) == 0 {
		return nil
	}
	for i := range orders {
		orders[i].BatchID = batchID
	}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "batch_id"}, {Name: "order_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "code", "field", "message", "updated_at"}),
	}).CreateInBatches(orders, chunk).Error
	if err != nil {
		return fmt.Errorf("record outcomes of assignment batch %s: %w", batchID, err)
	}
	return nil
}

// FinishAssignmentBatch marks a batch finished: every order applied or refused.
func FinishAssignmentBatch(ctx context.Context, db *gorm.DB, batchID string, at time.Time) error {
	err := db.WithContext(ctx).Model(&AssignmentBatch{}).Where("id = ? AND finished_at IS NULL", batchID).
		Update("finished_at", at).Error
	if err != nil {
		return fmt.Errorf("finish assignment batch %s: %w", batchID, err)
	}
	return nil
}

// FindAssignmentBatch reads a batch and its orders in the request's order.
func FindAssignmentBatch(ctx context.Context, db *gorm.DB, id string) (AssignmentBatch, []AssignmentBatchOrder, error) {
	b, err := findByID[AssignmentBatch](ctx, db, id, "assignment batch")
	if err != nil {
		return b, nil, err
	}
	var orders []AssignmentBatchOrder
	if err := db.WithContext(ctx).Where("batch_id = ?", id).Order("position").Find(&orders).Error; err != nil {
		return b, nil, fmt.Errorf("read orders of assignment batch %s: %w", id, err)
	}
	return b, orders, nil
}

// BatchOrdersIn reads the given orders of a batch, by order id.
func BatchOrdersIn(ctx context.Context, db *gorm.DB, batchID string, orderIDs []string) (map[string]AssignmentBatchOrder, error) {
	out := make(map[string]AssignmentBatchOrder, len(orderIDs))
	for start := 0; start < len(orderIDs); start += chunk {
		var rows []AssignmentBatchOrder
		if err := db.WithContext(ctx).Where("batch_id = ? AND order_id IN ?", batchID, orderIDs[start:min(start+chunk, len(orderIDs))]).
			Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read orders of assignment batch %s: %w", batchID, err)
		}
		for _, r := range rows {
			out[r.OrderID] = r
		}
	}
	return out, nil
}

// PartnerAccounts finds each reseller's own account once (PartnerAccount), for the many orders of one
// assignment.
type PartnerAccounts struct {
	DB    *gorm.DB
	found map[string]*AssignTarget
}

// Of is the own account of the reseller with the domain, or nil (no domain, no account).
func (p *PartnerAccounts) Of(ctx context.Context, domain string) (*AssignTarget, error) {
	if domain == "" {
		return nil, nil
	}
	if t, ok := p.found[domain]; ok {
		return t, nil
	}
	t, err := PartnerAccount(ctx, p.DB, domain)
	if err != nil {
		return nil, err
	}
	if p.found == nil {
		p.found = map[string]*AssignTarget{}
	}
	p.found[domain] = t
	return t, nil
}
