// Package devstack runs the whole of License Central in one process for local use: an embedded
// Temporal server and the app database in a data folder, an SMTP server that keeps every mail and shows
// it as a page, the API and the worker, demo users and accounts, and the /dev endpoints that make it
// drivable by hand and by scripts.
package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/app"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/config"
	"github.com/licensecentral/clc/internal/devtemporal"
	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/internal/ratelimit"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// InboxKeep is how many mails the dev inbox holds in memory and shows at /dev/mail (mail.jsonl keeps
// them all): a long run mails without end, and the process must not grow with it.
const InboxKeep = 1000

// Options configures the dev stack.
type Options struct {
	// DataDir holds temporal.db, clc.db, mail.jsonl, the token-signing secret and the link secret.
	DataDir string
	// Listen is the API's address (default 127.0.0.1:8080).
	Listen string
	// SMTPAddr is where the mail catcher listens (default 127.0.0.1:0, any free port).
	SMTPAddr string
	// DatabaseURL, when set, puts the app database on PostgreSQL instead of SQLite in DataDir.
	DatabaseURL string
	// TemporalPort is the embedded frontend's port (default 7233; 0 picks a free one).
	TemporalPort int
	// TemporalUIPort is where the Temporal Web UI is served (0 picks a free one; -1 serves none).
	TemporalUIPort int
	// Timing shortens the processes' delays when set (demos of reminders and expiry); Provision the
	// provisioning's (a stuck line within minutes).
	Timing    *process.Timing
	Provision *process.ProvisionTiming
	// PProfPort, when set, serves Go's profiler for the process (benchmarks).
	PProfPort int
	// Retention is how long Temporal keeps a closed process's history (devtemporal.DefaultRetention
	// when 0).
	Retention time.Duration
	Log       *slog.Logger
}

// Stack is the running dev stack.
type Stack struct {
	Temporal *devtemporal.Server
	// TemporalUI is the Temporal Web UI of that server (nil with TemporalUIPort -1).
	TemporalUI *devtemporal.UI
	Mail       *mailcatch.Server
	// Fulfillment is the entitlement service the worker deposits licenses with, simulated in process
	// over real HTTP; PUT /dev/fulfillment makes it fail.
	Fulfillment *fulfillment.Simulator
	App         *app.App
	Signer      auth.Signer
	URL         string
}

// Start brings every part up, migrates and seeds the database, and returns once the API answers.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.DataDir == "" {
		o.DataDir = "data"
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if o.SMTPAddr == "" {
		o.SMTPAddr = "127.0.0.1:0"
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	s := &Stack{}
	fail := func(err error) (*Stack, error) { s.Close(); return nil, err }

	secret, err := devSecret(filepath.Join(o.DataDir, "dev-secret"))
	if err != nil {
		return fail(err)
	}
	s.Signer = auth.Signer{Secret: secret, Issuer: "clc-dev", TTL: 12 * time.Hour}
	// A mail step retried after a restart must derive the link it may already have mailed.
	linkSecret, err := devSecret(filepath.Join(o.DataDir, "link-secret"))
	if err != nil {
		return fail(err)
	}

	s.Mail = mailcatch.New(mailcatch.Options{Addr: o.SMTPAddr, File: filepath.Join(o.DataDir, "mail.jsonl"),
		Keep: InboxKeep, Logger: o.Log})
	if err := s.Mail.Start(); err != nil {
		return fail(fmt.Errorf("mail catcher: %w", err))
	}
	s.Temporal, err = devtemporal.Start(devtemporal.Options{DBFile: filepath.Join(o.DataDir, "temporal.db"),
		Port: o.TemporalPort, Namespace: "default", SearchAttributes: process.SearchAttributes(), PProfPort: o.PProfPort,
		Retention: o.Retention})
	if err != nil {
		return fail(err)
	}
	if o.TemporalUIPort >= 0 {
		if s.TemporalUI, err = devtemporal.StartUI(s.Temporal.HostPort(), "127.0.0.1", o.TemporalUIPort); err != nil {
			return fail(err)
		}
	}

	dbURL := o.DatabaseURL
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(o.DataDir, "clc.db")
	}
	db, err := models.Open(ctx, dbURL)
	if err != nil {
		return fail(err)
	}
	if err := models.Migrate(ctx, db); err != nil {
		return fail(err)
	}
	if err := Seed(ctx, db); err != nil {
		return fail(fmt.Errorf("demo data: %w", err))
	}

	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return fail(err)
	}
	host, port, _ := net.SplitHostPort(o.Listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	cfg.DatabaseURL, cfg.ListenAddr = dbURL, o.Listen
	cfg.TemporalAddress, cfg.TemporalNamespace = s.Temporal.HostPort(), s.Temporal.Namespace()
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS = s.Mail.Host(), s.Mail.Port(), "none"
	cfg.Auth.HS256Secret, cfg.Auth.Issuer = string(secret), s.Signer.Issuer
	// One person drives the dev stack by hand or a load tool drives it hard: no rate limits.
	cfg.RateLinks, cfg.RateAPI = ratelimit.Config{}, ratelimit.Config{}
	cfg.LinkSecret = string(linkSecret)
	// The pages sign in through /dev/login; the key kept so a restart keeps browsers signed in.
	sessionKey, err := devSecret(filepath.Join(o.DataDir, "session-key"))
	if err != nil {
		return fail(err)
	}
	cfg.Web.SessionKey, cfg.Web.DevLogin = string(sessionKey), true
	s.Fulfillment = fulfillment.NewSimulator(o.Log)
	if cfg.FulfillmentURL, err = s.Fulfillment.Start(""); err != nil {
		return fail(err)
	}
	if o.Timing != nil {
		cfg.Timing = *o.Timing
	}
	if o.Provision != nil {
		cfg.Provision = o.Provision.WithDefaults()
	}
	s.App = &app.App{Config: cfg, Log: o.Log, DB: db, RunAPI: true, RunWorker: true}
	// The public URL must be known before the worker mails links: listen first.
	l, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fail(fmt.Errorf("listen on %s: %w", o.Listen, err))
	}
	s.App.Listener = l
	_, port, _ = net.SplitHostPort(l.Addr().String())
	s.URL = "http://" + net.JoinHostPort(host, port)
	s.App.Config.PublicURL = s.URL
	s.App.Extra = append(s.App.Extra, Routes(s.URL, s.Signer, db, s.Mail, o.Log), func(r *gin.Engine) {
		r.Any("/dev/fulfillment", gin.WrapH(s.Fulfillment.ControlHandler()))
		r.POST("/dev/digests", s.runDigest)
	})
	if err := s.App.Run(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

// Close stops every part, the API first so no request finds the engine gone.
func (s *Stack) Close() {
	if s.App != nil {
		_ = s.App.Close()
		if s.App.DB != nil {
			if sqlDB, err := s.App.DB.DB(); err == nil {
				_ = sqlDB.Close()
			}
		}
	}
	if s.TemporalUI != nil {
		s.TemporalUI.Stop()
	}
	if s.Temporal != nil {
		_ = s.Temporal.Stop()
	}
	if s.Mail != nil {
		_ = s.Mail.Close()
	}
	if s.Fulfillment != nil {
		_ = s.Fulfillment.Close()
	}
}

// devSecret keeps a secret (the token-signing one, the link one) in the data folder, so what was made
// with it survives a restart.
func devSecret(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(b)
	return []byte(secret), os.WriteFile(path, []byte(secret+"\n"), 0o600)
}
