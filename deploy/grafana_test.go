package deploy

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/metrics"
)

const dashboardFile = "grafana/clc.json"

// dashboard is the part of a Grafana dashboard the checks read; panels of kind row nest theirs.
type dashboard struct {
	Title  string  `json:"title"`
	UID    string  `json:"uid"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

// metricName is a name in a PromQL expression that is one of ours or the SDK's (clc_, temporal_):
// function names, label names and values never start so.
var metricName = regexp.MustCompile(`\b(?:clc|temporal)_[a-zA-Z0-9_]+`)

// quoted drops the string literals (label values, regexps) of an expression before names are looked for.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// dashboardMetrics are the metrics each panel of the dashboard queries, by panel title.
func dashboardMetrics(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.Title == "" || d.UID == "" {
		t.Errorf("%s: want a title and a uid (the uid keeps links to it stable across imports)", dashboardFile)
	}
	out := map[string][]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q queries nothing", dashboardFile, p.Title)
			}
			if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
				t.Errorf("%s: panel %q: want the datasource {prometheus, ${datasource}} (the variable picks it at import)",
					dashboardFile, p.Title)
			}
			for _, tg := range p.Targets {
				names := metricName.FindAllString(quoted.ReplaceAllString(tg.Expr, `""`), -1)
				if len(names) == 0 {
					t.Errorf("%s: panel %q: %q queries no clc_ or temporal_ metric", dashboardFile, p.Title, tg.Expr)
				}
				out[p.Title] = append(out[p.Title], names...)
			}
		}
	}
	walk(d.Panels)
	return out
}

// describing is a Registerer that keeps the names of what is registered on it, from each collector's
// descriptions, so collectors that read the database at each scrape need none to be named.
type describing struct{ names map[string]dto.MetricType }

func (r *describing) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		// A Desc shows its name only in its String: Desc{fqName: "clc_…", …}.
		m := regexp.MustCompile(`fqName: "([^"]+)"`).FindStringSubmatch(d.String())
		if m != nil {
			kind := dto.MetricType_GAUGE
			switch c.(type) {
			case *prometheus.CounterVec:
				kind = dto.MetricType_COUNTER
			case *prometheus.HistogramVec:
				kind = dto.MetricType_HISTOGRAM
			}
			r.names[m[1]] = kind
		}
	}
	return nil
}

func (r *describing) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *describing) Unregister(prometheus.Collector) bool { return false }

// registeredClc are the clc_ metrics the program registers, with their kind: those of internal/metrics
// (what app.App registers) and the api's HTTP histogram, read from a registry after one request.
func registeredClc(t *testing.T) map[string]dto.MetricType {
	t.Helper()
	r := &describing{names: map[string]dto.MetricType{}}
	metrics.NewFulfillment(r)
	metrics.NewEvents(r)
	metrics.RegisterProvisioning(r, nil, nil)
	metrics.RegisterBusiness(r, nil, nil)
	reg := prometheus.NewRegistry()
	srv := api.New(api.Options{Registry: reg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv.ProbeHandler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), "clc_") {
			r.names[mf.GetName()] = mf.GetType()
		}
	}
	if _, ok := r.names["clc_http_request_duration_seconds"]; !ok {
		t.Fatalf("the api's HTTP histogram not found among %v", sortedKeys(r.names))
	}
	return r.names
}

// sdkMetricNames are the metric names the Temporal SDK defines (its internal constants, read from the
// module's source: the SDK registers them only once a worker runs).
func sdkMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk").Output()
	if err != nil {
		t.Fatalf("go list -m go.temporal.io/sdk: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "internal", "common", "metrics", "constants.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var eval func(ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			s, ok := consts[e.Name]
			return s, ok
		case *ast.BinaryExpr:
			a, okA := eval(e.X)
			b, okB := eval(e.Y)
			return a + b, okA && okB && e.Op == token.ADD
		}
		return "", false
	}
	names := map[string]bool{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if s, ok := eval(vs.Values[i]); ok {
						consts[n.Name] = s
						if strings.HasPrefix(s, "temporal_") && s != "temporal_" {
							names[s] = true
						}
					}
				}
			}
		}
	}
	if !names["temporal_worker_task_slots_available"] {
		t.Fatalf("%s: the SDK's metric names not found (%d read)", file, len(names))
	}
	return names
}

