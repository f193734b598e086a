package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// trainingMocks keep a case as the store steps would keep it, in memory.
func trainingMocks(h *harness) *models.TrainingRequest {
	tr := &models.TrainingRequest{}
	h.env.OnActivity(st.OpenTraining, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenTrainingInput) (models.TrainingRequest, error) {
			*tr = models.TrainingRequest{ID: in.RequestID, RequestedBy: in.Requester.Email, Topic: in.Topic, Portal: in.Portal,
				Attendees: in.Attendees, Queue: models.RouteTraining(in.Topic, models.RegionEMEA), Status: models.TrainingOpen}
			return *tr, nil
		})
	h.env.OnActivity(st.ScheduleTraining, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ScheduleTrainingInput) (models.TrainingRequest, error) {
			at := in.ScheduledAt
			tr.Status, tr.ScheduledAt, tr.ScheduleNote = models.TrainingScheduled, &at, in.Note
			return *tr, nil
		}).Maybe()
	h.env.OnActivity(st.CloseTraining, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CloseTrainingInput) (models.TrainingRequest, error) {
			tr.Status, tr.Outcome, tr.CloseReason, tr.ClosedBy = models.TrainingClosed, in.Outcome, in.Reason, in.Actor
			return *tr, nil
		}).Maybe()
	return tr
}

func trainingInput() process.TrainingInput {
	return process.TrainingInput{RequestID: "tr-1", Requester: models.Person{Email: requester}, Topic: models.TopicPortalDemo,
		Portal: "CLC", Attendees: []string{nominee}, Expiry: 10 * 24 * time.Hour}
}

// Opened and routed, confirmed to the requester; ops schedule it (requester and attendees mailed), a
// close without an outcome is refused by the validator, then ops close it and the process ends.
func TestTrainingScheduledAndClosed(t *testing.T) {
	h := newHarness(t, process.TrainingRequestID("tr-1"))
	trainingMocks(h)
	h.mockMail()
	when := t0.Add(72 * time.Hour)
	sched := h.updateAt(time.Hour, "", process.UpdateTrainingSchedule,
		process.TrainingScheduleInput{ScheduledAt: when, Note: "Webex link follows", Actor: "ops@cisco.com"})
	bad := h.updateAt(80*time.Hour, "", process.UpdateTrainingClose, process.TrainingCloseInput{Outcome: "DONE", Actor: "ops@cisco.com"})
	done := h.updateAt(81*time.Hour, "", process.UpdateTrainingClose,
		process.TrainingCloseInput{Outcome: models.OutcomeCompleted, Actor: "ops@cisco.com"})
	h.env.ExecuteWorkflow(workflows.TrainingRequest, trainingInput())
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var res process.TrainingAnswer
	require.NoError(t, h.env.GetWorkflowResult(&res))
	assert.Equal(t, models.TrainingClosed, res.Status)
	assert.Equal(t, models.OutcomeCompleted, res.Outcome)
	assert.True(t, sched.snapshot().completed)
	assert.True(t, bad.snapshot().rejected, "an outcome that is not COMPLETED or CANCELLED")
	assert.True(t, done.snapshot().completed)

	byTemplate := map[string][]string{}
	for _, m := range h.mails {
		byTemplate[m.In.Template] = append(byTemplate[m.In.Template], m.In.Key)
		if m.In.Template == "training_scheduled" {
			assert.Equal(t, []string{requester, nominee}, m.In.To)
			requireSameTime(t, when, m.In.Data.Training.ScheduledAt, "the mailed date")
		}
	}
	id := process.TrainingRequestID("tr-1")
	assert.Equal(t, []string{id + "/opened"}, byTemplate["training_opened"])
	assert.Equal(t, []string{id + "/scheduled/1"}, byTemplate["training_scheduled"])
	assert.Equal(t, []string{id + "/closed"}, byTemplate["training_closed"])
}

// Nobody schedules it: at its expiry the process closes it EXPIRED and tells the requester.
func TestTrainingExpires(t *testing.T) {
	h := newHarness(t, process.TrainingRequestID("tr-1"))
	tr := trainingMocks(h)
	h.mockMail()
	h.env.ExecuteWorkflow(workflows.TrainingRequest, trainingInput())
	require.NoError(t, h.env.GetWorkflowError())
	assert.Equal(t, models.OutcomeExpired, tr.Outcome)
	assert.Equal(t, models.ActorSystem, tr.ClosedBy)
	require.Len(t, h.mails, 2)
	assert.Equal(t, "training_closed", h.mails[1].In.Template)
	assert.Equal(t, 10*24*time.Hour, h.mails[1].At)
}
