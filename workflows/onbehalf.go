package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// customerPart is the state of the customer's side of a request made on their behalf: the contacts,
// the nominations waiting to be applied, and how the wait ended.
type customerPart struct {
	contacts    []string
	nominations []*nomination
	batches     int
	declines    int
	deadline    time.Time
	since       time.Time
	requester   string
	// win is the window of the last store step, where the wait that follows the customer's part begins.
	win activities.Window
	// expiredIn is the status the request expired in, when it did during the customer's part.
	expiredIn models.SAStatus
}

type nomination struct {
	in     process.NominateInput
	result *process.NominateResult
	err    error
}

func (c *customerPart) waitingForNominations() []models.Waiting {
	return models.WaitFor([]string{c.requester}, models.ActNominate, c.since, c.deadline)
}

// customerPart runs the customer's part of a request made on their behalf (FEATURES SA5): the contacts
// are mailed an acceptance task; accepted with an address, the creation rules decide the account;
// accepted without one, the contact who accepted is asked for it; declined, the requester is told and
// may nominate more creators until the deadline; unanswered, the account expires. It returns the
// account's state once the customer's part is over, and the window of its last step.
func (w *saCreate) customerPart(ctx workflow.Context, st activities.SAState,
	win activities.Window) (activities.SAState, activities.Window, error) {
	defer func() { w.taskAction = "" }()
	t := w.in.Timing.WithDefaults()
	c := &w.customer
	c.contacts, c.requester, c.win = slices.Clone(st.Approvers), models.NormalizeEmail(w.in.Request.Requester.Email), win
	w.acceptanceTask(win, t.AcceptanceExpiry)
	w.open(nil)
	w.upsertSearch(ctx)
	data := w.customerMailData(w.task.deadline)
	w.notify(ctx, "pending-customer", []string{w.in.Request.Requester.Email}, "sa_onbehalf_pending", data)
	for _, a := range st.TLDAdmins {
		w.notify(ctx, "tld-notice/"+a, []string{a}, "sa_onbehalf_notice", data)
	}
	w.customerTasks(ctx, "acceptance", c.contacts, "sa_acceptance_task", data)
	w.step(ctx, "customer contacts asked to accept", "")

	for {
		var err error
		switch st.Status {
		case models.SAPendingCustomerAcceptance:
			st, err = w.awaitAcceptance(ctx, st, t)
		case models.SAPendingCustomerAddress:
			// Nominations that arrived while the acceptance was applied are answered now, not when the
			// address step ends.
			w.refuseNominations(st)
			st, err = w.awaitAddress(ctx, st, t)
		case models.SADeclinedByCustomer:
			st, err = w.awaitNominations(ctx, st, t)
		default:
			// Nominations that arrived while the last decision was applied come too late.
			w.refuseNominations(st)
			return st, c.win, nil
		}
		if err != nil {
			return st, c.win, err
		}
		w.setAccount(ctx, st)
	}
}

// refuseNominations answers the nominations waiting to be applied: the account no longer takes them.
func (w *saCreate) refuseNominations(st activities.SAState) {
	for _, n := range w.customer.nominations {
		n.err = process.Refuse(models.CodeConflict, "", "the Smart Account is %s: creators can no longer be nominated", st.Status)
	}
	w.customer.nominations = nil
}

func (w *saCreate) acceptanceTask(win activities.Window, expiry time.Duration) {
	c := &w.customer
	w.task = newApprovalTask(win, slices.Clone(c.contacts), "", expiry)
	w.task.choices = []process.Decision{process.Accept, process.Decline}
	w.task.check = func(in process.DecideInput) error {
		if in.Decision == process.Accept && in.Headquarters != nil && !in.Headquarters.IsZero() {
			_, err := models.ValidAddress("headquarters", *in.Headquarters)
			return process.EncodeError(err)
		}
		return nil
	}
	w.task.wake = func() bool { return len(c.nominations) > 0 }
	w.taskAction = models.ActAccept
	c.deadline, c.since = w.task.deadline, w.task.since
}

