package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// fakeTraining applies the training steps with the real store, as the case's process would.
type fakeTraining struct{ store *activities.Store }

func (f fakeTraining) StartTraining(ctx context.Context, in process.TrainingInput) (process.TrainingCreated, error) {
	tr, err := f.store.OpenTraining(ctx, activities.OpenTrainingInput{TrainingInput: in, WorkflowID: process.TrainingRequestID(in.RequestID)})
	return process.TrainingCreated{RequestID: tr.ID, Status: tr.Status, Queue: tr.Queue}, err
}

func (f fakeTraining) ScheduleTraining(ctx context.Context, id string, in process.TrainingScheduleInput) (process.TrainingAnswer, error) {
	tr, err := f.store.ScheduleTraining(ctx, activities.ScheduleTrainingInput{ID: id, TrainingScheduleInput: in})
	return process.TrainingAnswer{Status: tr.Status}, err
}

func (f fakeTraining) CloseTraining(ctx context.Context, id string, in process.TrainingCloseInput) (process.TrainingAnswer, error) {
	tr, err := f.store.CloseTraining(ctx, activities.CloseTrainingInput{ID: id, TrainingCloseInput: in})
	return process.TrainingAnswer{Status: tr.Status}, err
}

// A training request is routed by topic and the requester's region, seen by its requester and by ops,
// not by others; only ops schedule and close it; bad input is a 400 naming the field.
func TestTrainingRequests(t *testing.T) {
	h := newHarness(t)
	h.reconfigure(func(o *api.Options) { o.Training = fakeTraining{store: h.store} })
	h.acme() // alice administers Acme, headquartered in the US
	alice, ops, eve := h.token("alice@acme.com"), h.token("ops@cisco.com", models.RoleLicensingOps), h.token("eve@else.com")
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)

	body := jsonOf(t, h.do(http.MethodPost, "/api/v1/training-requests", alice, map[string]any{"topic": "ORDERS", "portal": "clc",
		"message": "How do I assign orders?", "preferredDates": []string{tomorrow}, "attendees": []string{"Bob@Acme.com", "bob@acme.com"}}),
		http.StatusCreated)
	id := body["id"].(string)
	if body["queue"] != "LEA-TRAINING-AMERICAS" || body["region"] != "AMERICAS" || body["status"] != "OPEN" || body["portal"] != "CLC" {
		t.Fatalf("case %v", body)
	}
	if got := strs(t, body["attendees"], "attendees"); len(got) != 1 || got[0] != "bob@acme.com" {
		t.Errorf("attendees %v", got)
	}
	demo := jsonOf(t, h.do(http.MethodPost, "/api/v1/training-requests", eve, map[string]any{"topic": "PORTAL_DEMO", "portal": "CSSM"}),
		http.StatusCreated)
	if demo["queue"] != "LEA-DEMOS" || demo["region"] != "UNKNOWN" {
		t.Errorf("demo %v", demo)
	}
	// Eve's training (no region known) goes to the global queue.
	if b := jsonOf(t, h.do(http.MethodPost, "/api/v1/training-requests", eve, map[string]any{"topic": "LICENSES", "portal": "SCM"}),
		http.StatusCreated); b["queue"] != "LEA-TRAINING-GLOBAL" {
		t.Errorf("global %v", b)
	}

	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"topic": "COOKING", "portal": "CLC"}, "topic"},
		{map[string]any{"topic": "ORDERS", "portal": "XYZ"}, "portal"},
		{map[string]any{"topic": "ORDERS", "portal": "CLC", "preferredDates": []string{"2001-01-01"}}, "preferredDates[0]"},
		{map[string]any{"topic": "ORDERS", "portal": "CLC", "preferredDates": []string{"next week"}}, "preferredDates[0]"},
		{map[string]any{"topic": "ORDERS", "portal": "CLC", "attendees": []string{"not-mail"}}, "attendees[0]"},
	} {
		if e := errorOf(t, h.do(http.MethodPost, "/api/v1/training-requests", alice, tc.body), http.StatusBadRequest); e.Field != tc.field {
			t.Errorf("%v: field %q, want %q", tc.body, e.Field, tc.field)
		}
	}

	jsonOf(t, h.do(http.MethodGet, "/api/v1/training-requests/"+id, alice, nil), http.StatusOK)
	errorOf(t, h.do(http.MethodGet, "/api/v1/training-requests/"+id, eve, nil), http.StatusNotFound)
	if l := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/training-requests", alice, nil), http.StatusOK)["trainingRequests"], "own"); len(l) != 1 {
		t.Errorf("alice lists %d cases", len(l))
	}
	if l := list(t, jsonOf(t, h.do(http.MethodGet, "/api/v1/training-requests?queue=LEA-DEMOS&status=OPEN", ops, nil),
		http.StatusOK)["trainingRequests"], "ops"); len(l) != 1 || l[0]["id"] != demo["id"] {
		t.Errorf("ops list of the demo queue %v", l)
	}

	errorOf(t, h.do(http.MethodPost, "/api/v1/training-requests/"+id+"/schedule", alice, map[string]any{"scheduledAt": "2030-01-02T15:00:00Z"}),
		http.StatusForbidden)
	errorOf(t, h.do(http.MethodPost, "/api/v1/training-requests/"+id+"/schedule", ops, deliberatelyBad(map[string]any{"scheduledAt": "tomorrow"})),
		http.StatusBadRequest)
	sch := jsonOf(t, h.do(http.MethodPost, "/api/v1/training-requests/"+id+"/schedule", ops, map[string]any{
		"scheduledAt": "2030-01-02T15:00:00Z", "note": "Webex"}), http.StatusOK)
	if sch["status"] != "SCHEDULED" || sch["scheduledAt"] != "2030-01-02T15:00:00Z" {
		t.Errorf("scheduled %v", sch)
	}
	if got := jsonOf(t, h.do(http.MethodGet, "/api/v1/training-requests/"+id, alice, nil), http.StatusOK); got["status"] != "SCHEDULED" {
		t.Errorf("the requester sees %v", got["status"])
	}
	cl := jsonOf(t, h.do(http.MethodPost, "/api/v1/training-requests/"+id+"/close", ops, map[string]any{"outcome": "completed"}), http.StatusOK)
	if cl["status"] != "CLOSED" || cl["outcome"] != "COMPLETED" {
		t.Errorf("closed %v", cl)
	}
	errorOf(t, h.do(http.MethodPost, "/api/v1/training-requests/"+id+"/schedule", ops, map[string]any{"scheduledAt": "2030-01-03T15:00:00Z"}),
		http.StatusConflict)
	if n := h.count(&models.Event{}, "target_type = ? AND target_id = ?", models.TargetTrainingRequest, id); n != 3 {
		t.Errorf("%d events of the case, want opened, scheduled, closed", n)
	}
}
