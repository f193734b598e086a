package metrics

import (
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// temporalBuckets are the buckets of the SDK's latencies (schedule-to-start, task execution, polls):
// from a few milliseconds to the minute a long poll lasts.
var temporalBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// TemporalHandler is the Temporal SDK's metrics handler writing to reg: the worker's task slots
// (temporal_worker_task_slots_available/used), schedule-to-start latencies
// (temporal_workflow_task_schedule_to_start_latency_seconds, temporal_activity_schedule_to_start_latency_seconds),
// failures (temporal_workflow_task_execution_failed_total, temporal_activity_execution_failed_total),
// poll and request counts, all under the temporal_ prefix. Counters reach reg within a second; Close
// stops the reporting. A metric reg refuses (a name already taken with other labels) is logged once.
func TemporalHandler(reg prometheus.Registerer, log *slog.Logger) (client.MetricsHandler, io.Closer) {
	if log == nil {
		log = slog.Default()
	}
	var once sync.Once
	reporter := tallyprom.NewReporter(tallyprom.Options{Registerer: reg, DefaultTimerType: tallyprom.HistogramTimerType,
		DefaultHistogramBuckets: temporalBuckets, OnRegisterError: func(err error) {
			once.Do(func() { log.Warn("a Temporal SDK metric was not registered", "error", err) })
		}})
	// No scope prefix: the SDK's names already start with temporal_ (a prefix made them temporal_temporal_…).
	scope, closer := tally.NewRootScope(tally.ScopeOptions{CachedReporter: reporter, Separator: tallyprom.DefaultSeparator,
		SanitizeOptions: &tallyprom.DefaultSanitizerOpts}, time.Second)
	return sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), closer
}