// awaitAcceptance waits for a contact's answer and applies it; an answer the store refuses is answered
// and the account waits on, as it was.
func (w *saCreate) awaitAcceptance(ctx workflow.Context, st activities.SAState, t process.Timing) (activities.SAState, error) {
	decided, err := w.awaitTask(ctx, nudgesOf(t.AcceptanceReminders, "sa_acceptance_task"),
		"reminder sent to the customer contacts", "acceptance-reminder-", models.PurposeSAAcceptance, w.customerTaskData)
	if err != nil {
		return st, err
	}
	if len(w.customer.nominations) > 0 {
		return w.applyNominations(ctx, st, t)
	}
	if !decided {
		return w.expireCustomer(ctx, st)
	}
	in := *w.task.decision
	var out activities.SAState
	win := window(ctx, w.in.Timing)
	if in.Decision == process.Accept {
		hq := models.Address{}
		if in.Headquarters != nil && !in.Headquarters.IsZero() {
			hq, _ = models.ValidAddress("headquarters", *in.Headquarters)
		}
		out, err = run(ctx, store.AcceptOnBehalf, activities.AcceptSAInput{SmartAccountID: st.SmartAccountID,
			Actor: in.Actor, Headquarters: hq, ModifiedDomain: w.in.Request.ModifiedDomain, Via: in.Via,
			TokenID: in.TokenID, Window: win})
	} else {
		out, err = run(ctx, store.DeclineOnBehalf, activities.DeclineOnBehalfInput{SmartAccountID: st.SmartAccountID,
			Actor: in.Actor, Reason: in.Reason, Via: in.Via, TokenID: in.TokenID})
	}
	if !w.customerAnswered(ctx, in, in.Reason, win, out, err, "customer's answer refused") {
		return st, nil
	}
	w.step(ctx, "customer decided: "+string(in.Decision)+" ("+string(out.Status)+")", in.Actor)
	switch out.Status {
	case models.SADeclinedByCustomer:
		w.customer.declines++
		d := w.customerMailData(w.customer.deadline)
		d.DecidedBy, d.Reason, d.Status = in.Actor, in.Reason, string(out.Status)
		w.notify(ctx, "declined-by-customer-"+itoa(w.customer.declines), []string{w.in.Request.Requester.Email},
			"sa_declined_by_customer", d)
		w.taskAction = ""
	case models.SAPendingCustomerAddress:
		w.task = newApprovalTask(win, []string{out.AcceptedBy}, "", t.AcceptanceExpiry)
		w.task.choices = []process.Decision{process.Submit}
		w.task.check = func(in process.DecideInput) error {
			if in.Headquarters == nil || in.Headquarters.IsZero() {
				return process.Refuse(models.CodeInvalid, "headquarters", "the headquarters address is required")
			}
			_, err := models.ValidAddress("headquarters", *in.Headquarters)
			return process.EncodeError(err)
		}
		w.taskAction = models.ActGiveAddress
		w.customer.deadline, w.customer.since = w.task.deadline, w.task.since
		w.sa = out
		w.customerTasks(ctx, "address", []string{out.AcceptedBy}, "sa_address_task", w.customerTaskData())
	}
	return out, nil
}

func (w *saCreate) awaitAddress(ctx workflow.Context, st activities.SAState, t process.Timing) (activities.SAState, error) {
	decided, err := w.awaitTask(ctx, nudgesOf(t.AcceptanceReminders, "sa_address_task"),
		"address reminder sent", "address-reminder-", models.PurposeSAAcceptance, w.customerTaskData)
	if err != nil {
		return st, err
	}
	if !decided {
		return w.expireCustomer(ctx, st)
	}
	in := *w.task.decision
	hq, _ := models.ValidAddress("headquarters", *in.Headquarters)
	win := window(ctx, w.in.Timing)
	out, err := run(ctx, store.GiveHeadquarters, activities.HeadquartersInput{SmartAccountID: st.SmartAccountID,
		Actor: in.Actor, Headquarters: hq, ModifiedDomain: w.in.Request.ModifiedDomain, Via: in.Via,
		TokenID: in.TokenID, Window: win})
	if !w.customerAnswered(ctx, in, "", win, out, err, "address refused") {
		return st, nil
	}
	w.step(ctx, "headquarters given ("+string(out.Status)+")", in.Actor)
	return out, nil
}

