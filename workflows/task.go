package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
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
	decision  *process.DecideInput
	result    *process.DecideResult
	applyErr  error
	// choices are the decisions the task takes (APPROVE and DECLINE unless set); check, when set,
	// refuses what the choices alone cannot tell, such as an acceptance's missing address.
	choices []process.Decision
	check   func(process.DecideInput) error
	// seq numbers accepted decisions; replies answers the ones that left the task open (a delegation).
	seq     int
	replies map[int]process.DecideResult
	// nudged counts the nudges sent, so a wait resumed after a delegation sends none twice.
	nudged int
	// wake, when set, ends a wait early for work other than a decision (nominated creators); the
	// caller sees no decision, does the work and waits again.
	wake func() bool
}

func newApprovalTask(ctx workflow.Context, approvers []string, allowRole string, expiry time.Duration) *approvalTask {
	now := workflow.Now(ctx)
	return &approvalTask{approvers: approvers, allowRole: allowRole, since: now, deadline: now.Add(expiry), open: true,
		choices: []process.Decision{process.Approve, process.Decline}, replies: map[int]process.DecideResult{}}
}

// pastTense says what a decision did, for "already … by" answers.
var pastTense = map[process.Decision]string{process.Approve: "approved", process.Decline: "declined", process.Accept: "accepted", process.Submit: "completed",
	process.Delegate: "delegated"}

// validate refuses a decision that is no longer possible or not this actor's to make; it never
// changes the task.
func (t *approvalTask) validate(in process.DecideInput) error {
	if t == nil {
		return refuse(models.CodeConflict, "", "this request is not waiting for a decision")
	}
	if t.result != nil {
		verb := pastTense[t.result.Decision]
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
	if !slices.Contains(t.choices, in.Decision) {
		names := make([]string, len(t.choices))
		for i, c := range t.choices {
			names[i] = string(c)
		}
		return refuse(models.CodeInvalid, "decision", "decision must be %s", strings.Join(names, " or "))
	}
	if in.Decision == process.Decline && in.Reason == "" {
		return refuse(models.CodeInvalid, "reason", "a decline needs a reason for the requester")
	}
	if len(in.Reason) > 2000 {
		return refuse(models.CodeInvalid, "reason", "reason is longer than 2000 characters")
	}
	if !t.mayDecide(in) {
		return refuse(models.CodeForbidden, "", "%s is not an approver of this request", in.Actor)
	}
	if t.check != nil {
		return t.check(in)
	}
	return nil
}

func (t *approvalTask) mayDecide(in process.DecideInput) bool {
	actor := models.NormalizeEmail(in.Actor)
	return actor != "" && (slices.Contains(t.approvers, actor) || (t.allowRole != "" && slices.Contains(in.ActorRoles, t.allowRole)))
}

// accept records a validated decision and blocks the update until the workflow has applied it, so the
// caller learns the outcome (the account ACTIVE or DECLINED), not merely that it was heard.
func (t *approvalTask) accept(ctx workflow.Context, in process.DecideInput) (process.DecideResult, error) {
	in.Actor = models.NormalizeEmail(in.Actor)
	t.decision = &in
	t.seq++
	mine := t.seq
	if err := workflow.Await(ctx, func() bool { _, replied := t.replies[mine]; return replied || t.result != nil || t.applyErr != nil }); err != nil {
		return process.DecideResult{}, err
	}
	if r, ok := t.replies[mine]; ok {
		return r, nil
	}
	if t.applyErr != nil {
		return process.DecideResult{}, t.applyErr
	}
	return *t.result, nil
}

// wait blocks until a decision arrives (or wake holds) or the deadline passes, sending each nudge on
// time. It reports whether it ended before the deadline.
func (t *approvalTask) wait(ctx workflow.Context, nudges []nudge, send func(nudge)) (bool, error) {
	decided := func() bool { return t.decision != nil || (t.wake != nil && t.wake()) }
	for i, n := range nudges {
		if i < t.nudged {
			continue
		}
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
		t.nudged = i + 1
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

// reopen answers the decision being applied without closing the task: after a delegation, the task
// waits for the next decision.
func (t *approvalTask) reopen(res process.DecideResult) {
	t.replies[t.seq] = res
	t.decision = nil
}

// close ends the task with the applied outcome, releasing the waiting update.
func (t *approvalTask) close(res process.DecideResult, err error) {
	t.open = false
	if err != nil {
		t.applyErr = err
		return
	}
	t.result = &res
}

func (t *approvalTask) waiting(action string) []models.Waiting {
	if t == nil || !t.open {
		return []models.Waiting{}
	}
	out := make([]models.Waiting, 0, len(t.approvers)+1)
	for _, a := range t.approvers {
		out = append(out, models.Waiting{Who: a, Action: action, Since: t.since, Deadline: t.deadline})
	}
	if t.allowRole != "" && len(t.approvers) == 0 {
		out = append(out, models.Waiting{Who: "role:" + t.allowRole, Action: action, Since: t.since, Deadline: t.deadline})
	}
	return out
}
