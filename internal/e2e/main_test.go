package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/apicontract"
	"github.com/licensecentral/clc/internal/app"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/config"
	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/internal/ratelimit"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// env is the running system the tests share: one Temporal server, one database, one SMTP server, the
// app (API + worker), and a second API whose processes get short timings for reminder and expiry tests.
type env struct {
	db       *gorm.DB
	pg       *testdb.Postgres
	temporal *temporaltest.TestServer
	tc       client.Client
	mail     *mailcatch.Server
	// fulfillment is the entitlement service, simulated over real HTTP; tests make it fail.
	fulfillment *fulfillment.Simulator
	app         *app.App
	fast        *app.App
	signer      auth.Signer
	cfg         config.Config
}

var sys *env

const secret = "e2e-secret-that-is-long-enough-for-hs256"

// sessionKey signs the browser sessions of the pages.
const sessionKey = "e2e-session-key-at-least-32-bytes-long"

// linkSecret is what the worker derives the mailed links from.
const linkSecret = "e2e-link-secret-at-least-32-bytes-long"

// fastTiming makes the approval remind at 1.5 s and 3 s and expire at 5 s.
var fastTiming = process.Timing{
	Reminders: []time.Duration{1500 * time.Millisecond, 3 * time.Second}, Expiry: 5 * time.Second,
	DomainReminders: []time.Duration{time.Second}, DomainEscalation: 2 * time.Second, DomainExpiry: 4 * time.Second,
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	// Every answer of /api/v1 the tests get, through any request they make with the default client, is
	// checked against the OpenAPI document; one that differs fails the request with what differs.
	contract, err := apicontract.Load(api.OpenAPIDocument())
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup failed:", err)
		return 1
	}
	http.DefaultClient.Transport = contract.Transport(http.DefaultTransport)
	e, err := start(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup failed:", err)
		return 1
	}
	sys = e
	code := m.Run()
	if err := recordHistories(ctx, e.tc, e.temporal.GetDefaultNamespace()); err != nil {
		fmt.Fprintln(os.Stderr, "recording histories failed:", err)
		code = 1
	}
	e.stop(ctx)
	return code
}

func start(ctx context.Context) (*env, error) {
	e := &env{signer: auth.Signer{Secret: []byte(secret), Issuer: "e2e", TTL: time.Hour}}
	var err error
	if e.pg, err = testdb.NewPostgres(ctx, "e2e"); err != nil {
		return nil, err
	}
	e.db = e.pg.DB
	e.mail = mailcatch.New(mailcatch.Options{Addr: "127.0.0.1:0"})
	if err := e.mail.Start(); err != nil {
		return nil, err
	}
	e.temporal = temporaltest.NewServer()
	e.tc = e.temporal.GetDefaultClient()

	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	cfg.TemporalNamespace = e.temporal.GetDefaultNamespace()
	cfg.TaskQueue = "clc-e2e"
	cfg.SMTP = activitiesSMTP(e.mail)
	cfg.Auth.HS256Secret, cfg.Auth.Issuer = secret, "e2e"
	// The suite follows many links and calls from one address; the limits have their own handler test.
	cfg.RateLinks, cfg.RateAPI = ratelimit.Config{}, ratelimit.Config{}
	cfg.LinkSecret = linkSecret
	// The pages sign in through the dev stack's page, as a person picks any user there.
	cfg.Web.DevLogin, cfg.Web.SessionKey = true, sessionKey
	e.fulfillment = fulfillment.NewSimulator(nil)
	if cfg.FulfillmentURL, err = e.fulfillment.Start(""); err != nil {
		return nil, err
	}
	// Deposits that fail are tried again within a second, so a test sees the service's recovery soon.
	cfg.Provision = process.ProvisionTiming{RetryFirst: 200 * time.Millisecond, RetryMax: time.Second, Rejects: 2}.WithDefaults()
	// Orders in holding accounts are reminded every few seconds, so a test sees a reminder.
	cfg.Holding = process.HoldingTiming{Remind: 3 * time.Second}.WithDefaults()
	e.cfg = cfg

	if e.app, err = e.newApp(ctx, cfg, true, true); err != nil {
		return nil, err
	}
	fast := cfg
	fast.Timing = fastTiming
	fast.DelegationExpiry = 3 * time.Second
	fast.Provision.SLA = 2 * time.Second
	if e.fast, err = e.newApp(ctx, fast, true, false); err != nil {
		return nil, err
	}
	return e, nil
}