// customerAnswered closes the customer's task with what the store made of their answer (out, as of
// win), its outcome giving reason; when the store refused it (err), the step says so after refused,
// the decider is told why and the task stays open, and it reports false.
func (w *saCreate) customerAnswered(ctx workflow.Context, in process.DecideInput, reason string, win activities.Window,
	out activities.SAState, err error, refused string) bool {
	if err != nil {
		w.task.fail(err)
		w.step(ctx, refused+": "+err.Error(), in.Actor)
		return false
	}
	w.customer.win = win
	w.task.close(process.DecideResult{SmartAccountID: out.SmartAccountID, Decision: in.Decision, Status: out.Status,
		DecidedBy: in.Actor, DecidedAt: win.At, Reason: reason})
	return true
}

// awaitNominations waits, after a customer declined, for more creators to be nominated until the
// deadline; then the request expires and frees its domain.
func (w *saCreate) awaitNominations(ctx workflow.Context, st activities.SAState, t process.Timing) (activities.SAState, error) {
	c := &w.customer
	if d := c.deadline.Sub(workflow.Now(ctx)); d > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, d, func() bool { return len(c.nominations) > 0 }); err != nil {
			return st, err
		}
	}
	if len(c.nominations) > 0 {
		return w.applyNominations(ctx, st, t)
	}
	return w.expireCustomer(ctx, st)
}

// applyNominations adds the nominated contacts, reopens a declined request with a fresh deadline, and
// mails the acceptance task to the people nominated (to those new to it when the request is open).
func (w *saCreate) applyNominations(ctx workflow.Context, st activities.SAState, t process.Timing) (activities.SAState, error) {
	c := &w.customer
	batch := c.nominations
	c.nominations = nil
	var emails []string
	actor := ""
	for _, n := range batch {
		emails = append(emails, n.in.Emails...)
		actor = n.in.Actor
	}
	win := window(ctx, w.in.Timing)
	out, err := run(ctx, store.NominateCreators, activities.NominateCreatorsInput{SmartAccountID: st.SmartAccountID,
		Actor: actor, Emails: emails, Window: win})
	if err != nil {
		for _, n := range batch {
			n.err = process.EncodeError(err)
		}
		return st, nil
	}
	reopened := st.Status == models.SADeclinedByCustomer
	mail := []string{}
	for _, e := range emails {
		e = models.NormalizeEmail(e)
		if (reopened || !slices.Contains(c.contacts, e)) && !slices.Contains(mail, e) {
			mail = append(mail, e)
		}
	}
	c.contacts = slices.Clone(out.Approvers)
	if reopened {
		w.acceptanceTask(win, t.AcceptanceExpiry)
	} else {
		w.task.approvers = slices.Clone(c.contacts)
		w.task.deadline = win.At.Add(t.AcceptanceExpiry)
		c.deadline = w.task.deadline
	}
	c.batches++
	w.step(ctx, "creators nominated", actor)
	w.customerTasks(ctx, "nominated-"+itoa(c.batches), mail, "sa_acceptance_task", w.customerTaskData())
	res := process.NominateResult{SmartAccountID: out.SmartAccountID, Status: out.Status, CustomerContacts: c.contacts,
		Mailed: mail, Deadline: w.task.deadline}
	for _, n := range batch {
		n.result = &res
	}
	w.sa = out
	w.upsertSearch(ctx)
	return out, nil
}

