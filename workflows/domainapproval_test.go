package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

// childRun is how the parent started its domain approval child.
type childRun struct {
	in       workflows.DomainApprovalInput
	id       string
	parentID string
	started  bool
}

// watchChild records the start of the (real) DomainApproval child.
func (h *harness) watchChild() *childRun {
	run := &childRun{}
	h.env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		h.mu.Lock()
		defer h.mu.Unlock()
		run.started, run.id = true, info.WorkflowExecution.ID
		if info.ParentWorkflowExecution != nil {
			run.parentID = info.ParentWorkflowExecution.ID
		}
		if err := args.Get(&run.in); err != nil {
			h.t.Errorf("child input: %v", err)
		}
	})
	return run
}

// mockChild replaces the DomainApproval child with one that ends at once with res. (The test
// environment reports a mocked child as started only when its mock returns, so a mocked child cannot
// be made to wait: the tests that need the wait run the real child.)
func (h *harness) mockChild(res workflows.DomainApprovalResult) {
	h.env.OnWorkflow(workflows.DomainApproval, mock.Anything, mock.Anything).Return(res, nil).Once()
}

// decideChildAt sends the decide update to the domain approval child.
func (h *harness) decideChildAt(at time.Duration, in process.DecideInput) *updateOutcome {
	return h.updateAt(at, childID, process.UpdateDecide, in)
}

// ---- SACreate while the domain waits for Cisco (with the real DomainApproval child) ----

// The domain is approved and the account activates: the requester is first told it waits for Cisco,
// the parent refuses decisions meanwhile, and the child is started with the request's id and timing.
func TestSACreate_DomainApprovedThenActive(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(cisco1, cisco2), nil)
	active := account(models.SAActive)
	active.DecidedBy = cisco1
	h.onResolve(active)
	child := h.watchChild()
	created := h.updateAt(0, "", process.UpdateCreated)
	onParent := h.decideAt(30*time.Minute, approve(cisco1, models.RoleCiscoApprover))
	parentStatus := h.statusAt(30*time.Minute, "")
	childStatus := h.statusAt(30*time.Minute, childID)
	onChild := h.decideChildAt(50*time.Minute, approve(cisco1)) // before the child's first reminder (1h)
	timing := shortTiming()

	res := h.sacreate(input(timing))

	domainDeadline := t0.Add(timing.DomainExpiry)
	wantWaiting := []models.Waiting{
		waiting(cisco1, "approve-domain", t0, domainDeadline),
		waiting(cisco2, "approve-domain", t0, domainDeadline),
	}
	resp := requireCreated(t, created)
	assert.Equal(t, models.SAPendingDomainApproval, resp.Status)
	assert.Equal(t, wantWaiting, inUTC(resp.WaitingOn))

	require.True(t, child.started, "the domain approval child was not started")
	assert.Equal(t, childID, child.id)
	assert.Equal(t, parentID, child.parentID)
	assert.Equal(t, workflows.DomainApprovalInput{
		RequestID: requestID, SmartAccountID: saID, AccountName: "Acme", Domain: "acme.com",
		Requester: models.Person{Email: requester, Name: "Alice"}, Note: "please",
		Approvers: []string{cisco1, cisco2}, Reminders: timing.DomainReminders,
		EscalateAfter: timing.DomainEscalation, Expiry: timing.DomainExpiry,
		// New with the stored waitingOn: the window the store wrote, and nobody decides their own request.
		Excluded: []string{requester, nominee}, Since: t0, Timing: timing,
	}, child.in)

	me := requireRejected(t, onParent, models.CodeConflict)
	assert.Contains(t, me.Message, "domain acme.com waits for a Cisco domain approval")
	assert.Equal(t, string(models.SAPendingDomainApproval), parentStatus.State)
	assert.Equal(t, wantWaiting, inUTC(parentStatus.WaitingOn))
	requireSameTime(t, domainDeadline, parentStatus.Deadline, "status deadline")
	assert.Equal(t, string(models.SAPendingDomainApproval), childStatus.State)
	assert.Equal(t, wantWaiting, inUTC(childStatus.WaitingOn))

	assert.Equal(t, map[string]time.Duration{
		childID + "/approval/" + cisco1: 0,
		childID + "/approval/" + cisco2: 0,
	}, h.taskKeys(), "the child mails the Cisco approvers; the parent mails no task")
	out := requireDecided(t, onChild)
	assert.Equal(t, models.SAActive, out.Status)
	assert.Equal(t, cisco1, out.DecidedBy)
	require.Len(t, h.resolved, 1)
	assert.Equal(t, activities.ResolveDomainInput{SmartAccountID: saID, Approve: true, Actor: cisco1,
		Via: process.ViaEmail, Window: activities.Window{At: t0.Add(50 * time.Minute), Timing: timing}}, h.resolved[0].In)

	toRequester := h.mailsTo(requester)
	require.Equal(t, []string{"sa_pending", "sa_active"}, templates(toRequester))
	assert.Equal(t, parentID+"/pending-domain", toRequester[0].In.Key)
	assert.Equal(t, time.Duration(0), toRequester[0].At)
	assert.Equal(t, []string{cisco1, cisco2}, toRequester[0].In.Data.Approvers)
	requireSameTime(t, domainDeadline, toRequester[0].In.Data.Deadline, "sa_pending deadline")
	assert.Equal(t, 50*time.Minute, toRequester[1].At)
	assert.Equal(t, cisco1, toRequester[1].In.Data.DecidedBy)
	assert.Equal(t, []string{"sa_admin_invite"}, templates(h.mailsTo(nominee)))

	assert.Equal(t, process.SACreateResult{SmartAccountID: saID, Status: models.SAActive, DecidedBy: cisco1}, res)
	assert.Equal(t, string(models.SAActive), h.lastSearch().State)
}

