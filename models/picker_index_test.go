package models_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// The account picker's searches (X7) walk the trigram indexes of migration 00013 on PostgreSQL: a partial
// domain or name and the exact one beside it, restricted accounts' included. The planner is told to avoid
// sequential scans (the test table is small), so a plan without the index means the query's conditions
// do not match it.
func TestPickerSearchUsesTheTrigramIndexes(t *testing.T) {
	db := testdb.Shared(t, pkg)
	ctx := context.Background()
	for _, c := range []struct {
		f     models.SearchFilter
		index string
	}{
		{models.SearchFilter{Domain: "acct12", Limit: 20}, "smart_accounts_domain_trgm"},
		{models.SearchFilter{Domain: "acct10.customer10.com", Limit: 20}, "smart_accounts_domain_trgm"},
		{models.SearchFilter{Name: "Company 4711", Limit: 20}, "smart_accounts_name_trgm"},
	} {
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			stmt := models.SearchQuery(ctx, tx.Session(&gorm.Session{DryRun: true}), c.f).
				Find(&[]models.SmartAccount{}).Statement
			var plan []string
			if err := tx.Raw("EXPLAIN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
				return err
			}
			text := strings.Join(plan, "\n")
			if strings.Contains(text, "Seq Scan") || !strings.Contains(text, "on "+c.index) {
				t.Errorf("%+v walks no %s:\n%s", c.f, c.index, text)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
