package faultsuite

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/models"
)

// Options size a run.
type Options struct {
	// DatabaseURL reaches the PostgreSQL cluster as a user who may create databases; the run creates its
	// own (clc_faults_<run>, temporal_faults_<run>[_visibility]) and drops them at the end.
	DatabaseURL string
	// PostgresCluster is what pg_ctlcluster restarts: version and name.
	PostgresCluster []string
	// Trials is how many scenarios run at least; more start while planned faults are still to come.
	Trials      int
	Concurrency int
	// FaultsPerKind kills of a worker, of the api and of the Temporal server; PostgresRestarts restarts.
	FaultsPerKind    int
	PostgresRestarts int
	// FaultGap is the mean pause between two faults.
	FaultGap time.Duration
	// TrialTimeout bounds one scenario; Settle how long effects may take to appear after the workload.
	TrialTimeout time.Duration
	Settle       time.Duration
	Seed         int64
	Keep         bool
	Out          io.Writer
}

// Result is what the audit found.
type Result struct {
	Trials, FailedTrials       int
	Requests, Attempts, Answer int
	Faults                     map[string]int
	Lost, Duplicated, Stuck    []string
	Bad5xx                     []string
	Outage503                  int
	MailKeys, MailsReceived    int
	MailLost, MailDuplicated   []string
	// MailResent counts mails sent a second time, under the same Message-ID, because their worker was
	// killed between the send and the mail log row (at-least-once delivery; not a finding).
	MailResent int
	Failures   []string
	// AfterLastFault is how long after the last fault's recovery every effect was in place.
	AfterLastFault time.Duration
	Elapsed        time.Duration
}

// OK says the run found no loss, duplicate, stuck process, failed scenario or unexpected 5xx.
func (r Result) OK() bool {
	return len(r.Lost)+len(r.Duplicated)+len(r.Stuck)+len(r.Bad5xx)+len(r.MailLost)+len(r.MailDuplicated)+
		len(r.Failures) == 0
}

// Run starts the stack, runs the workload under faults, audits and returns what it found.
func Run(ctx context.Context, o Options) (Result, error) {
	began := time.Now()
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Seed == 0 {
		o.Seed = time.Now().UnixNano()
	}
	fmt.Fprintf(o.Out, "fault suite: seed %d, %d trials, %d faults of each process kind, %d PostgreSQL restarts\n",
		o.Seed, o.Trials, o.FaultsPerKind, o.PostgresRestarts)
	rng := rand.New(rand.NewSource(o.Seed))
	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffff)

	mail := mailcatch.New(mailcatch.Options{Addr: "127.0.0.1:0"})
	if err := mail.Start(); err != nil {
		return Result{}, err
	}
	defer mail.Close()
	sim := fulfillment.NewSimulator(nil)
	simURL, err := sim.Start("")
	if err != nil {
		return Result{}, err
	}
	defer sim.Close()

	s, err := startStack(ctx, o, run, mail.Port(), simURL)
	if s != nil {
		defer s.close(context.Background())
	}
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(o.Out, "stack up in %.0fs: Temporal %s, api %s, logs in %s\n", time.Since(began).Seconds(),
		s.temporalHP, s.apiBase, s.dir)

	rec := &recorder{}
	c := newCaller(s.apiBase, rec)
	w := &workload{c: c, mail: mail, db: s.db, sim: sim, run: run, commerce: c.token("orders@commerce.cisco.com", models.RoleCommerce)}
	inj := newInjector(s, o, rng)
	injCtx, stopInj := context.WithCancel(ctx)
	injDone := make(chan struct{})
	go func() { inj.run(injCtx); close(injDone) }()

	trials := runTrials(ctx, o, w, inj)
	stopInj()
	<-injDone

	res := Result{Trials: len(trials), Faults: map[string]int{}}
	var failed []string
	for _, t := range trials {
		if t.err != nil {
			res.Failures = append(res.Failures, t.label+": "+t.err.Error())
			failed = append(failed, t.tld)
		}
	}
	res.FailedTrials = len(res.Failures)
	for _, e := range inj.errs {
		res.Failures = append(res.Failures, e.Error())
	}
	outs := inj.outages()
	var lastEnd time.Time
	var kills []time.Time
	for _, out := range outs {
		res.Faults[out.kind]++
		if out.kind == FaultWorker {
			kills = append(kills, out.start)
		}
		if out.end.After(lastEnd) {
			lastEnd = out.end
		}
	}
	a := auditor{s: s, o: o, mail: mail}
	settled := time.Now().Add(o.Settle)
	complete := a.effects(ctx, trials, &res, settled)
	if !lastEnd.IsZero() && complete.After(lastEnd) {
		res.AfterLastFault = complete.Sub(lastEnd)
	}
	a.duplicates(ctx, &res)
	a.mails(ctx, &res, kills, settled)
	a.stuck(ctx, &res, failed, settled)
	rec.add(func(r *recorder) {
		res.Requests, res.Attempts, res.Answer = r.requests, r.attempts, r.answered
		for _, f := range r.fivexx {
			if f.status == 503 && during(outs, f.at) {
				res.Outage503++
				continue
			}
			res.Bad5xx = append(res.Bad5xx, fmt.Sprintf("%d at %s %s", f.status, f.at.Format("15:04:05.000"), f.what))
		}
	})
	res.Elapsed = time.Since(began)
	return res, nil
}

