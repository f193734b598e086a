package models_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
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

// The exact half of a picker search (restricted accounts, by their exact domain) walks the domain's
// B-tree of migration 00017, not the trigram index.
func TestPickerExactDomainUsesTheBTree(t *testing.T) {
	db := testdb.Shared(t, pkg)
	ctx := context.Background()
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
			return err
		}
		stmt := models.SearchQuery(ctx, tx.Session(&gorm.Session{DryRun: true}), models.SearchFilter{Domain: "acct10.customer10.com", Limit: 20}).
			Find(&[]models.SmartAccount{}).Statement
		var plan []string
		if err := tx.Raw("EXPLAIN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
			return err
		}
		if text := strings.Join(plan, "\n"); !regexp.MustCompile(`smart_accounts_domain( |$)`).MatchString(text) {
			t.Errorf("the exact domain walks no B-tree:\n%s", text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The trigram index is asked for the needle's rarest word by the column's sample, and the answers are
// those of the whole needle: on PostgreSQL with the planner's statistics, a search finds what LIKE
// '%needle%' finds.
func TestPickerAsksTheIndexForTheRarestWord(t *testing.T) {
	sample := []string{"acct1.customer1.com", "acct2.customer2.com", "acct30.customer30.com", "company 1", "company 22"}
	for _, c := range []struct{ needle, want string }{
		{"acct30.customer30.com", "acct30"},
		{"company 4711", "4711"},
		{"acct12", "acct12"},
		{"a.b", "a.b"},
	} {
		if got := models.RarestWord(c.needle, sample); got != c.want {
			t.Errorf("RarestWord(%q) = %q, want %q", c.needle, got, c.want)
		}
	}
	if got := models.RarestWord("acct30.customer30.com", nil); got != "acct30.customer30.com" {
		t.Errorf("without a sample: %q", got)
	}

	db := testdb.Shared(t, pkg)
	ctx := context.Background()
	u := testdb.Unique()
	for i := range 30 {
		vis := models.VisibilityUnrestricted
		if i%10 == 0 {
			vis = models.VisibilityRestricted
		}
		newAccount(t, db, models.SmartAccount{Name: fmt.Sprintf("Company %s %d", u, i), Domain: fmt.Sprintf("acct%d-%s.customer%d.com", i, u, i),
			Visibility: vis})
	}
	if err := db.Exec("ANALYZE smart_accounts").Error; err != nil {
		t.Fatal(err)
	}
	models.ForgetSamples()
	needle := fmt.Sprintf("acct2-%s.customer2.com", u)
	if _, err := models.SearchSmartAccounts(ctx, db, models.SearchFilter{Domain: needle}); err != nil {
		t.Fatal(err)
	}
	stmt := models.SearchQuery(ctx, db.Session(&gorm.Session{DryRun: true}), models.SearchFilter{Domain: needle}).
		Find(&[]models.SmartAccount{}).Statement
	if sql := stmt.SQL.String(); !strings.Contains(sql, "strpos(domain") {
		t.Errorf("%s: the index is asked for the whole needle: %s", needle, sql)
	}
	for _, f := range []models.SearchFilter{{Domain: "acct1"}, {Domain: fmt.Sprintf("acct2-%s.customer2.com", u)},
		{Domain: fmt.Sprintf("acct20-%s.customer20.com", u)}, {Domain: fmt.Sprintf("%s.customer1", u)},
		{Name: "company " + u + " 1"}, {Name: "Company " + u + " 20"}, {Name: u + " 2", Domain: ".customer2"}} {
		got, err := models.SearchSmartAccounts(ctx, db, f)
		if err != nil {
			t.Fatal(err)
		}
		d, n := strings.ToLower(f.Domain), strings.ToLower(f.Name)
		var want []models.SmartAccount
		q := db.Where("status NOT IN ? AND (visibility = ? OR domain = ? OR lower(name) = ?)", []models.SAStatus{models.SADeclined, models.SAExpired},
			models.VisibilityUnrestricted, d, n).Where("domain LIKE ? AND lower(name) LIKE ?", "%"+d+"%", "%"+n+"%")
		if d != "" {
			q = q.Where("(domain = ? OR visibility = ?)", d, models.VisibilityUnrestricted)
		}
		if n != "" {
			q = q.Where("(lower(name) = ? OR visibility = ?)", n, models.VisibilityUnrestricted)
		}
		if err := q.Order("name, id").Limit(50).Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), ids(want)) || len(want) == 0 {
			t.Errorf("%+v: got %v, want %v", f, ids(got), ids(want))
		}
	}
}
