package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// nudge is a mail sent to whoever has not decided yet, some time after a task began.
type nudge struct {
	After    time.Duration
	Template string
	Reminder int
}

// nudgesOf makes the reminders of a task, numbered from 1, in the order of their delays.
func nudgesOf(after []time.Duration, template string) []nudge {
	out := make([]nudge, 0, len(after))
	for i, d := range after {
		out = append(out, nudge{After: d, Template: template, Reminder: i + 1})
	}
	return out
}

// requestStatus is the status of a request decided through one task at a time: its stored status
// (CREATING until the first step recorded it) and, while it has a task, since when and until when the
// task waits.
func requestStatus[S ~string](status S, task *approvalTask, smartAccountID string, waitingOn []models.Waiting,
	history []process.Step) process.Status {
	st := process.Status{State: string(status), SmartAccountID: smartAccountID, WaitingOn: waitingOn, History: history}
	if status == "" {
		st.State = "CREATING"
	}
	if task != nil {
		st.Since, st.Deadline = task.since, task.deadline
	}
	return st
}

// deciding is embedded by a request whose decide update goes to its current task.
type deciding struct {
	task *approvalTask
}

// onDecide hands a decision to the current task, whose process applies it, and answers with the outcome.
func (d *deciding) onDecide(ctx workflow.Context, in process.DecideInput) (process.DecideResult, error) {
	return d.task.accept(ctx, in)
}

// approvalTask is one person-decision inside a workflow: who may decide, until when, and what was
// decided. The decide update validates against it, the workflow's main loop waits on it and applies
// the decision, and the update's caller is told what the decision led to.
type approvalTask struct {
	approvers []string
	// allowRole is a platform role whose holders may decide besides the named approvers.
	allowRole string
	// excluded are the people the request is by or for: nobody decides their own request.
	excluded []string
	since    time.Time
	deadline time.Time
	open     bool
	expired  bool
	// choices are the decisions the task takes (APPROVE and DECLINE unless set); check, when set,
	// refuses what the choices alone cannot tell, such as an acceptance's missing address.
	choices []process.Decision
	check   func(process.DecideInput) error
	// decision is the one being applied; seq numbers the decisions accepted, answers tells each its
	// outcome or why it failed.
	decision *process.DecideInput
	seq      int
	answers  map[int]answer
	// applied are the decisions applied so far (a delegation leaves the task open), result the one that
	// closed it: the same person repeating one is answered with its outcome, not refused.
	applied []applied
	result  *process.DecideResult
	// nudged counts the nudges sent, so a wait resumed after a delegation sends none twice.
	nudged int
	// wake, when set, ends a wait early for work other than a decision (nominated creators); the
	// caller sees no decision, does the work and waits again.
	wake func() bool
}

type answer struct {
	res process.DecideResult
	err error
}

type applied struct {
	in  process.DecideInput
	res process.DecideResult
}

// newApprovalTask opens a task in the window a store step was given: it begins then and ends expiry
// later, as the stored waitingOn says.
func newApprovalTask(w activities.Window, approvers []string, allowRole string, expiry time.Duration) *approvalTask {
	return &approvalTask{approvers: approvers, allowRole: allowRole, since: w.At, deadline: w.At.Add(expiry), open: true,
		choices: []process.Decision{process.Approve, process.Decline}, answers: map[int]answer{}}
}

// pastTense says what a decision did, for "already … by" answers.
var pastTense = map[process.Decision]string{process.Approve: "approved", process.Decline: "declined",
	process.Accept: "accepted", process.Submit: "completed", process.Delegate: "delegated"}

