package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/licensecentral/clc/internal/app"
)

// `clc worker`'s /readyz (on CLC_WORKER_LISTEN_ADDR) asks its real Temporal server, as the API's does
// (TestReadyzFailsWhenTemporalIsDown): ready while it runs, 503 naming Temporal once it is stopped
// (the database still answers), so the orchestrator sees a worker that can poll nothing.
func TestWorkerReadyzFailsWhenTemporalIsDown(t *testing.T) {
	cfg, tc, stopTemporal := ownTemporal(t)
	cfg.WorkerListenAddr = "127.0.0.1:0"
	cfg.PublicURL = sys.app.Config.PublicURL
	a := &app.App{Config: cfg, DB: sys.db, Temporal: tc, RunWorker: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	url := "http://" + a.ProbeAddr() + "/readyz"
	if code, body := readyz(t, url); code != http.StatusOK || body.Checks["temporal"] != "ok" || body.Checks["database"] != "ok" {
		t.Fatalf("temporal up: %d %+v", code, body)
	}
	stopTemporal()
	awaitUnready(t, url, "the worker's /readyz")
}