// during says whether t falls in an outage, or in the 15 s after it that clients need to notice the
// component is back (connection pools, the Temporal client's backoff).
func during(outs []outage, t time.Time) bool {
	for _, o := range outs {
		if !t.Before(o.start) && !t.After(o.end.Add(15*time.Second)) {
			return true
		}
	}
	return false
}

// runTrials runs the scenarios, Concurrency at a time, until Trials ran and no fault is still planned.
func runTrials(ctx context.Context, o Options, w *workload, inj *injector) []*trial {
	var (
		mu  sync.Mutex
		out []*trial
		wg  sync.WaitGroup
	)
	sem := make(chan struct{}, o.Concurrency)
	// While faults are still to come, scenarios keep starting, bounded by time rather than by a count: on
	// a quiet machine a few hundred scenarios end before the last planned fault's pause is over.
	start := time.Now()
	more := func(i int) bool {
		return i < o.Trials || inj.remaining() > 0 && time.Since(start) < 10*time.Minute
	}
	for i := 0; ctx.Err() == nil && more(i); i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			tctx, cancel := context.WithTimeout(ctx, o.TrialTimeout)
			defer cancel()
			t := w.trial(tctx, i)
			mu.Lock()
			out = append(out, t)
			n := len(out)
			mu.Unlock()
			if n%10 == 0 {
				fmt.Fprintf(o.Out, "%d trials done\n", n)
			}
		}()
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].label < out[j].label })
	return out
}

// Print writes the result's table and, below it, every finding.
func (r Result) Print(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| trials | requests (attempts) | answered 2xx | faults worker / api / temporal / postgres | lost | duplicated | stuck | 5xx not 503-in-outage | 503 in outage | mail keys (received) | mail lost / twice | effects after last fault |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	fmt.Fprintf(w, "| %d (%d failed) | %d (%d) | %d | %d / %d / %d / %d | %d | %d | %d | %d | %d | %d (%d) | %d / %d | %.1f s |\n",
		r.Trials, r.FailedTrials, r.Requests, r.Attempts, r.Answer, r.Faults[FaultWorker], r.Faults[FaultAPI],
		r.Faults[FaultTemporal], r.Faults[FaultPostgres], len(r.Lost), len(r.Duplicated), len(r.Stuck), len(r.Bad5xx),
		r.Outage503, r.MailKeys, r.MailsReceived, len(r.MailLost), len(r.MailDuplicated), r.AfterLastFault.Seconds())
	fmt.Fprintf(w, "\nran %s\n", r.Elapsed.Round(time.Second))
	if r.MailResent > 0 {
		fmt.Fprintf(w, "\nmail sent again, under the same Message-ID, after its worker was killed between the send and "+
			"its log row: %d\n", r.MailResent)
	}
	for _, sec := range []struct {
		name string
		list []string
	}{{"lost", r.Lost}, {"duplicated", r.Duplicated}, {"stuck", r.Stuck}, {"unexpected 5xx", r.Bad5xx},
		{"mail never received", r.MailLost}, {"mail received twice", r.MailDuplicated}, {"failures", r.Failures}} {
		if len(sec.list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d):\n  %s\n", sec.name, len(sec.list), strings.Join(first(sec.list, 30), "\n  "))
	}
}

func first(l []string, n int) []string {
	if len(l) > n {
		return append(l[:n:n], fmt.Sprintf("… and %d more", len(l)-n))
	}
	return l
}