// The domain is approved but an ACTIVE account exists for the TLD: its administrators approve next.
func TestSACreate_DomainApprovedThenAdminApproves(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(cisco1), nil)
	h.onDecide()
	next := pendingApproval(admin1)
	next.DecidedBy = cisco1
	h.onResolve(next)
	h.decideChildAt(50*time.Minute, approve(cisco1))
	status := h.statusAt(70*time.Minute, "")
	decided := h.decideAt(90*time.Minute, approve(admin1)) // before the admins' first reminder (50m+1h)
	timing := shortTiming()

	res := h.sacreate(input(timing))

	since, deadline := t0.Add(50*time.Minute), t0.Add(50*time.Minute+timing.Expiry)
	assert.Equal(t, string(models.SAPendingApproval), status.State)
	assert.Equal(t, []models.Waiting{waiting(admin1, "approve", since, deadline)}, inUTC(status.WaitingOn))
	requireSameTime(t, since, status.Since, "status since")
	assert.Contains(t, historyWhats(status), "domain APPROVED")

	ops := h.searchAt(70 * time.Minute)
	assert.Equal(t, string(models.SAPendingApproval), ops.State)
	assert.Equal(t, []string{admin1}, ops.WaitingOn)

	task, ok := h.task(parentID + "/approval/" + admin1)
	require.True(t, ok, "the administrator gets a task once the domain is approved")
	assert.Equal(t, models.PurposeSAApproval, task.In.Purpose)
	assert.Equal(t, 50*time.Minute, task.At)
	requireSameTime(t, deadline, task.In.ExpiresAt, "task link expiry")

	toRequester := h.mailsTo(requester)
	require.Equal(t, []string{"sa_pending", "sa_pending", "sa_active"}, templates(toRequester))
	assert.Equal(t, parentID+"/pending-domain", toRequester[0].In.Key)
	assert.Equal(t, parentID+"/pending-approval", toRequester[1].In.Key)
	assert.Equal(t, []string{admin1}, toRequester[1].In.Data.Approvers)

	out := requireDecided(t, decided)
	assert.Equal(t, models.SAActive, out.Status)
	assert.Equal(t, process.SACreateResult{SmartAccountID: saID, Status: models.SAActive, DecidedBy: admin1}, res)
}

