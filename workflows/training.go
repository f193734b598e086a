package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// TrainingRequest is the process of a training or demo request (FEATURES TR1): its first step opens the
// case, routed to a queue by the topic and the requester's region, and the requester is mailed the
// confirmation; licensing ops then schedule it (the requester and the attendees are mailed the date;
// a case may be moved) and close it. A case nobody scheduled closes itself at its expiry.
func TrainingRequest(ctx workflow.Context, in process.TrainingInput) (process.TrainingAnswer, error) {
	if in.Expiry <= 0 {
		in.Expiry = process.DefaultTrainingExpiry
	}
	return start[process.TrainingAnswer](ctx, &trainingProc{proc: newProc(ctx), in: in})
}

type trainingProc struct {
	proc
	in process.TrainingInput
	opening
	tr        models.TrainingRequest
	closed    bool
	schedules int
}

func (w *trainingProc) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, w.status); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, process.UpdateCreated, w.onCreated); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateTrainingSchedule, w.onSchedule,
		workflow.UpdateHandlerOptions{Validator: w.validateSchedule}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateTrainingClose, w.onClose,
		workflow.UpdateHandlerOptions{Validator: w.validateClose})
}

func (w *trainingProc) onCreated(ctx workflow.Context) (process.TrainingCreated, error) {
	return answerCreated(ctx, &w.opening, func() process.TrainingCreated {
		return process.TrainingCreated{RequestID: w.tr.ID, Status: w.tr.Status, Queue: w.tr.Queue}
	})
}

func (w *trainingProc) status() (process.Status, error) {
	return process.Status{State: w.state(), WaitingOn: w.waitingOn(), Since: w.tr.UpdatedAt, History: w.history}, nil
}

func (w *trainingProc) state() string {
	if w.tr.Status == "" {
		return "CREATING"
	}
	return "TRAINING_" + string(w.tr.Status)
}

// waitingOn is the case's queue, of licensing ops, while it is open or scheduled.
func (w *trainingProc) waitingOn() []models.Waiting {
	if w.tr.Status == "" || w.closed {
		return []models.Waiting{}
	}
	action := "schedule"
	if w.tr.Status == models.TrainingScheduled {
		action = "close"
	}
	return []models.Waiting{{Who: "queue:" + w.tr.Queue, Action: action, Since: w.tr.UpdatedAt}}
}

func (w *trainingProc) waitable() error {
	switch {
	case !w.recorded():
		return process.Refuse(models.CodeConflict, "", "the training request is not open yet")
	case w.closed:
		return process.Refuse(models.CodeConflict, "", "the training request is closed (%s)", w.tr.Outcome)
	}
	return nil
}

func (w *trainingProc) validateSchedule(in process.TrainingScheduleInput) error {
	if err := w.waitable(); err != nil {
		return err
	}
	if in.ScheduledAt.IsZero() {
		return process.Refuse(models.CodeInvalid, "scheduledAt", "scheduledAt is required (RFC 3339)")
	}
	if in.Actor == "" {
		return process.Refuse(models.CodeInvalid, "actor", "the actor is required")
	}
	return nil
}

func (w *trainingProc) validateClose(in process.TrainingCloseInput) error {
	if err := w.waitable(); err != nil {
		return err
	}
	switch {
	case in.Outcome != models.OutcomeCompleted && in.Outcome != models.OutcomeCancelled:
		return process.Refuse(models.CodeInvalid, "outcome", "outcome must be COMPLETED or CANCELLED")
	case in.Outcome == models.OutcomeCancelled && strings.TrimSpace(in.Reason) == "":
		return process.Refuse(models.CodeInvalid, "reason", "a cancellation needs a reason: the requester reads it")
	case in.Actor == "":
		return process.Refuse(models.CodeInvalid, "actor", "the actor is required")
	}
	return nil
}

