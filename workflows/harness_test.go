package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/worker"
	"github.com/licensecentral/clc/workflows"
)

// The activity structs are registered with zero values: every call a test makes is mocked, and the
// method values below name the activities the workflows run.
var (
	st = &activities.Store{}
	ml = &activities.Mailer{}
	pv = &activities.Provisioner{}
	rl = &activities.Releaser{}
	ag = &activities.Assigner{}
)

// t0 is when every test workflow starts; the test clock is skipped from there.
var t0 = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

const (
	requestID = "req-1"
	saID      = "sa-1"
	requester = "alice@acme.com"
	nominee   = "bob@acme.com"
	admin1    = "admin1@acme.com"
	admin2    = "admin2@acme.com"
	cisco1    = "ca1@cisco.com"
	cisco2    = "ca2@cisco.com"
)

var (
	parentID = process.SACreateID(requestID)
	childID  = process.DomainApprovalID(requestID)
)

// sentMail is a notification the workflow asked the mailer for, at what point of the test clock.
type sentMail struct {
	At time.Duration
	In activities.MailInput
}

// sentTask is an emailed task the workflow asked the mailer for.
type sentTask struct {
	At time.Duration
	In activities.TaskMailInput
}

// searchState is one upsert of the custom search attributes.
type searchState struct {
	At             time.Duration
	State          string
	WaitingOn      []string
	SmartAccountID string
	Stuck          bool
}

// stamped is what a step was asked (In), at what point of the test clock.
type stamped[T any] struct {
	At time.Duration
	In T
}

// stampTimes lists when each step was asked.
func stampTimes[T any](xs []stamped[T]) []time.Duration {
	out := make([]time.Duration, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.At)
	}
	return out
}

// harness wraps a test workflow environment whose clock starts at t0, with the mailer mocked and
// recorded. Store mocks are set by each test, through the helpers below or env.OnActivity directly.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu       sync.Mutex
	mails    []sentMail
	tasks    []sentTask
	searches []searchState
	// released are the accounts whose held orders a process released.
	released []string
	created  []activities.CreateSAInput
	decided  []stamped[activities.DecideSAInput]
	resolved []stamped[activities.ResolveDomainInput]
	expired  []stamped[activities.ExpireSAInput]

	// mailDelay holds a mail of the given template in flight this long (on the test clock).
	mailDelay map[string]time.Duration
	// mailErr makes a mail of the given template fail with this error.
	mailErr map[string]error
	updates int
}

func newHarness(t *testing.T, workflowID string) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	// Warnings and errors only: the SDK's debug lines drown the test output.
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := suite.NewTestWorkflowEnvironment()
	// The SDK calls a workflow task that runs over a second a deadlock. The first test of the package
	// starts its workflow cold under -race, and on a loaded 2-core machine it failed that way
	// (TMPRL1101); a real deadlock still fails, after a minute.
	env.SetWorkerOptions(sdkworker.Options{DeadlockDetectionTimeout: time.Minute})
	env.SetStartTime(t0)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflowID, TaskQueue: process.DefaultTaskQueue})
	worker.Register(env, worker.Deps{Store: st, Mailer: ml, Provisioner: pv, Releaser: rl, Assigner: ag})
	h := &harness{t: t, env: env, mailDelay: map[string]time.Duration{}, mailErr: map[string]error{}}
	env.OnActivity(rl.ReleaseHeld, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ReleaseInput) (int, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.released = append(h.released, in.SmartAccountID)
		return 0, nil
	}).Maybe()
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		s := searchState{At: h.elapsed()}
		s.State, _ = sa.GetKeyword(process.SearchState)
		s.WaitingOn, _ = sa.GetKeywordList(process.SearchWaitingOn)
		s.SmartAccountID, _ = sa.GetKeyword(process.SearchSmartAccount)
		s.Stuck, _ = sa.GetBool(process.SearchStuck)
		h.mu.Lock()
		h.searches = append(h.searches, s)
		h.mu.Unlock()
	}).Return().Maybe()
	return h
}

