package loadtest

import (
	"context"
	"log"
	"log/slog"
	"net/http/httptest"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// inProcessSecret is the HS256 secret of ServeAPI's server: it lives only as long as the tool's run.
const inProcessSecret = "bench-in-process-secret-bench-in-process-1234"

// ServeAPI serves the API on db from this process, verifying HS256 tokens, for the tools that time the
// API's reads on a scratch database of their own without a stack (nothing here starts a process). It
// returns a client whose tokens that server accepts and a function that stops the server.
func ServeAPI(ctx context.Context, db *gorm.DB) (*Client, func()) {
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: inProcessSecret})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{DB: db, Verifier: v, Log: slog.New(slog.DiscardHandler),
		ProvisionSLA: models.DefaultProvisionSLA}).Handler())
	return newClient(srv.URL, []byte(inProcessSecret), ""), srv.Close
}
