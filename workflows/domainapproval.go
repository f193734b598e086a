package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// DomainApprovalInput starts the Cisco approval of a domain identifier that is not the requester's own.
type DomainApprovalInput struct {
	RequestID      string        `json:"requestId"`
	SmartAccountID string        `json:"smartAccountId"`
	AccountName    string        `json:"accountName"`
	Domain         string        `json:"domain"`
	Requester      models.Person `json:"requester"`
	Note           string        `json:"note"`
	// Approvers are mailed the task; any holder of the cisco-approver role may decide as well.
	Approvers     []string        `json:"approvers"`
	Reminders     []time.Duration `json:"reminders"`
	EscalateAfter time.Duration   `json:"escalateAfter"`
	Expiry        time.Duration   `json:"expiry"`
}

// Domain decisions as the result reports them.
const (
	DomainApproved = "APPROVED"
	DomainDeclined = "DECLINED"
	DomainExpired  = "EXPIRED"
)

// DomainApprovalResult is the decision and the account's state after it.
type DomainApprovalResult struct {
	Decision string             `json:"decision"`
	State    activities.SAState `json:"state"`
}

// DomainApproval is the Cisco domain approval (FEATURES SA4), a child of the creation process: Cisco
// approvers are mailed a task, reminded, and escalated to past the service level; their decision moves
// the account on (to ACTIVE or to its TLD administrators' approval) or declines it; no decision by the
// expiry expires it.
func DomainApproval(ctx workflow.Context, in DomainApprovalInput) (DomainApprovalResult, error) {
	w := &domainApproval{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if err := w.setup(ctx); err != nil {
		return DomainApprovalResult{}, err
	}
	return w.run(ctx)
}

type domainApproval struct {
	in      DomainApprovalInput
	id      string
	task    *approvalTask
	history []process.Step
	mails   []workflow.Future
}

func (w *domainApproval) setup(ctx workflow.Context) error {
	w.task = newApprovalTask(ctx, w.in.Approvers, models.RoleCiscoApprover, w.in.Expiry)
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, w.status); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateDecide, w.task.accept,
		workflow.UpdateHandlerOptions{Validator: w.task.validate})
}

func (w *domainApproval) status() (process.Status, error) {
	state := string(models.SAPendingDomainApproval)
	if !w.task.open {
		state = "CLOSED"
	}
	return process.Status{State: state, SmartAccountID: w.in.SmartAccountID, WaitingOn: w.task.waiting("approve-domain"),
		Since: w.task.since, Deadline: w.task.deadline, History: w.history}, nil
}

func (w *domainApproval) run(ctx workflow.Context) (DomainApprovalResult, error) {
	_ = workflow.UpsertTypedSearchAttributes(ctx, process.SearchState.ValueSet(string(models.SAPendingDomainApproval)),
		process.SearchWaitingOn.ValueSet(w.in.Approvers), process.SearchSmartAccount.ValueSet(w.in.SmartAccountID))
	data := activities.MailData{AccountName: w.in.AccountName, AccountID: w.in.SmartAccountID, Domain: w.in.Domain,
		RequesterEmail: w.in.Requester.Email, RequesterName: nameOr(w.in.Requester), Note: w.in.Note,
		Approvers: w.in.Approvers, Deadline: w.task.deadline, Status: string(models.SAPendingDomainApproval)}
	w.mail(ctx, "approval", "domain_approval_task", data)
	w.step(ctx, "task mailed to Cisco approvers", "")

	nudges := make([]nudge, 0, len(w.in.Reminders)+1)
	for i, d := range w.in.Reminders {
		nudges = append(nudges, nudge{After: d, Template: "domain_approval_task", Reminder: i + 1})
	}
	if w.in.EscalateAfter > 0 {
		nudges = append(nudges, nudge{After: w.in.EscalateAfter, Template: "domain_approval_escalation"})
	}
	sortNudges(nudges)
	decided, err := w.task.wait(ctx, nudges, func(n nudge) {
		d := data
		d.Reminder = n.Reminder
		step := "reminder-" + itoa(n.Reminder)
		if n.Template == "domain_approval_escalation" {
			step, d.Deadline = "escalation", w.task.since.Add(w.in.EscalateAfter)
		}
		w.step(ctx, step+" sent", "")
		w.mail(ctx, step, n.Template, d)
	})
	if err != nil {
		return DomainApprovalResult{}, err
	}
	res := DomainApprovalResult{Decision: DomainExpired}
	if !decided {
		err = workflow.ExecuteLocalActivity(lctx(ctx), store.ExpireSmartAccount, activities.ExpireSAInput{
			SmartAccountID: w.in.SmartAccountID, From: models.SAPendingDomainApproval}).Get(ctx, &res.State)
		w.step(ctx, "expired", "")
		return res, w.finish(ctx, err)
	}
	in := *w.task.decision
	res.Decision = DomainDeclined
	if in.Decision == process.Approve {
		res.Decision = DomainApproved
	}
	err = workflow.ExecuteLocalActivity(lctx(ctx), store.ResolveDomainApproval, activities.ResolveDomainInput{
		SmartAccountID: w.in.SmartAccountID, Approve: in.Decision == process.Approve, Actor: in.Actor, Reason: in.Reason, Via: in.Via,
	}).Get(ctx, &res.State)
	// The domain decision is this actor's even when the account moves on to its administrators' approval.
	w.task.close(process.DecideResult{SmartAccountID: w.in.SmartAccountID, Decision: in.Decision, Status: res.State.Status,
		DecidedBy: in.Actor, DecidedAt: workflow.Now(ctx), Reason: in.Reason}, wireError(err))
	w.step(ctx, "decided: "+string(in.Decision), in.Actor)
	return res, w.finish(ctx, err)
}

func (w *domainApproval) mail(ctx workflow.Context, step, template string, data activities.MailData) {
	w.mails = append(w.mails, taskMails(ctx, w.id, step, models.PurposeDomainApproval, w.in.SmartAccountID,
		w.in.Approvers, w.task.deadline, template, data)...)
}

func (w *domainApproval) step(ctx workflow.Context, what, by string) {
	w.history = append(w.history, process.Step{At: workflow.Now(ctx), What: what, By: by})
}

func (w *domainApproval) finish(ctx workflow.Context, err error) error {
	_ = workflow.UpsertTypedSearchAttributes(ctx, process.SearchState.ValueSet("CLOSED"), process.SearchWaitingOn.ValueSet([]string{}))
	drain(ctx, w.mails)
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

func sortNudges(ns []nudge) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].After < ns[j-1].After; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}
