// Package app assembles License Central from its parts (database, Temporal client, mailer, verifier,
// API, worker) so that the binaries, the dev stack and the end-to-end tests run the same program: New,
// then Run, then Close.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/config"
	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/internal/metrics"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/worker"
)

// App is one running License Central process: the API, the worker, or both.
type App struct {
	Config config.Config
	Log    *slog.Logger
	// The dependencies below are built from Config by Run when left nil; tests and the dev stack set
	// their own.
	DB       *gorm.DB
	Temporal client.Client
	Sender   activities.Sender
	Verifier auth.Verifier
	// SignIn is the browser pages' sign-in, built from Config.Web by Run when left nil and enabled.
	SignIn *web.SignIn
	// Extra routes for the API (the dev stack's /dev endpoints).
	Extra []func(*gin.Engine)
	// RunAPI and RunWorker choose what Run starts.
	RunAPI, RunWorker bool
	// Listener, when set, is where the API serves instead of Config.ListenAddr: a caller that must know
	// the public URL before the worker mails links listens first.
	Listener net.Listener
	// Metrics is the registry /metrics serves: the API's, the worker's and the provisioning gauges.
	Metrics *prometheus.Registry

	mu       sync.Mutex
	ownDB    bool
	ownTC    bool
	listener net.Listener
	http     *http.Server
	worker   sdkworker.Worker
	// fulfillmentCalls times the worker's calls of the fulfillment service.
	fulfillmentCalls *metrics.Fulfillment
	// events counts mails and emailed links; temporalMetrics reports the SDK's metrics to Metrics.
	events          *metrics.Events
	temporalMetrics io.Closer
	// derivedTC is the client given in Temporal, wrapped to report the SDK's metrics: closed by Close.
	derivedTC bool
	probes    *http.Server
	probeAddr string
}

// fulfillment is the client of the fulfillment service, its calls timed.
func (a *App) fulfillment() *fulfillment.Client {
	c := &fulfillment.Client{BaseURL: a.Config.FulfillmentURL}
	if a.fulfillmentCalls != nil {
		c.Observe = a.fulfillmentCalls.Observe
	}
	return c
}

// Run connects what is missing and starts the API and/or worker in the background.
func (a *App) Run(ctx context.Context) error {
	if a.Log == nil {
		a.Log = slog.Default()
	}
	if err := a.connect(ctx); err != nil {
		return err
	}
	if a.RunWorker {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := worker.EnsureSearchAttributes(sctx, a.Temporal, a.Config.TemporalNamespace); err != nil {
			a.Log.Warn("search attributes not registered; workflows wait until they are", "error", err)
		}
		cancel()
		// The digests' schedules (FEATURES NO1): made, or brought to this configuration, by every worker.
		sctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		if err := process.EnsureDigestSchedules(sctx, a.Temporal, a.Config.TaskQueue, a.Config.Digests); err != nil {
			a.Log.Warn("digest schedules not made; digests wait until a worker makes them", "error", err)
		}
		cancel()
		if err := a.StartWorker(); err != nil {
			return err
		}
	}
	if a.RunAPI {
		if err := a.startAPI(ctx); err != nil {
			return err
		}
	} else if a.RunWorker && a.Config.WorkerListenAddr != "" {
		if err := a.startProbes(); err != nil {
			return err
		}
	}
	return nil
}

// startProbes serves the worker's /healthz, /readyz (database and Temporal) and /metrics on
// Config.WorkerListenAddr, for the orchestrator's probes and Prometheus; a process that runs the API
// serves them there.
func (a *App) startProbes() error {
	l, err := net.Listen("tcp", a.Config.WorkerListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (CLC_WORKER_LISTEN_ADDR): %w", a.Config.WorkerListenAddr, err)
	}
	srv := api.New(api.Options{DB: a.DB, Log: a.Log, Registry: a.Metrics,
		Checks: []api.Check{{Name: "temporal", Ping: a.Processes().Ping}}})
	a.probes = &http.Server{Handler: srv.ProbeHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	a.probeAddr = l.Addr().String()
	go func() {
		if err := a.probes.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("worker probes stopped", "error", err)
		}
	}()
	a.Log.Info("worker probes listening", "addr", a.probeAddr)
	return nil
}

// ProbeAddr is where a worker-only process serves its probes and metrics once Run started it.
func (a *App) ProbeAddr() string { return a.probeAddr }

func (a *App) connect(ctx context.Context) error {
	if a.DB == nil {
		db, err := models.Open(ctx, a.Config.DatabaseURL)
		if err != nil {
			return err
		}
		models.SizePool(db, a.Config.DBMaxConns)
		a.DB, a.ownDB = db, true
	}
	if a.Metrics == nil {
		a.Metrics = prometheus.NewRegistry()
	}
	if a.fulfillmentCalls == nil {
		a.fulfillmentCalls = metrics.NewFulfillment(a.Metrics)
		a.events = metrics.NewEvents(a.Metrics)
	}
	// The SDK's metrics (the worker's task slots, schedule-to-start latencies, failures; the client's
	// requests) go to the same registry as ours.
	handler, closer := metrics.TemporalHandler(a.Metrics, a.Log)
	a.temporalMetrics = closer
	opts := client.Options{HostPort: a.Config.TemporalAddress, Namespace: a.Config.TemporalNamespace,
		Logger: tlog.NewStructuredLogger(a.Log), MetricsHandler: handler}
	if a.Temporal == nil {
		c, err := client.DialContext(ctx, opts)
		if err != nil {
			return fmt.Errorf("connect to temporal at %s: %w", a.Config.TemporalAddress, err)
		}
		a.Temporal, a.ownTC = c, true
	} else {
		// A client the caller made (tests, the dev stack): the same connection, reporting to Metrics.
		c, err := client.NewClientFromExisting(a.Temporal, opts)
		if err != nil {
			return fmt.Errorf("temporal client with metrics: %w", err)
		}
		a.Temporal, a.derivedTC = c, true
	}
	if a.Sender == nil {
		a.Sender = activities.SMTPSender{Config: a.Config.SMTP}
	}
	if a.Verifier == nil && a.RunAPI {
		v, err := auth.NewVerifier(ctx, a.Config.Auth)
		if err != nil {
			return err
		}
		a.Verifier = v
	}
	if a.SignIn == nil && a.RunAPI && a.Config.Web.Enabled() {
		s, err := a.newSignIn(ctx)
		if err != nil {
			return err
		}
		a.SignIn = s
	}
	return nil
}

