package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/models"
)

// nudge is a mail sent to whoever has not decided yet, some time after a task began.
type nudge struct {
	After    time.Duration
	Template string
	Reminder int
}

// approvalTask is one person-decision inside a workflow: who may decide, until when, and what was
// decided. The decide update validates against it, the workflow's main loop waits on it.
type approvalTask struct {
	approvers []string
	// allowRole is a platform role whose holders may decide besides the named approvers.
	allowRole string
	since     time.Time
	deadline  time.Time
	open      bool
	expired   bool
	decision  *DecideInput
	result    *DecideResult
	applyErr  error
}

func newApprovalTask(ctx workflow.Context, approvers []string, allowRole string, expiry time.Duration) *approvalTask {
	now := workflow.Now(ctx)
	return &approvalTask{approvers: approvers, allowRole: allowRole, since: now, deadline: now.Add(expiry), open: true}
}

// validate refuses a decision that is no longer possible or not this actor's to make; it never
// changes the task.
func (t *approvalTask) validate(in DecideInput) error {
	if t == nil {
		return refuse(models.CodeConflict, "", "this request is not waiting for a decision")
	}
	if t.result != nil {
		verb := "approved"
		if t.result.Decision == Decline {
			verb = "declined"
		}
		return refuse(models.CodeConflict, "", "already %s by %s at %s", verb, t.result.DecidedBy,
			t.result.DecidedAt.UTC().Format(time.RFC3339))
	}
	if t.expired {
		return refuse(models.CodeGone, "", "the request expired at %s", t.deadline.UTC().Format(time.RFC3339))
	}
	if t.decision != nil {
		return refuse(models.CodeConflict, "", "already being decided by %s", t.decision.Actor)
	}
	if !t.open {
		return refuse(models.CodeConflict, "", "this request is not waiting for a decision")
	}
	if in.Decision != Approve && in.Decision != Decline {
		return refuse(models.CodeInvalid, "decision", "decision must be APPROVE or DECLINE")
	}
	if in.Decision == Decline && in.Reason == "" {
		return refuse(models.CodeInvalid, "reason", "a decline needs a reason for the requester")
	}
	if len(in.Reason) > 2000 {
		return refuse(models.CodeInvalid, "reason", "reason is longer than 2000 characters")
	}
	if !t.mayDecide(in) {
		return refuse(models.CodeForbidden, "", "%s is not an approver of this request", in.Actor)
	}
	return nil
}

func (t *approvalTask) mayDecide(in DecideInput) bool {
	actor := models.NormalizeEmail(in.Actor)
	return actor != "" && (slices.Contains(t.approvers, actor) || (t.allowRole != "" && slices.Contains(in.ActorRoles, t.allowRole)))
}

// accept records a validated decision and blocks the update until the workflow has applied it, so the
// caller learns the outcome (the account ACTIVE or DECLINED), not merely that it was heard.
func (t *approvalTask) accept(ctx workflow.Context, in DecideInput) (DecideResult, error) {
	in.Actor = models.NormalizeEmail(in.Actor)
	t.decision = &in
	if err := workflow.Await(ctx, func() bool { return t.result != nil || t.applyErr != nil }); err != nil {
		return DecideResult{}, err
	}
	if t.applyErr != nil {
		return DecideResult{}, t.applyErr
	}
	return *t.result, nil
}

// wait blocks until a decision arrives or the deadline passes, sending each nudge on time. It reports
// whether a decision arrived.
func (t *approvalTask) wait(ctx workflow.Context, nudges []nudge, send func(nudge)) (bool, error) {
	decided := func() bool { return t.decision != nil }
	for _, n := range nudges {
		at := t.since.Add(n.After)
		if !at.Before(t.deadline) {
			break
		}
		if d := at.Sub(workflow.Now(ctx)); d > 0 {
			if _, err := workflow.AwaitWithTimeout(ctx, d, decided); err != nil {
				return false, err
			}
		}
		if decided() {
			return true, nil
		}
		send(n)
	}
	if d := t.deadline.Sub(workflow.Now(ctx)); d > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, d, decided); err != nil {
			return false, err
		}
	}
	if decided() {
		return true, nil
	}
	t.open, t.expired = false, true
	return false, nil
}

// close ends the task with the applied outcome, releasing the waiting update.
func (t *approvalTask) close(res DecideResult, err error) {
	t.open = false
	if err != nil {
		t.applyErr = err
		return
	}
	t.result = &res
}

func (t *approvalTask) waiting(action string) []Waiting {
	if t == nil || !t.open {
		return []Waiting{}
	}
	out := make([]Waiting, 0, len(t.approvers)+1)
	for _, a := range t.approvers {
		out = append(out, Waiting{Who: a, Action: action, Since: t.since, Deadline: t.deadline})
	}
	if t.allowRole != "" && len(t.approvers) == 0 {
		out = append(out, Waiting{Who: "role:" + t.allowRole, Action: action, Since: t.since, Deadline: t.deadline})
	}
	return out
}
