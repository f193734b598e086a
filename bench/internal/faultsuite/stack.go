// Package faultsuite runs License Central in its production shape on one machine (a Temporal server
// persisted to PostgreSQL, `clc migrate`, two `clc worker` and one `clc api`, each its own process),
// drives a mixed workload through the API and the mailed links while it kills processes and restarts
// PostgreSQL, and then audits from the database and the recorded mail that every answered request took
// effect exactly once, every mail arrived once, and no process is stuck.
package faultsuite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for the audit and the setup
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// proc is one supervised process: when it exits (killed or failed) it is started again after a pause,
// as an orchestrator restarts a container, until the suite stops it.
type proc struct {
	name  string
	path  string
	args  []string
	env   []string
	log   io.Writer
	ready func(context.Context) error
	// before runs before each start (the Temporal server forgets the members its killed run left).
	before func()

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	stopping bool
	restarts int
	// pause is how long the supervisor waits before starting again after an exit.
	pause time.Duration
}

func (p *proc) startOnce() error {
	if p.before != nil {
		p.before()
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = p.log, p.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	exited := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	go func() { _ = cmd.Wait(); close(exited) }()
	return nil
}

// supervise starts the process and restarts it whenever it exits, until stop.
func (p *proc) supervise() error {
	if err := p.startOnce(); err != nil {
		return err
	}
	go func() {
		for {
			p.mu.Lock()
			exited := p.exited
			p.mu.Unlock()
			<-exited
			p.mu.Lock()
			if p.stopping {
				p.mu.Unlock()
				return
			}
			p.restarts++
			pause := p.pause
			p.mu.Unlock()
			time.Sleep(pause)
			for p.startOnce() != nil {
				time.Sleep(time.Second)
			}
		}
	}()
	return nil
}

// kill sends SIGKILL to the running process and waits until it is gone; the supervisor brings it back.
func (p *proc) kill(pause time.Duration) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.pause = pause
	p.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// stop ends the process for good: SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	p.mu.Lock()
	p.stopping = true
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}
}

// waitReady polls the process's readiness until it holds or limit passes.
func (p *proc) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := p.ready(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %w", p.name, limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stack is the running production shape.
type stack struct {
	opts        Options
	dir         string
	appURL      string // the app database
	temporalURL string // the Temporal server's database (and <name>_visibility)
	temporal    *proc
	workers     []*proc
	api         *proc
	apiBase     string
	temporalHP  string
	db          *sql.DB
	// dbNames are the databases the run created, dropped at the end.
	dbNames []string
}

// secret and linkSecret are the stack's HS256 and link secrets: a throwaway stack, so constants.
const (
	secret     = "fault-suite-secret-fault-suite-secret-1234"
	issuer     = "faults"
	linkSecret = "fault-suite-link-secret-fault-suite-link-1234"
	mailFrom   = "no-reply@faults.test"
)

// build compiles the production binary and the Temporal launcher of bench/infra into dir.
func build(dir string) (clc, infra string, err error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	clc, infra = filepath.Join(dir, "clc"), filepath.Join(dir, "infra")
	for bin, pkg := range map[string]string{clc: "./cmd/clc", infra: "./bench/infra"} {
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
		}
	}
	return clc, infra, nil
}

// withDB replaces the database name of a PostgreSQL URL.
func withDB(rawURL, name string) string {
	i := strings.LastIndex(rawURL, "/")
	rest := ""
	if q := strings.Index(rawURL[i:], "?"); q >= 0 {
		rest = rawURL[i+q:]
	}
	return rawURL[:i+1] + name + rest
}

// freePort asks the kernel for a free TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// temporalPort finds a base port with the 14 after it free (frontend, services, membership), below the
// 32747 that the server's PostgreSQL membership table allows.
func temporalPort(seed int64) (int, error) {
	for i := int64(0); i < 50; i++ {
		base := 21000 + int((seed+i*137)%10000)
		free := true
		for p := base; p < base+14 && free; p++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				free = false
				continue
			}
			_ = l.Close()
		}
		if free {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free range of ports for Temporal")
}

