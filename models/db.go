package models

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	// The pure-Go SQLite driver registers itself as "sqlite"; the embedded Temporal server links the
	// same one, so both share it instead of clashing.
	_ "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect names the database behind a *gorm.DB.
type Dialect string

// The two databases the schema is written for.
const (
	DialectPostgres Dialect = "postgres"
	DialectSQLite   Dialect = "sqlite"
)

// DefaultPoolSize is how many PostgreSQL connections one process opens at most. An API and two workers
// then hold 60 of PostgreSQL's default 100 (with 40 each they held 120, and under load the third process
// was refused "too many clients"); on two cores more connections only queue inside PostgreSQL.
const DefaultPoolSize = 20

// SizePool bounds a PostgreSQL handle's pool at n open (and idle) connections (CLC_DB_MAX_CONNS); a
// request that finds them all busy waits for one instead of failing. SQLite keeps its single connection.
func SizePool(db *gorm.DB, n int) {
	if DialectOf(db) != DialectPostgres || n <= 0 {
		return
	}
	sqlDB, err := db.DB()
	if err != nil {
		return
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
}

// Open connects to the database the URL names: postgres:// or postgresql:// for PostgreSQL, and
// sqlite:<path> (sqlite:///abs/path.db, sqlite:data/app.db, or sqlite::memory:) for SQLite.
func Open(ctx context.Context, databaseURL string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	var (
		db  *gorm.DB
		err error
	)
	switch DialectOfURL(databaseURL) {
	case DialectPostgres:
		db, err = gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		SizePool(db, DefaultPoolSize)
	case DialectSQLite:
		dsn, derr := sqliteDSN(databaseURL)
		if derr != nil {
			return nil, derr
		}
		db, err = gorm.Open(sqlite.Dialector{DriverName: "sqlite", DSN: dsn}, cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// SQLite has one writer; one connection turns lock contention into queueing.
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(1)
	default:
		return nil, &Error{Code: CodeInvalid, Field: "databaseURL", Message: "database URL must start with postgres:// or sqlite:"}
	}
	sqlDB, _ := db.DB()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		return nil, fmt.Errorf("database unreachable: %w", err)
	}
	return db, nil
}

// DialectOfURL tells which database a URL names, or "" when it names neither.
func DialectOfURL(databaseURL string) Dialect {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return DialectPostgres
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return DialectSQLite
	}
	return ""
}

// DialectOf tells which database db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return DialectPostgres
	}
	return DialectSQLite
}

func sqliteDSN(databaseURL string) (string, error) {
	path := strings.TrimPrefix(databaseURL, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return "", &Error{Code: CodeInvalid, Field: "databaseURL", Message: "sqlite: URL needs a file path"}
	}
	if path == ":memory:" {
		return "file::memory:?_pragma=foreign_keys(1)&_time_format=sqlite", nil
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode(), nil
}

// Migrate applies every migration not yet applied. On PostgreSQL a session lock makes concurrent
// migrators (several replicas starting at once) wait for each other instead of racing.
func Migrate(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	p, err := migrationProvider(sqlDB, DialectOf(db))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SchemaVersion is the newest migration applied to db.
func SchemaVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return 0, err
	}
	p, err := migrationProvider(sqlDB, DialectOf(db))
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

func migrationProvider(sqlDB *sql.DB, d Dialect) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	if d == DialectPostgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		return goose.NewProvider(goose.DialectPostgres, sqlDB, fsys, goose.WithSessionLocker(locker))
	}
	// A migration only PostgreSQL needs (NNNNN_name.postgres.sql, e.g. an index of a PostgreSQL
	// extension) is recorded on SQLite by a migration that does nothing, so both databases count the
	// same versions and the next migration of both follows it.
	var skip []int64
	var noops []*goose.Migration
	names, err := fs.Glob(fsys, "*.postgres.sql")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		v, err := goose.NumericComponent(name)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		skip = append(skip, v)
		noops = append(noops, goose.NewGoMigration(v, nil, nil))
	}
	return goose.NewProvider(goose.DialectSQLite3, sqlDB, fsys, goose.WithExcludeVersions(skip),
		goose.WithGoMigrations(noops...))
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either database.
func IsUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	// modernc's SQLite error is not translated by the gorm dialector (it only knows mattn's).
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