// exported is the name one of the SDK's metrics gets on /metrics through metrics.TemporalHandler (the
// handler the program gives the SDK), made as the kind the dashboard's suffix says.
func exported(t *testing.T, sdkName, kind string) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	h, closer := metrics.TemporalHandler(reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	switch kind {
	case "counter":
		h.Counter(sdkName).Inc(1)
	case "timer":
		h.Timer(sdkName).Record(time.Millisecond)
	default:
		h.Gauge(sdkName).Update(1)
	}
	var got []string
	deadline := time.Now().Add(5 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), "temporal") {
				got = append(got, mf.GetName())
			}
		}
	}
	_ = closer.Close()
	if len(got) != 1 {
		t.Fatalf("the SDK's %s %s reached the registry as %v", kind, sdkName, got)
	}
	return got[0]
}

// TestDashboardQueriesRegisteredMetrics: every metric the Grafana dashboard queries is one the program
// registers under that name (histograms through _bucket, _sum or _count), so renaming a metric fails
// here instead of leaving an empty panel.
func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	byPanel := dashboardMetrics(t)
	clc := registeredClc(t)
	sdk := sdkMetricNames(t)
	queried := map[string]bool{}
	for _, title := range sortedKeys(byPanel) {
		for _, name := range byPanel[title] {
			if queried[name] {
				continue
			}
			queried[name] = true
			base, suffix := name, ""
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				if strings.HasSuffix(name, s) {
					base, suffix = strings.TrimSuffix(name, s), s
				}
			}
			if strings.HasPrefix(name, "clc_") {
				kind, ok := clc[name]
				if !ok {
					kind, ok = clc[base]
					if ok && kind != dto.MetricType_HISTOGRAM {
						ok = false
					}
				} else if kind == dto.MetricType_HISTOGRAM {
					ok = false // a histogram is queried through its series, never by its bare name
				}
				if !ok {
					t.Errorf("panel %q queries %s, which the program does not register (it registers %v)",
						title, name, sortedKeys(clc))
				}
				continue
			}
			// temporal_: the SDK's name plus what the naming scope adds (_total to counters, _seconds to
			// timers), a timer being a histogram.
			kind, sdkName := "gauge", name
			switch {
			case suffix != "" && strings.HasSuffix(base, "_seconds"):
				kind, sdkName = "timer", strings.TrimSuffix(base, "_seconds")
			case suffix == "" && strings.HasSuffix(name, "_total"):
				kind, sdkName = "counter", strings.TrimSuffix(name, "_total")
			}
			if !sdk[sdkName] {
				t.Errorf("panel %q queries %s: the SDK has no metric %s", title, name, sdkName)
				continue
			}
			if got := exported(t, sdkName, kind); got != strings.TrimSuffix(name, suffix) {
				t.Errorf("panel %q queries %s, but the SDK's %s %s is exported as %s", title, name, kind, sdkName, got)
			}
		}
	}
	for _, want := range []string{"clc_processes_open", "clc_tasks_pending", "clc_tasks_oldest_seconds", "clc_mails_total",
		"clc_links_total", "clc_http_request_duration_seconds_bucket", "temporal_worker_task_slots_available",
		"temporal_workflow_task_schedule_to_start_latency_seconds_bucket",
		"temporal_activity_schedule_to_start_latency_seconds_bucket"} {
		if !queried[want] {
			t.Errorf("the dashboard has no panel on %s", want)
		}
	}
}
