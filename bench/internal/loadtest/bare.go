package loadtest

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/licensecentral/clc/internal/fulfillment"
)

// Quiet is the logger of the benchmarks' own clients and simulators: their lines would drown the report.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// LatencyFlag declares -latency, the fulfillment latency of both sides a tool compares: the stack's
// simulator (SetFulfillment) and its bare workflow's (StartBare).
func LatencyFlag() *time.Duration {
	return flag.Duration("latency", 20*time.Millisecond, "fulfillment latency for both")
}

// Bare runs the bare workflows a benchmark compares a flow with: a client and a worker on the flow's
// Temporal server, and a fulfillment simulator of the flow's latency for their deposit activities.
type Bare struct {
	Client client.Client
	w      worker.Worker
	sim    *fulfillment.Simulator
}

// StartBare dials the server, starts the simulator and a worker on queue; register adds the bare
// workflow and its activities, given the simulator's client.
func StartBare(address, namespace, queue string, latency time.Duration,
	register func(w worker.Worker, ful *fulfillment.Client)) (*Bare, error) {
	c, err := client.Dial(client.Options{HostPort: address, Namespace: namespace, Logger: sdklog.NewStructuredLogger(Quiet)})
	if err != nil {
		return nil, fmt.Errorf("dial temporal %s: %w", address, err)
	}
	sim := fulfillment.NewSimulator(Quiet)
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		c.Close()
		return nil, err
	}
	sim.Set(fulfillment.Control{LatencyMs: int(latency / time.Millisecond)})
	w := worker.New(c, queue, worker.Options{})
	register(w, &fulfillment.Client{BaseURL: url})
	if err := w.Start(); err != nil {
		_ = sim.Close()
		c.Close()
		return nil, fmt.Errorf("start the bare worker: %w", err)
	}
	return &Bare{Client: c, w: w, sim: sim}, nil
}

// Close stops the worker, the simulator and the client.
func (b *Bare) Close() {
	b.w.Stop()
	_ = b.sim.Close()
	b.Client.Close()
}
