package fulfillment_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/licensecentral/clc/internal/fulfillment"
)

// call sends a raw request, as curl would, and decodes the JSON answer into a map.
func call(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body)))
	raw, _ := io.ReadAll(rec.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s answered %d with a body that is not a JSON object: %s", method, path, rec.Code, raw)
	}
	return rec.Code, m
}

// errorOf returns the code and field of an {"error":{...}} answer.
func errorOf(t *testing.T, m map[string]any) (code, field string) {
	t.Helper()
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("answer %v has no error object", m)
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("error %v has no message", e)
	}
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

const wireDeposit = `{"orderId":"WO-2001","lineId":"1","sku":"C9300-DNA-E-24-3Y","quantity":2,
	"smartAccountId":"sa-acme","virtualAccountId":"va-default","startsAt":"2026-12-01T00:00:00Z"}`

func TestWireContractOfADeposit(t *testing.T) {
	sim := fulfillment.NewSimulator(nil)

	status, first := call(t, sim, "POST", "/v1/entitlements", wireDeposit)
	if status != http.StatusCreated {
		t.Fatalf("first deposit: %d %v, want 201", status, first)
	}
	var keys []string
	for k := range first {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// endsAt was left out, so the entitlement has none.
	want := []string{"depositedAt", "entitlementId", "lineId", "orderId", "quantity", "sku", "smartAccountId",
		"startsAt", "virtualAccountId"}
	if !slices.Equal(keys, want) {
		t.Errorf("entitlement fields = %v, want %v", keys, want)
	}

	status, again := call(t, sim, "POST", "/v1/entitlements", wireDeposit)
	if status != http.StatusOK || again["entitlementId"] != first["entitlementId"] {
		t.Errorf("repeat: %d %v, want 200 with entitlement %v", status, again, first["entitlementId"])
	}

	status, conflict := call(t, sim, "POST", "/v1/entitlements", strings.Replace(wireDeposit, `"quantity":2`,
		`"quantity":5`, 1))
	if code, _ := errorOf(t, conflict); status != http.StatusConflict || code != "CONFLICT" {
		t.Errorf("changed repeat: %d %v, want 409 CONFLICT", status, conflict)
	}

	status, got := call(t, sim, "GET", "/v1/entitlements/WO-2001/1", "")
	if status != http.StatusOK || got["entitlementId"] != first["entitlementId"] {
		t.Errorf("GET: %d %v, want 200 with the entitlement", status, got)
	}
	status, none := call(t, sim, "GET", "/v1/entitlements/WO-2001/2", "")
	if code, _ := errorOf(t, none); status != http.StatusNotFound || code != "NOT_FOUND" {
		t.Errorf("GET of another line: %d %v, want 404 NOT_FOUND", status, none)
	}
}

func TestBadDepositBodiesAre400sNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
	}{
		{"empty body", ``, ""},
		{"not JSON", `{"orderId":`, ""},
		{"not an object", `["WO-1"]`, ""},
		{"unknown field", strings.Replace(wireDeposit, `"sku"`, `"skew"`, 1), "skew"},
		{"wrong type", strings.Replace(wireDeposit, `"quantity":2`, `"quantity":"two"`, 1), "quantity"},
		{"missing sku", strings.Replace(wireDeposit, `"sku":"C9300-DNA-E-24-3Y",`, ``, 1), "sku"},
		{"blank line id", strings.Replace(wireDeposit, `"lineId":"1"`, `"lineId":" "`, 1), "lineId"},
		{"no quantity", strings.Replace(wireDeposit, `"quantity":2`, `"quantity":0`, 1), "quantity"},
		{"bad start", strings.Replace(wireDeposit, `2026-12-01T00:00:00Z`, `1 Dec 2026`, 1), "startsAt"},
		{"end before start", strings.Replace(wireDeposit, `"startsAt"`, `"endsAt":"2026-01-01T00:00:00Z","startsAt"`,
			1), "endsAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := fulfillment.NewSimulator(nil)
			status, m := call(t, sim, "POST", "/v1/entitlements", tc.body)
			code, field := errorOf(t, m)
			if status != http.StatusBadRequest || code != "INVALID" || field != tc.field {
				t.Errorf("answer %d %v, want 400 INVALID on field %q", status, m, tc.field)
			}
			if len(sim.Entitlements()) != 0 {
				t.Errorf("a bad body deposited %v", sim.Entitlements())
			}
		})
	}
}

func TestDownAndRejectedOnTheWire(t *testing.T) {
	sim := fulfillment.NewSimulator(nil)
	sim.Set(fulfillment.Control{Down: true})
	status, m := call(t, sim, "POST", "/v1/entitlements", wireDeposit)
	if code, _ := errorOf(t, m); status != http.StatusServiceUnavailable || code != "UNAVAILABLE" {
		t.Errorf("deposit while down: %d %v, want 503 UNAVAILABLE", status, m)
	}
	sim.Set(fulfillment.Control{RejectSKUs: []string{"C9300-DNA-E-24-3Y"}})
	status, m = call(t, sim, "POST", "/v1/entitlements", wireDeposit)
	if code, _ := errorOf(t, m); status != http.StatusUnprocessableEntity || code != "SKU_REJECTED" {
		t.Errorf("deposit of a rejected SKU: %d %v, want 422 SKU_REJECTED", status, m)
	}
	if a, n := sim.Attempts("WO-2001", "1"), sim.Deposits("WO-2001", "1"); a != 2 || n != 0 {
		t.Errorf("attempts, deposits = %d, %d; want 2, 0", a, n)
	}
}
