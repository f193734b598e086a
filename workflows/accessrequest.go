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

// AccessRequest is the access request process (FEATURES AC1–AC3): the account's automation rules may
// decide it at once; otherwise its administrators (or the virtual accounts' administrators a rule
// routes it to) are mailed a task each, reminded, and one of them approves (per virtual account),
// declines with a reason, or hands the decision to another person; undecided, it expires. The
// requester and the people it is for are mailed the outcome.
func AccessRequest(ctx workflow.Context, in process.AccessRequestInput) (process.AccessRequestResult, error) {
	return start[process.AccessRequestResult](ctx, &accessRequest{proc: newProc(ctx), in: in, t: in.Timing.WithDefaults()})
}

type accessRequest struct {
	proc
	in process.AccessRequestInput
	t  process.Timing
	opening
	st activities.AccessState
	deciding
	delegates int
}

func (w *accessRequest) setup(ctx workflow.Context) error {
	return handleRequest(ctx, w.status, w.onCreated, w.onDecide, w.validateDecide)
}

func (w *accessRequest) onCreated(ctx workflow.Context) (process.AccessCreated, error) {
	return answerCreated(ctx, &w.opening, func() process.AccessCreated {
		return process.AccessCreated{RequestID: w.st.RequestID, SmartAccountID: w.st.SmartAccountID, Status: w.st.Status,
			DecidedBy: w.st.DecidedBy, Reason: w.st.DecisionReason, WaitingOn: w.waitingOn()}
	})
}

func (w *accessRequest) validateDecide(in process.DecideInput) error {
	if w.task == nil {
		if w.recorded() {
			return process.Refuse(models.CodeConflict, "", "the access request is %s and waits for no decision", w.st.Status)
		}
		return process.Refuse(models.CodeConflict, "", "the access request is not waiting for a decision yet")
	}
	return w.task.validate(in)
}

func (w *accessRequest) status() (process.Status, error) {
	return requestStatus(w.st.Status, w.task, w.st.SmartAccountID, w.waitingOn(), w.history), nil
}

// waitingOn is the request's own answer (its delegate once there is one, the approvers mailed otherwise)
// while its task is open.
func (w *accessRequest) waitingOn() []models.Waiting {
	if w.task == nil || !w.task.open {
		return []models.Waiting{}
	}
	return models.AccessWaiting(w.st.Approvers, w.st.DelegatedTo, w.task.since, w.task.deadline)
}

func (w *accessRequest) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.SearchOf("ACCESS_"+string(w.st.Status), w.waitingOn(), w.st.SmartAccountID))
}

