package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// assertWaitsOn checks a status query's answer: the test account in the state, waiting since t0 for
// each person to take the action by deadline.
func assertWaitsOn(t *testing.T, s *process.Status, state models.SAStatus, action string, deadline time.Time,
	people ...string) {
	t.Helper()
	assert.Equal(t, string(state), s.State)
	assert.Equal(t, saID, s.SmartAccountID)
	want := make([]models.Waiting, 0, len(people))
	for _, p := range people {
		want = append(want, waiting(p, action, t0, deadline))
	}
	assert.Equal(t, want, inUTC(s.WaitingOn))
}

// Automatic activation: the store answers ACTIVE, the requester is told at once, the nominees are
// invited, and the process ends.
func TestSACreate_AutoActivation(t *testing.T) {
	h := newHarness(t, parentID)
	active := account(models.SAActive)
	active.DecidedBy, active.Why = models.ActorSystem, "the domain is the requester's own"
	h.onCreate(active, nil)
	h.mailDelay["sa_active"] = time.Minute // keeps the process open for the late decision below
	created := h.updateAt(0, "", process.UpdateCreated)
	late := h.decideAt(30*time.Second, approve(admin1))

	res := h.sacreate(input(shortTiming()))

	resp := requireCreated(t, created)
	assert.Equal(t, models.SAActive, resp.Status)
	assert.Equal(t, saID, resp.SmartAccountID)
	assert.Equal(t, "acme.com", resp.Domain)
	assert.Equal(t, active.Why, resp.Why)
	assert.NotNil(t, resp.WaitingOn, "waitingOn must be [] in JSON, not null")
	assert.Empty(t, resp.WaitingOn)

	require.Len(t, h.created, 1)
	assert.Equal(t, requestID, h.created[0].RequestID)
	assert.Equal(t, parentID, h.created[0].WorkflowID)
	assert.Equal(t, "acme.com", h.created[0].Domain)
	assert.Equal(t, requester, h.created[0].Requester.Email)

	toRequester := h.mailsTo(requester)
	require.Equal(t, []string{"sa_active"}, templates(toRequester))
	assert.Equal(t, parentID+"/active", toRequester[0].In.Key)
	assert.Empty(t, toRequester[0].In.Data.DecidedBy, "the system is not named as the approver")
	assert.Equal(t, []string{nominee}, toRequester[0].In.Data.Approvers, "the mail names the invited admins, not the requester")

	toNominee := h.mailsTo(nominee)
	require.Equal(t, []string{"sa_admin_invite"}, templates(toNominee), "each nominee but the requester is invited")
	assert.Equal(t, parentID+"/invite/"+nominee, toNominee[0].In.Key)
	assert.Empty(t, h.tasks, "nobody has anything to decide")

	me := requireRejected(t, late, models.CodeConflict)
	assert.Contains(t, me.Message, "ACTIVE")

	assert.Equal(t, process.SACreateResult{SmartAccountID: saID, Status: models.SAActive, DecidedBy: models.ActorSystem}, res)
	last := h.lastSearch()
	assert.Equal(t, string(models.SAActive), last.State)
	assert.Empty(t, last.WaitingOn)
	assert.Equal(t, saID, last.SmartAccountID)
}