func (h *harness) elapsed() time.Duration { return h.env.Now().Sub(t0) }

// mockMail records every mail; installed last so that the delayed mails set up by a test match first.
func (h *harness) mockMail() {
	for tmpl, d := range h.mailDelay {
		h.env.OnActivity(ml.SendMail, mock.Anything, mock.MatchedBy(func(in activities.MailInput) bool {
			return in.Template == tmpl
		})).After(d).Return(h.recordMail).Maybe()
	}
	h.env.OnActivity(ml.SendMail, mock.Anything, mock.Anything).Return(h.recordMail).Maybe()
	h.env.OnActivity(ml.SendTaskMail, mock.Anything, mock.Anything).Return(h.recordTask).Maybe()
}

func (h *harness) recordMail(_ context.Context, in activities.MailInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mails = append(h.mails, sentMail{At: h.elapsed(), In: in})
	return h.mailErr[in.Template]
}

func (h *harness) recordTask(_ context.Context, in activities.TaskMailInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tasks = append(h.tasks, sentTask{At: h.elapsed(), In: in})
	return h.mailErr[in.Template]
}

// onCreate makes Store.CreateSmartAccount answer state (or err).
func (h *harness) onCreate(state activities.SAState, err error) {
	h.env.OnActivity(st.CreateSmartAccount, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CreateSAInput) (activities.SAState, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.created = append(h.created, in)
			return state, err
		})
}

// onStep makes a store step answer through answer, called under the harness's lock after the step's
// input and the time were recorded in asked.
func onStep[I, O any](h *harness, step func(context.Context, I) (O, error), asked *[]stamped[I],
	answer func(I) (O, error)) *testsuite.MockCallWrapper {
	return h.env.OnActivity(step, mock.Anything, mock.Anything).Return(func(_ context.Context, in I) (O, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		*asked = append(*asked, stamped[I]{At: h.elapsed(), In: in})
		return answer(in)
	})
}

// onDecide makes Store.DecideSmartAccount apply the decision as the database would: ACTIVE or
// DECLINED, decided by the actor, now.
func (h *harness) onDecide() {
	onStep(h, st.DecideSmartAccount, &h.decided, func(in activities.DecideSAInput) (activities.SAState, error) {
		out := account(models.SAActive)
		if !in.Approve {
			out.Status = models.SADeclined
		}
		out.DecidedBy, out.DecidedAt, out.Reason = in.Actor, h.env.Now().UTC(), in.Reason
		return out, nil
	})
}

// onResolve makes Store.ResolveDomainApproval answer the given status on approval, DECLINED otherwise.
func (h *harness) onResolve(approved activities.SAState) {
	onStep(h, st.ResolveDomainApproval, &h.resolved, func(in activities.ResolveDomainInput) (activities.SAState, error) {
		out := approved
		if !in.Approve {
			out = account(models.SADeclined)
			out.DecidedBy, out.DecidedAt, out.Reason = in.Actor, h.env.Now().UTC(), in.Reason
		}
		return out, nil
	})
}

// onExpire makes Store.ExpireSmartAccount mark the account EXPIRED.
func (h *harness) onExpire() {
	onStep(h, st.ExpireSmartAccount, &h.expired, func(activities.ExpireSAInput) (activities.SAState, error) {
		return account(models.SAExpired), nil
	})
}

// updateOutcome is what the caller of an update learned.
type updateOutcome struct {
	mu        sync.Mutex
	sent      bool
	accepted  bool
	rejected  bool
	completed bool
	err       error
	value     any
}

func (o *updateOutcome) snapshot() updateOutcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	return updateOutcome{sent: o.sent, accepted: o.accepted, rejected: o.rejected, completed: o.completed, err: o.err, value: o.value}
}