// newApp runs an API and/or worker on the shared Temporal server and database, listening on a free port
// whose URL the mailed links use.
func (e *env) newApp(ctx context.Context, cfg config.Config, api, worker bool) (*app.App, error) {
	a := &app.App{Config: cfg, DB: e.db, Temporal: e.tc, RunAPI: api, RunWorker: worker,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if os.Getenv("CLC_E2E_LOG") != "" {
		a.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if api {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		a.Listener = l
		a.Config.PublicURL = "http://" + l.Addr().String()
	} else {
		a.Config.PublicURL = e.app.Config.PublicURL
	}
	if err := a.Run(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func (e *env) stop(ctx context.Context) {
	if e.fast != nil {
		_ = e.fast.Close()
	}
	if e.app != nil {
		_ = e.app.Close()
	}
	if e.temporal != nil {
		e.temporal.Stop()
	}
	if e.mail != nil {
		_ = e.mail.Close()
	}
	if e.fulfillment != nil {
		_ = e.fulfillment.Close()
	}
	if e.pg != nil {
		_ = e.pg.Drop(ctx)
	}
}

// user is someone calling the API with their own bearer token.
type user struct {
	t     *testing.T
	email string
	token string
	base  string
}

// as signs a token for email (with platform roles) and records the user with one call, as a first
// sign-in would.
func as(t *testing.T, email string, roles ...string) *user {
	t.Helper()
	return asOn(t, sys.app, email, roles...)
}

func asOn(t *testing.T, a *app.App, email string, roles ...string) *user {
	t.Helper()
	if roles == nil {
		roles = []string{}
	}
	tok, err := sys.signer.Sign(auth.Identity{Email: email, Name: strings.Split(email, "@")[0], Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	u := &user{t: t, email: email, token: tok, base: a.Config.PublicURL}
	if st, body := u.get("/api/v1/me"); st != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %v", email, st, body)
	}
	return u
}

// response is a decoded JSON body.
type response map[string]any

// do sends body (nil for none) as JSON with the extra headers, given as name, value pairs, and decodes
// the JSON answer.
func (u *user) do(method, path string, body any, headers ...string) (int, response) {
	u.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			u.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	return u.send(method, path, rd, append([]string{"Content-Type", "application/json"}, headers...)...)
}

// send makes the request with the user's token and the headers, given as name, value pairs, and
// decodes the answer, which must be JSON when there is one.
func (u *user) send(method, path string, body io.Reader, headers ...string) (int, response) {
	u.t.Helper()
	req, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{}
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		u.t.Fatalf("%s %s: answer is not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, out
}

func (u *user) get(path string) (int, response) { return u.do(http.MethodGet, path, nil) }
func (u *user) post(path string, body any, h ...string) (int, response) {
	return u.do(http.MethodPost, path, body, h...)
}

// account is the body of a create request with a valid headquarters.
func account(name, domain string, extra ...any) map[string]any {
	b := map[string]any{"name": name, "headquarters": map[string]any{"company": name, "line1": "1 Main St",
		"city": "San Jose", "region": "CA", "postalCode": "95134", "country": "US"}}
	if domain != "" {
		b["domain"] = domain
	}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}

// mailTo waits for a mail to addr whose subject contains part.
func mailTo(t *testing.T, addr, part string) mailcatch.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := sys.mail.WaitFor(ctx, func(m mailcatch.Message) bool {
		return contains(m.To, addr) && strings.Contains(m.Subject, part)
	})
	if err != nil {
		t.Fatalf("mail to %s about %q: %v", addr, part, err)
	}
	return m
}

// mailsTo lists the mails received by addr whose subject contains part.
func mailsTo(addr, part string) []mailcatch.Message {
	var out []mailcatch.Message
	for _, m := range sys.mail.To(addr) {
		if strings.Contains(m.Subject, part) {
			out = append(out, m)
		}
	}
	return out
}

// actionLink is the emailed /a/ link of a mail.
func actionLink(t *testing.T, m mailcatch.Message) string {
	t.Helper()
	for _, l := range m.Links {
		if strings.Contains(l, "/a/") {
			return l
		}
	}
	t.Fatalf("mail %q has no action link: %v", m.Subject, m.Links)
	return ""
}

// page fetches an emailed link's page: GET, or POST of a form when form is not nil.
func page(t *testing.T, link string, form url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = http.Get(link)
	} else {
		resp, err = http.PostForm(link, form)
	}
	if err != nil {
		t.Fatalf("open %s: %v", link, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func account1(t *testing.T, id string) models.SmartAccount {
	t.Helper()
	sa, err := models.FindSmartAccount(context.Background(), sys.db, id)
	if err != nil {
		t.Fatalf("read account %s: %v", id, err)
	}
	return sa
}

// eventually polls cond until it holds or 20 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventuallyWithin(t, 20*time.Second, what, cond)
}

// eventuallyWithin is eventually with its own deadline, for effects whose count grows with the test's
// size (a bulk click's orders applied one process at a time): a correctness wait, not a speed target.
func eventuallyWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func str(v any) string { s, _ := v.(string); return s }

// domainOf makes a fresh company domain so tests sharing the database never meet.
func domainOf(label string) string { return label + "-" + testdb.Unique() + ".com" }

func uniq() string { return testdb.Unique() }
