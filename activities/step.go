package activities

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// rowStep is one store step on one row (an account, an access request, an upgrade): find reads the row
// inside the step's transaction, due tells whether the row still waits for this step, change writes the
// row's state change together with its event rows, and state answers the row as it stands afterwards.
type rowStep[R, S any] struct {
	find   func(ctx context.Context, tx *gorm.DB) (R, error)
	due    func(R) bool
	change func(tx *gorm.DB, row *R, now time.Time) error
	state  func(ctx context.Context, tx *gorm.DB, row R) (S, error)
}

// runStep runs st in one transaction, so a state change never commits without its event (or its event
// without it). A row no longer due, which is what a retry after the commit finds, is answered as it
// stands: a Temporal retry of the activity changes nothing twice.
func runStep[R, S any](ctx context.Context, db *gorm.DB, st rowStep[R, S]) (S, error) {
	var out S
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tctx := tx.Statement.Context
		row, err := st.find(tctx, tx)
		if err != nil {
			return err
		}
		if st.due(row) {
			if err := st.change(tx, &row, stepTime()); err != nil {
				return err
			}
		}
		out, err = st.state(tctx, tx, row)
		return err
	})
	if err != nil {
		var none S
		return none, err
	}
	return out, nil
}

// stepTime is the time a step writes, in the database's microsecond precision, so that what a step
// answers equals what a retry later reads back.
func stepTime() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// moveRow applies changes to the row of model with the id while it is still in status from, and refuses
// when another writer moved it first: every state change is conditional on the state the step read.
// noun names the row in the refusal, verb the change in a database error.
func moveRow(tx *gorm.DB, model any, noun, verb, id string, from any, changes map[string]any) error {
	res := tx.Model(model).Where("id = ? AND status = ?", id, from).Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("%s %s: %w", verb, id, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("%s %s is no longer %v", noun, id, from)
	}
	return nil
}