// Cisco declines the domain: the requester is told why.
func TestSACreate_DomainDeclined(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(cisco1), nil)
	h.onResolve(account(models.SAActive))
	h.decideChildAt(50*time.Minute, decline(cisco1, "acme.com belongs to another company"))

	res := h.sacreate(input(shortTiming()))

	h.requireDeclined(res, cisco1, "acme.com belongs to another company")
}

// Nobody at Cisco decides: the request expires and the requester learns whom it waited for.
func TestSACreate_DomainExpired(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(cisco1, cisco2), nil)
	h.onExpire()
	timing := shortTiming()

	res := h.sacreate(input(timing))

	h.requireExpired(models.SAPendingDomainApproval, timing.DomainExpiry)
	toRequester := h.mailsTo(requester)
	require.Equal(t, []string{"sa_pending", "sa_expired"}, templates(toRequester))
	assert.Equal(t, timing.DomainExpiry, toRequester[1].At)
	assert.Equal(t, []string{cisco1, cisco2}, toRequester[1].In.Data.Approvers)
	assert.Equal(t, models.SAExpired, res.Status)
}

// While the domain waits for Cisco, operations see what the status query says: the parent's search
// attributes name the Cisco approvers. (The child is mocked so that only the parent's upserts count.)
func TestSACreate_SearchAttributesWhileDomainWaits(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(cisco1, cisco2), nil)
	h.mockChild(workflows.DomainApprovalResult{Decision: workflows.DomainApproved, State: account(models.SAActive)})

	h.sacreate(input(shortTiming()))

	var during *searchState
	for _, s := range h.searches {
		if s.State == string(models.SAPendingDomainApproval) {
			during = &s
		}
	}
	require.NotNil(t, during, "no upsert while PENDING_DOMAIN_APPROVAL: %+v", h.searches)
	assert.Equal(t, []string{cisco1, cisco2}, during.WaitingOn, "ClcWaitingOn while PENDING_DOMAIN_APPROVAL")
	assert.Equal(t, saID, during.SmartAccountID)
	assert.Equal(t, string(models.SAActive), h.lastSearch().State)
}

// With no Cisco approver named, the domain still waits for someone: the holders of cisco-approver,
// as the child itself reports.
func TestSACreate_DomainWaitWithoutNamedApprovers(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(), nil)
	h.mockChild(workflows.DomainApprovalResult{Decision: workflows.DomainApproved, State: account(models.SAActive)})
	created := h.updateAt(0, "", process.UpdateCreated)
	timing := shortTiming()

	h.sacreate(input(timing))

	resp := requireCreated(t, created)
	assert.Equal(t, models.SAPendingDomainApproval, resp.Status)
	assert.Equal(t, []models.Waiting{
		waiting("role:"+models.RoleCiscoApprover, "approve-domain", t0, t0.Add(timing.DomainExpiry)),
	}, inUTC(resp.WaitingOn), "a pending request must say whom it waits for")
}

// ---- DomainApproval on its own ----

func domainInput() workflows.DomainApprovalInput {
	return workflows.DomainApprovalInput{
		RequestID: requestID, SmartAccountID: saID, AccountName: "Acme", Domain: "acme.com",
		Requester: models.Person{Email: requester, Name: "Alice"}, Note: "please",
		Approvers: []string{cisco1, cisco2},
		Reminders: []time.Duration{time.Hour, 3 * time.Hour}, EscalateAfter: 2 * time.Hour, Expiry: 4 * time.Hour,
	}
}

func (h *harness) domainApproval(in workflows.DomainApprovalInput) workflows.DomainApprovalResult {
	h.t.Helper()
	return runResult[workflows.DomainApprovalResult](h, workflows.DomainApproval, in)
}