// PENDING_APPROVAL: the administrators are mailed a task each, one of them approves, the account is
// ACTIVE and everyone is told.
func TestSACreate_PendingApprovalApproved(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	created := h.updateAt(0, "", process.UpdateCreated)
	decided := h.decideAt(30*time.Minute, approve("Admin1@Acme.com")) // before the first reminder (1h)

	res := h.sacreate(input(shortTiming()))

	deadline := t0.Add(3 * time.Hour)
	resp := requireCreated(t, created)
	assert.Equal(t, models.SAPendingApproval, resp.Status)
	assert.Equal(t, []models.Waiting{
		waiting(admin1, "approve", t0, deadline),
		waiting(admin2, "approve", t0, deadline),
	}, inUTC(resp.WaitingOn))

	toRequester := h.mailsTo(requester)
	require.Equal(t, []string{"sa_pending", "sa_active"}, templates(toRequester))
	pending := toRequester[0].In
	assert.Equal(t, parentID+"/pending-approval", pending.Key)
	assert.Equal(t, []string{admin1, admin2}, pending.Data.Approvers)
	requireSameTime(t, deadline, pending.Data.Deadline, "sa_pending deadline")
	assert.Equal(t, admin1, toRequester[1].In.Data.DecidedBy)
	assert.Equal(t, 30*time.Minute, toRequester[1].At)
	assert.Equal(t, []string{"sa_admin_invite"}, templates(h.mailsTo(nominee)))

	require.Len(t, h.tasks, 2, "one task per approver, no reminder before the decision")
	for _, approver := range []string{admin1, admin2} {
		task, ok := h.task(parentID + "/approval/" + approver)
		require.True(t, ok, "no task mailed to %s", approver)
		assert.Equal(t, parentID+"/approval/"+approver, task.In.Key)
		assert.Equal(t, approver, task.In.Recipient)
		assert.Equal(t, models.PurposeSAApproval, task.In.Purpose)
		assert.Equal(t, parentID, task.In.WorkflowID)
		assert.Equal(t, saID, task.In.SubjectID)
		assert.Equal(t, "sa_approval_task", task.In.Template)
		requireSameTime(t, deadline, task.In.ExpiresAt, "task link expiry")
		assert.Equal(t, time.Duration(0), task.At)
	}

	require.Len(t, h.decided, 1)
	assert.Equal(t, activities.DecideSAInput{SmartAccountID: saID, Approve: true, Actor: admin1, Via: process.ViaEmail},
		h.decided[0].In, "the actor is normalized")
	assert.Equal(t, 30*time.Minute, h.decided[0].At)

	out := requireDecided(t, decided)
	assert.Equal(t, models.SAActive, out.Status)
	assert.Equal(t, process.Approve, out.Decision)
	assert.Equal(t, admin1, out.DecidedBy)
	assert.Equal(t, saID, out.SmartAccountID)

	assert.Equal(t, models.SAActive, res.Status)
	assert.Equal(t, admin1, res.DecidedBy)
	assert.Equal(t, string(models.SAActive), h.lastSearch().State)
}

// The status query and the search attributes say whom the process waits for.
func TestSACreate_StatusWhileWaiting(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	h.mailDelay["sa_active"] = time.Minute // the process is still open for the last query
	waitingStatus := h.statusAt(10*time.Minute, "")
	h.decideAt(20*time.Minute, approve(admin2))
	doneStatus := h.statusAt(20*time.Minute+time.Second, "")

	h.sacreate(input(shortTiming()))

	deadline := t0.Add(3 * time.Hour)
	assertWaitsOn(t, waitingStatus, models.SAPendingApproval, "approve", deadline, admin1, admin2)
	requireSameTime(t, t0, waitingStatus.Since, "since")
	requireSameTime(t, deadline, waitingStatus.Deadline, "deadline")
	require.NotEmpty(t, waitingStatus.History)
	assert.Contains(t, waitingStatus.History[0].What, "requested: PENDING_APPROVAL")
	assert.Equal(t, requester, waitingStatus.History[0].By)

	ops := h.searchAt(10 * time.Minute)
	assert.Equal(t, string(models.SAPendingApproval), ops.State)
	assert.Equal(t, []string{admin1, admin2}, ops.WaitingOn)
	assert.Equal(t, saID, ops.SmartAccountID)

	assert.Equal(t, string(models.SAActive), doneStatus.State)
	assert.Empty(t, doneStatus.WaitingOn)
	assert.True(t, doneStatus.Deadline.IsZero())
	assert.Contains(t, historyWhats(doneStatus), "decided: APPROVE")
}

