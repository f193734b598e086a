package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
)

// A training request end to end (FEATURES TR1): routed by its requester's region (their account's
// headquarters in the US), confirmed by mail; licensing ops find it in their queue, schedule it (the
// requester and the attendee are mailed the date) and close it; the requester sees each status.
func TestTrainingRequestRoutedAndScheduled(t *testing.T) {
	tld, admin, _ := activeAccount(t, "trainee")
	ops := as(t, "lea-"+uniq()+"@cisco.com", models.RoleLicensingOps)
	attendee := "colleague@" + tld
	st, tr := admin.post("/api/v1/training-requests", map[string]any{"topic": "SMART_ACCOUNTS", "portal": "CLC",
		"message": "Onboarding our admins", "preferredDates": []string{time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)},
		"attendees": []string{attendee}})
	if st != http.StatusCreated || tr["queue"] != "LEA-TRAINING-AMERICAS" || tr["status"] != "OPEN" {
		t.Fatalf("request: %d %v", st, tr)
	}
	id := str(tr["id"])
	m := mailTo(t, admin.email, "Your training request "+id+" is open")
	if !strings.Contains(m.Text, "LEA-TRAINING-AMERICAS") {
		t.Errorf("confirmation:\n%s", m.Text)
	}
	_, queue := ops.get("/api/v1/training-requests?queue=LEA-TRAINING-AMERICAS&status=OPEN&limit=200")
	found := false
	for _, c := range queue["trainingRequests"].([]any) {
		found = found || c.(map[string]any)["id"] == id
	}
	if !found {
		t.Fatalf("the case is not in the ops queue: %v", queue)
	}
	if st, body := admin.post("/api/v1/training-requests/"+id+"/schedule", map[string]any{"scheduledAt": "2030-03-04T16:00:00Z"}); st != http.StatusForbidden {
		t.Errorf("the requester scheduled: %d %v", st, body)
	}
	st, body := ops.post("/api/v1/training-requests/"+id+"/schedule", map[string]any{"scheduledAt": "2030-03-04T16:00:00Z",
		"note": "A Webex invitation follows."})
	if st != http.StatusOK || body["status"] != "SCHEDULED" {
		t.Fatalf("schedule: %d %v", st, body)
	}
	for _, to := range []string{admin.email, attendee} {
		if m := mailTo(t, to, "Training "+id+" scheduled for 4 Mar 2030 16:00 UTC"); !strings.Contains(m.Text, "A Webex invitation follows.") {
			t.Errorf("scheduled mail to %s:\n%s", to, m.Text)
		}
	}
	if _, got := admin.get("/api/v1/training-requests/" + id); got["status"] != "SCHEDULED" || got["scheduledAt"] != "2030-03-04T16:00:00Z" {
		t.Errorf("the requester sees %v", got)
	}
	if st, body := ops.post("/api/v1/training-requests/"+id+"/close", map[string]any{"outcome": "COMPLETED"}); st != http.StatusOK ||
		body["status"] != "CLOSED" {
		t.Fatalf("close: %d %v", st, body)
	}
	mailTo(t, admin.email, "Training request "+id+" closed: COMPLETED")
	if st, _ := ops.post("/api/v1/training-requests/"+id+"/close", map[string]any{"outcome": "COMPLETED"}); st != http.StatusConflict {
		t.Errorf("a second close: %d", st)
	}
}
