package models

import (
	"context"

	"gorm.io/gorm"
)

// PlannedQuery is one statement a function would send, for the tests that EXPLAIN it.
type PlannedQuery struct {
	SQL   string
	Args  []any
	Count bool
}

// PendingQueriesForTest are the statements of the ops list and its counts for a filter.
func PendingQueriesForTest(db *gorm.DB, f PendingFilter, after *PendingCursor) []PlannedQuery {
	ctx := context.Background()
	dry := db.Session(&gorm.Session{DryRun: true})
	var out []PlannedQuery
	page := pendingPageQuery(ctx, dry, f, after, 50).Find(&[]OrderLine{})
	out = append(out, PlannedQuery{SQL: page.Statement.SQL.String(), Args: page.Statement.Vars})
	counts := countByReasonQuery(ctx, dry, f).Scan(&[]struct{ N int }{})
	out = append(out, PlannedQuery{SQL: counts.Statement.SQL.String(), Args: counts.Statement.Vars, Count: true})
	return out
}