// A decline needs a reason: without one the validator refuses and nothing changes; with one the
// account is DECLINED and the requester learns why.
func TestSACreate_Declined(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	h.mailDelay["sa_declined"] = time.Minute
	noReason := h.decideAt(10*time.Minute, decline(admin1, ""))
	badDecision := h.decideAt(11*time.Minute, process.DecideInput{Decision: "MAYBE", Actor: admin1})
	stillWaiting := h.statusAt(15*time.Minute, "")
	declined := h.decideAt(20*time.Minute, decline(admin1, "We already have an account"))
	approveLate := h.decideAt(20*time.Minute+30*time.Second, approve(admin2))

	res := h.sacreate(input(shortTiming()))

	me := requireRejected(t, noReason, models.CodeInvalid)
	assert.Equal(t, "reason", me.Field)
	me = requireRejected(t, badDecision, models.CodeInvalid)
	assert.Equal(t, "decision", me.Field)
	assert.Equal(t, string(models.SAPendingApproval), stillWaiting.State, "a refused decision changes nothing")
	assert.Len(t, stillWaiting.WaitingOn, 2)

	require.Len(t, h.decided, 1, "only the valid decline reaches the store")
	assert.Equal(t, activities.DecideSAInput{SmartAccountID: saID, Approve: false, Actor: admin1,
		Reason: "We already have an account", Via: process.ViaAPI}, h.decided[0].In)

	out := requireDecided(t, declined)
	assert.Equal(t, models.SADeclined, out.Status)
	assert.Equal(t, process.Decline, out.Decision)
	assert.Equal(t, "We already have an account", out.Reason)

	assert.Equal(t, parentID+"/declined", h.requireDeclined(res, admin1, "We already have an account").In.Key)

	me = requireRejected(t, approveLate, models.CodeConflict)
	assert.Contains(t, me.Message, "already declined by "+admin1)
}

// Only the account's administrators and holders of the cisco-approver role may decide.
func TestSACreate_WhoMayDecide(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	stranger := h.decideAt(10*time.Minute, approve("mallory@evil.example"))
	otherRole := h.decideAt(11*time.Minute, approve("ops@cisco.com", models.RoleLicensingOps))
	anonymous := h.decideAt(12*time.Minute, approve(""))
	cisco := h.decideAt(20*time.Minute, approve("Boss@Cisco.com", models.RoleCiscoApprover))

	res := h.sacreate(input(shortTiming()))

	me := requireRejected(t, stranger, models.CodeForbidden)
	assert.Contains(t, me.Message, "mallory@evil.example")
	requireRejected(t, otherRole, models.CodeForbidden)
	requireRejected(t, anonymous, models.CodeForbidden)

	out := requireDecided(t, cisco)
	assert.Equal(t, models.SAActive, out.Status)
	assert.Equal(t, "boss@cisco.com", out.DecidedBy)
	require.Len(t, h.decided, 1)
	assert.Equal(t, "boss@cisco.com", h.decided[0].In.Actor)
	assert.Equal(t, "boss@cisco.com", res.DecidedBy)
}

// A decision on a request that was decided already tells who decided and when.
func TestSACreate_SecondDecisionConflicts(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	h.mailDelay["sa_active"] = time.Minute // the process is still open when the second decision comes
	first := h.decideAt(10*time.Minute, approve(admin1))
	second := h.decideAt(10*time.Minute+30*time.Second, decline(admin2, "no"))

	h.sacreate(input(shortTiming()))

	requireDecided(t, first)
	me := requireRejected(t, second, models.CodeConflict)
	assert.Contains(t, me.Message, "already approved by "+admin1+" at "+t0.Add(10*time.Minute).Format(time.RFC3339))
	assert.Len(t, h.decided, 1)
}

// Two decisions at the same moment: the first is applied, the second is told it is being decided.
func TestSACreate_ConcurrentDecisions(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	h.mailDelay["sa_active"] = time.Minute
	first := h.decideAt(10*time.Minute, approve(admin1))
	second := h.decideAt(10*time.Minute, approve(admin2))

	res := h.sacreate(input(shortTiming()))

	requireDecided(t, first)
	me := requireRejected(t, second, models.CodeConflict)
	assert.Contains(t, me.Message, admin1)
	assert.Len(t, h.decided, 1)
	assert.Equal(t, admin1, res.DecidedBy)
}