// startStack creates the databases, builds the binaries, starts Temporal, migrates, and starts two
// workers and the api, each supervised.
func startStack(ctx context.Context, o Options, run string, smtpPort int, fulfillmentURL string) (*stack, error) {
	s := &stack{opts: o}
	var err error
	if s.dir, err = os.MkdirTemp("", "clc-faults-"); err != nil {
		return s, err
	}
	clc, infra, err := build(s.dir)
	if err != nil {
		return s, err
	}
	admin, err := sql.Open("pgx", o.DatabaseURL)
	if err != nil {
		return s, err
	}
	defer admin.Close()
	appDB := "clc_faults_" + run
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+appDB); err != nil {
		return s, fmt.Errorf("create %s: %w", appDB, err)
	}
	s.appURL = withDB(o.DatabaseURL, appDB)
	s.temporalURL = withDB(o.DatabaseURL, "temporal_faults_"+run)
	s.dbNames = []string{appDB, "temporal_faults_" + run, "temporal_faults_" + run + "_visibility"}
	if s.db, err = sql.Open("pgx", s.appURL); err != nil {
		return s, err
	}

	tport, err := temporalPort(time.Now().UnixNano())
	if err != nil {
		return s, err
	}
	s.temporalHP = "127.0.0.1:" + strconv.Itoa(tport)
	logs, err := os.Create(filepath.Join(s.dir, "stack.log"))
	if err != nil {
		return s, err
	}
	s.temporal = &proc{name: "temporal", path: infra, log: logs, pause: time.Second,
		args: []string{"-temporal-database-url", s.temporalURL, "-temporal-port", strconv.Itoa(tport), "-smtp", "",
			"-fulfillment", ""},
		ready: s.temporalReady, before: s.forgetMembers}
	if err := s.temporal.supervise(); err != nil {
		return s, err
	}
	if err := s.temporal.waitReady(3 * time.Minute); err != nil {
		return s, err
	}

	apiPort, err := freePort()
	if err != nil {
		return s, err
	}
	s.apiBase = "http://127.0.0.1:" + strconv.Itoa(apiPort)
	env := []string{"CLC_DATABASE_URL=" + s.appURL, "CLC_TEMPORAL_ADDRESS=" + s.temporalHP,
		"CLC_LISTEN_ADDR=127.0.0.1:" + strconv.Itoa(apiPort), "CLC_PUBLIC_URL=" + s.apiBase,
		"CLC_SMTP_HOST=127.0.0.1", "CLC_SMTP_PORT=" + strconv.Itoa(smtpPort), "CLC_SMTP_TLS=none",
		"CLC_SMTP_TIMEOUT=5s", "CLC_MAIL_FROM=License Central <" + mailFrom + ">",
		"CLC_AUTH_HS256_SECRET=" + secret, "CLC_AUTH_ISSUER=" + issuer, "CLC_LINK_SECRET=" + linkSecret,
		"CLC_FULFILLMENT_URL=" + fulfillmentURL, "CLC_RATE_LINKS=0", "CLC_RATE_API=0",
		"CLC_PROVISION_RETRY_FIRST=200ms", "CLC_PROVISION_RETRY_MAX=2s", "CLC_LOG_LEVEL=warn"}
	// The cluster is shared: when it is out of connections for a moment, migrate again.
	for attempt := 1; ; attempt++ {
		migrate := exec.CommandContext(ctx, clc, "migrate")
		migrate.Env = append(os.Environ(), env...)
		out, err := migrate.CombinedOutput()
		if err == nil {
			break
		}
		if attempt == 10 {
			return s, fmt.Errorf("clc migrate: %w\n%s", err, out)
		}
		time.Sleep(3 * time.Second)
	}
	for i := 0; i < 2; i++ {
		w := &proc{name: fmt.Sprintf("worker-%d", i+1), path: clc, args: []string{"worker"}, env: env, log: logs,
			pause: time.Second, ready: func(context.Context) error { return nil }}
		if err := w.supervise(); err != nil {
			return s, err
		}
		s.workers = append(s.workers, w)
	}
	s.api = &proc{name: "api", path: clc, args: []string{"api"}, env: env, log: logs, pause: time.Second,
		ready: func(ctx context.Context) error { return httpReady(ctx, s.apiBase+"/readyz") }}
	if err := s.api.supervise(); err != nil {
		return s, err
	}
	if err := s.api.waitReady(2 * time.Minute); err != nil {
		return s, err
	}
	return s, nil
}

func httpReady(ctx context.Context, url string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d", url, resp.StatusCode)
	}
	return nil
}

func (s *stack) temporalReady(ctx context.Context) error {
	c, err := client.DialContext(ctx, client.Options{HostPort: s.temporalHP, Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return err
	}
	// Health comes before the frontend's namespace cache knows the namespace the server just registered;
	// listing goes through that cache.
	_, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", PageSize: 1})
	return err
}

// forgetMembers drops the membership rows a killed server left, so its next run does not wait to join
// hosts that are gone (the table is missing before the first run).
func (s *stack) forgetMembers() {
	db, err := sql.Open("pgx", s.temporalURL)
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.Exec("DELETE FROM cluster_membership")
}

// close stops every process and, unless kept, drops the databases and the build folder.
func (s *stack) close(ctx context.Context) {
	if s.api != nil {
		s.api.stop()
	}
	for _, w := range s.workers {
		w.stop()
	}
	if s.temporal != nil {
		s.temporal.stop()
	}
	if s.db != nil {
		_ = s.db.Close()
	}
	if s.opts.Keep {
		fmt.Fprintf(s.opts.Out, "kept: %s, databases %s and %s(_visibility)\n", s.dir, s.appURL, s.temporalURL)
		return
	}
	admin, err := sql.Open("pgx", s.opts.DatabaseURL)
	if err == nil {
		for _, name := range s.dbNames {
			_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
		_ = admin.Close()
	}
	_ = os.RemoveAll(s.dir)
}
