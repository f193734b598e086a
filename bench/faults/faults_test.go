//go:build faultsuite

package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/bench/internal/faultsuite"
)

// TestShortFaultSuite is the fault suite's short run, which .ci/run runs with -tags faultsuite: one
// SIGKILL of a worker, of the api and of the Temporal server and one PostgreSQL restart under a small
// mixed workload; any lost or duplicated effect, mail lost or received twice, stuck process, failed
// scenario or 5xx other than a 503 during an outage fails it. It restarts the machine's PostgreSQL,
// hence the build tag (the README's plain test command does not build it); `go run ./bench/faults` is
// the long run.
func TestShortFaultSuite(t *testing.T) {
	dbURL := os.Getenv("CLC_TEST_DATABASE_URL")
	if dbURL == "" {
		dbURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	cluster := os.Getenv("CLC_FAULT_SUITE_PG_CLUSTER")
	if cluster == "" {
		cluster = "15 main"
	}
	res, err := faultsuite.Run(context.Background(), faultsuite.Options{DatabaseURL: dbURL,
		PostgresCluster: strings.Fields(cluster), Trials: 12, Concurrency: 3, FaultsPerKind: 1, PostgresRestarts: 1,
		FaultGap: 6 * time.Second, TrialTimeout: 3 * time.Minute, Settle: 90 * time.Second, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	res.Print(&b)
	t.Log(b.String())
	if !res.OK() {
		t.Fatal("the fault suite found losses, duplicates, stuck processes or failures (above)")
	}
	for _, k := range []string{faultsuite.FaultWorker, faultsuite.FaultAPI, faultsuite.FaultTemporal, faultsuite.FaultPostgres} {
		if res.Faults[k] == 0 {
			t.Errorf("no %s fault was injected", k)
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
