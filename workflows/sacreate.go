package workflows

import (
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// SACreate is the Smart Account creation process (FEATURES SA1–SA4, SA7, SA8): it records the request
// by the activation rules, answers the requester through the created update, and then waits for the
// Cisco domain approval (a child workflow) and the approval by the TLD's administrators as needed,
// with reminders and an expiry, mailing everyone concerned at each turn.
func SACreate(ctx workflow.Context, in process.SACreateInput) (process.SACreateResult, error) {
	return start[process.SACreateResult](ctx, &saCreate{proc: newProc(ctx), in: in})
}

type saCreate struct {
	proc
	in process.SACreateInput
	opening
	sa    activities.SAState
	why   string
	state string
	since time.Time
	// task is the open person-decision: the administrators' approval, or the customer's acceptance.
	deciding
	// domainWait describes the child's wait while the account is PENDING_DOMAIN_APPROVAL.
	domainWait []models.Waiting
	// taskAction is what the open task asks ("accept", "give-address"); "approve" when empty.
	taskAction string
	// customer holds the state of the customer's part of a request made on their behalf.
	customer customerPart
}

func (w *saCreate) setup(ctx workflow.Context) error {
	w.state, w.since = "CREATING", workflow.Now(ctx)
	if err := handleRequest(ctx, w.status, w.onCreated, w.onDecide, w.validateDecide); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, process.UpdateNominate, w.onNominate,
		workflow.UpdateHandlerOptions{Validator: w.validateNominate})
}

func (w *saCreate) onCreated(ctx workflow.Context) (process.CreateResponse, error) {
	return answerCreated(ctx, &w.opening, func() process.CreateResponse {
		return process.CreateResponse{SmartAccountID: w.sa.SmartAccountID, Status: w.sa.Status, Domain: w.sa.Domain,
			SMB: w.sa.SMB, WaitingOn: w.waitingOn(), Why: w.why}
	})
}

func (w *saCreate) validateDecide(in process.DecideInput) error {
	if w.sa.Status == models.SAPendingDomainApproval {
		return process.Refuse(models.CodeConflict, "", "the domain %s waits for a Cisco domain approval first", w.sa.Domain)
	}
	if w.task == nil && w.recorded() {
		return process.Refuse(models.CodeConflict, "", "the Smart Account is %s and waits for no approval", w.sa.Status)
	}
	return w.task.validate(in)
}

func (w *saCreate) status() (process.Status, error) {
	return process.Status{State: w.state, SmartAccountID: w.sa.SmartAccountID, WaitingOn: w.waitingOn(), Since: w.since,
		Deadline: w.deadline(), History: w.history}, nil
}

func (w *saCreate) waitingOn() []models.Waiting {
	switch {
	case w.task != nil && w.task.open:
		if w.taskAction != "" {
			return w.task.waiting(w.taskAction)
		}
		return w.task.waiting(models.ActApprove)
	case w.sa.Status == models.SAPendingDomainApproval:
		return w.domainWait
	case w.sa.Status == models.SADeclinedByCustomer:
		return w.customer.waitingForNominations()
	}
	return []models.Waiting{}
}

func (w *saCreate) deadline() time.Time {
	if ws := w.waitingOn(); len(ws) > 0 {
		return ws[0].Deadline
	}
	return time.Time{}
}

func (w *saCreate) run(ctx workflow.Context) (process.SACreateResult, error) {
	win := window(ctx, w.in.Timing)
	st, err := w.create(ctx, win)
	if err != nil {
		w.open(process.EncodeError(err))
		w.state = "REFUSED"
		w.step(ctx, "refused: "+err.Error(), "")
		w.upsertSearch(ctx)
		return process.SACreateResult{}, w.finish(ctx, nil)
	}
	w.setAccount(ctx, st)
	if st.Status == models.SAPendingCustomerAcceptance {
		if st, win, err = w.customerPart(ctx, st, win); err != nil {
			return process.SACreateResult{}, err
		}
		w.setAccount(ctx, st)
	}
	if st.Status == models.SAPendingDomainApproval {
		// The child exists before the requester is answered, so a decision sent right after finds it.
		child, err := w.startDomainApproval(ctx, st, win)
		if err != nil {
			w.open(process.EncodeError(err))
			return process.SACreateResult{}, w.finish(ctx, err)
		}
		w.open(nil)
		w.notify(ctx, "pending-domain", []string{w.in.Request.Requester.Email}, "sa_pending",
			w.mailData(st.Approvers, win.At.Add(w.in.Timing.DomainExpiry)))
		var res DomainApprovalResult
		if err := child.Get(ctx, &res); err != nil {
			return process.SACreateResult{}, err
		}
		w.step(ctx, "domain "+res.Decision, res.State.DecidedBy)
		st, win = res.State, activities.Window{At: res.At, Timing: w.in.Timing}
		w.setAccount(ctx, st)
	}
	w.open(nil)

	if st.Status == models.SAPendingApproval {
		if st, err = w.approval(ctx, st, win); err != nil {
			return process.SACreateResult{}, err
		}
		w.setAccount(ctx, st)
	}
	w.announce(ctx, st)
	res := process.SACreateResult{SmartAccountID: st.SmartAccountID, Status: st.Status, DecidedBy: st.DecidedBy, Reason: st.Reason}
	return res, w.finish(ctx, nil)
}

