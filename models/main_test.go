package models_test

import (
	"context"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// pkg names this package's shared PostgreSQL database.
const pkg = "models"

// eachDB runs a test on each database with a suffix that keeps its accounts and people apart from the
// other tests sharing the database.
func eachDB(t *testing.T, test func(t *testing.T, ctx context.Context, db *gorm.DB, u string)) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) { test(t, context.Background(), db, testdb.Unique()) })
}

// newAccount fills what the schema requires around the fields a test cares about and inserts the row.
func newAccount(t *testing.T, db *gorm.DB, sa models.SmartAccount) models.SmartAccount {
	t.Helper()
	if sa.ID == "" {
		sa.ID = models.NewID()
	}
	if sa.RequestID == "" {
		sa.RequestID = "req-" + sa.ID
	}
	if sa.WorkflowID == "" {
		sa.WorkflowID = "sa-create/" + sa.RequestID
	}
	if sa.Name == "" {
		sa.Name = "Account " + sa.ID
	}
	if sa.TLD == "" {
		tld, err := models.TLD(sa.Domain)
		if err != nil {
			t.Fatalf("TLD(%q): %v", sa.Domain, err)
		}
		sa.TLD = tld
	}
	if sa.Type == "" {
		sa.Type = models.SATypeCustomer
	}
	if sa.Visibility == "" {
		sa.Visibility = models.VisibilityUnrestricted
	}
	if sa.Status == "" {
		sa.Status = models.SAActive
	}
	if sa.RequestedBy == "" {
		sa.RequestedBy = "requester@" + sa.Domain
	}
	if sa.NominatedAdmins == nil {
		sa.NominatedAdmins = []string{}
	}
	if sa.CreatedAt.IsZero() {
		sa.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	sa.UpdatedAt = sa.CreatedAt
	if err := db.WithContext(context.Background()).Create(&sa).Error; err != nil {
		t.Fatalf("insert smart account %s (%s): %v", sa.Name, sa.Domain, err)
	}
	return sa
}

// grant inserts a role row.
func grant(t *testing.T, db *gorm.DB, saID, vaID, email string, role models.Role) {
	t.Helper()
	r := models.AccountRole{ID: models.NewID(), UserEmail: email, SmartAccountID: saID, VirtualAccountID: vaID,
		Role: role, GrantedBy: "test", CreatedAt: time.Now().UTC()}
	if err := db.Create(&r).Error; err != nil {
		t.Fatalf("grant %s to %s on %s: %v", role, email, saID, err)
	}
}

func ids(sas []models.SmartAccount) []string {
	out := make([]string, len(sas))
	for i, sa := range sas {
		out[i] = sa.ID
	}
	return out
}
