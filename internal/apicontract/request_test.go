package apicontract_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/apicontract"
)

// CheckRequest refuses a body a client could not rely on the server to take: a member the schema does
// not name, a required one left out, a value of another type or outside its enum, a body where the
// operation takes none; it leaves alone what it cannot judge (other paths, unknown routes).
func TestCheckRequestRefusesWhatTheDocumentDoesNotDescribe(t *testing.T) {
	c, err := apicontract.Load(api.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	const decide = "/api/v1/smart-accounts/abc/decision"
	cases := []struct {
		name, method, path, ct, body string
		ok                           bool
	}{
		{"as documented", http.MethodPost, decide, "application/json", `{"decision":"APPROVE","reason":"fine"}`, true},
		{"unknown member", http.MethodPost, decide, "application/json", `{"decision":"APPROVE","comment":"x"}`, false},
		{"required member missing", http.MethodPost, decide, "application/json", `{"reason":"fine"}`, false},
		{"outside the enum", http.MethodPost, decide, "application/json", `{"decision":"MAYBE"}`, false},
		{"wrong type", http.MethodPost, decide, "application/json", `{"decision":true}`, false},
		{"not JSON", http.MethodPost, decide, "application/json", `{"decision":`, false},
		{"no body where one is required", http.MethodPost, decide, "application/json", ``, false},
		{"a content type not listed", http.MethodPost, decide, "text/plain", `{"decision":"APPROVE"}`, false},
		{"a body where none is taken", http.MethodGet, "/api/v1/smart-accounts/abc", "application/json", `{"x":1}`, false},
		{"no body where none is taken", http.MethodGet, "/api/v1/smart-accounts/abc", "", ``, true},
		{"optional body left out", http.MethodDelete, "/api/v1/orders/WO-1/delegations/d-1", "", ``, true},
		{"unknown route", http.MethodPost, "/api/v1/nothing", "application/json", `{"x":1}`, true},
		{"outside /api/v1", http.MethodPost, "/a/token", "application/x-www-form-urlencoded", `decision=APPROVE`, true},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.ct != "" {
			req.Header.Set("Content-Type", tc.ct)
		}
		err := c.CheckRequest(req, []byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