// validate refuses a decision that is no longer possible or not this actor's to make; it never
// changes the task. The same person's same decision, repeated after its answer was lost, passes: it is
// answered with the outcome of the first.
func (t *approvalTask) validate(in process.DecideInput) error {
	switch {
	case t == nil:
		return process.Refuse(models.CodeConflict, "", "this request is not waiting for a decision")
	case t.repeats(in):
		return nil
	case t.result != nil:
		return process.Refuse(models.CodeConflict, "", "already %s by %s at %s", pastTense[t.result.Decision],
			t.result.DecidedBy, t.result.DecidedAt.UTC().Format(time.RFC3339))
	case t.expired:
		return process.Refuse(models.CodeGone, "", "the request expired at %s", t.deadline.UTC().Format(time.RFC3339))
	case t.decision != nil:
		return process.Refuse(models.CodeConflict, "", "already being decided by %s", t.decision.Actor)
	case !t.open:
		return process.Refuse(models.CodeConflict, "", "this request is not waiting for a decision")
	case !slices.Contains(t.choices, in.Decision):
		names := make([]string, len(t.choices))
		for i, c := range t.choices {
			names[i] = string(c)
		}
		return process.Refuse(models.CodeInvalid, "decision", "decision must be %s", strings.Join(names, " or "))
	case in.Decision == process.Decline && strings.TrimSpace(in.Reason) == "":
		return process.Refuse(models.CodeInvalid, "reason", "a decline needs a reason for the requester")
	case len(in.Reason) > 2000:
		return process.Refuse(models.CodeInvalid, "reason", "reason is longer than 2000 characters")
	case slices.Contains(t.excluded, models.NormalizeEmail(in.Actor)):
		return process.Refuse(models.CodeForbidden, "", "%s cannot decide a request made by or for themselves", in.Actor)
	case !t.mayDecide(in):
		return process.Refuse(models.CodeForbidden, "", "%s is not an approver of this request", in.Actor)
	case t.check != nil:
		return t.check(in)
	}
	return nil
}

func (t *approvalTask) mayDecide(in process.DecideInput) bool {
	actor := models.NormalizeEmail(in.Actor)
	return actor != "" && (slices.Contains(t.approvers, actor) || (t.allowRole != "" && slices.Contains(in.ActorRoles, t.allowRole)))
}

// same reports whether two decisions are one person's same decision.
func same(a, b process.DecideInput) bool {
	return models.NormalizeEmail(a.Actor) == models.NormalizeEmail(b.Actor) && a.Decision == b.Decision &&
		models.NormalizeEmail(a.DelegateTo) == models.NormalizeEmail(b.DelegateTo)
}

func (t *approvalTask) repeats(in process.DecideInput) bool {
	if t == nil {
		return false
	}
	if t.decision != nil && same(*t.decision, in) {
		return true
	}
	return slices.ContainsFunc(t.applied, func(a applied) bool { return same(a.in, in) })
}

// accept records a validated decision and blocks the update until the workflow has applied it, so the
// caller learns the outcome (the account ACTIVE or DECLINED), not merely that it was heard. A repeated
// decision waits for (or finds) the outcome of the first.
func (t *approvalTask) accept(ctx workflow.Context, in process.DecideInput) (process.DecideResult, error) {
	for _, a := range t.applied {
		if same(a.in, in) {
			return a.res, nil
		}
	}
	mine := t.seq
	if t.decision == nil || !same(*t.decision, in) {
		in.Actor = models.NormalizeEmail(in.Actor)
		t.decision = &in
		t.seq++
		mine = t.seq
	}
	if err := workflow.Await(ctx, func() bool { _, ok := t.answers[mine]; return ok }); err != nil {
		return process.DecideResult{}, err
	}
	a := t.answers[mine]
	return a.res, a.err
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

// answer tells the update being applied its outcome.
func (t *approvalTask) answer(res process.DecideResult) {
	t.answers[t.seq] = answer{res: res}
	t.applied = append(t.applied, applied{in: *t.decision, res: res})
	t.decision = nil
}

// reopen answers the decision being applied and leaves the task open: after a delegation, it waits for
// the next decision.
func (t *approvalTask) reopen(res process.DecideResult) { t.answer(res) }

// close ends the task with the applied outcome, releasing the waiting update.
func (t *approvalTask) close(res process.DecideResult) {
	t.answer(res)
	t.open, t.result = false, &res
}

// fail answers the update being applied with why its decision could not be applied (a store step
// refused it), and leaves the task open for another decision: a bad decision never leaves a request
// that nobody can decide.
func (t *approvalTask) fail(err error) {
	t.answers[t.seq] = answer{err: process.EncodeError(err)}
	t.decision = nil
}

func (t *approvalTask) waiting(action string) []models.Waiting {
	if t == nil || !t.open {
		return []models.Waiting{}
	}
	out := models.WaitFor(t.approvers, action, t.since, t.deadline)
	if t.allowRole != "" && len(t.approvers) == 0 {
		out = append(out, models.Waiting{Who: models.RolePrefix + t.allowRole, Action: action, Since: t.since, Deadline: t.deadline})
	}
	return out
}
