package workflows

import (
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// AccessRequest is the access request process (FEATURES AC1–AC3): the account's automation rules may
// decide it at once; otherwise its administrators (or the virtual accounts' administrators a rule
// routes it to) are mailed a task each, reminded, and one of them approves (per virtual account),
// declines with a reason, or hands the decision to another person; undecided, it expires. The
// requester and the people it is for are mailed the outcome.
func AccessRequest(ctx workflow.Context, in process.AccessRequestInput) (process.AccessRequestResult, error) {
	w := &accessRequest{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, t: in.Timing.WithDefaults()}
	if err := w.setup(ctx); err != nil {
		return process.AccessRequestResult{}, err
	}
	return w.run(ctx)
}

type accessRequest struct {
	in        process.AccessRequestInput
	id        string
	t         process.Timing
	created   bool
	refusal   error
	st        activities.AccessState
	task      *approvalTask
	delegates int
	history   []process.Step
	mails     []workflow.Future
}

func (w *accessRequest) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, process.QueryStatus, w.status); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, process.UpdateCreated, w.onCreated); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateDecide, w.onDecide,
		workflow.UpdateHandlerOptions{Validator: w.validateDecide})
}

func (w *accessRequest) onCreated(ctx workflow.Context) (process.AccessCreated, error) {
	if err := workflow.Await(ctx, func() bool { return w.created }); err != nil {
		return process.AccessCreated{}, err
	}
	if w.refusal != nil {
		return process.AccessCreated{}, w.refusal
	}
	return process.AccessCreated{RequestID: w.st.RequestID, SmartAccountID: w.st.SmartAccountID, Status: w.st.Status,
		DecidedBy: w.st.DecidedBy, Reason: w.st.DecisionReason, WaitingOn: w.waitingOn()}, nil
}

func (w *accessRequest) validateDecide(in process.DecideInput) error {
	if w.task == nil {
		if w.created && w.refusal == nil {
			return refuse(models.CodeConflict, "", "the access request is %s and waits for no decision", w.st.Status)
		}
		return refuse(models.CodeConflict, "", "the access request is not waiting for a decision yet")
	}
	return w.task.validate(in)
}

func (w *accessRequest) onDecide(ctx workflow.Context, in process.DecideInput) (process.DecideResult, error) {
	return w.task.accept(ctx, in)
}

func (w *accessRequest) status() (process.Status, error) {
	st := process.Status{State: string(w.st.Status), SmartAccountID: w.st.SmartAccountID, WaitingOn: w.waitingOn(), History: w.history}
	if w.task != nil {
		st.Since, st.Deadline = w.task.since, w.task.deadline
	}
	if st.State == "" {
		st.State = "CREATING"
	}
	return st, nil
}

// waitingOn names the delegate once there is one, the approvers mailed otherwise.
func (w *accessRequest) waitingOn() []models.Waiting {
	if w.task == nil || !w.task.open {
		return []models.Waiting{}
	}
	who := w.st.Approvers
	if w.st.DelegatedTo != "" {
		who = []string{w.st.DelegatedTo}
	}
	out := make([]models.Waiting, 0, len(who))
	for _, a := range who {
		out = append(out, models.Waiting{Who: a, Action: "approve-access", Since: w.task.since, Deadline: w.task.deadline})
	}
	return out
}

func (w *accessRequest) run(ctx workflow.Context) (process.AccessRequestResult, error) {
	now := workflow.Now(ctx)
	err := workflow.ExecuteLocalActivity(lctx(ctx), store.CreateAccessRequest, activities.CreateAccessInput{
		RequestID: w.in.RequestID, WorkflowID: w.id, SmartAccountID: w.in.SmartAccountID, Requester: w.in.Requester,
		Role: w.in.Role, VirtualAccounts: w.in.VirtualAccounts, ForEmails: w.in.ForEmails, Reason: w.in.Reason,
		ExpiresAt: now.Add(w.t.AccessExpiry),
	}).Get(ctx, &w.st)
	if err != nil {
		w.refusal, w.created = wireError(err), true
		w.step(ctx, "refused: "+err.Error(), "")
		return process.AccessRequestResult{}, w.finish(ctx, nil)
	}
	w.step(ctx, "requested", w.in.Requester.Email)
	if auto := w.st.Auto; auto != nil && w.st.Status == models.AccessPending {
		w.decide(ctx, process.DecideInput{Decision: map[bool]process.Decision{true: process.Approve, false: process.Decline}[auto.Approve],
			Reason: auto.Reason, Actor: auto.Actor, Via: "automation"}, auto.RuleID)
		w.created = true
		return w.end(ctx)
	}
	if w.st.Status != models.AccessPending {
		// A retried start found the request decided already.
		w.created = true
		return w.end(ctx)
	}
	w.task = newApprovalTask(ctx, w.deciders(), "", w.st.ExpiresAt.Sub(now))
	w.task.choices = []process.Decision{process.Approve, process.Decline, process.Delegate}
	w.task.check = w.checkDecision
	w.created = true
	w.upsertSearch(ctx)
	w.taskMails(ctx, "approval", w.st.Approvers, "access_task")
	nudges := nudgesOf(w.t.AccessReminders, "access_task")
	for {
		decided, err := w.task.wait(ctx, nudges, func(n nudge) {
			w.step(ctx, "reminder sent", "")
			w.taskMailsReminder(ctx, n)
		})
		if err != nil {
			return process.AccessRequestResult{}, err
		}
		if !decided {
			err := workflow.ExecuteLocalActivity(lctx(ctx), store.ExpireAccessRequest, w.in.RequestID).Get(ctx, &w.st)
			w.step(ctx, "expired", "")
			if err != nil {
				return process.AccessRequestResult{}, err
			}
			return w.end(ctx)
		}
		in := *w.task.decision
		if in.Decision != process.Delegate {
			w.decide(ctx, in, "")
			return w.end(ctx)
		}
		if err := w.delegate(ctx, in); err != nil {
			return process.AccessRequestResult{}, err
		}
	}
}

