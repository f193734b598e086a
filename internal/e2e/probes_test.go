package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"github.com/licensecentral/clc/internal/app"
	"github.com/licensecentral/clc/internal/config"
)

// /readyz of a real API asks its real Temporal server: ready while it runs, 503 naming Temporal once
// it is stopped (the database still answers), so a load balancer takes the copy out of rotation.
func TestReadyzFailsWhenTemporalIsDown(t *testing.T) {
	cfg, tc, stopTemporal := ownTemporal(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{Config: cfg, DB: sys.db, Temporal: tc, RunAPI: true, Listener: l,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	url := "http://" + l.Addr().String() + "/readyz"
	if code, body := readyz(t, url); code != http.StatusOK || body.Checks["temporal"] != "ok" {
		t.Fatalf("temporal up: %d %+v", code, body)
	}
	stopTemporal()
	awaitUnready(t, url, "/readyz")
}

// ownTemporal starts a Temporal server for one test, which the test may stop (the readiness tests do),
// and returns the suite's config on its namespace, its client, and stop: stop stops the server once,
// and the test's cleanup stops it when the test did not.
func ownTemporal(t *testing.T) (config.Config, client.Client, func()) {
	t.Helper()
	ts := temporaltest.NewServer()
	var once sync.Once
	stop := func() { once.Do(ts.Stop) }
	t.Cleanup(stop)
	cfg := sys.cfg
	cfg.TemporalNamespace = ts.GetDefaultNamespace()
	return cfg, ts.GetDefaultClient(), stop
}

// awaitUnready waits, after Temporal stopped, for url to answer 503 naming Temporal with the database
// still ok; who names the probe in a failure.
func awaitUnready(t *testing.T, url, who string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := readyz(t, url)
		if code == http.StatusServiceUnavailable {
			if body.Status != "temporal unreachable" || body.Checks["temporal"] != "unreachable" || body.Checks["database"] != "ok" {
				t.Fatalf("temporal down: %+v", body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still answers %d %+v 20 s after Temporal stopped", who, code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func readyz(t *testing.T, url string) (int, readiness) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var r readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, r
}