// create runs the first step as a local activity, so the requester's answer costs one workflow task.
func (w *saCreate) create(ctx workflow.Context, win activities.Window) (activities.SAState, error) {
	st, err := run(ctx, store.CreateSmartAccount, activities.CreateSAInput{RequestID: w.in.RequestID, WorkflowID: w.id,
		SARequest: w.in.Request, Window: win})
	if err == nil {
		w.why = st.Why
		w.step(ctx, "requested: "+string(st.Status)+" ("+st.Why+")", w.in.Request.Requester.Email)
	}
	return st, err
}

// startDomainApproval starts the Cisco domain approval as a child workflow and waits until it runs; its
// result is the account's state after it: ACTIVE, PENDING_APPROVAL, DECLINED or EXPIRED.
func (w *saCreate) startDomainApproval(ctx workflow.Context, st activities.SAState,
	win activities.Window) (workflow.ChildWorkflowFuture, error) {
	r, t := w.in.Request, w.in.Timing
	who := st.Approvers
	if len(who) == 0 {
		// Nobody holds the role yet: whoever is given it may decide.
		who = []string{models.RolePrefix + models.RoleCiscoApprover}
	}
	w.domainWait = models.WaitFor(who, models.ActApproveDomain, win.At, win.At.Add(t.DomainExpiry))
	w.upsertSearch(ctx)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            process.DomainApprovalID(w.in.RequestID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	})
	child := workflow.ExecuteChildWorkflow(cctx, DomainApproval, DomainApprovalInput{
		RequestID: w.in.RequestID, SmartAccountID: st.SmartAccountID, AccountName: r.Name, Domain: st.Domain,
		Requester: r.Requester, Note: r.NoteToApprover, Approvers: st.Approvers, Excluded: w.requestPeople(st),
		Reminders: t.DomainReminders, EscalateAfter: t.DomainEscalation, Expiry: t.DomainExpiry, Since: win.At, Timing: t,
	})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return nil, err
	}
	return child, nil
}

// requestPeople are who the request is by or for: none of them decides it.
func (w *saCreate) requestPeople(st activities.SAState) []string {
	r := w.in.Request
	return others(append(append([]string{r.Requester.Email}, r.NominatedAdmins...), st.AcceptedBy), "")
}

// approval waits for the TLD's administrators (or a Cisco approver) to decide, with reminders and an
// expiry, and applies the decision. A decision the store refuses is answered and waited past.
func (w *saCreate) approval(ctx workflow.Context, st activities.SAState, win activities.Window) (activities.SAState, error) {
	t := w.in.Timing
	w.task = newApprovalTask(win, st.Approvers, models.RoleCiscoApprover, t.Expiry)
	w.task.excluded = w.requestPeople(st)
	w.upsertSearch(ctx)
	data := w.mailData(st.Approvers, w.task.deadline)
	w.notify(ctx, "pending-approval", []string{w.in.Request.Requester.Email}, "sa_pending", data)
	w.taskMails(ctx, "approval", st.Approvers, "sa_approval_task", data)
	for {
		decided, err := w.awaitTask(ctx, nudgesOf(t.Reminders, "sa_approval_task"), "reminder sent", "reminder-",
			models.PurposeSAApproval, func() activities.MailData { return data })
		if err != nil {
			return st, err
		}
		if !decided {
			out, err := run(ctx, store.ExpireSmartAccount, activities.ExpireSAInput{SmartAccountID: st.SmartAccountID,
				From: models.SAPendingApproval})
			w.step(ctx, "expired", "")
			return out, err
		}
		in := *w.task.decision
		out, err := run(ctx, store.DecideSmartAccount, activities.DecideSAInput{SmartAccountID: st.SmartAccountID,
			Approve: in.Decision == process.Approve, Actor: in.Actor, Reason: in.Reason, Via: in.Via, TokenID: in.TokenID})
		if err != nil {
			w.task.fail(err)
			w.step(ctx, "decision refused: "+err.Error(), in.Actor)
			continue
		}
		w.task.close(process.DecideResult{SmartAccountID: out.SmartAccountID, Decision: in.Decision, Status: out.Status,
			DecidedBy: out.DecidedBy, DecidedAt: out.DecidedAt, Reason: out.Reason})
		w.step(ctx, "decided: "+string(in.Decision), in.Actor)
		return out, nil
	}
}

