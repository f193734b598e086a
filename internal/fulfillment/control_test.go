package fulfillment_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/licensecentral/clc/internal/fulfillment"
)

func TestControlPutChangesOnlyTheFieldsItNames(t *testing.T) {
	sim := fulfillment.NewSimulator(nil)
	h := sim.ControlHandler()

	status, m := call(t, h, "GET", "/dev/fulfillment", "")
	if status != http.StatusOK {
		t.Fatalf("GET: %d %v", status, m)
	}
	initial := map[string]any{"down": false, "rejectSkus": []any{}, "latencyMs": 0.0}
	if got := m["control"]; !reflect.DeepEqual(got, initial) {
		t.Errorf("initial control = %v, want %v: up, no rejections, no latency", got, initial)
	}

	if status, m := call(t, h, "PUT", "/dev/fulfillment", `{"down":true}`); status != http.StatusOK {
		t.Fatalf("PUT down: %d %v", status, m)
	}
	if status, m := call(t, h, "PUT", "/dev/fulfillment", `{"rejectSkus":["BAD-1"],"latencyMs":5}`); status != 200 {
		t.Fatalf("PUT rejectSkus: %d %v", status, m)
	}
	want := fulfillment.Control{Down: true, RejectSKUs: []string{"BAD-1"}, LatencyMs: 5}
	if got := sim.Control(); got.Down != want.Down || !slices.Equal(got.RejectSKUs, want.RejectSKUs) ||
		got.LatencyMs != want.LatencyMs {
		t.Errorf("control = %+v, want %+v (the second PUT kept down)", got, want)
	}

	_, m = call(t, h, "PUT", "/dev/fulfillment", `{"down":false,"rejectSkus":[]}`)
	up := map[string]any{"down": false, "rejectSkus": []any{}, "latencyMs": 5.0}
	if got := m["control"]; !reflect.DeepEqual(got, up) {
		t.Errorf("after bringing it up, the PUT answered %v, want %v: latency kept", got, up)
	}
}

func TestControlGetCountsTheLines(t *testing.T) {
	sim := fulfillment.NewSimulator(nil)
	// A small latency still lets a patient client through.
	sim.Set(fulfillment.Control{LatencyMs: 1})
	for range 2 {
		if status, m := call(t, sim, "POST", "/v1/entitlements", wireDeposit); status >= 300 {
			t.Fatalf("deposit: %d %v", status, m)
		}
	}
	_, m := call(t, sim.ControlHandler(), "GET", "/", "")
	lines, _ := m["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("lines = %v, want one", m["lines"])
	}
	l := lines[0].(map[string]any)
	if l["orderId"] != "WO-2001" || l["lineId"] != "1" || l["attempts"] != 2.0 || l["deposits"] != 1.0 ||
		l["entitlementId"] != sim.Entitlements()[0].EntitlementID {
		t.Errorf("line = %v, want WO-2001/1 with 2 attempts, 1 deposit and its entitlement", l)
	}
}

func TestControlBadBodiesAre400sAndChangeNothing(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
	}{
		{"not JSON", `{"down":`, ""},
		{"empty", ``, ""},
		{"unknown field", `{"down":true,"slow":true}`, "slow"},
		{"down not a boolean", `{"down":"yes"}`, "down"},
		{"latency not a number", `{"latencyMs":"slow"}`, "latencyMs"},
		{"negative latency", `{"latencyMs":-1}`, "latencyMs"},
		{"huge latency", `{"latencyMs":3600000}`, "latencyMs"},
		{"rejectSkus not a list", `{"rejectSkus":"BAD-1"}`, "rejectSkus"},
		{"empty SKU", `{"rejectSkus":["BAD-1",""]}`, "rejectSkus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := fulfillment.NewSimulator(nil)
			status, m := call(t, sim.ControlHandler(), "PUT", "/dev/fulfillment", tc.body)
			code, field := errorOf(t, m)
			if status != http.StatusBadRequest || code != "INVALID" || field != tc.field {
				t.Errorf("answer %d %v, want 400 INVALID on field %q", status, m, tc.field)
			}
			if got := sim.Control(); got.Down || len(got.RejectSKUs) != 0 || got.LatencyMs != 0 {
				t.Errorf("a bad body changed the control to %+v", got)
			}
		})
	}
}

func TestControlRefusesOtherMethods(t *testing.T) {
	status, m := call(t, fulfillment.NewSimulator(nil).ControlHandler(), "DELETE", "/dev/fulfillment", "")
	if status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d %v, want 405", status, m)
	}
}
