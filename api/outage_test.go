package api_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/models"
)

// A database that does not answer is a 503, as the README documents, on every kind of route, and the
// answer tells nothing of what is behind it (the connection string above all).
func TestDatabaseOutageAnswers503(t *testing.T) {
	h := newHarness(t)
	const dsn = "postgres://clc:s3cret@127.0.0.1:1/clc?sslmode=disable&connect_timeout=1"
	down, err := gorm.Open(postgres.Open(dsn), &gorm.Config{DisableAutomaticPing: true, Logger: logger.Discard, TranslateError: true})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = api.New(api.Options{DB: down, Processes: h.fake, Verifier: h.v, Log: discard}).Handler()
	tok := h.token("alice@acme.com")
	for _, path := range []string{"/api/v1/me", "/api/v1/smart-accounts/" + models.NewID(), "/api/v1/orders"} {
		rec := h.do(http.MethodGet, path, tok, nil)
		e := errorOf(t, rec, http.StatusServiceUnavailable)
		if e.Code != models.CodeUnavailable || strings.Contains(rec.Body.String(), "s3cret") || strings.Contains(rec.Body.String(), "127.0.0.1") {
			t.Errorf("%s: %s", path, rec.Body)
		}
	}
	raw, _ := models.LinkToken(linkSecret, "any/mail/key")
	p := parsePage(t, h.do(http.MethodGet, "/a/"+raw, "", nil), http.StatusServiceUnavailable)
	if strings.Contains(p.body, "s3cret") {
		t.Errorf("the link page shows the connection string")
	}
	if rec := h.do(http.MethodGet, "/readyz", "", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz %d", rec.Code)
	}
}

// A NUL byte in an id names nothing that can exist: 404, as any unknown id, not a database error.
func TestControlCharactersInTheAddress(t *testing.T) {
	h := newHarness(t)
	tok := h.token("alice@acme.com")
	for _, path := range []string{"/api/v1/smart-accounts/%00", "/api/v1/smart-accounts/x%00y/events"} {
		if e := errorOf(t, h.do(http.MethodGet, path, tok, nil), http.StatusNotFound); e.Code != models.CodeNotFound {
			t.Errorf("%s: %+v", path, e)
		}
	}
	if e := errorOf(t, h.do(http.MethodGet, "/api/v1/smart-accounts?name=a%00b", tok, nil), http.StatusBadRequest); e.Field != "name" {
		t.Errorf("query: %+v", e)
	}
	parsePage(t, h.do(http.MethodGet, "/a/x%00y", "", nil), http.StatusNotFound)
}
