package workflows

import (
	"slices"
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
	// Approvers are mailed the task; any holder of the cisco-approver role may decide as well, except
	// the Excluded: the people the request is by or for.
	Approvers     []string        `json:"approvers"`
	Excluded      []string        `json:"excluded,omitempty"`
	Reminders     []time.Duration `json:"reminders"`
	EscalateAfter time.Duration   `json:"escalateAfter"`
	Expiry        time.Duration   `json:"expiry"`
	// Since is when the wait began, as the store wrote it (now when zero); Timing is the creation's,
	// for the administrators' approval an approved domain may lead to.
	Since  time.Time      `json:"since,omitzero"`
	Timing process.Timing `json:"timing"`
}

// Domain decisions as the result reports them.
const (
	DomainApproved = "APPROVED"
	DomainDeclined = "DECLINED"
	DomainExpired  = "EXPIRED"
)

// DomainApprovalResult is the decision and the account's state after it; At is when the decision was
// applied, when the wait it may lead to began.
type DomainApprovalResult struct {
	Decision string             `json:"decision"`
	State    activities.SAState `json:"state"`
	At       time.Time          `json:"at,omitzero"`
}

// DomainApproval is the Cisco domain approval (FEATURES SA4), a child of the creation process: Cisco
// approvers are mailed a task, reminded, and escalated to past the service level; their decision moves
// the account on (to ACTIVE or to its TLD administrators' approval) or declines it; no decision by the
// expiry expires it.
func DomainApproval(ctx workflow.Context, in DomainApprovalInput) (DomainApprovalResult, error) {
	return start[DomainApprovalResult](ctx, &domainApproval{proc: newProc(ctx), in: in})
}

type domainApproval struct {
	proc
	in   DomainApprovalInput
	task *approvalTask
}

func (w *domainApproval) setup(ctx workflow.Context) error {
	since := w.in.Since
	if since.IsZero() {
		since = workflow.Now(ctx)
	}
	w.task = newApprovalTask(activities.Window{At: since}, w.in.Approvers, models.RoleCiscoApprover, w.in.Expiry)
	w.task.excluded = w.in.Excluded
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, w.status); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateDecide, w.task.accept,
		workflow.UpdateHandlerOptions{Validator: w.task.validate})
}

func (w *domainApproval) state() string {
	if !w.task.open {
		return "CLOSED"
	}
	return string(models.SAPendingDomainApproval)
}

func (w *domainApproval) status() (process.Status, error) {
	return process.Status{State: w.state(), SmartAccountID: w.in.SmartAccountID,
		WaitingOn: w.task.waiting(models.ActApproveDomain), Since: w.task.since, Deadline: w.task.deadline,
		History: w.history}, nil
}

func (w *domainApproval) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.SearchOf(w.state(), w.task.waiting(models.ActApproveDomain), w.in.SmartAccountID))
}

func (w *domainApproval) run(ctx workflow.Context) (DomainApprovalResult, error) {
	w.upsertSearch(ctx)
	data := activities.MailData{AccountName: w.in.AccountName, AccountID: w.in.SmartAccountID, Domain: w.in.Domain,
		RequesterEmail: w.in.Requester.Email, RequesterName: nameOr(w.in.Requester), Note: w.in.Note,
		Approvers: w.in.Approvers, Deadline: w.task.deadline, Status: string(models.SAPendingDomainApproval)}
	w.mail(ctx, "approval", "domain_approval_task", data)
	w.step(ctx, "task mailed to Cisco approvers", "")

	nudges := nudgesOf(w.in.Reminders, "domain_approval_task")
	if w.in.EscalateAfter > 0 {
		nudges = append(nudges, nudge{After: w.in.EscalateAfter, Template: "domain_approval_escalation"})
		slices.SortStableFunc(nudges, func(a, b nudge) int { return int(a.After - b.After) })
	}
	for {
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
		if !decided {
			st, err := run(ctx, store.ExpireSmartAccount, activities.ExpireSAInput{SmartAccountID: w.in.SmartAccountID,
				From: models.SAPendingDomainApproval})
			w.step(ctx, "expired", "")
			return w.end(ctx, DomainApprovalResult{Decision: DomainExpired, State: st}, err)
		}
		in := *w.task.decision
		win := window(ctx, w.in.Timing)
		st, err := run(ctx, store.ResolveDomainApproval, activities.ResolveDomainInput{SmartAccountID: w.in.SmartAccountID,
			Approve: in.Decision == process.Approve, Actor: in.Actor, Reason: in.Reason, Via: in.Via, TokenID: in.TokenID,
			Window: win})
		if err != nil {
			w.task.fail(err)
			w.step(ctx, "decision refused: "+err.Error(), in.Actor)
			continue
		}
		res := DomainApprovalResult{Decision: DomainDeclined, State: st, At: win.At}
		if in.Decision == process.Approve {
			res.Decision = DomainApproved
		}
		// The domain decision is this actor's even when the account moves on to its administrators' approval.
		w.task.close(process.DecideResult{SmartAccountID: w.in.SmartAccountID, Decision: in.Decision, Status: st.Status,
			DecidedBy: in.Actor, DecidedAt: win.At, Reason: in.Reason})
		w.step(ctx, "decided: "+string(in.Decision), in.Actor)
		return w.end(ctx, res, nil)
	}
}

func (w *domainApproval) end(ctx workflow.Context, res DomainApprovalResult, err error) (DomainApprovalResult, error) {
	w.upsertSearch(ctx)
	return res, w.finish(ctx, err)
}

func (w *domainApproval) mail(ctx workflow.Context, step, template string, data activities.MailData) {
	w.tasks(ctx, step, models.PurposeDomainApproval, w.in.SmartAccountID, w.in.Approvers, w.task.deadline, template, data)
}
