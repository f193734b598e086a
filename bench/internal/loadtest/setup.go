package loadtest

import (
	"context"
	"database/sql"
	"flag"
	"log"

	_ "github.com/jackc/pgx/v5/stdlib" // the stack's database is PostgreSQL

	"github.com/licensecentral/clc/internal/testdb"
)

// ScratchFlag declares -keep for the tools that load a scratch PostgreSQL database of their own; call
// the returned function after flag.Parse: it creates the database (named after prefix) and returns a
// function that drops it, unless -keep was given.
func ScratchFlag(prefix string) func(ctx context.Context) (*testdb.Postgres, func()) {
	keep := flag.Bool("keep", false, "keep the database (its name is printed)")
	return func(ctx context.Context) (*testdb.Postgres, func()) {
		pg, err := testdb.NewPostgres(ctx, prefix)
		if err != nil {
			log.Fatal(err)
		}
		return pg, func() {
			if !*keep {
				_ = pg.Drop(ctx)
			}
		}
	}
}

// TemporalFlags declares -temporal and -namespace: the stack's Temporal frontend, where the bare
// workflow a flow is compared with runs.
func TemporalFlags() (address, namespace *string) {
	return flag.String("temporal", "127.0.0.1:7233", "the stack's Temporal frontend, for the bare workflow"),
		flag.String("namespace", "default", "Temporal namespace")
}

// StackDB opens the stack's database (the tools' -database-url, required), where a tool watches what
// the flow it times wrote.
func StackDB(url string) *sql.DB {
	if url == "" {
		log.Fatal("-database-url is required")
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		log.Fatal(err)
	}
	return db
}
