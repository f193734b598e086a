// Package config reads the configuration of the License Central binaries from the environment, in one
// place, so every knob is named once and documented in the README.
package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/ratelimit"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Config is everything the api, worker and migrate commands need.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	ListenAddr        string
	// WorkerListenAddr is where `clc worker` serves /healthz, /readyz and /metrics
	// (CLC_WORKER_LISTEN_ADDR, default :9090).
	WorkerListenAddr string
	// PProfAddr, when set (CLC_PPROF_ADDR), serves Go's profiler there: an opt-in for profiling
	// `clc api` and `clc worker` under load (issue 10, item 2); never on a public address.
	PProfAddr string
	PublicURL string
	MailFrom  string
	SMTP      activities.SMTPConfig
	Auth      auth.Config
	Timing    process.Timing
	// CiscoApprovers are mailed domain approvals besides users holding the cisco-approver role.
	CiscoApprovers []string
	LogLevel       string
	// DelegationExpiry is how long an order delegation's emailed link works (default 14 days).
	DelegationExpiry time.Duration
	// RateLinks limits each client address on the emailed-link pages (/a/…), RateAPI each identity on
	// /api/v1; a zero Rate disables the limit.
	RateLinks, RateAPI ratelimit.Config
	// TrustedProxies are the addresses or CIDRs of the proxies in front of the API whose X-Forwarded-For
	// names the client (none by default).
	TrustedProxies []string
	// LinkSecret is what the worker derives emailed links from (CLC_LINK_SECRET); the API never needs it.
	LinkSecret string
	// MaxBodyBytes bounds every request body the API reads (CLC_MAX_BODY_BYTES, default 1 MiB).
	MaxBodyBytes int64
	// DBMaxConns bounds this process's PostgreSQL connections (CLC_DB_MAX_CONNS, default
	// models.DefaultPoolSize): every process of a deployment shares the server's max_connections.
	DBMaxConns int
	// FulfillmentURL is the root of the entitlement service the worker deposits licenses with.
	FulfillmentURL string
	// Provision paces deposits and says when a pending line is stuck; OpsAlert are mailed stuck lines
	// besides the users holding the licensing-ops role.
	Provision process.ProvisionTiming
	OpsAlert  []string
	// Holding paces the reminders of orders waiting in Partner Holding Accounts (CLC_HOLDING_REMINDER,
	// default weekly) and how long each mailed link works (CLC_HOLDING_LINK_EXPIRY, default 30 days).
	Holding process.HoldingTiming
	// Web is the browser sign-in of the pages (/ops, /app, …); off when Web.ClientID is empty and not
	// on the dev stack.
	Web Web
	// Digests is when the daily and weekly notification digests run (FEATURES NO1).
	Digests process.DigestTiming
	// TrainingExpiry closes a training request nobody scheduled (FEATURES TR1, default 90 days).
	TrainingExpiry time.Duration
}

// Web configures the browser sign-in: the OIDC client the pages sign in with and the session cookie.
type Web struct {
	// OIDCIssuer is the identity provider (CLC_OIDC_ISSUER, default CLC_AUTH_OIDC_ISSUER).
	OIDCIssuer string
	// ClientID and ClientSecret are the pages' registration at the provider (CLC_OIDC_CLIENT_ID,
	// CLC_OIDC_CLIENT_SECRET; the secret may be empty for a public client, PKCE protects the code).
	ClientID, ClientSecret string
	// RedirectURL is the callback registered at the provider (CLC_OIDC_REDIRECT_URL, default
	// CLC_PUBLIC_URL + /login/callback).
	RedirectURL string
	// SessionKey signs and encrypts the session cookie (CLC_SESSION_KEY, at least 32 bytes, the same on
	// every copy of the API); SessionTTL is how long a sign-in lasts (CLC_SESSION_TTL, default 8h).
	SessionKey string
	SessionTTL time.Duration
	// DevLogin is the dev stack's sign-in page that signs anyone in; no variable sets it.
	DevLogin bool
}