// No decision: the approvers are reminded on time, then the request expires, the requester is told,
// and a decision after the expiry is refused as GONE.
func TestSACreate_RemindersThenExpiry(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onExpire()
	h.mailDelay["sa_expired"] = time.Minute
	timing := shortTiming() // reminders after 1h and 2h, expiry after 3h
	late := h.decideAt(3*time.Hour+30*time.Second, approve(admin1))
	afterExpiry := h.statusAt(3*time.Hour+30*time.Second, "")

	res := h.sacreate(input(timing))

	deadline := t0.Add(3 * time.Hour)
	assert.Equal(t, tasksAt(parentID, []string{admin1, admin2}, map[string]time.Duration{
		"approval": 0, "reminder-1": time.Hour, "reminder-2": 2 * time.Hour,
	}), h.taskKeys())
	for _, task := range h.tasks {
		assert.Equal(t, models.PurposeSAApproval, task.In.Purpose)
		assert.Equal(t, "sa_approval_task", task.In.Template)
		assert.Equal(t, int(task.At/time.Hour), task.In.Data.Reminder, "reminder number of %s", task.In.Key)
		requireSameTime(t, deadline, task.In.ExpiresAt, "link expiry of "+task.In.Key)
	}

	h.requireExpired(models.SAPendingApproval, 3*time.Hour)

	toRequester := h.mailsTo(requester)
	require.Equal(t, []string{"sa_pending", "sa_expired"}, templates(toRequester))
	assert.Equal(t, 3*time.Hour+time.Minute, toRequester[1].At, "sent at the expiry, recorded once the held mail completes")
	assert.Equal(t, parentID+"/expired", toRequester[1].In.Key)
	assert.Equal(t, []string{admin1, admin2}, toRequester[1].In.Data.Approvers)

	me := requireRejected(t, late, models.CodeGone)
	assert.Contains(t, me.Message, deadline.Format(time.RFC3339))
	assert.Equal(t, string(models.SAExpired), afterExpiry.State)
	assert.Empty(t, afterExpiry.WaitingOn)
	assert.Equal(t, []string{"reminder sent", "reminder sent", "expired"}, historyWhats(afterExpiry)[1:])

	assert.Equal(t, models.SAExpired, res.Status)
}

// Only the first reminder goes out when a reminder is due at or after the expiry (that one is not
// sent), and when a decision after it stops the remaining reminders.
func TestSACreate_RemindersStop(t *testing.T) {
	for _, c := range []struct {
		name      string
		reminders []time.Duration // instead of shortTiming's
		decide    bool
		want      models.SAStatus
	}{
		{"ReminderAtExpiryIsSkipped", []time.Duration{time.Hour, 3 * time.Hour, 4 * time.Hour}, false, models.SAExpired},
		{"DecisionStopsReminders", nil, true, models.SAActive},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, parentID)
			h.onCreate(pendingApproval(admin1), nil)
			timing := shortTiming()
			if c.reminders != nil {
				timing.Reminders = c.reminders
			}
			var decided *updateOutcome
			if c.decide {
				h.onDecide()
				decided = h.decideAt(90*time.Minute, approve(admin1))
			} else {
				h.onExpire()
			}

			res := h.sacreate(input(timing))

			if decided != nil {
				requireDecided(t, decided)
			}
			assert.Equal(t, tasksAt(parentID, []string{admin1}, map[string]time.Duration{"approval": 0, "reminder-1": time.Hour}),
				h.taskKeys())
			assert.Equal(t, c.want, res.Status)
		})
	}
}

// The store refuses the request: the created update answers with the refusal's code (the API turns it
// into a 409), nobody is mailed, and the process ends without failing.
func TestSACreate_Refused(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(activities.SAState{}, conflict("a Smart Account already uses the domain acme.com"))
	created := h.updateAt(0, "", process.UpdateCreated)

	res := h.sacreate(input(shortTiming()))

	assert.Equal(t, process.SACreateResult{}, res)
	assert.Empty(t, h.mails)
	assert.Empty(t, h.tasks)

	me := requireFailed(t, created, models.CodeConflict)
	assert.Contains(t, me.Message, "already uses the domain acme.com")
}

// The store cannot apply a decision: the decider is told why, with the store's code.
func TestSACreate_DecisionNotApplied(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1), nil)
	h.env.OnActivity(st.DecideSmartAccount, mock.Anything, mock.Anything).Return(activities.SAState{},
		conflict("the account was changed meanwhile"))
	decided := h.decideAt(10*time.Minute, approve(admin1))

	h.runLogged(workflows.SACreate, input(shortTiming()))

	me := requireFailed(t, decided, models.CodeConflict)
	assert.Contains(t, me.Message, "changed meanwhile")
}