// Cisco approvers are mailed a task each; a holder of cisco-approver approves, the store resolves the
// domain, and the decider and the parent learn the outcome.
func TestDomainApproval_Approved(t *testing.T) {
	h := newHarness(t, childID)
	active := account(models.SAActive)
	active.DecidedBy = "boss@cisco.com"
	h.onResolve(active)
	stranger := h.decideAt(5*time.Minute, approve("mallory@evil.example"))
	status := h.statusAt(10*time.Minute, "")
	decided := h.decideAt(30*time.Minute, approve("Boss@Cisco.com", models.RoleCiscoApprover))

	res := h.domainApproval(domainInput())

	deadline := t0.Add(4 * time.Hour)
	require.Len(t, h.tasks, 2, "one task per Cisco approver, no reminder before the decision")
	for _, approver := range []string{cisco1, cisco2} {
		sent, ok := h.task(childID + "/approval/" + approver)
		require.True(t, ok, "no task mailed to %s", approver)
		task := sent.In
		assert.Equal(t, childID+"/approval/"+approver, task.Key)
		assert.Equal(t, approver, task.Recipient)
		assert.Equal(t, models.PurposeDomainApproval, task.Purpose)
		assert.Equal(t, childID, task.WorkflowID)
		assert.Equal(t, saID, task.SubjectID)
		assert.Equal(t, "domain_approval_task", task.Template)
		assert.Equal(t, "acme.com", task.Data.Domain)
		assert.Equal(t, requester, task.Data.RequesterEmail)
		requireSameTime(t, deadline, task.ExpiresAt, "task link expiry")
	}

	requireRejected(t, stranger, models.CodeForbidden)
	assertWaitsOn(t, status, models.SAPendingDomainApproval, "approve-domain", deadline, cisco1, cisco2)

	ops := h.searchAt(10 * time.Minute)
	assert.Equal(t, string(models.SAPendingDomainApproval), ops.State)
	assert.Equal(t, []string{cisco1, cisco2}, ops.WaitingOn)
	assert.Equal(t, saID, ops.SmartAccountID)

	require.Len(t, h.resolved, 1)
	assert.Equal(t, activities.ResolveDomainInput{SmartAccountID: saID, Approve: true, Actor: "boss@cisco.com",
		Via: process.ViaEmail, Window: activities.Window{At: t0.Add(30 * time.Minute)}}, h.resolved[0].In)
	assert.Equal(t, 30*time.Minute, h.resolved[0].At)

	out := requireDecided(t, decided)
	assert.Equal(t, process.DecideResult{SmartAccountID: saID, Decision: process.Approve, Status: models.SAActive,
		DecidedBy: "boss@cisco.com", DecidedAt: out.DecidedAt}, out)
	requireSameTime(t, t0.Add(30*time.Minute), out.DecidedAt, "decided at")

	assert.Equal(t, workflows.DomainApproved, res.Decision)
	assert.Equal(t, active, res.State)
}

// A named Cisco approver declines (a reason is required): the account is DECLINED.
func TestDomainApproval_Declined(t *testing.T) {
	h := newHarness(t, childID)
	h.onResolve(account(models.SAActive))
	noReason := h.decideAt(10*time.Minute, decline(cisco2, ""))
	decided := h.decideAt(20*time.Minute, decline("CA2@cisco.com", "not their domain"))

	res := h.domainApproval(domainInput())

	me := requireRejected(t, noReason, models.CodeInvalid)
	assert.Equal(t, "reason", me.Field)

	require.Len(t, h.resolved, 1)
	assert.Equal(t, activities.ResolveDomainInput{SmartAccountID: saID, Approve: false, Actor: cisco2,
		Reason: "not their domain", Via: process.ViaAPI, Window: activities.Window{At: t0.Add(20 * time.Minute)}}, h.resolved[0].In)

	out := requireDecided(t, decided)
	assert.Equal(t, models.SADeclined, out.Status)
	assert.Equal(t, process.Decline, out.Decision)
	assert.Equal(t, cisco2, out.DecidedBy)
	assert.Equal(t, "not their domain", out.Reason)

	assert.Equal(t, workflows.DomainDeclined, res.Decision)
	assert.Equal(t, models.SADeclined, res.State.Status)
}