// newSignIn builds the browser sign-in from Config.Web: OIDC with the provider when a client id is
// set, the dev stack's page when DevLogin is.
func (a *App) newSignIn(ctx context.Context) (*web.SignIn, error) {
	w := a.Config.Web
	cfg := web.Config{PublicURL: a.Config.PublicURL, SessionKey: []byte(w.SessionKey), SessionTTL: w.SessionTTL,
		DevLogin: w.DevLogin, DB: a.DB, Log: a.Log}
	if w.ClientID != "" {
		cfg.OIDC = &web.OIDCConfig{Issuer: w.OIDCIssuer, ClientID: w.ClientID, ClientSecret: w.ClientSecret,
			RedirectURL: w.RedirectURL, RolesClaim: a.Config.Auth.RolesClaim}
	}
	// go-oidc keeps the context to refresh the provider's keys: it must live as long as the server.
	s, err := web.New(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return nil, fmt.Errorf("browser sign-in: %w", err)
	}
	return s, nil
}

// StartWorker starts (or restarts) the worker polling the task queue.
func (a *App) StartWorker() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.worker != nil {
		return nil
	}
	if err := a.Config.CheckWorker(); err != nil {
		return err
	}
	w := worker.New(a.Temporal, a.Config.TaskQueue, worker.Deps{
		Store: &activities.Store{DB: a.DB, ExtraCiscoApprovers: a.Config.CiscoApprovers, OpsAlert: a.Config.OpsAlert, Log: a.Log},
		Mailer: &activities.Mailer{DB: a.DB, Sender: a.Sender, From: a.Config.MailFrom, PublicURL: a.Config.PublicURL,
			Log: a.Log, LinkSecret: []byte(a.Config.LinkSecret), Observe: a.events.Mail},
		Provisioner: &activities.Provisioner{Fulfillment: a.fulfillment(), Log: a.Log},
		Releaser:    &activities.Releaser{DB: a.DB, Orders: a.Processes(), Log: a.Log},
		Assigner:    &activities.Assigner{DB: a.DB, Orders: a.Processes(), Log: a.Log},
	}, sdkworker.Options{})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	a.worker = w
	a.Log.Info("worker started", "taskQueue", a.Config.TaskQueue, "namespace", a.Config.TemporalNamespace)
	return nil
}

// StopWorker stops the worker, as a crash would from the workflows' point of view.
func (a *App) StopWorker() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.worker != nil {
		a.worker.Stop()
		a.worker = nil
	}
}

// Processes is the client side of the processes this app starts.
func (a *App) Processes() *process.Client {
	return &process.Client{Temporal: a.Temporal, TaskQueue: a.Config.TaskQueue, Timing: a.Config.Timing,
		DelegationExpiry: a.Config.DelegationExpiry, Provision: a.Config.Provision, Holding: a.Config.Holding,
		TrainingExpiry: a.Config.TrainingExpiry}
}

func (a *App) startAPI(ctx context.Context) error {
	p := a.Processes()
	metrics.RegisterProvisioning(a.Metrics, a.DB, a.Log)
	metrics.RegisterBusiness(a.Metrics, a.DB, a.Log)
	srv := api.New(api.Options{DB: a.DB, Processes: p, Verifier: a.Verifier, Log: a.Log, Extra: a.Extra, Orders: p, Training: p,
		Registry: a.Metrics, RateLinks: a.Config.RateLinks, RateAPI: a.Config.RateAPI, TrustedProxies: a.Config.TrustedProxies,
		PublicURL: a.Config.PublicURL, MaxBodyBytes: a.Config.MaxBodyBytes,
		Checks: []api.Check{{Name: "temporal", Ping: p.Ping}}, ObserveLink: a.events.Link,
		SignIn: a.SignIn})
	l := a.Listener
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", a.Config.ListenAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", a.Config.ListenAddr, err)
		}
	}
	a.listener = l
	// Bounded reads and writes: a slow client cannot hold a connection (and its goroutine) for ever.
	a.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	go func() {
		if err := a.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("api server stopped", "error", err)
		}
	}()
	a.Log.Info("api listening", "addr", l.Addr().String())
	return nil
}

// Addr is the API's listen address once Run started it.
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// Close drains the API (in-flight requests get up to 10 s), stops the worker, and closes what Run opened.
func (a *App) Close() error {
	var errs []error
	if a.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, a.http.Shutdown(ctx))
		cancel()
	}
	if a.probes != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.probes.Shutdown(ctx))
		cancel()
	}
	a.StopWorker()
	if (a.ownTC || a.derivedTC) && a.Temporal != nil {
		a.Temporal.Close()
	}
	if a.temporalMetrics != nil {
		errs = append(errs, a.temporalMetrics.Close())
	}
	if a.ownDB && a.DB != nil {
		if sqlDB, err := a.DB.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
	}
	return errors.Join(errs...)
}
