package apicontract_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/apicontract"
)

// The checker refuses what a client could not rely on: a status the operation does not list, a member
// the schema does not have, one it requires missing, a route the document does not know.
func TestCheckRefusesWhatTheDocumentDoesNotSay(t *testing.T) {
	c, err := apicontract.Load(api.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	get := httptest.NewRequest(http.MethodGet, "/api/v1/smart-accounts/abc/virtual-accounts/tree", nil)
	json := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		body   string
		ok     bool
	}{
		{"as documented", get, 200, `{"smartAccountId":"abc","virtualAccounts":[]}`, true},
		{"documented error", get, 404, `{"error":{"code":"NOT_FOUND","message":"no Smart Account abc"}}`, true},
		{"status not listed", get, 201, `{"smartAccountId":"abc","virtualAccounts":[]}`, false},
		{"required member missing", get, 200, `{"virtualAccounts":[]}`, false},
		{"wrong type", get, 200, `{"smartAccountId":1,"virtualAccounts":[]}`, false},
		{"unknown member of a generated schema", get, 200,
			`{"smartAccountId":"abc","virtualAccounts":[{"id":"v","smartAccountId":"abc","parentId":null,"name":"n",` +
				`"description":"","isDefault":true,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",` +
				`"children":[],"secret":"x"}]}`, false},
		{"error without its code", get, 404, `{"error":{"message":"no"}}`, false},
		{"undocumented route", httptest.NewRequest(http.MethodGet, "/api/v1/nothing", nil), 200, `{}`, false},
		{"unknown route answered 404", httptest.NewRequest(http.MethodGet, "/api/v1/nothing", nil), 404, `{}`, true},
		{"outside /api/v1", httptest.NewRequest(http.MethodGet, "/healthz", nil), 200, `{"status":"ok"}`, true},
	}
	for _, tc := range cases {
		err := c.Check(tc.req, tc.status, json, []byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// Through Transport, an answer that breaks the contract fails the request with ErrContract.
func TestTransportFailsTheRequest(t *testing.T) {
	c, err := apicontract.Load(api.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/users") {
			_, _ = w.Write([]byte(`{"users":"nobody"}`))
			return
		}
		_, _ = w.Write([]byte(`{"users":[]}`))
	}))
	defer srv.Close()
	client := &http.Client{Transport: c.Transport(nil)}
	resp, err := client.Get(srv.URL + "/api/v1/smart-accounts/abc/users")
	if err == nil || !errors.Is(err, apicontract.ErrContract) {
		t.Fatalf("broken answer: %v %v", resp, err)
	}
	resp, err = client.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
}
