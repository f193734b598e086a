package faultsuite

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Fault kinds.
const (
	FaultWorker   = "worker"
	FaultAPI      = "api"
	FaultTemporal = "temporal"
	FaultPostgres = "postgres"
)

// outage is one injected fault, from the kill to the moment the component answered again.
type outage struct {
	kind       string
	start, end time.Time
}

// injector kills and restarts the stack's parts at random moments, one at a time.
type injector struct {
	s    *stack
	o    Options
	rng  *rand.Rand
	mu   sync.Mutex
	done []outage
	// planned counts the faults still to inject per kind.
	planned map[string]int
	errs    []error
}

func newInjector(s *stack, o Options, rng *rand.Rand) *injector {
	return &injector{s: s, o: o, rng: rng, planned: map[string]int{FaultWorker: o.FaultsPerKind, FaultAPI: o.FaultsPerKind,
		FaultTemporal: o.FaultsPerKind, FaultPostgres: o.PostgresRestarts}}
}

// remaining is how many planned faults are still to come.
func (in *injector) remaining() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, v := range in.planned {
		n += v
	}
	return n
}

func (in *injector) outages() []outage {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]outage(nil), in.done...)
}

// run injects the planned faults in a random order, each after a random pause, until none is left or
// ctx ends.
func (in *injector) run(ctx context.Context) {
	for in.remaining() > 0 {
		gap := in.o.FaultGap/2 + time.Duration(in.rng.Int63n(int64(in.o.FaultGap)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(gap):
		}
		var choices []string
		in.mu.Lock()
		for _, k := range []string{FaultWorker, FaultAPI, FaultTemporal, FaultPostgres} {
			if in.planned[k] > 0 {
				choices = append(choices, k)
			}
		}
		in.mu.Unlock()
		kind := choices[in.rng.Intn(len(choices))]
		o, err := in.inject(kind)
		in.mu.Lock()
		in.planned[kind]--
		in.done = append(in.done, o)
		if err != nil {
			in.errs = append(in.errs, err)
		}
		in.mu.Unlock()
		fmt.Fprintf(in.o.Out, "fault %-8s down %5.1fs\n", kind, o.end.Sub(o.start).Seconds())
	}
}

// inject causes one fault and waits until the component is back.
func (in *injector) inject(kind string) (outage, error) {
	o := outage{kind: kind, start: time.Now()}
	// A killed process stays down a random 0.2–2 s before its supervisor starts it again.
	pause := 200*time.Millisecond + time.Duration(in.rng.Int63n(int64(1800*time.Millisecond)))
	var err error
	switch kind {
	case FaultWorker:
		w := in.s.workers[in.rng.Intn(len(in.s.workers))]
		w.kill(pause)
		time.Sleep(pause)
	case FaultAPI:
		in.s.api.kill(pause)
		err = in.s.api.waitReady(2 * time.Minute)
	case FaultTemporal:
		in.s.temporal.kill(pause)
		err = in.s.temporal.waitReady(3 * time.Minute)
	case FaultPostgres:
		err = restartPostgres(in.o.PostgresCluster)
	}
	o.end = time.Now()
	if err != nil {
		err = fmt.Errorf("%s did not come back: %w", kind, err)
	}
	return o, err
}

// restartPostgres restarts the cluster with a fast shutdown (every connection cut, no checkpoint wait)
// and waits until it accepts connections again.
func restartPostgres(cluster []string) error {
	args := append([]string{"--skip-systemctl-redirect"}, cluster...)
	args = append(args, "restart", "-m", "fast")
	cmd := exec.Command("pg_ctlcluster", args...)
	if os.Geteuid() != 0 {
		cmd = exec.Command("sudo", append([]string{"-n", "pg_ctlcluster"}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctlcluster restart: %w: %s", err, out)
	}
	deadline := time.Now().Add(time.Minute)
	for exec.Command("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432").Run() != nil {
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL not accepting connections a minute after its restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}