// deciders are everyone who may decide: the approvers mailed, the account's administrators, and the
// delegate once there is one.
func (w *accessRequest) deciders() []string {
	out := slices.Clone(w.st.Approvers)
	for _, a := range append(slices.Clone(w.st.Admins), w.st.DelegatedTo) {
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// checkDecision refuses what the choices alone do not: a delegate who may not decide, virtual accounts
// that were not asked for, an approval that declines every virtual account.
func (w *accessRequest) checkDecision(in process.DecideInput) error {
	people := append([]string{w.st.Requester}, w.st.ForEmails...)
	if slices.Contains(people, models.NormalizeEmail(in.Actor)) {
		return refuse(models.CodeForbidden, "", "%s cannot decide a request made by or for themselves", in.Actor)
	}
	switch in.Decision {
	case process.Delegate:
		to := models.NormalizeEmail(in.DelegateTo)
		switch {
		case !models.ValidEmail(to):
			return refuse(models.CodeInvalid, "delegateTo", "delegateTo must be an email address")
		case slices.Contains(people, to):
			return refuse(models.CodeInvalid, "delegateTo", "the decision cannot go to someone the request is by or for")
		case to == models.NormalizeEmail(in.Actor) || to == w.st.DelegatedTo:
			return refuse(models.CodeInvalid, "delegateTo", "%s decides already", to)
		}
	case process.Approve:
		asked := make([]string, 0, len(w.st.VirtualAccounts))
		for _, va := range w.st.VirtualAccounts {
			asked = append(asked, va.ID)
		}
		for _, id := range in.DeclinedVirtualAccounts {
			if !slices.Contains(asked, id) {
				return refuse(models.CodeInvalid, "declinedVirtualAccounts", "virtual account %s was not asked for", id)
			}
		}
		if len(in.DeclinedVirtualAccounts) > 0 && len(dedupe(in.DeclinedVirtualAccounts)) >= len(asked) {
			return refuse(models.CodeInvalid, "declinedVirtualAccounts", "every virtual account is declined: decline the request instead, with a reason")
		}
	}
	return nil
}

// decide applies a decision (a person's, a rule's) and, for a person's, answers the waiting update.
func (w *accessRequest) decide(ctx workflow.Context, in process.DecideInput, ruleID string) {
	var out activities.AccessState
	err := workflow.ExecuteLocalActivity(lctx(ctx), store.DecideAccessRequest, activities.DecideAccessInput{
		RequestID: w.in.RequestID, Approve: in.Decision == process.Approve, Actor: models.NormalizeEmail(in.Actor),
		Reason: in.Reason, Via: in.Via, DeclinedVAs: dedupe(in.DeclinedVirtualAccounts), RuleID: ruleID,
	}).Get(ctx, &out)
	if err == nil {
		w.st = mergeAccess(w.st, out)
	}
	if w.task != nil {
		w.task.close(process.DecideResult{SmartAccountID: w.st.SmartAccountID, Decision: in.Decision, Status: models.SAActive,
			DecidedBy: w.st.DecidedBy, DecidedAt: w.st.DecidedAt, Reason: w.st.DecisionReason, RequestID: w.st.RequestID,
			RequestStatus: string(w.st.Status)}, wireError(err))
	}
	by := in.Actor
	if ruleID != "" {
		by = "automation rule " + ruleID
	}
	w.step(ctx, "decided: "+string(in.Decision), by)
}

// delegate hands the decision on: the delegate is mailed the task, reminders go to them, and the
// request stays open until its deadline.
func (w *accessRequest) delegate(ctx workflow.Context, in process.DecideInput) error {
	var out activities.AccessState
	err := workflow.ExecuteLocalActivity(lctx(ctx), store.DelegateAccessRequest, activities.DelegateAccessInput{
		RequestID: w.in.RequestID, Actor: in.Actor, DelegateTo: in.DelegateTo, Reason: in.Reason, Via: in.Via,
	}).Get(ctx, &out)
	if err != nil {
		w.task.close(process.DecideResult{}, wireError(err))
		return err
	}
	w.st = mergeAccess(w.st, out)
	w.task.approvers = w.deciders()
	w.delegates++
	w.step(ctx, "delegated to "+out.DelegatedTo, in.Actor)
	w.upsertSearch(ctx)
	w.taskMails(ctx, "delegated-"+itoa(w.delegates), []string{out.DelegatedTo}, "access_task")
	w.task.reopen(process.DecideResult{SmartAccountID: w.st.SmartAccountID, Decision: process.Delegate, Status: models.SAActive,
		DecidedBy: models.NormalizeEmail(in.Actor), DecidedAt: workflow.Now(ctx), Reason: in.Reason,
		RequestID: w.st.RequestID, RequestStatus: string(w.st.Status), DelegatedTo: out.DelegatedTo})
	return nil
}

// end mails the outcome to the requester and the people the request is for, and closes the process.
func (w *accessRequest) end(ctx workflow.Context) (process.AccessRequestResult, error) {
	d := w.mailData(time.Time{})
	d.DecidedBy, d.Reason = w.st.DecidedBy, w.st.DecisionReason
	if auto := w.st.Auto; auto != nil && auto.RuleID != "" {
		d.DecidedBy = "an automation rule of the account"
	}
	to := others(append([]string{w.st.Requester}, w.st.ForEmails...), "")
	switch w.st.Status {
	case models.AccessApproved:
		d.Items, d.Declined = nil, nil
		for _, va := range w.st.VirtualAccounts {
			if slices.Contains(w.st.DeclinedVAs, va.ID) {
				d.Declined = append(d.Declined, va.Name)
			} else {
				d.Items = append(d.Items, va.Name)
			}
		}
		w.notify(ctx, "approved", to, "access_approved", d)
	case models.AccessDeclined:
		w.notify(ctx, "declined", to, "access_declined", d)
	case models.AccessExpired:
		d.Approvers = w.st.Approvers
		w.notify(ctx, "expired", to, "access_expired", d)
	}
	w.upsertSearch(ctx)
	res := process.AccessRequestResult{RequestID: w.st.RequestID, Status: w.st.Status, DecidedBy: w.st.DecidedBy, Reason: w.st.DecisionReason}
	return res, w.finish(ctx, nil)
}

func (w *accessRequest) mailData(deadline time.Time) activities.MailData {
	items := make([]string, 0, len(w.st.VirtualAccounts))
	for _, va := range w.st.VirtualAccounts {
		items = append(items, va.Name)
	}
	tld, _ := models.TLD(w.st.Domain)
	return activities.MailData{AccountName: w.st.AccountName, AccountID: w.st.SmartAccountID, Domain: w.st.Domain, TLD: tld,
		RequesterEmail: w.st.Requester, RequesterName: nameOr(w.in.Requester), Note: w.st.Reason,
		Status: string(w.st.Status), Approvers: w.st.Approvers, Deadline: deadline, Role: w.in.Role.Title(),
		Items: items, People: w.st.ForEmails, Outside: w.st.OutsideDomain}
}

func (w *accessRequest) taskMails(ctx workflow.Context, step string, to []string, template string) {
	w.mails = append(w.mails, taskMails(ctx, w.id, step, models.PurposeAccessApproval, w.st.RequestID, to,
		w.task.deadline, template, w.mailData(w.task.deadline))...)
}

func (w *accessRequest) taskMailsReminder(ctx workflow.Context, n nudge) {
	to := w.st.Approvers
	if w.st.DelegatedTo != "" {
		to = []string{w.st.DelegatedTo}
	}
	d := w.mailData(w.task.deadline)
	d.Reminder = n.Reminder
	w.mails = append(w.mails, taskMails(ctx, w.id, "reminder-"+itoa(n.Reminder), models.PurposeAccessApproval,
		w.st.RequestID, to, w.task.deadline, n.Template, d)...)
}

func (w *accessRequest) notify(ctx workflow.Context, step string, to []string, template string, data activities.MailData) {
	w.mails = append(w.mails, notify(ctx, w.id+"/"+step, to, template, data))
}

func (w *accessRequest) step(ctx workflow.Context, what, by string) {
	w.history = append(w.history, process.Step{At: workflow.Now(ctx), What: what, By: by})
}

func (w *accessRequest) upsertSearch(ctx workflow.Context) {
	who := []string{}
	for _, ws := range w.waitingOn() {
		who = append(who, ws.Who)
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, process.SearchState.ValueSet("ACCESS_"+string(w.st.Status)),
		process.SearchWaitingOn.ValueSet(who), process.SearchSmartAccount.ValueSet(w.st.SmartAccountID))
}

func (w *accessRequest) finish(ctx workflow.Context, err error) error {
	drain(ctx, w.mails)
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// mergeAccess keeps what only the first store step knows (the automatic decision) across later ones.
func mergeAccess(old, fresh activities.AccessState) activities.AccessState {
	fresh.Auto = old.Auto
	return fresh
}

func dedupe(list []string) []string {
	out := []string{}
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
