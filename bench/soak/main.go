// Command soak runs Smart Account creations (the auto-activation path) round after round against a
// running stack and prints, per round, the throughput, the latency and the resident memory (VmRSS from
// /proc/<pid>/status) of the stack's processes, so growth without bound or a throughput that sags over a
// long run shows (issue 10, item 5). With -temporal, each round also times a bare workflow of the
// creation's shape (counted from a real creation's history) on the same Temporal server and prints the
// ratio, since this machine's absolute rates drift.
//
//	go run ./bench/soak -url http://127.0.0.1:18190 -secret-file /tmp/perfdev/dev-secret \
//	  -temporal 127.0.0.1:17390 -pid dev=$(pgrep -f 'clc-dev -data /tmp/perfdev') -clients 16 -per-round 3000 -rounds 10
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

// pids are the processes watched: name=pid, given once each.
type pids []struct {
	name string
	pid  int
}

func (p *pids) String() string { return fmt.Sprint(*p) }

func (p *pids) Set(v string) error {
	name, num, ok := strings.Cut(v, "=")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return fmt.Errorf("-pid wants name=pid, not %q", v)
	}
	*p = append(*p, struct {
		name string
		pid  int
	}{name, n})
	return nil
}

func main() {
	api := loadtest.Flags()
	var watch pids
	flag.Var(&watch, "pid", "a process to watch, name=pid (repeat: -pid api=1 -pid worker=2)")
	var (
		clients  = flag.Int("clients", 16, "concurrent clients")
		perRound = flag.Int("per-round", 3000, "creations per round")
		rounds   = flag.Int("rounds", 10, "rounds")
		address  = flag.String("temporal", "", "Temporal frontend of the stack: time a bare workflow each round too")
		bareN    = flag.Int("bare", 300, "bare workflows per round (with -temporal)")
	)
	flag.Parse()
	b := api()
	ctx := context.Background()

	var (
		c     client.Client
		queue = "soak-" + b.Run
		shape loadtest.BareInput
	)
	if *address != "" {
		var stop func()
		c, stop = loadtest.StartShapeWorker(*address, "", queue)
		defer stop()
		probe := fmt.Sprintf("owner@soak-%s-probe.com", b.Run)
		if _, err := create(b, probe); err != nil {
			log.Fatalf("probe: %v", err)
		}
		time.Sleep(2 * time.Second)
		var counts map[string]int
		shape, counts = loadtest.ShapeOf(ctx, c, "sa-create/"+loadtest.RequestID(probe, "c"))
		fmt.Printf("creation's history %v; bare shape %+v\n", counts, shape)
	}

	fmt.Printf("%d rounds of %d creations, %d clients; RSS in MB after each round\n", *rounds, *perRound, *clients)
	fmt.Printf("start: %s\n", rss(watch))
	var first, low, high float64
	peak := map[string]int{}
	for r := range *rounds {
		lat, elapsed, failed := loadtest.Parallel(*clients, *perRound, func(i int) (time.Duration, error) {
			return create(b, fmt.Sprintf("owner@soak-%s-%d-%d.com", b.Run, r, i))
		})
		rate := float64(*perRound) / elapsed.Seconds()
		if r == 0 {
			first, low, high = rate, rate, rate
		}
		low, high = min(low, rate), max(high, rate)
		line := fmt.Sprintf("round %2d: %6d created, %6.1f/s (%.2f of round 1), p50 %s p99 %s, failed %d",
			r+1, (r+1)**perRound, rate, rate/first, pct(lat, .5), pct(lat, .99), failed)
		if c != nil {
			_, bel, bfailed := loadtest.RunBare(ctx, c, queue, shape, 0, *clients, *bareN, fmt.Sprintf("%s-%d", b.Run, r))
			bare := float64(*bareN) / bel.Seconds()
			line += fmt.Sprintf("; bare %.1f/s, ratio %.2f (bare failed %d)", bare, rate/bare, bfailed)
		}
		now := rss(watch)
		for _, p := range watch {
			peak[p.name] = max(peak[p.name], rssOf(p.pid))
		}
		fmt.Printf("%s; %s\n", line, now)
	}
	fmt.Printf("throughput from %.1f to %.1f/s (spread %.0f %% of round 1); peak RSS", low, high, 100*(high-low)/first)
	for _, p := range watch {
		fmt.Printf(" %s %d MB", p.name, peak[p.name]>>10)
	}
	fmt.Println()
}

// create is one auto-activated creation: a new TLD, so the account is ACTIVE in the answer.
func create(b *loadtest.Client, email string) (time.Duration, error) {
	t := time.Now()
	st, body, err := b.DoWith(http.MethodPost, "/api/v1/smart-accounts", b.Token(email),
		loadtest.Account("Soak "+email, ""), "Idempotency-Key", "c")
	d := time.Since(t)
	if err == nil && (st != http.StatusAccepted || body["status"] != "ACTIVE") {
		err = fmt.Errorf("create %s: %d %v", email, st, body)
	}
	return d, err
}

func pct(lat []time.Duration, p float64) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))].Round(time.Millisecond)
}

// rss is "name N MB" for every watched process.
func rss(watch pids) string {
	var parts []string
	for _, p := range watch {
		parts = append(parts, fmt.Sprintf("%s %d MB", p.name, rssOf(p.pid)>>10))
	}
	return "RSS " + strings.Join(parts, ", ")
}

// rssOf is a process's resident set in KiB (0 when it is gone).
func rssOf(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