func (w *saCreate) expireCustomer(ctx workflow.Context, st activities.SAState) (activities.SAState, error) {
	out, err := run(ctx, store.ExpireSmartAccount, activities.ExpireSAInput{SmartAccountID: st.SmartAccountID, From: st.Status})
	w.customer.expiredIn = st.Status
	w.step(ctx, "expired in "+string(st.Status), "")
	return out, err
}

func (w *saCreate) validateNominate(in process.NominateInput) error {
	if !w.in.Request.OnBehalf || (w.sa.Status != models.SAPendingCustomerAcceptance && w.sa.Status != models.SADeclinedByCustomer) {
		return process.Refuse(models.CodeConflict, "", "the Smart Account is %s: creators can be nominated only while it waits for the customer's acceptance or after the customer declined", w.sa.Status)
	}
	if len(in.Emails) == 0 {
		return process.Refuse(models.CodeInvalid, "emails", "name at least one creator")
	}
	for _, e := range in.Emails {
		if !models.ValidEmail(e) || !models.SameTLD(e, w.sa.Domain) {
			return process.Refuse(models.CodeInvalid, "emails", "%s is not an address of the account's domain %s", e, w.sa.Domain)
		}
	}
	return nil
}

func (w *saCreate) onNominate(ctx workflow.Context, in process.NominateInput) (process.NominateResult, error) {
	n := &nomination{in: in}
	w.customer.nominations = append(w.customer.nominations, n)
	if err := workflow.Await(ctx, func() bool { return n.result != nil || n.err != nil }); err != nil {
		return process.NominateResult{}, err
	}
	if n.err != nil {
		return process.NominateResult{}, n.err
	}
	return *n.result, nil
}

// announceOnBehalf tells how a request made on a customer's behalf ended: the requester (who is not an
// administrator unless nominated), the contact who accepted, and the nominees.
func (w *saCreate) announceOnBehalf(ctx workflow.Context, st activities.SAState, data activities.MailData) {
	r := w.in.Request
	requester := []string{r.Requester.Email}
	switch st.Status {
	case models.SAActive:
		admins := others(append([]string{st.AcceptedBy}, r.NominatedAdmins...), "")
		d := data
		d.Approvers = admins
		w.notify(ctx, "active", requester, "sa_onbehalf_active", d)
		if st.AcceptedBy != "" {
			d.RequesterName, d.Approvers, d.DecidedBy = st.AcceptedBy, others(admins, st.AcceptedBy), ""
			w.notify(ctx, "active/"+st.AcceptedBy, []string{st.AcceptedBy}, "sa_active", d)
		}
		for _, n := range others(r.NominatedAdmins, st.AcceptedBy) {
			w.notify(ctx, "invite/"+n, []string{n}, "sa_admin_invite", data)
		}
	case models.SADeclined:
		w.notify(ctx, "declined", requester, "sa_declined", data)
	case models.SAExpired:
		data.Approvers = w.lastApprovers()
		if w.customer.expiredIn != "" {
			data.Status = string(w.customer.expiredIn)
			if w.customer.expiredIn == models.SADeclinedByCustomer {
				// The requester heard of the decline already, and nobody was nominated since.
				return
			}
			w.notify(ctx, "expired", requester, "sa_acceptance_expired", data)
			return
		}
		w.notify(ctx, "expired", requester, "sa_expired", data)
	}
}

func (w *saCreate) customerMailData(deadline time.Time) activities.MailData {
	d := w.mailData(w.customer.contacts, deadline)
	d.Note = w.in.Request.NoteToCustomer
	return d
}

// customerTasks mails each recipient their own acceptance (or address) link.
// customerTaskData is what the customer contacts' task mails say while the task waits.
func (w *saCreate) customerTaskData() activities.MailData { return w.customerMailData(w.task.deadline) }

func (w *saCreate) customerTasks(ctx workflow.Context, step string, to []string, template string, data activities.MailData) {
	w.tasks(ctx, step, models.PurposeSAAcceptance, w.sa.SmartAccountID, to, w.task.deadline, template, data)
}
