// Command clc is the production binary of License Central: `clc api` serves the HTTP API and the
// emailed-link pages, `clc worker` runs the Temporal workflows and activities, and `clc migrate` applies
// the database migrations. Configuration comes from the environment (see the README). It talks to a
// Temporal cluster and never embeds one.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/licensecentral/clc/internal/app"
	"github.com/licensecentral/clc/internal/config"
	"github.com/licensecentral/clc/models"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		slog.Error("clc failed", "error", err)
		os.Exit(1)
	}
}

const usage = `usage: clc <command>

commands:
  api      serve the HTTP API and the emailed-link pages
  worker   run the workflows and activities
  migrate  apply the database migrations and exit
`

func run(args []string) error {
	if len(args) != 1 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("expected one command")
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch args[0] {
	case "migrate":
		if err := cfg.Check(true, false); err != nil {
			return err
		}
		db, err := models.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		if err := models.Migrate(ctx, db); err != nil {
			return err
		}
		v, err := models.SchemaVersion(ctx, db)
		log.Info("migrations applied", "version", v)
		return err
	case "api", "worker":
		if err := cfg.Check(true, args[0] == "api"); err != nil {
			return err
		}
		if cfg.PProfAddr != "" {
			go servePProf(cfg.PProfAddr, log)
		}
		if args[0] == "worker" {
			if err := cfg.CheckWorker(); err != nil {
				return err
			}
		}
		a := &app.App{Config: cfg, Log: log, RunAPI: args[0] == "api", RunWorker: args[0] == "worker"}
		if err := a.Run(ctx); err != nil {
			_ = a.Close()
			return err
		}
		<-ctx.Done()
		log.Info("shutting down")
		return a.Close()
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: l}))
}

// servePProf serves Go's profiler on its own listener (CLC_PPROF_ADDR), apart from the API's and the
// worker's ports, so it is opened only where an operator asks for it.
func servePProf(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("profiler listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiler stopped", "addr", addr, "error", err)
	}
}
