// Command provision measures provisioning end to end on a running stack (FEATURES PR2): orders of
// smart-license lines ingested, shipped and bulk-assigned through the API, timed until the last line is
// PROVISIONED in the database, alternating with a bare Temporal workflow of the same shape on the same
// server; then the same with a fulfillment outage in the middle (time to drain, lines deposited twice);
// then the licenses page of an account with many license rows. See bench/README.md for the commands.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"go.temporal.io/sdk/client"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

func main() {
	stack := loadtest.Flags()
	temporal, ns := loadtest.TemporalFlags()
	latency := loadtest.LatencyFlag()
	var (
		dbURL    = flag.String("database-url", "", "the stack's database, to watch the lines (required)")
		orders   = flag.Int("orders", 1000, "orders per round")
		lines    = flag.Int("lines", 5, "smart-license lines per order")
		clients  = flag.Int("clients", 32, "concurrent clients")
		rounds   = flag.Int("rounds", 2, "rounds of bare workflow then flow")
		outage   = flag.Duration("outage", 60*time.Second, "fulfillment outage in the middle of one more flow run (0: none)")
		licenses = flag.Int("licenses", 50000, "license rows of the account whose licenses page is read (0: skip)")
		samples  = flag.Int("samples", 300, "requests per licenses page measurement")
	)
	flag.Parse()
	db := loadtest.StackDB(*dbURL)
	defer db.Close()
	r := &run{c: stack(), db: db, clients: *clients, lines: *lines}
	r.setup()
	r.c.SetFulfillment(r.admin, map[string]any{"latencyMs": int(*latency / time.Millisecond), "down": false})
	b, err := startBare(*temporal, *ns, *latency)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	fmt.Printf("%d orders × %d lines per round, %d clients, fulfillment latency %s\n", *orders, *lines, *clients, *latency)
	for i := 1; i <= *rounds; i++ {
		bl, bt := r.bareRound(b, fmt.Sprintf("b%d", i), *orders)
		fl, ft := r.flowRound(fmt.Sprintf("f%d", i), *orders, 0)
		fmt.Printf("round %d: bare %d lines in %s = %.1f lines/s; flow %d lines in %s = %.1f lines/s; ratio %.2f\n",
			i, bl, bt.Round(time.Millisecond), rate(bl, bt), fl, ft.Round(time.Millisecond), rate(fl, ft),
			rate(fl, ft)/rate(bl, bt))
	}
	if *outage > 0 {
		r.flowRound("out", *orders, *outage)
	}
	if *licenses > 0 {
		r.licensesPage(*licenses, *samples)
	}
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// run is one benchmark's account, people and database.
type run struct {
	c              *loadtest.Client
	db             *sql.DB
	clients, lines int
	tld, admin     string
	saID           string
}

func (r *run) setup() {
	r.tld = "prov-" + r.c.Run + ".com"
	r.admin = r.c.Token("admin@" + r.tld)
	st, body, err := r.c.Do("POST", "/api/v1/smart-accounts", r.admin, loadtest.Account("Prov "+r.c.Run, ""))
	if err != nil || st != 202 || body["status"] != "ACTIVE" {
		log.Fatalf("the bench account: %d %v %v", st, body, err)
	}
	r.saID, _ = body["id"].(string)
}

// bareRound runs n bare workflows and waits for every one to end.
func (r *run) bareRound(b *loadtest.Bare, tag string, n int) (int, time.Duration) {
	ctx := context.Background()
	runs := make([]client.WorkflowRun, n)
	start := time.Now()
	_, _, failed := loadtest.Parallel(r.clients, n, func(i int) (time.Duration, error) {
		t := time.Now()
		run, err := bareOrder(ctx, b, fmt.Sprintf("%s-%s-%d", r.c.Run, tag, i), r.lines)
		runs[i] = run
		return time.Since(t), err
	})
	if failed > 0 {
		log.Fatalf("%d bare orders failed", failed)
	}
	for _, run := range runs {
		if err := run.Get(ctx, nil); err != nil {
			log.Fatalf("bare workflow %s: %v", run.GetID(), err)
		}
	}
	return n * r.lines, time.Since(start)
}
