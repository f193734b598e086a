// Command clc-dev runs the whole of License Central in one process with nothing installed: an embedded
// Temporal server and the app database persisted in a data folder, an SMTP server whose inbox is a
// page, the API and the worker, and demo data. `go run ./cmd/clc-dev` and open the printed URL.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/licensecentral/clc/internal/devstack"
	"github.com/licensecentral/clc/internal/devtemporal"
	"github.com/licensecentral/clc/process"
)

func main() {
	var (
		data     = flag.String("data", envOr("CLC_DEV_DATA", "data"), "folder for temporal.db, clc.db and the mail inbox")
		listen   = flag.String("listen", envOr("CLC_LISTEN_ADDR", "127.0.0.1:8080"), "API listen address")
		smtp     = flag.String("smtp", envOr("CLC_DEV_SMTP_ADDR", "127.0.0.1:1025"), "mail catcher listen address")
		dbURL    = flag.String("database-url", os.Getenv("CLC_DATABASE_URL"), "app database (default: SQLite in the data folder)")
		temporal = flag.Int("temporal-port", 7233, "embedded Temporal frontend port (0: any free port)")
		ui       = flag.Int("temporal-ui-port", 8233, "Temporal Web UI port (0: any free port, -1: no UI)")
		fast     = flag.Bool("fast", false, "shorten reminders to 1m/2m and expiry to 5m, to watch them happen")
		pprof    = flag.Int("pprof-port", 0, "serve Go's profiler on this port (benchmarks)")
		keep     = flag.Duration("retention", envDuration("CLC_DEV_RETENTION", devtemporal.DefaultRetention),
			"how long Temporal keeps a closed process's history (at least 1h)")
	)
	flag.Parse()
	limitMemory(os.Getenv)
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := devstack.Options{DataDir: *data, Listen: *listen, SMTPAddr: *smtp, DatabaseURL: *dbURL,
		TemporalPort: *temporal, TemporalUIPort: *ui, PProfPort: *pprof, Retention: *keep, Log: log}
	if *fast {
		t := process.Timing{Reminders: []time.Duration{time.Minute, 2 * time.Minute}, Expiry: 5 * time.Minute,
			DomainReminders: []time.Duration{time.Minute}, DomainEscalation: 2 * time.Minute, DomainExpiry: 5 * time.Minute}
		opts.Timing = &t
		p := process.ProvisionTiming{SLA: 5 * time.Minute, RetryFirst: time.Second, RetryMax: 30 * time.Second}
		opts.Provision = &p
	}
	s, err := devstack.Start(ctx, opts)
	if err != nil {
		log.Error("dev stack failed to start", "error", err)
		os.Exit(1)
	}
	fmt.Printf(`
License Central dev stack is up.
  API        %[1]s/api/v1   (token: POST %[1]s/dev/token {"email":"bob@acme.com"})
  Sign in    %[1]s/dev/login   (browser pages: pick any user and platform roles)
  Help       %[1]s/dev
  Mail inbox %[1]s/dev/mail   (SMTP on %[2]s)
  Temporal   %[3]s (namespace default)
  Web UI     %[5]s   (Temporal: each workflow, its history and what it waits for)
  Data       %[4]s
Press Ctrl-C to stop; running workflows resume on the next start.
`, s.URL, s.Mail.Addr(), s.Temporal.HostPort(), *data, uiURL(s))
	<-ctx.Done()
	log.Info("shutting down")
	s.Close()
}

// devMemoryLimit is the dev stack's soft memory limit unless GOMEMLIMIT sets one: after 36,000 creations
// the process held about 150 MB of live heap and, with the collector's default headroom (GOGC=100), 335 MB
// of heap; under the limit the collector runs earlier instead of letting the heap double (issue 10, item 5).
const devMemoryLimit = 256 << 20

// limitMemory applies devMemoryLimit unless the environment has its own GOMEMLIMIT (which the runtime has
// read already), and returns the limit in force.
func limitMemory(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(devMemoryLimit)
	return devMemoryLimit
}

// uiURL is the Temporal Web UI's address to print, or why there is none.
func uiURL(s *devstack.Stack) string {
	if s.TemporalUI == nil {
		return "(none: -temporal-ui-port -1)"
	}
	return s.TemporalUI.URL() + "/namespaces/" + s.Temporal.Namespace() + "/workflows"
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	return d
}