// A mail that fails for good is logged; the process still ends as decided.
func TestSACreate_FailedMailDoesNotFailTheProcess(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(account(models.SAActive), nil)
	h.mailErr["sa_active"] = temporal.NewNonRetryableApplicationError("relay refused the recipient", "SMTP", nil)

	res := h.sacreate(input(shortTiming()))

	assert.Equal(t, models.SAActive, res.Status)
	assert.Equal(t, []string{"sa_active"}, templates(h.mailsTo(requester)))
}

// The created update answers even when it arrives after the first step.
func TestSACreate_CreatedAnswersLateCaller(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1), nil)
	h.onDecide()
	created := h.updateAt(10*time.Minute, "", process.UpdateCreated)
	h.decideAt(20*time.Minute, approve(admin1))

	h.sacreate(input(shortTiming()))

	resp := requireCreated(t, created)
	assert.Equal(t, models.SAPendingApproval, resp.Status)
	assert.Equal(t, []models.Waiting{waiting(admin1, "approve", t0, t0.Add(3*time.Hour))}, inUTC(resp.WaitingOn))
}

// A decision the store refuses for good (bad data, a constraint: what a NUL byte in a reason once did)
// is answered with why, at once, and the request stays decidable: the next decision applies, and no
// decision is left "being decided" for ever.
func TestSACreate_RefusedStoreStepLeavesTheRequestDecidable(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	calls := 0
	h.env.OnActivity(st.DecideSmartAccount, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DecideSAInput) (activities.SAState, error) {
			calls++
			if calls == 1 {
				return activities.SAState{}, process.EncodeError(models.Invalid("reason", "a value was refused by the database"))
			}
			out := account(models.SADeclined)
			out.DecidedBy, out.DecidedAt, out.Reason = in.Actor, h.env.Now().UTC(), in.Reason
			return out, nil
		})
	poisoned := h.decideAt(10*time.Minute, decline(admin1, "x"))
	during := h.statusAt(15*time.Minute, "")
	next := h.decideAt(20*time.Minute, decline(admin2, "a duplicate"))

	res := h.sacreate(input(shortTiming()))

	assert.Equal(t, "reason", requireFailed(t, poisoned, models.CodeInvalid).Field)
	assert.Equal(t, string(models.SAPendingApproval), during.State, "the request still waits")
	assert.Len(t, during.WaitingOn, 2)
	out := requireDecided(t, next)
	assert.Equal(t, models.SADeclined, out.Status)
	assert.Equal(t, admin2, out.DecidedBy)
	assert.Equal(t, models.SADeclined, res.Status)
	assert.Equal(t, 2, calls)
}

// The same person's same decision, sent again after its answer was lost, is answered with the outcome
// of the first, not refused as a conflict; another person's decision still is.
func TestSACreate_RepeatedDecisionGetsTheSameAnswer(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	h.mailDelay["sa_active"] = time.Hour // the process is still open when the repeat arrives
	first := h.decideAt(10*time.Minute, approve(admin1))
	repeat := h.decideAt(20*time.Minute, approve("ADMIN1@acme.com"))
	other := h.decideAt(21*time.Minute, decline(admin2, "no"))

	h.sacreate(input(shortTiming()))

	a, b := requireDecided(t, first), requireDecided(t, repeat)
	assert.Equal(t, a, b)
	assert.Equal(t, models.SAActive, b.Status)
	requireRejected(t, other, models.CodeConflict)
	require.Len(t, h.decided, 1, "the repeat applied nothing twice")
}

// The requester never decides their own request, even holding the role that may decide any.
func TestSACreate_RequesterNeverDecidesTheirOwnRequest(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1), nil)
	h.onDecide()
	own := h.decideAt(10*time.Minute, approve(requester, models.RoleCiscoApprover))
	nominated := h.decideAt(11*time.Minute, approve(nominee, models.RoleCiscoApprover))
	h.decideAt(20*time.Minute, approve(admin1))

	h.sacreate(input(shortTiming()))

	requireRejected(t, own, models.CodeForbidden)
	requireRejected(t, nominated, models.CodeForbidden)
}