// updateAt sends an update at the given point of the test clock: to the workflow under test when
// workflowID is empty, to that (child) workflow otherwise.
func (h *harness) updateAt(at time.Duration, workflowID, name string, args ...any) *updateOutcome {
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	o := &updateOutcome{}
	cb := &testsuite.TestUpdateCallback{
		OnAccept: func() { o.mu.Lock(); o.accepted = true; o.mu.Unlock() },
		OnReject: func(err error) { o.mu.Lock(); o.rejected, o.err = true, err; o.mu.Unlock() },
		OnComplete: func(v any, err error) {
			o.mu.Lock()
			o.completed, o.value, o.err = true, v, err
			o.mu.Unlock()
		},
	}
	h.env.RegisterDelayedCallback(func() {
		o.mu.Lock()
		o.sent = true
		o.mu.Unlock()
		if workflowID == "" {
			h.env.UpdateWorkflow(name, id, cb, args...)
			return
		}
		if err := h.env.UpdateWorkflowByID(workflowID, name, id, cb, args...); err != nil {
			cb.Reject(err)
		}
	}, at)
	return o
}

// decideAt sends the decide update to the workflow under test.
func (h *harness) decideAt(at time.Duration, in process.DecideInput) *updateOutcome {
	return h.updateAt(at, "", process.UpdateDecide, in)
}

// statusAt queries the status of the workflow under test (or of workflowID) at the given time.
func (h *harness) statusAt(at time.Duration, workflowID string) *process.Status {
	out := &process.Status{State: "<not queried>"}
	h.env.RegisterDelayedCallback(func() {
		var err error
		var v interface{ Get(any) error }
		if workflowID == "" {
			v, err = h.env.QueryWorkflow(process.QueryStatus)
		} else {
			v, err = h.env.QueryWorkflowByID(workflowID, process.QueryStatus)
		}
		if err == nil {
			err = v.Get(out)
		}
		if err != nil {
			h.t.Errorf("status query at %s: %v", at, err)
		}
	}, at)
	return out
}

// run executes the workflow to its end (time skipped) and checks that the mocks were used as set up.
func (h *harness) run(wf any, in any) {
	h.t.Helper()
	h.mockMail()
	h.env.ExecuteWorkflow(wf, in)
	require.True(h.t, h.env.IsWorkflowCompleted(), "workflow did not complete")
	h.env.AssertExpectations(h.t)
}

// runResult executes the workflow as run does, requires that it succeeded and returns its result.
func runResult[R any](h *harness, wf any, in any) R {
	h.t.Helper()
	h.run(wf, in)
	require.NoError(h.t, h.env.GetWorkflowError())
	var res R
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// runLogged executes the workflow as run does, whatever its outcome, and logs how it ended: for the tests
// of what the callers of its updates were answered.
func (h *harness) runLogged(wf any, in any) {
	h.t.Helper()
	h.run(wf, in)
	h.t.Logf("workflow ended with: %v", h.env.GetWorkflowError())
}

// conflict is the non-retryable refusal a store step answers with when the database's state forbids
// the step.
func conflict(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, models.CodeConflict, nil)
}

func (h *harness) sacreate(in process.SACreateInput) process.SACreateResult {
	h.t.Helper()
	return runResult[process.SACreateResult](h, workflows.SACreate, in)
}

// requireDeclined checks how a declined request ended: the result says who declined it and why, the
// requester was told it waited and then that, and nobody was invited. It returns the decline's mail.
func (h *harness) requireDeclined(res process.SACreateResult, by, reason string) sentMail {
	h.t.Helper()
	require.Equal(h.t, process.SACreateResult{SmartAccountID: saID, Status: models.SADeclined, DecidedBy: by,
		Reason: reason}, res)
	toRequester := h.mailsTo(requester)
	require.Equal(h.t, []string{"sa_pending", "sa_declined"}, templates(toRequester))
	require.Equal(h.t, reason, toRequester[1].In.Data.Reason)
	require.Equal(h.t, by, toRequester[1].In.Data.DecidedBy)
	require.Empty(h.t, h.mailsTo(nominee), "nobody is invited to a declined account")
	return toRequester[1]
}

