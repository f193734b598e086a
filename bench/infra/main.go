// Command infra runs what the production binaries need around them for a load test on one machine: a
// Temporal server persisted to PostgreSQL (the production shape, not the dev stack's SQLite), an
// SMTP server that accepts every mail and the simulated fulfillment service the worker deposits
// licenses with (CLC_FULFILLMENT_URL=http://<-fulfillment>). Start it, then `clc migrate`, `clc api` and `clc worker` as
// separate processes pointed at it (bench/README.md has the commands).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/licensecentral/clc/internal/devtemporal"
	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/process"
)

func main() {
	var (
		dbURL = flag.String("temporal-database-url", "postgres://postgres@127.0.0.1:5432/temporal_bench", "PostgreSQL database for Temporal (and <name>_visibility)")
		port  = flag.Int("temporal-port", 7233, "Temporal frontend port")
		smtp  = flag.String("smtp", "127.0.0.1:2525", "SMTP listen address (empty: none, Temporal alone)")
		pprof = flag.Int("pprof-port", 0, "serve Go's profiler on this port")
		keep  = flag.Duration("retention", 72*time.Hour, "how long Temporal keeps a closed workflow's history")
		conns = flag.Int("temporal-max-conns", devtemporal.DefaultPostgresMaxConns, "bound of each of Temporal's PostgreSQL pools")
		ful   = flag.String("fulfillment", "127.0.0.1:12600", "fulfillment simulator listen address (empty: none)")
	)
	flag.Parse()
	// The fault suite runs Temporal alone, so killing it leaves the mail it records alone.
	var mail *mailcatch.Server
	if *smtp != "" {
		mail = mailcatch.New(mailcatch.Options{Addr: *smtp})
		if err := mail.Start(); err != nil {
			log.Fatal(err)
		}
	}
	// Without a fulfillment service that answers, every assigned order's provisioning retries its
	// deposits for as long as the test runs, and that retry traffic, not the flow measured, loads the worker.
	var sim *fulfillment.Simulator
	if *ful != "" {
		sim = fulfillment.NewSimulator(nil)
		if _, err := sim.Start(*ful); err != nil {
			log.Fatal(err)
		}
	}
	srv, err := devtemporal.Start(devtemporal.Options{PostgresURL: *dbURL, Port: *port, Namespace: "default",
		SearchAttributes: process.SearchAttributes(), PProfPort: *pprof, Retention: *keep, PostgresMaxConns: *conns})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Temporal %s (namespace default, PostgreSQL %s); SMTP %q; fulfillment %q\n", srv.HostPort(), *dbURL,
		*smtp, *ful)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	_ = srv.Stop()
	if mail != nil {
		_ = mail.Close()
	}
	if sim != nil {
		_ = sim.Close()
	}
}