// Undecided: reminders and the escalation go out on time, in order, then the account expires.
func TestDomainApproval_RemindersEscalationExpiry(t *testing.T) {
	h := newHarness(t, childID)
	h.onExpire()
	in := domainInput() // reminders after 1h and 3h, escalation after 2h, expiry after 4h

	res := h.domainApproval(in)

	assert.Equal(t, tasksAt(childID, []string{cisco1, cisco2}, map[string]time.Duration{
		"approval": 0, "reminder-1": time.Hour, "escalation": 2 * time.Hour, "reminder-2": 3 * time.Hour,
	}), h.taskKeys())
	deadline := t0.Add(in.Expiry)
	for _, task := range h.tasks {
		assert.Equal(t, models.PurposeDomainApproval, task.In.Purpose)
		requireSameTime(t, deadline, task.In.ExpiresAt, "link expiry of "+task.In.Key)
		switch task.At {
		case 2 * time.Hour:
			assert.Equal(t, "domain_approval_escalation", task.In.Template)
			requireSameTime(t, t0.Add(in.EscalateAfter), task.In.Data.Deadline, "escalation mail names the missed service level")
		case time.Hour, 3 * time.Hour:
			assert.Equal(t, "domain_approval_task", task.In.Template)
			assert.Equal(t, map[time.Duration]int{time.Hour: 1, 3 * time.Hour: 2}[task.At], task.In.Data.Reminder)
		}
	}

	h.requireExpired(models.SAPendingDomainApproval, 4*time.Hour)
	assert.Equal(t, workflows.DomainApprovalResult{Decision: workflows.DomainExpired, State: account(models.SAExpired)}, res)
}

// With no named approver, the task waits for the role, and a role holder decides.
func TestDomainApproval_NoNamedApprovers(t *testing.T) {
	h := newHarness(t, childID)
	h.onResolve(account(models.SAActive))
	status := h.statusAt(10*time.Minute, "")
	decided := h.decideAt(20*time.Minute, approve("boss@cisco.com", models.RoleCiscoApprover))
	in := domainInput()
	in.Approvers = nil

	res := h.domainApproval(in)

	assert.Empty(t, h.tasks)
	assert.Equal(t, []models.Waiting{
		waiting("role:"+models.RoleCiscoApprover, "approve-domain", t0, t0.Add(in.Expiry)),
	}, inUTC(status.WaitingOn))
	requireDecided(t, decided)
	assert.Equal(t, workflows.DomainApproved, res.Decision)
}

// The child cannot be started (its id is taken): the requester waiting on the created update still gets
// an answer instead of being left waiting until the process fails.
func TestSACreate_DomainChildNotStarted(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingDomain(cisco1), nil)
	h.env.OnWorkflow(workflows.DomainApproval, mock.Anything, mock.Anything).
		Return(workflows.DomainApprovalResult{}, testsuite.ErrMockStartChildWorkflowFailed).Once()
	created := h.updateAt(0, "", process.UpdateCreated)

	h.runLogged(workflows.SACreate, input(shortTiming()))

	s := created.snapshot()
	require.True(t, s.accepted)
	assert.True(t, s.completed, "the created update was never answered")
}

// The store cannot apply the domain decision: the decider is told why, with the store's code.
func TestDomainApproval_DecisionNotApplied(t *testing.T) {
	h := newHarness(t, childID)
	h.env.OnActivity(st.ResolveDomainApproval, mock.Anything, mock.Anything).Return(activities.SAState{},
		conflict("the account was changed meanwhile"))
	decided := h.decideAt(10*time.Minute, approve(cisco1))

	h.runLogged(workflows.DomainApproval, domainInput())

	requireFailed(t, decided, models.CodeConflict)
}