// announce tells the requester (and, on activation, the nominees) how the request ended.
func (w *saCreate) announce(ctx workflow.Context, st activities.SAState) {
	r := w.in.Request
	data := w.mailData(nil, time.Time{})
	data.DecidedBy, data.Reason, data.Status = st.DecidedBy, st.Reason, string(st.Status)
	requester := []string{r.Requester.Email}
	if st.Status == models.SAActive {
		w.release(ctx, st.SmartAccountID)
	}
	if r.OnBehalf {
		w.announceOnBehalf(ctx, st, data)
		return
	}
	switch st.Status {
	case models.SAActive:
		if data.DecidedBy == models.ActorSystem {
			data.DecidedBy = ""
		}
		data.Approvers = others(r.NominatedAdmins, r.Requester.Email)
		w.notify(ctx, "active", requester, "sa_active", data)
		for _, n := range data.Approvers {
			w.notify(ctx, "invite/"+n, []string{n}, "sa_admin_invite", data)
		}
	case models.SADeclined:
		w.notify(ctx, "declined", requester, "sa_declined", data)
	case models.SAExpired:
		data.Approvers = w.lastApprovers()
		w.notify(ctx, "expired", requester, "sa_expired", data)
	}
}

func (w *saCreate) lastApprovers() []string {
	if w.task != nil {
		return w.task.approvers
	}
	out := make([]string, 0, len(w.domainWait))
	for _, d := range w.domainWait {
		out = append(out, d.Who)
	}
	return out
}

func (w *saCreate) setAccount(ctx workflow.Context, st activities.SAState) {
	if st.Status != w.sa.Status {
		w.since = workflow.Now(ctx)
	}
	w.sa, w.state = st, string(st.Status)
	w.upsertSearch(ctx)
}

func (w *saCreate) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.SearchOf(w.state, w.waitingOn(), w.sa.SmartAccountID))
}

func (w *saCreate) mailData(approvers []string, deadline time.Time) activities.MailData {
	r := w.in.Request
	tld, _ := models.TLD(w.sa.Domain)
	return activities.MailData{AccountName: r.Name, AccountID: w.sa.SmartAccountID, Domain: w.sa.Domain, TLD: tld,
		RequesterEmail: r.Requester.Email, RequesterName: nameOr(r.Requester), Note: r.NoteToApprover,
		Status: string(w.sa.Status), SMB: w.sa.SMB, Approvers: approvers, Deadline: deadline}
}

// awaitTask waits on the task, reminding whoever has not decided yet at each nudge: a step of the
// history (what) and their emailed task of the purpose, its step named stepPrefix and the reminder's
// number, with data.
func (w *saCreate) awaitTask(ctx workflow.Context, nudges []nudge, what, stepPrefix, purpose string,
	data func() activities.MailData) (bool, error) {
	return w.task.wait(ctx, nudges, func(n nudge) {
		d := data()
		d.Reminder = n.Reminder
		w.step(ctx, what, "")
		w.tasks(ctx, stepPrefix+itoa(n.Reminder), purpose, w.sa.SmartAccountID, w.task.approvers, w.task.deadline,
			n.Template, d)
	})
}

func (w *saCreate) taskMails(ctx workflow.Context, step string, approvers []string, template string, data activities.MailData) {
	w.tasks(ctx, step, models.PurposeSAApproval, w.sa.SmartAccountID, approvers, w.task.deadline, template, data)
}

// others are the addresses, normalized, without not, repeats or blanks.
func others(emails []string, not string) []string {
	out := make([]string, 0, len(emails))
	for _, e := range emails {
		if e = models.NormalizeEmail(e); e != "" && e != models.NormalizeEmail(not) && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func nameOr(p models.Person) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Email
}
