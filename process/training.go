package process

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/licensecentral/clc/models"
)

// WorkflowTrainingRequest is the process of a training or demo request (FEATURES TR1).
const WorkflowTrainingRequest = "TrainingRequest"

// Updates of a training request's process, sent by licensing ops.
const (
	UpdateTrainingSchedule = "schedule"
	UpdateTrainingClose    = "close"
)

// TrainingRequestID is the workflow id of a training request.
func TrainingRequestID(id string) string { return "training-request/" + id }

// DefaultTrainingExpiry closes a case never scheduled after 90 days.
const DefaultTrainingExpiry = 90 * 24 * time.Hour

// TrainingInput is a training or demo request as the API checked it; Expiry closes it unscheduled.
type TrainingInput struct {
	RequestID      string               `json:"requestId"`
	Requester      models.Person        `json:"requester"`
	Topic          models.TrainingTopic `json:"topic"`
	Portal         string               `json:"portal"`
	Message        string               `json:"message"`
	PreferredDates []string             `json:"preferredDates"`
	Attendees      []string             `json:"attendees"`
	Expiry         time.Duration        `json:"expiry"`
}

// TrainingCreated is the first answer: the case as opened and routed.
type TrainingCreated struct {
	RequestID string                `json:"requestId"`
	Status    models.TrainingStatus `json:"status"`
	Queue     string                `json:"queue"`
}

// TrainingScheduleInput is ops scheduling (or moving) a case.
type TrainingScheduleInput struct {
	ScheduledAt time.Time `json:"scheduledAt"`
	Note        string    `json:"note"`
	Actor       string    `json:"actor"`
}

// TrainingCloseInput is ops closing a case with its outcome.
type TrainingCloseInput struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	Actor   string `json:"actor"`
}

// TrainingAnswer is what a schedule or close update answers: the case's status afterwards.
type TrainingAnswer struct {
	Status      models.TrainingStatus `json:"status"`
	ScheduledAt *time.Time            `json:"scheduledAt,omitempty"`
	Outcome     string                `json:"outcome,omitempty"`
}

// StartTraining opens a case and returns its routing in one round trip; the same request id (from the
// Idempotency-Key) joins the process already running, a finished one is refused with AlreadyStarted.
func (p *Client) StartTraining(ctx context.Context, in TrainingInput) (TrainingCreated, error) {
	if in.Expiry <= 0 {
		in.Expiry = p.TrainingExpiry
	}
	return startAndAsk[TrainingCreated](ctx, p, TrainingRequestID(in.RequestID),
		enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowTrainingRequest, in)
}

// ScheduleTraining schedules or moves a case.
func (p *Client) ScheduleTraining(ctx context.Context, id string, in TrainingScheduleInput) (TrainingAnswer, error) {
	return update[TrainingAnswer](ctx, p, TrainingRequestID(id), UpdateTrainingSchedule, in)
}

// CloseTraining closes a case.
func (p *Client) CloseTraining(ctx context.Context, id string, in TrainingCloseInput) (TrainingAnswer, error) {
	return update[TrainingAnswer](ctx, p, TrainingRequestID(id), UpdateTrainingClose, in)
}
