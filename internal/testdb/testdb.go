// Package testdb gives tests real databases: a fresh PostgreSQL database per test package (from
// CLC_TEST_DATABASE_URL, default the local server) and fresh SQLite files, both migrated. A test that
// needs PostgreSQL and cannot reach it fails with a message saying so; it never skips.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that creates and drops test databases
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// DefaultURL is the PostgreSQL the tests use when CLC_TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL is the server the tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("CLC_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Postgres is a database created for one test package.
type Postgres struct {
	Name string
	URL  string
	DB   *gorm.DB
}

// NewPostgres creates, migrates and opens a fresh database; call Drop when the package is done.
func NewPostgres(ctx context.Context, prefix string) (*Postgres, error) {
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		return nil, fmt.Errorf("these tests need PostgreSQL at %s (set CLC_TEST_DATABASE_URL, or start it: .ci/run does): %w", redact(AdminURL()), err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := fmt.Sprintf("clc_%s_%s", strings.ToLower(prefix), hex.EncodeToString(b))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(AdminURL())
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	p := &Postgres{Name: name, URL: u.String()}
	if p.DB, err = models.Open(ctx, p.URL); err != nil {
		return nil, err
	}
	if err := models.Migrate(ctx, p.DB); err != nil {
		return nil, err
	}
	return p, nil
}

// Drop closes and removes the database.
func (p *Postgres) Drop(ctx context.Context) error {
	if sqlDB, err := p.DB.DB(); err == nil {
		_ = sqlDB.Close()
	}
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+p.Name+" WITH (FORCE)")
	return err
}

// NewSQLite creates and migrates a SQLite database in the test's temp folder.
func NewSQLite(t testing.TB) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	db, err := models.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "clc.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	if err := models.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

var (
	sharedMu sync.Mutex
	shared   = map[string]*Postgres{}
)

// Shared returns the package's PostgreSQL database, creating it on first use; Main drops it.
func Shared(t testing.TB, prefix string) *gorm.DB {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if p, ok := shared[prefix]; ok {
		return p.DB
	}
	p, err := NewPostgres(context.Background(), prefix)
	if err != nil {
		t.Fatalf("%v", err)
	}
	shared[prefix] = p
	return p.DB
}

// Main runs a package's tests and drops the databases Shared created.
func Main(m *testing.M) int {
	code := m.Run()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	for _, p := range shared {
		if err := p.Drop(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", p.Name, err)
		}
	}
	return code
}

// Each runs f once on PostgreSQL (the package's shared database) and once on a fresh SQLite file.
func Each(t *testing.T, prefix string, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { f(t, Shared(t, prefix)) })
	t.Run("sqlite", func(t *testing.T) { f(t, NewSQLite(t)) })
}

// Unique returns a short random label, for domains and names that must not collide between tests
// sharing a database.
func Unique() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}
