package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/licensecentral/clc/internal/app"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// value is the sum of the samples of a metric whose line matches the pattern (name and labels).
func value(text, pattern string) float64 {
	re := regexp.MustCompile(`(?m)^` + pattern + `\s+(\S+)$`)
	sum := 0.0
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		sum += v
	}
	return sum
}

// An operator scraping /metrics sees the Temporal SDK's worker metrics beside the business gauges:
// task slots and schedule-to-start latencies, open processes by type and state, the tasks they wait for,
// the mails sent and the emailed links opened.
func TestMetricsScrapeShowsWorkerAndBusiness(t *testing.T) {
	// A second account of an active account's domain waits for its administrator's approval.
	tld, admin, _ := activeAccount(t, "metrics")
	name := "Metrics Labs " + uniq()
	provisionalAccount(t, tld, name, "labs."+tld)
	m := mailTo(t, admin.email, "Approve or decline the Smart Account request "+name)
	if st, _ := page(t, actionLink(t, m), nil); st != http.StatusOK {
		t.Fatalf("open link: %d", st)
	}
	var text string
	eventually(t, "the worker's and the business metrics", func() bool {
		text = scrape(t, sys.app.Config.PublicURL+"/metrics")
		return value(text, `clc_mails_total\{outcome="sent"\}`) >= 1 &&
			regexp.MustCompile(`(?m)^temporal_worker_task_slots_available\{`).MatchString(text) &&
			regexp.MustCompile(`(?m)^temporal_workflow_task_schedule_to_start_latency_seconds_bucket\{`).MatchString(text) &&
			value(text, `clc_links_total\{event="opened",purpose="[A-Z_]+"\}`) >= 1 &&
			value(text, `clc_processes_open\{state="[A-Z_]+",type="sa-create"\}`) >= 1 &&
			value(text, `clc_tasks_pending\{action="[a-z-]+",age="1h"\}`) >= 1
	})
	if !strings.Contains(text, `clc_business_scrape_error 0`) {
		t.Errorf("business gauges not read:\n%s", text)
	}
}

// `clc worker` alone serves its probes and metrics on CLC_WORKER_LISTEN_ADDR: ready while the database
// and Temporal answer, with the SDK's metrics.
func TestWorkerServesProbesAndMetrics(t *testing.T) {
	cfg := sys.cfg
	cfg.WorkerListenAddr = "127.0.0.1:0"
	cfg.PublicURL = sys.app.Config.PublicURL
	a := &app.App{Config: cfg, DB: sys.db, Temporal: sys.tc, RunWorker: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	base := "http://" + a.ProbeAddr()
	if code, r := readyz(t, base+"/readyz"); code != http.StatusOK || r.Checks["temporal"] != "ok" || r.Checks["database"] != "ok" {
		t.Fatalf("worker /readyz: %d %+v", code, r)
	}
	scrape(t, base+"/healthz")
	eventually(t, "the worker's SDK metrics", func() bool {
		return regexp.MustCompile(`(?m)^temporal_worker_task_slots_available\{`).MatchString(scrape(t, base+"/metrics"))
	})
}
