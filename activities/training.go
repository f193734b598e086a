package activities

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// TrainingMail is what the mails about a training or demo request show.
type TrainingMail struct {
	ID, Topic, Portal, Queue, Status string
	ScheduledAt                      time.Time
	Note, Outcome, Reason            string
	Dates, Attendees                 []string
}

// OpenTrainingInput is a training request to record as a case, by its process.
type OpenTrainingInput struct {
	process.TrainingInput
	WorkflowID string `json:"workflowId"`
}

// OpenTraining records a case routed by the rules on its topic and the requester's region (FEATURES TR1),
// with its event. A retry finds the case it recorded and returns it.
func (s *Store) OpenTraining(ctx context.Context, in OpenTrainingInput) (models.TrainingRequest, error) {
	if tr, err := models.FindTrainingRequest(ctx, s.DB, in.RequestID); err == nil {
		return tr, nil
	} else if models.ErrorCode(err) != models.CodeNotFound {
		return tr, err
	}
	country, err := models.RequesterCountry(ctx, s.DB, in.Requester.Email)
	if err != nil {
		return models.TrainingRequest{}, err
	}
	region := models.RegionOf(country)
	now := models.Now()
	tr := models.TrainingRequest{ID: in.RequestID, WorkflowID: in.WorkflowID, RequestedBy: models.NormalizeEmail(in.Requester.Email),
		RequesterName: in.Requester.Name, Topic: in.Topic, Portal: in.Portal, Message: in.Message,
		PreferredDates: in.PreferredDates, Attendees: in.Attendees, Country: country, Region: region,
		Queue: models.RouteTraining(in.Topic, region), Status: models.TrainingOpen, CreatedAt: now, UpdatedAt: now}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&tr)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return models.WriteEvents(tx, now, models.NewEvent("", models.TargetTrainingRequest, tr.ID, tr.RequestedBy,
			models.EventTrainingOpened, map[string]any{"topic": tr.Topic, "portal": tr.Portal, "region": region, "queue": tr.Queue}))
	})
	if err != nil {
		return models.TrainingRequest{}, err
	}
	s.logger().Info("training request opened", "trainingRequestId", tr.ID, "queue", tr.Queue, "by", tr.RequestedBy)
	return models.FindTrainingRequest(ctx, s.DB, tr.ID)
}

// ScheduleTrainingInput is ops scheduling a case, as its process applies it.
type ScheduleTrainingInput struct {
	ID string `json:"id"`
	process.TrainingScheduleInput
}

// ScheduleTraining schedules (or moves) an open or scheduled case, with its event; a closed case refuses.
func (s *Store) ScheduleTraining(ctx context.Context, in ScheduleTrainingInput) (models.TrainingRequest, error) {
	at := in.ScheduledAt.UTC().Truncate(time.Second)
	return s.changeTraining(ctx, in.ID, in.Actor, models.EventTrainingScheduled,
		map[string]any{"status": models.TrainingScheduled, "scheduled_at": at, "schedule_note": in.Note, "scheduled_by": in.Actor},
		map[string]any{"scheduledAt": at.Format(time.RFC3339), "note": in.Note})
}

// CloseTrainingInput is a case closed by ops, or by its process at its expiry.
type CloseTrainingInput struct {
	ID string `json:"id"`
	process.TrainingCloseInput
}

// CloseTraining closes a case with its outcome and event; a closed case refuses.
func (s *Store) CloseTraining(ctx context.Context, in CloseTrainingInput) (models.TrainingRequest, error) {
	return s.changeTraining(ctx, in.ID, in.Actor, models.EventTrainingClosed,
		map[string]any{"status": models.TrainingClosed, "outcome": in.Outcome, "close_reason": in.Reason, "closed_by": in.Actor,
			"closed_at": models.Now()},
		map[string]any{"outcome": in.Outcome, "reason": in.Reason})
}

// changeTraining applies a change to a case that is not closed, with its event, in one transaction.
func (s *Store) changeTraining(ctx context.Context, id, actor, action string, set, details map[string]any) (models.TrainingRequest, error) {
	now := models.Now()
	set["updated_at"] = now
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.TrainingRequest{}).Where("id = ? AND status <> ?", id, models.TrainingClosed).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			tr, err := models.FindTrainingRequest(tx.Statement.Context, tx, id)
			if err == nil && action == models.EventTrainingClosed && tr.ClosedBy == actor && tr.Outcome == set["outcome"] {
				return nil // a retry of the close that was recorded
			}
			if err != nil {
				return err
			}
			return models.Errorf(models.CodeConflict, "the training request %s is closed (%s)", id, tr.Outcome)
		}
		return models.WriteEvents(tx, now, models.NewEvent("", models.TargetTrainingRequest, id, actor, action, details))
	})
	if err != nil {
		return models.TrainingRequest{}, err
	}
	s.logger().Info("training request changed", "trainingRequestId", id, "action", action, "by", actor)
	return models.FindTrainingRequest(ctx, s.DB, id)
}