// Enabled reports whether the pages can sign anyone in.
func (w Web) Enabled() bool { return w.ClientID != "" || w.DevLogin }

// MinSessionKeyLen is the shortest CLC_SESSION_KEY accepted (the cookie keys are derived from it).
const MinSessionKeyLen = 32

// The default limits leave a person clicking, or a client paging through an inventory, far below
// them, and stop one address or identity from taking the server for itself.
const (
	defaultRateLinks = "5/s,20"
	defaultRateAPI   = "20/s,100"
)

// defaultMaxBodyBytes is api.DefaultMaxBodyBytes (config does not import the API): an order of a
// thousand lines fits, and a body too large to be one is refused before it is read.
const defaultMaxBodyBytes = 1 << 20

// Load reads the environment; getenv is os.Getenv in the binaries and a map in tests.
func Load(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	e := env{get: getenv}
	c := Config{
		DatabaseURL:       e.str("CLC_DATABASE_URL", ""),
		TemporalAddress:   e.str("CLC_TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: e.str("CLC_TEMPORAL_NAMESPACE", "default"),
		TaskQueue:         e.str("CLC_TEMPORAL_TASK_QUEUE", process.DefaultTaskQueue),
		ListenAddr:        e.str("CLC_LISTEN_ADDR", ":8080"),
		WorkerListenAddr:  e.str("CLC_WORKER_LISTEN_ADDR", ":9090"),
		PProfAddr:         e.str("CLC_PPROF_ADDR", ""),
		PublicURL:         strings.TrimRight(e.str("CLC_PUBLIC_URL", "http://localhost:8080"), "/"),
		MailFrom:          e.str("CLC_MAIL_FROM", "License Central <no-reply@licensecentral.local>"),
		SMTP: activities.SMTPConfig{
			Host:     e.str("CLC_SMTP_HOST", "localhost"),
			Port:     e.int("CLC_SMTP_PORT", 587),
			Username: e.str("CLC_SMTP_USER", ""),
			Password: e.str("CLC_SMTP_PASSWORD", ""),
			TLS:      e.str("CLC_SMTP_TLS", "mandatory"),
			Timeout:  e.dur("CLC_SMTP_TIMEOUT", 15*time.Second),
		},
		Auth: auth.Config{
			HS256Secret: e.str("CLC_AUTH_HS256_SECRET", ""),
			OIDCIssuer:  e.str("CLC_AUTH_OIDC_ISSUER", ""),
			Audience:    e.str("CLC_AUTH_AUDIENCE", ""),
			Issuer:      e.str("CLC_AUTH_ISSUER", ""),
			RolesClaim:  e.str("CLC_AUTH_ROLES_CLAIM", "roles"),
			MaxLifetime: e.dur("CLC_AUTH_MAX_TOKEN_LIFETIME", auth.DefaultMaxLifetime),
		},
		Timing:         process.DefaultTiming(),
		CiscoApprovers: e.list("CLC_CISCO_APPROVERS"),
		LogLevel:       e.str("CLC_LOG_LEVEL", "info"),
		LinkSecret:     e.str("CLC_LINK_SECRET", ""),
	}
	c.DelegationExpiry = e.dur("CLC_DELEGATION_EXPIRY", 14*24*time.Hour)
	c.RateLinks = e.rate("CLC_RATE_LINKS", defaultRateLinks)
	c.RateAPI = e.rate("CLC_RATE_API", defaultRateAPI)
	c.TrustedProxies = e.list("CLC_TRUSTED_PROXIES")
	c.MaxBodyBytes = int64(e.int("CLC_MAX_BODY_BYTES", defaultMaxBodyBytes))
	c.DBMaxConns = e.int("CLC_DB_MAX_CONNS", models.DefaultPoolSize)
	c.FulfillmentURL = strings.TrimRight(e.str("CLC_FULFILLMENT_URL", ""), "/")
	c.Provision = process.ProvisionTiming{SLA: e.dur("CLC_PROVISION_SLA", models.DefaultProvisionSLA),
		RetryFirst: e.dur("CLC_PROVISION_RETRY_FIRST", 2*time.Second), RetryMax: e.dur("CLC_PROVISION_RETRY_MAX", 5*time.Minute),
		Rejects:    e.int("CLC_PROVISION_REJECTS", models.DefaultRejectsBeforeReview),
		AssignLink: e.dur("CLC_ASSIGN_LINK_EXPIRY", models.DefaultAssignLinkExpiry)}.WithDefaults()
	c.Holding = process.HoldingTiming{Remind: e.dur("CLC_HOLDING_REMINDER", models.DefaultHoldingReminder),
		Link: e.dur("CLC_HOLDING_LINK_EXPIRY", models.DefaultAssignLinkExpiry)}.WithDefaults()
	c.OpsAlert = e.list("CLC_OPS_ALERT_EMAILS")
	c.Web = Web{OIDCIssuer: e.str("CLC_OIDC_ISSUER", c.Auth.OIDCIssuer), ClientID: e.str("CLC_OIDC_CLIENT_ID", ""),
		ClientSecret: e.str("CLC_OIDC_CLIENT_SECRET", ""), RedirectURL: e.str("CLC_OIDC_REDIRECT_URL", ""),
		SessionKey: e.str("CLC_SESSION_KEY", ""), SessionTTL: e.dur("CLC_SESSION_TTL", 8*time.Hour)}
	c.TrainingExpiry = e.dur("CLC_TRAINING_EXPIRY", process.DefaultTrainingExpiry)
	c.Digests = process.DigestTiming{Daily: e.dur("CLC_DIGEST_DAILY", 24*time.Hour),
		Weekly: e.dur("CLC_DIGEST_WEEKLY", 7*24*time.Hour), At: e.dur("CLC_DIGEST_AT", 6*time.Hour)}
	if c.Digests.Daily <= 0 || c.Digests.Weekly <= 0 || c.Digests.At < 0 {
		e.fail("CLC_DIGEST_DAILY", fmt.Errorf("the digest intervals must be positive and CLC_DIGEST_AT not negative"))
	}
	c.Timing.Reminders = e.durs("CLC_SA_REMINDERS", c.Timing.Reminders)
	c.Timing.Expiry = e.dur("CLC_SA_EXPIRY", c.Timing.Expiry)
	c.Timing.DomainReminders = e.durs("CLC_DOMAIN_REMINDERS", c.Timing.DomainReminders)
	c.Timing.DomainEscalation = e.dur("CLC_DOMAIN_ESCALATION", c.Timing.DomainEscalation)
	c.Timing.DomainExpiry = e.dur("CLC_DOMAIN_EXPIRY", c.Timing.DomainExpiry)
	c.Timing.AcceptanceReminders = e.durs("CLC_ACCEPTANCE_REMINDERS", c.Timing.AcceptanceReminders)
	c.Timing.AcceptanceExpiry = e.dur("CLC_ACCEPTANCE_EXPIRY", c.Timing.AcceptanceExpiry)
	c.Timing.AccessReminders = e.durs("CLC_ACCESS_REMINDERS", c.Timing.AccessReminders)
	c.Timing.AccessExpiry = e.dur("CLC_ACCESS_EXPIRY", c.Timing.AccessExpiry)
	// Zero would silently mean the verifier's default; a bound that is asked for must be one.
	if c.Auth.MaxLifetime <= 0 {
		e.fail("CLC_AUTH_MAX_TOKEN_LIFETIME", fmt.Errorf("must be positive, got %v", c.Auth.MaxLifetime))
	}
	if c.DBMaxConns < 1 {
		e.fail("CLC_DB_MAX_CONNS", fmt.Errorf("must be at least 1, got %d", c.DBMaxConns))
	}
	if c.MaxBodyBytes < 1<<10 {
		e.fail("CLC_MAX_BODY_BYTES", fmt.Errorf("must be at least 1024 (bytes), got %d", c.MaxBodyBytes))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		e.fail("CLC_PUBLIC_URL", fmt.Errorf("must be an http(s) URL such as https://licensing.example.com, got %q", c.PublicURL))
	}
	if c.Web.SessionTTL <= 0 {
		e.fail("CLC_SESSION_TTL", fmt.Errorf("must be positive, got %v", c.Web.SessionTTL))
	}
	if c.Web.ClientID != "" {
		if c.Web.OIDCIssuer == "" {
			e.fail("CLC_OIDC_ISSUER", fmt.Errorf("is required with CLC_OIDC_CLIENT_ID (or set CLC_AUTH_OIDC_ISSUER)"))
		}
		if len(c.Web.SessionKey) < MinSessionKeyLen {
			e.fail("CLC_SESSION_KEY", fmt.Errorf("must be at least %d bytes with CLC_OIDC_CLIENT_ID (it has %d); "+
				"generate one with openssl rand -hex 32", MinSessionKeyLen, len(c.Web.SessionKey)))
		}
	}
	switch c.SMTP.TLS {
	case "mandatory", "opportunistic", "none", "ssl":
	default:
		e.fail("CLC_SMTP_TLS", fmt.Errorf("must be mandatory, opportunistic, none or ssl"))
	}
	return c, e.err
}

// Check reports the settings a command cannot run without.
func (c Config) Check(needDB, needAuth bool) error {
	if needDB && c.DatabaseURL == "" {
		return fmt.Errorf("CLC_DATABASE_URL is required (postgres://… or sqlite:path)")
	}
	if needAuth && c.Auth.HS256Secret == "" && c.Auth.OIDCIssuer == "" {
		return fmt.Errorf("CLC_AUTH_OIDC_ISSUER (or CLC_AUTH_HS256_SECRET) is required")
	}
	// The verifier refuses this too; said here it stops the command before it connects to anything.
	if needAuth && c.Auth.HS256Secret == "" && c.Auth.Audience == "" {
		return fmt.Errorf("CLC_AUTH_AUDIENCE is required with CLC_AUTH_OIDC_ISSUER (the API's client id at the provider)")
	}
	return nil
}

// CheckWorker reports the settings only the worker cannot run without: it mails the links, and a link
// derived from a missing or short secret could be computed by anyone who can guess its mail key.
func (c Config) CheckWorker() error {
	if len(c.LinkSecret) < models.MinLinkSecretLen {
		return fmt.Errorf("CLC_LINK_SECRET must be at least %d bytes for the worker (it has %d); "+
			"generate one with openssl rand -hex 32", models.MinLinkSecretLen, len(c.LinkSecret))
	}
	if c.FulfillmentURL == "" {
		return fmt.Errorf("CLC_FULFILLMENT_URL is required for the worker: the entitlement service it deposits licenses with")
	}
	return nil
}

type env struct {
	get func(string) string
	err error
}

func (e *env) fail(name string, err error) {
	if e.err == nil {
		e.err = fmt.Errorf("%s: %w", name, err)
	}
}

func (e *env) str(name, def string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	return def
}

func (e *env) int(name string, def int) int { return parsed(e, name, def, strconv.Atoi) }

func (e *env) dur(name string, def time.Duration) time.Duration {
	return parsed(e, name, def, time.ParseDuration)
}

// durs reads a comma-separated list of durations.
func (e *env) durs(name string, def []time.Duration) []time.Duration {
	return parsed(e, name, def, func(v string) ([]time.Duration, error) {
		var out []time.Duration
		for _, p := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(p))
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// parsed reads name with parse, or is def when name is unset; a value parse refuses is recorded as the
// configuration's error, and def stands in for it.
func parsed[T any](e *env, name string, def T, parse func(string) (T, error)) T {
	v := e.get(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		e.fail(name, err)
		return def
	}
	return x
}

// rate reads a limit in ratelimit.Parse's form, "RATE/UNIT,BURST" or "0".
func (e *env) rate(name, def string) ratelimit.Config {
	c, err := ratelimit.Parse(e.str(name, def))
	if err != nil {
		e.fail(name, err)
		c, _ = ratelimit.Parse(def)
	}
	return c
}

func (e *env) list(name string) []string {
	var out []string
	for _, p := range strings.Split(e.get(name), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
