package workflows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/process"
)

// store and mailer name the activities for ExecuteActivity; the worker registers the real ones.
var (
	store       *activities.Store
	mailer      *activities.Mailer
	provisioner *activities.Provisioner
	releaser    *activities.Releaser
)

// maxHistory bounds the steps a process's status keeps; older ones are in the event rows.
const maxHistory = 50

// proc is what every process has: its id, its own history, what it sent that is still in flight
// (mails, signals), and what its search attributes say. Each process embeds it and uses its helpers rather than writing them again.
type proc struct {
	id string
	// mailKey starts every mail key: the workflow id, or more where the id is reused (an account's
	// upgrades), so that one run's mails never pass for another's in the mail log.
	mailKey  string
	history  []process.Step
	outbound []workflow.Future
	searched *process.Search
}

// body is what every process is made of: setup registers its handlers before anything else happens (an
// update or query may arrive with the first workflow task), run does its work.
type body[R any] interface {
	setup(workflow.Context) error
	run(workflow.Context) (R, error)
}

// start runs a process's body.
func start[R any](ctx workflow.Context, b body[R]) (R, error) {
	if err := b.setup(ctx); err != nil {
		var zero R
		return zero, err
	}
	return b.run(ctx)
}

func newProc(ctx workflow.Context) proc {
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	return proc{id: id, mailKey: id}
}

// step adds a line to the process's own history.
func (p *proc) step(ctx workflow.Context, what, by string) {
	p.history = append(p.history, process.Step{At: workflow.Now(ctx), What: what, By: by})
	if len(p.history) > maxHistory {
		p.history = slices.Delete(p.history, 0, len(p.history)-maxHistory)
	}
}

// notify mails a notification; its key is the mail key and the step, so a retry never sends it twice.
func (p *proc) notify(ctx workflow.Context, step string, to []string, template string, data activities.MailData) {
	p.outbound = append(p.outbound, workflow.ExecuteActivity(mailOptions(ctx), mailer.SendMail,
		activities.MailInput{Key: p.mailKey + "/" + step, To: to, Template: template, Data: data}))
}

// tasks mails each recipient their own emailed link of the purpose; the mail key is the mail key, the
// step and the recipient.
func (p *proc) tasks(ctx workflow.Context, step, purpose, subjectID string, to []string, deadline time.Time,
	template string, data activities.MailData) {
	for _, r := range to {
		p.outbound = append(p.outbound, workflow.ExecuteActivity(mailOptions(ctx), mailer.SendTaskMail, activities.TaskMailInput{
			Key: p.mailKey + "/" + step + "/" + r, Recipient: r, Purpose: purpose, WorkflowID: p.id,
			SubjectID: subjectID, ExpiresAt: deadline, Template: template, Data: data,
		}))
	}
}

// release tells the orders holding lines for an account that it is ACTIVE (FEATURES PR2).
func (p *proc) release(ctx workflow.Context, smartAccountID string) {
	p.outbound = append(p.outbound, workflow.ExecuteActivity(mailOptions(ctx), releaser.ReleaseHeld,
		activities.ReleaseInput{SmartAccountID: smartAccountID}))
}

// search tells operations what the process says now. Each upsert is a visibility write of the engine:
// one that changes nothing is not sent, and a failed one only costs operations a filter.
func (p *proc) search(ctx workflow.Context, s process.Search) {
	if p.searched != nil && p.searched.Equal(s) {
		return
	}
	p.searched = &s
	_ = workflow.UpsertTypedSearchAttributes(ctx, s.Updates()...)
}

// finish waits for what it sent still in flight (one that failed for good is logged, not fatal) and for
// running update handlers, so no caller is left without an answer when the process closes.
func (p *proc) finish(ctx workflow.Context, err error) error {
	for _, f := range p.outbound {
		if merr := f.Get(ctx, nil); merr != nil {
			workflow.GetLogger(ctx).Error("send failed", "workflowId", p.id, "error", merr)
		}
	}
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// opening is the answer of a request's created update: it comes once the first step has run, with the
// step's refusal or with what the process says then.
type opening struct {
	done    bool
	refusal error
}

// open releases the created update: with the refusal of the first step, or nil when it recorded the request.
func (o *opening) open(refusal error) { o.done, o.refusal = true, refusal }

// recorded reports whether the first step recorded the request.
func (o *opening) recorded() bool { return o.done && o.refusal == nil }

// answerCreated waits for the first step and answers the created update with its refusal, or reply.
func answerCreated[T any](ctx workflow.Context, o *opening, reply func() T) (T, error) {
	var zero T
	if err := workflow.Await(ctx, func() bool { return o.done }); err != nil {
		return zero, err
	}
	if o.refusal != nil {
		return zero, o.refusal
	}
	return reply(), nil
}

// handleRequest registers what every request's process answers: its status query, its created update
// and its decide update with the validator of the decisions people send.
func handleRequest(ctx workflow.Context, status func() (process.Status, error), created any,
	decide func(workflow.Context, process.DecideInput) (process.DecideResult, error), validate func(process.DecideInput) error) error {
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, status); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, process.UpdateCreated, created); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateDecide, decide,
		workflow.UpdateHandlerOptions{Validator: validate})
}

// window is now by the process's clock with its timing: what a store step that starts a wait is given.
func window(ctx workflow.Context, t process.Timing) activities.Window {
	return activities.Window{At: workflow.Now(ctx), Timing: t}
}

// mailOptions retry a mail for as long as the relay is down: the mail log keeps retries from sending
// twice once a send was recorded. Signals to other processes use them too: a repeat changes nothing.
func mailOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
}

// storeRetryWindow is how long a store step is retried while the database does not answer. Without
// it the SDK bounds all attempts of a local activity by its StartToCloseTimeout (10 s): a failover
// would fail a decision for good and leave its request pending with no process left to decide it.
const storeRetryWindow = 24 * time.Hour

// lctx runs store steps as local activities: short transactions whose answer a person waits for,
// retried until the database answers. A refusal (bad data, a conflict) is final and comes back at once.
func lctx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: storeRetryWindow,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: 10 * time.Second},
	})
}

// run runs a store step as a local activity and returns its answer, typed by the step itself.
func run[I, O any](ctx workflow.Context, step func(context.Context, I) (O, error), in I) (O, error) {
	var out O
	err := workflow.ExecuteLocalActivity(lctx(ctx), step, in).Get(ctx, &out)
	return out, err
}

func itoa(i int) string { return strconv.Itoa(i) }