// requireExpired checks that the account was expired once, from the status it waited in, at the given
// point of the test clock.
func (h *harness) requireExpired(from models.SAStatus, at time.Duration) {
	h.t.Helper()
	require.Len(h.t, h.expired, 1)
	require.Equal(h.t, activities.ExpireSAInput{SmartAccountID: saID, From: from}, h.expired[0].In)
	require.Equal(h.t, at, h.expired[0].At)
}

// tasksAt are the keys of the emailed tasks of the workflow id to each person at each step, sent at the
// step's time: what taskKeys lists.
func tasksAt(id string, people []string, steps map[string]time.Duration) map[string]time.Duration {
	out := map[string]time.Duration{}
	for step, at := range steps {
		for _, p := range people {
			out[id+"/"+step+"/"+p] = at
		}
	}
	return out
}

// mailsTo lists the notifications sent to one address, in order.
func (h *harness) mailsTo(addr string) []sentMail {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []sentMail
	for _, m := range h.mails {
		for _, to := range m.In.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

func templates(ms []sentMail) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.In.Template)
	}
	return out
}

// taskKeys lists the keys of the emailed tasks, with when each was sent.
func (h *harness) taskKeys() map[string]time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]time.Duration{}
	for _, tk := range h.tasks {
		out[tk.In.Key] = tk.At
	}
	return out
}

func (h *harness) lastSearch() searchState {
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(h.t, h.searches, "no search attributes were upserted")
	return h.searches[len(h.searches)-1]
}

// searchAt is the search attributes as operations saw them at the given time: the last upsert at or
// before it.
func (h *harness) searchAt(at time.Duration) searchState {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out searchState
	for _, s := range h.searches {
		if s.At <= at {
			out = s
		}
	}
	return out
}

// account is the state of the test account in the given status.
func account(status models.SAStatus) activities.SAState {
	return activities.SAState{SmartAccountID: saID, Name: "Acme", Domain: "acme.com", Status: status}
}

// pendingApproval is the account waiting for the TLD's administrators.
func pendingApproval(approvers ...string) activities.SAState {
	s := account(models.SAPendingApproval)
	s.Approvers, s.Why = approvers, "an ACTIVE Smart Account exists for acme.com"
	return s
}

// pendingDomain is the account waiting for a Cisco domain approval.
func pendingDomain(approvers ...string) activities.SAState {
	s := account(models.SAPendingDomainApproval)
	s.Approvers, s.Why = approvers, "the domain is not the requester's own"
	return s
}

func input(timing process.Timing) process.SACreateInput {
	return process.SACreateInput{
		RequestID: requestID,
		Request: process.SARequest{
			Name: "Acme", Domain: "acme.com", NoteToApprover: "please", Visibility: models.VisibilityUnrestricted,
			NominatedAdmins: []string{requester, "Bob@Acme.com"},
			Requester:       models.Person{Email: requester, Name: "Alice"},
		},
		Timing: timing,
	}
}

// shortTiming is DefaultTiming in hours instead of days.
func shortTiming() process.Timing {
	return process.Timing{
		Reminders:        []time.Duration{time.Hour, 2 * time.Hour},
		Expiry:           3 * time.Hour,
		DomainReminders:  []time.Duration{time.Hour},
		DomainEscalation: 2 * time.Hour,
		DomainExpiry:     4 * time.Hour,
	}
}

func approve(actor string, roles ...string) process.DecideInput {
	return process.DecideInput{Decision: process.Approve, Actor: actor, ActorRoles: roles, Via: process.ViaEmail}
}

func decline(actor, reason string, roles ...string) process.DecideInput {
	return process.DecideInput{Decision: process.Decline, Reason: reason, Actor: actor, ActorRoles: roles, Via: process.ViaAPI}
}

// overTheWire is the error a client of a real Temporal server receives for err: a workflow or update
// handler's error travels as a Temporal failure. The test environment hands errors over as they are.
func overTheWire(err error) error {
	if err == nil {
		return nil
	}
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(err))
}

