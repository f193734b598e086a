// Command faults runs the fault suite: the production shape on this machine (a Temporal server on
// PostgreSQL, two `clc worker`, one `clc api`, each its own process), a mixed workload (Smart Account
// creations, approvals through the API and the mailed links, access requests, order ingest, bulk
// assignment, delegations, shipments and provisioning against the simulated fulfillment service) while
// workers, the api and the Temporal server are killed with SIGKILL and PostgreSQL restarts, then an
// audit of the database and the recorded mail. It prints a table and exits 1 on any loss, duplicate,
// stuck process or unexpected 5xx. bench/README.md has the commands and the numbers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/licensecentral/clc/bench/internal/faultsuite"
)

func main() {
	var o faultsuite.Options
	cluster := flag.String("postgres-cluster", "15 main", "the PostgreSQL cluster pg_ctlcluster restarts (version and name)")
	flag.StringVar(&o.DatabaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL, as a user who may create and drop databases")
	flag.IntVar(&o.Trials, "trials", 100, "scenarios to run (more run while planned faults remain)")
	flag.IntVar(&o.Concurrency, "concurrency", 4, "scenarios at once")
	flag.IntVar(&o.FaultsPerKind, "faults", 5, "SIGKILLs of a worker, of the api and of the Temporal server, each")
	flag.IntVar(&o.PostgresRestarts, "postgres-restarts", 2, "fast restarts of PostgreSQL")
	flag.DurationVar(&o.FaultGap, "fault-gap", 8*time.Second, "mean pause between faults")
	flag.DurationVar(&o.TrialTimeout, "trial-timeout", 5*time.Minute, "longest a scenario may take")
	flag.DurationVar(&o.Settle, "settle", 2*time.Minute, "how long effects may take to appear after the workload")
	flag.Int64Var(&o.Seed, "seed", 0, "random seed (0: from the clock; printed)")
	flag.BoolVar(&o.Keep, "keep", false, "keep the databases and the logs")
	flag.Parse()
	o.PostgresCluster = strings.Fields(*cluster)
	o.Out = os.Stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := faultsuite.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault suite:", err)
		os.Exit(2)
	}
	res.Print(os.Stdout)
	if !res.OK() {
		os.Exit(1)
	}
}
