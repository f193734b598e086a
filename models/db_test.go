package models_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

func TestMigrateIsIdempotent(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		// testdb already migrated once; two more runs must change nothing and fail on nothing.
		for i := 0; i < 2; i++ {
			if err := models.Migrate(ctx, db); err != nil {
				t.Fatalf("Migrate run %d: %v", i+2, err)
			}
		}
		v, err := models.SchemaVersion(ctx, db)
		if err != nil {
			t.Fatalf("SchemaVersion: %v", err)
		}
		if want := newestMigration(t); v != want {
			t.Errorf("SchemaVersion = %d, want %d (the newest migration file)", v, want)
		}
		for _, table := range []string{"users", "smart_accounts", "virtual_accounts", "account_roles", "events",
			"action_tokens", "mail_log", "access_requests", "access_rules", "sa_upgrades"} {
			if !db.Migrator().HasTable(table) {
				t.Errorf("table %s missing after Migrate", table)
			}
		}
	})
}

// newestMigration is the version of the newest file in migrations/ (NNNNN_name.sql).
func newestMigration(t *testing.T) int64 {
	t.Helper()
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var newest int64
	for _, f := range files {
		var n int64
		if _, err := fmt.Sscanf(f.Name(), "%05d_", &n); err == nil && n > newest {
			newest = n
		}
	}
	return newest
}

func TestLiveDomainIsUnique(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		u := testdb.Unique()
		domain := "acme-" + u + ".com"
		first := newAccount(t, db, models.SmartAccount{Domain: domain, Status: models.SAPendingApproval})

		// A second live account with the same domain is refused by the partial unique index.
		second := models.SmartAccount{ID: models.NewID(), RequestID: models.NewID(), WorkflowID: "wf", Name: "Acme 2",
			Domain: domain, TLD: first.TLD, Type: models.SATypeCustomer, Visibility: models.VisibilityUnrestricted,
			Status: models.SAActive, RequestedBy: "b@" + domain, NominatedAdmins: []string{},
			CreatedAt: first.CreatedAt, UpdatedAt: first.CreatedAt}
		err := db.Create(&second).Error
		if err == nil {
			t.Fatalf("second live account for %s was inserted; want a unique violation", domain)
		}
		if !models.IsUniqueViolation(err) {
			t.Fatalf("IsUniqueViolation(%v) = false, want true", err)
		}
		var n int64
		db.Model(&models.SmartAccount{}).Where("domain = ?", domain).Count(&n)
		if n != 1 {
			t.Fatalf("%d rows for %s, want 1", n, domain)
		}

		// Once the first is DECLINED, the domain is free; a DECLINED and an EXPIRED row never block.
		if err := db.Model(&models.SmartAccount{}).Where("id = ?", first.ID).Update("status", models.SADeclined).Error; err != nil {
			t.Fatal(err)
		}
		expired := newAccount(t, db, models.SmartAccount{Domain: domain, Status: models.SAPendingApproval})
		if err := db.Model(&models.SmartAccount{}).Where("id = ?", expired.ID).Update("status", models.SAExpired).Error; err != nil {
			t.Fatal(err)
		}
		newAccount(t, db, models.SmartAccount{Domain: domain, Status: models.SADeclined})
		live := newAccount(t, db, models.SmartAccount{Domain: domain, Status: models.SAActive})
		db.Model(&models.SmartAccount{}).Where("domain = ?", domain).Count(&n)
		if n != 4 {
			t.Errorf("%d rows for %s, want 4 (declined, expired, declined, live)", n, domain)
		}
		// And the new live one blocks the next again.
		again := second
		again.ID, again.RequestID = models.NewID(), models.NewID()
		if err := db.Create(&again).Error; !models.IsUniqueViolation(err) {
			t.Errorf("a live account next to live %s: err = %v, want a unique violation", live.ID, err)
		}
	})
}

func TestIsUniqueViolationOnlyForUniqueViolations(t *testing.T) {
	if models.IsUniqueViolation(nil) {
		t.Error("IsUniqueViolation(nil) = true")
	}
	if models.IsUniqueViolation(errors.New("connection refused")) {
		t.Error("IsUniqueViolation(other error) = true")
	}
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		// A NOT NULL violation is not a unique violation.
		err := db.Exec("INSERT INTO smart_accounts (id) VALUES (?)", models.NewID()).Error
		if err == nil {
			t.Fatal("insert without required columns succeeded")
		}
		if models.IsUniqueViolation(err) {
			t.Errorf("IsUniqueViolation(%v) = true for a NOT NULL violation", err)
		}
	})
}

// Each process's pool is bounded (CLC_DB_MAX_CONNS): an API and two workers with 40 connections each
// exhausted PostgreSQL's default 100, and the third process's requests answered 503.
func TestSizePoolBoundsPostgresOnly(t *testing.T) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) {
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		before := sqlDB.Stats().MaxOpenConnections
		defer models.SizePool(db, before) // the handle is shared with the package's other tests
		models.SizePool(db, 7)
		got := sqlDB.Stats().MaxOpenConnections
		switch models.DialectOf(db) {
		case models.DialectPostgres:
			if got != 7 {
				t.Fatalf("PostgreSQL pool: %d open connections at most, want 7", got)
			}
		default:
			if got != before {
				t.Fatalf("SQLite pool changed from %d to %d: it keeps its single writer", before, got)
			}
		}
	})
}