func (w *accessRequest) run(ctx workflow.Context) (process.AccessRequestResult, error) {
	now := workflow.Now(ctx)
	st, err := run(ctx, store.CreateAccessRequest, activities.CreateAccessInput{RequestID: w.in.RequestID, WorkflowID: w.id,
		SmartAccountID: w.in.SmartAccountID, Requester: w.in.Requester, Role: w.in.Role,
		VirtualAccounts: w.in.VirtualAccounts, ForEmails: w.in.ForEmails, Reason: w.in.Reason,
		ExpiresAt: now.Add(w.t.AccessExpiry), PartnerDomain: w.in.PartnerDomain})
	if err != nil {
		w.open(process.EncodeError(err))
		w.step(ctx, "refused: "+err.Error(), "")
		return process.AccessRequestResult{}, w.finish(ctx, nil)
	}
	w.st = st
	w.step(ctx, "requested", w.in.Requester.Email)
	if auto := w.st.Auto; auto != nil && w.st.Status == models.AccessPending {
		decision := map[bool]process.Decision{true: process.Approve, false: process.Decline}[auto.Approve]
		_ = w.decide(ctx, process.DecideInput{Decision: decision, Reason: auto.Reason, Actor: auto.Actor, Via: "automation"},
			auto.RuleID)
		w.open(nil)
		return w.end(ctx)
	}
	if w.st.Status != models.AccessPending {
		// A retried start found the request decided already.
		w.open(nil)
		return w.end(ctx)
	}
	w.task = newApprovalTask(activities.Window{At: now}, w.deciders(), "", w.st.ExpiresAt.Sub(now))
	w.task.choices = []process.Decision{process.Approve, process.Decline, process.Delegate}
	if w.st.PartnerDomain != "" {
		// A customer's consent to a partner is its administrators' to give (FEATURES AC8): not handed on.
		w.task.choices = w.task.choices[:2]
	}
	w.task.excluded = append([]string{w.st.Requester}, w.st.ForEmails...)
	w.task.check = w.checkDecision
	w.open(nil)
	w.upsertSearch(ctx)
	w.taskMails(ctx, "approval", w.st.Approvers, "access_task", 0)
	nudges := nudgesOf(w.t.AccessReminders, "access_task")
	for {
		decided, err := w.task.wait(ctx, nudges, func(n nudge) {
			w.step(ctx, "reminder sent", "")
			w.taskMails(ctx, "reminder-"+itoa(n.Reminder), models.People(w.waitingOn()), n.Template, n.Reminder)
		})
		if err != nil {
			return process.AccessRequestResult{}, err
		}
		if !decided {
			if w.st, err = run(ctx, store.ExpireAccessRequest, w.in.RequestID); err != nil {
				return process.AccessRequestResult{}, err
			}
			w.step(ctx, "expired", "")
			return w.end(ctx)
		}
		in := *w.task.decision
		if in.Decision == process.Delegate {
			w.delegate(ctx, in)
			continue
		}
		if err := w.decide(ctx, in, ""); err == nil {
			return w.end(ctx)
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

// checkDecision refuses what the choices alone do not: a delegation to nobody or to someone the request
// is by or for, virtual accounts that were not asked for, an approval that declines every virtual
// account, a partial decline without the reason the requester is owed.
func (w *accessRequest) checkDecision(in process.DecideInput) error {
	people := append([]string{w.st.Requester}, w.st.ForEmails...)
	switch in.Decision {
	case process.Delegate:
		to := models.NormalizeEmail(in.DelegateTo)
		switch {
		case !models.ValidEmail(to):
			return process.Refuse(models.CodeInvalid, "delegateTo", "delegateTo must be the email address of the person who decides instead")
		case slices.Contains(people, to):
			return process.Refuse(models.CodeInvalid, "delegateTo", "the decision cannot go to someone the request is by or for")
		case to == models.NormalizeEmail(in.Actor) || to == w.st.DelegatedTo:
			return process.Refuse(models.CodeInvalid, "delegateTo", "%s decides already", to)
		}
	case process.Approve:
		asked := make([]string, 0, len(w.st.VirtualAccounts))
		for _, va := range w.st.VirtualAccounts {
			asked = append(asked, va.ID)
		}
		for _, id := range in.DeclinedVirtualAccounts {
			if !slices.Contains(asked, id) {
				return process.Refuse(models.CodeInvalid, "declinedVirtualAccounts", "virtual account %s was not asked for", id)
			}
		}
		if len(in.DeclinedVirtualAccounts) > 0 && len(dedupe(in.DeclinedVirtualAccounts)) >= len(asked) {
			return process.Refuse(models.CodeInvalid, "declinedVirtualAccounts", "every virtual account is declined: decline the request instead, with a reason")
		}
		if len(in.DeclinedVirtualAccounts) > 0 && strings.TrimSpace(in.Reason) == "" {
			return process.Refuse(models.CodeInvalid, "reason", "declining some virtual accounts needs a reason for the requester")
		}
	}
	if in.Decision != process.Approve && len(in.DeclinedVirtualAccounts) > 0 {
		return process.Refuse(models.CodeInvalid, "declinedVirtualAccounts", "declinedVirtualAccounts goes with APPROVE: decline the rest while approving some")
	}
	return nil
}

// decide applies a decision (a person's, a rule's) and, for a person's, answers the waiting update; a
// decision the store refuses is answered with why, and the request waits on.
func (w *accessRequest) decide(ctx workflow.Context, in process.DecideInput, ruleID string) error {
	out, err := run(ctx, store.DecideAccessRequest, activities.DecideAccessInput{
		RequestID: w.in.RequestID, Approve: in.Decision == process.Approve, Actor: models.NormalizeEmail(in.Actor),
		Reason: in.Reason, Via: in.Via, DeclinedVAs: dedupe(in.DeclinedVirtualAccounts), RuleID: ruleID, TokenID: in.TokenID,
	})
	if err != nil {
		if w.task != nil {
			w.task.fail(err)
		}
		w.step(ctx, "decision refused: "+err.Error(), in.Actor)
		return err
	}
	w.st = mergeAccess(w.st, out)
	if w.task != nil {
		w.task.close(w.result(in.Decision, w.st.DecidedBy, w.st.DecidedAt, w.st.DecisionReason, ""))
	}
	by := in.Actor
	if ruleID != "" {
		by = "automation rule " + ruleID
	}
	w.step(ctx, "decided: "+string(in.Decision), by)
	return nil
}

func (w *accessRequest) result(d process.Decision, by string, at time.Time, reason, to string) process.DecideResult {
	return process.DecideResult{SmartAccountID: w.st.SmartAccountID, Decision: d, Status: models.SAActive, DecidedBy: by,
		DecidedAt: at, Reason: reason, RequestID: w.st.RequestID, RequestStatus: string(w.st.Status), DelegatedTo: to}
}

// delegate hands the decision on: the delegate is mailed the task, reminders go to them, and the
// request stays open until its deadline. A delegation the store refuses (the delegate holds no role on
// the account) is answered with why.
func (w *accessRequest) delegate(ctx workflow.Context, in process.DecideInput) {
	out, err := run(ctx, store.DelegateAccessRequest, activities.DelegateAccessInput{RequestID: w.in.RequestID,
		Actor: in.Actor, DelegateTo: in.DelegateTo, Reason: in.Reason, Via: in.Via, TokenID: in.TokenID})
	if err != nil {
		w.task.fail(err)
		w.step(ctx, "delegation refused: "+err.Error(), in.Actor)
		return
	}
	w.st = mergeAccess(w.st, out)
	w.task.approvers = w.deciders()
	w.delegates++
	w.step(ctx, "delegated to "+out.DelegatedTo, in.Actor)
	w.upsertSearch(ctx)
	w.taskMails(ctx, "delegated-"+itoa(w.delegates), []string{out.DelegatedTo}, "access_task", 0)
	w.task.reopen(w.result(process.Delegate, models.NormalizeEmail(in.Actor), workflow.Now(ctx), in.Reason, out.DelegatedTo))
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
	res := process.AccessRequestResult{RequestID: w.st.RequestID, Status: w.st.Status, DecidedBy: w.st.DecidedBy,
		Reason: w.st.DecisionReason}
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
		Items: items, People: w.st.ForEmails, Outside: w.st.OutsideDomain, Partner: w.partner()}
}

// partner names the partner of a partner's request for its mails, "" for anyone else's.
func (w *accessRequest) partner() string {
	if w.st.PartnerDomain == "" {
		return ""
	}
	return w.st.PartnerName + " (" + w.st.PartnerDomain + ")"
}

func (w *accessRequest) taskMails(ctx workflow.Context, step string, to []string, template string, reminder int) {
	d := w.mailData(w.task.deadline)
	d.Reminder = reminder
	w.tasks(ctx, step, models.PurposeAccessApproval, w.st.RequestID, to, w.task.deadline, template, d)
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