func (w *trainingProc) onSchedule(ctx workflow.Context, in process.TrainingScheduleInput) (process.TrainingAnswer, error) {
	tr, err := run(ctx, store.ScheduleTraining, activities.ScheduleTrainingInput{ID: w.tr.ID, TrainingScheduleInput: in})
	if err != nil {
		return process.TrainingAnswer{}, process.EncodeError(err)
	}
	w.tr = tr
	w.schedules++
	w.step(ctx, "scheduled for "+tr.ScheduledAt.UTC().Format(time.RFC3339), in.Actor)
	to := append([]string{tr.RequestedBy}, tr.Attendees...)
	w.notify(ctx, "scheduled/"+itoa(w.schedules), to, "training_scheduled", w.data())
	w.upsertSearch(ctx)
	return w.answer(), nil
}

func (w *trainingProc) onClose(ctx workflow.Context, in process.TrainingCloseInput) (process.TrainingAnswer, error) {
	if err := w.close(ctx, in); err != nil {
		return process.TrainingAnswer{}, process.EncodeError(err)
	}
	return w.answer(), nil
}

func (w *trainingProc) close(ctx workflow.Context, in process.TrainingCloseInput) error {
	tr, err := run(ctx, store.CloseTraining, activities.CloseTrainingInput{ID: w.tr.ID, TrainingCloseInput: in})
	if err != nil {
		return err
	}
	w.tr, w.closed = tr, true
	w.step(ctx, "closed: "+tr.Outcome, in.Actor)
	w.notify(ctx, "closed", []string{tr.RequestedBy}, "training_closed", w.data())
	w.upsertSearch(ctx)
	return nil
}

func (w *trainingProc) answer() process.TrainingAnswer {
	return process.TrainingAnswer{Status: w.tr.Status, ScheduledAt: w.tr.ScheduledAt, Outcome: w.tr.Outcome}
}

func (w *trainingProc) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.SearchOf(w.state(), w.waitingOn(), ""))
}

func (w *trainingProc) data() activities.MailData {
	t := activities.TrainingMail{ID: w.tr.ID, Topic: string(w.tr.Topic), Portal: w.tr.Portal, Queue: w.tr.Queue,
		Status: string(w.tr.Status), Note: w.tr.ScheduleNote, Outcome: w.tr.Outcome, Reason: w.tr.CloseReason,
		Dates: w.tr.PreferredDates, Attendees: w.tr.Attendees}
	if w.tr.ScheduledAt != nil {
		t.ScheduledAt = *w.tr.ScheduledAt
	}
	return activities.MailData{RequesterEmail: w.tr.RequestedBy, RequesterName: w.tr.RequesterName, Training: t}
}

func (w *trainingProc) run(ctx workflow.Context) (process.TrainingAnswer, error) {
	deadline := workflow.Now(ctx).Add(w.in.Expiry)
	tr, err := run(ctx, store.OpenTraining, activities.OpenTrainingInput{TrainingInput: w.in, WorkflowID: w.id})
	if err != nil {
		w.open(process.EncodeError(err))
		w.step(ctx, "refused: "+err.Error(), "")
		return process.TrainingAnswer{}, w.finish(ctx, nil)
	}
	w.tr = tr
	w.closed = tr.Status == models.TrainingClosed
	w.open(nil)
	w.step(ctx, "opened in "+tr.Queue, tr.RequestedBy)
	w.upsertSearch(ctx)
	w.notify(ctx, "opened", []string{tr.RequestedBy}, "training_opened", w.data())
	for !w.closed {
		if w.tr.Status == models.TrainingOpen {
			ok, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), func() bool {
				return w.closed || w.tr.Status != models.TrainingOpen
			})
			if err != nil {
				return w.answer(), err
			}
			if !ok {
				err := w.close(ctx, process.TrainingCloseInput{Outcome: models.OutcomeExpired, Actor: models.ActorSystem,
					Reason: "nobody scheduled it in time"})
				if err != nil && models.ErrorCode(err) != models.CodeConflict {
					return w.answer(), err
				}
				w.closed = true
			}
			continue
		}
		if err := workflow.Await(ctx, func() bool { return w.closed }); err != nil {
			return w.answer(), err
		}
	}
	return w.answer(), w.finish(ctx, nil)
}