// apiError is the *models.Error the API maps an update's error to (through workflows.AsModelError),
// or nil when the error does not carry one (the API then answers 500).
func apiError(err error) *models.Error {
	var me *models.Error
	if errors.As(process.DecodeError(overTheWire(err)), &me) {
		return me
	}
	return nil
}

// requireRejected checks that an update was refused by the validator with the given code.
func requireRejected(t *testing.T, o *updateOutcome, code string) *models.Error {
	t.Helper()
	s := o.snapshot()
	require.True(t, s.sent, "update was never sent (workflow ended before?)")
	require.True(t, s.rejected, "update should be rejected, got accepted=%v completed=%v err=%v", s.accepted, s.completed, s.err)
	require.False(t, s.accepted)
	me := apiError(s.err)
	require.NotNil(t, me, "rejection %v carries no error code", s.err)
	require.Equal(t, code, me.Code, "rejection: %v", s.err)
	return me
}

// requireAnswer checks that an update was accepted and completed without error, and answered with a T
// (which names the update in failure messages).
func requireAnswer[T any](t *testing.T, o *updateOutcome) T {
	t.Helper()
	var zero T
	what := fmt.Sprintf("the update answering %T", zero)
	s := o.snapshot()
	require.True(t, s.sent, "%s was never sent (workflow ended before?)", what)
	require.True(t, s.accepted, "%s should be accepted, got rejected=%v err=%v", what, s.rejected, s.err)
	require.True(t, s.completed, "accepted %s never completed", what)
	require.NoError(t, s.err)
	res, ok := s.value.(T)
	require.True(t, ok, "%s answered %T", what, s.value)
	return res
}

// requireDecided checks that a decide update was accepted and answered with a DecideResult;
// requireCreated checks the answer of the created update.
var (
	requireDecided = requireAnswer[process.DecideResult]
	requireCreated = requireAnswer[process.CreateResponse]
)

// requireFailed checks that an update was accepted and then answered with an error the API maps to
// code (a store step's refusal, say), and returns that error.
func requireFailed(t *testing.T, o *updateOutcome, code string) *models.Error {
	t.Helper()
	s := o.snapshot()
	require.True(t, s.accepted)
	require.True(t, s.completed, "the caller must get an answer")
	require.Error(t, s.err)
	me := apiError(s.err)
	require.NotNil(t, me, "the API cannot map the refusal (500): over the wire it arrives as %s", describe(overTheWire(s.err)))
	require.Equal(t, code, me.Code, "refusal: %v", s.err)
	return me
}

// waiting builds an expected waitingOn entry.
func waiting(who, action string, since, deadline time.Time) models.Waiting {
	return models.Waiting{Who: who, Action: action, Since: since.UTC(), Deadline: deadline.UTC()}
}

// inUTC makes times comparable with assert.Equal.
func inUTC(ws []models.Waiting) []models.Waiting {
	out := make([]models.Waiting, 0, len(ws))
	for _, w := range ws {
		w.Since, w.Deadline = w.Since.UTC(), w.Deadline.UTC()
		out = append(out, w)
	}
	return out
}

func requireSameTime(t *testing.T, want, got time.Time, what string) {
	t.Helper()
	require.Truef(t, want.Equal(got), "%s: want %s, got %s", what, want.UTC(), got.UTC())
}

// historyWhats lists the What of each step of a status history.
func historyWhats(s *process.Status) []string {
	out := make([]string, 0, len(s.History))
	for _, st := range s.History {
		out = append(out, st.What)
	}
	return out
}

// describe names an error's Temporal application error type and message, for failure messages.
func describe(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return fmt.Sprintf("an ApplicationError of type %q with message %q", appErr.Type(), appErr.Message())
	}
	return fmt.Sprintf("%T %q", err, err)
}

// task finds the emailed task with the given key.
func (h *harness) task(key string) (sentTask, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, tk := range h.tasks {
		if tk.In.Key == key {
			return tk, true
		}
	}
	return sentTask{}, false
}
