// Command ceiling measures how near a License Central flow comes to Temporal itself on the same server:
// it runs a bare workflow of the flow's shape (its updates, local activities, activities and upserts as
// no-ops, counted from a real run's history) alternating with the real flow through the API, in one
// run, and prints both rates and their ratio. This machine's absolute numbers drift; the ratio is what
// a benchmark note quotes.
//
//	go run ./bench/ceiling -temporal 127.0.0.1:17233 -url http://127.0.0.1:18090 -secret-file /tmp/bench/dev-secret \
//	  -flow sacreate -clients 32 -n 600 -rounds 3
//
// Flows: sacreate (an auto-activated creation), approval (an administrator's approval POST until the
// account is ACTIVE; the pending accounts are made first, untimed), ingest (an order from commerce),
// access (a colleague's access request to an ACTIVE account, answered PENDING; the accounts are made
// first, untimed), assign (one order's assignment POST, answered REQUESTED, measured against the shape
// of the batch process it starts; the account and the orders are made first, untimed).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

func main() {
	api := loadtest.Flags()
	address, namespace := loadtest.TemporalFlags()
	var (
		flowName = flag.String("flow", "sacreate", "flow to measure: sacreate, approval, ingest, access, assign")
		clients  = flag.Int("clients", 32, "concurrent clients")
		n        = flag.Int("n", 500, "operations per round, each side")
		rounds   = flag.Int("rounds", 3, "rounds; each runs the bare workflow then the real flow")
		settle   = flag.Duration("settle", 10*time.Second, "pause after a round's preparation and after its real flow")
	)
	flag.Parse()
	b := api()
	queue := "ceiling-" + b.Run
	c, stop := loadtest.StartShapeWorker(*address, *namespace, queue)
	defer stop()

	f := flows[*flowName]
	if f == nil {
		log.Fatalf("unknown flow %q", *flowName)
	}
	ctx := context.Background()
	// One real run first: its history is the bare workflow's shape.
	probe := f.prepare(b, "probe", 1)
	if _, err := f.real(b, probe, 0); err != nil {
		log.Fatalf("probe: %v", err)
	}
	time.Sleep(2 * time.Second)
	shape, counts := loadtest.ShapeOf(ctx, c, probe.workflowIDs[0])
	fmt.Printf("flow %s: real history %v\nbare shape %+v; %d clients, %d per round\n", *flowName, counts, shape, *clients, *n)

	var bareSum, realSum float64
	for r := range *rounds {
		blat, belapsed, bfailed := loadtest.RunBare(ctx, c, queue, shape, f.timed, *clients, *n, fmt.Sprintf("%s-%d", b.Run, r))
		bare := float64(*n) / belapsed.Seconds()
		set := f.prepare(b, fmt.Sprintf("r%d", r), *n)
		// What a phase leaves running after its last answer (the preparation's mails, an assignment's
		// provisioning) would otherwise be timed as part of the next phase, real or bare.
		time.Sleep(*settle)
		lat, elapsed, failed := loadtest.Parallel(*clients, *n, func(i int) (time.Duration, error) { return f.real(b, set, i) })
		real := float64(*n) / elapsed.Seconds()
		time.Sleep(*settle)
		fmt.Printf("round %d: bare %.1f/s, real %.1f/s, ratio %.2f (real failed %d)\n", r+1, bare, real, real/bare, failed)
		fmt.Print("  bare:")
		loadtest.Report(blat, belapsed, bfailed)
		fmt.Print("  real:")
		loadtest.Report(lat, elapsed, failed)
		bareSum, realSum = bareSum+bare, realSum+real
	}
	fmt.Printf("mean: bare %.1f/s, real %.1f/s, ratio %.2f\n", bareSum/float64(*rounds), realSum/float64(*rounds), realSum/bareSum)
}

func check(st, want int, body map[string]any, err error, what string) error {
	if err != nil {
		return err
	}
	if st != want {
		return fmt.Errorf("%s: %d %v", what, st, body)
	}
	return nil
}
