package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// SMBUpgrade is the upgrade of an SMB account (FEATURES SA8). It runs the creation rules on the new
// domain: a domain outside the requester's own waits for a Cisco domain approval, a TLD with an ACTIVE
// account waits for its administrators, each with reminders and an expiry; otherwise the account is
// upgraded at once. The account stays ACTIVE throughout, and the requester is mailed the outcome.
func SMBUpgrade(ctx workflow.Context, in process.UpgradeInput) (process.UpgradeResult, error) {
	return start[process.UpgradeResult](ctx, &smbUpgrade{proc: newProc(ctx), in: in})
}

type smbUpgrade struct {
	proc
	in process.UpgradeInput
	opening
	st activities.UpgradeState
	deciding
}

func (w *smbUpgrade) setup(ctx workflow.Context) error {
	// The workflow id is reused by the account's next upgrade: the upgrade id keeps mail keys apart.
	w.mailKey = w.id + "/" + w.in.UpgradeID
	return handleRequest(ctx, w.status, w.onCreated, w.onDecide, w.validateDecide)
}

func (w *smbUpgrade) onCreated(ctx workflow.Context) (process.UpgradeCreated, error) {
	return answerCreated(ctx, &w.opening, func() process.UpgradeCreated {
		return process.UpgradeCreated{UpgradeID: w.st.UpgradeID, SmartAccountID: w.st.SmartAccountID, Status: w.st.Status,
			Domain: w.st.Domain, WaitingOn: w.waitingOn(), Why: w.st.Why}
	})
}

func (w *smbUpgrade) validateDecide(in process.DecideInput) error {
	if w.task == nil {
		return process.Refuse(models.CodeConflict, "", "the upgrade is %s and waits for no decision", w.st.Status)
	}
	return w.task.validate(in)
}

func (w *smbUpgrade) status() (process.Status, error) {
	return requestStatus(w.st.Status, w.task, w.in.SmartAccountID, w.waitingOn(), w.history), nil
}

func (w *smbUpgrade) waitingOn() []models.Waiting {
	action := models.ActApproveUpgr
	if w.st.Status == models.UpgradePendingDomainApproval {
		action = models.ActApproveDomain
	}
	return w.task.waiting(action)
}

func (w *smbUpgrade) upsertSearch(ctx workflow.Context) {
	w.search(ctx, process.SearchOf("UPGRADE_"+string(w.st.Status), w.waitingOn(), w.in.SmartAccountID))
}

func (w *smbUpgrade) run(ctx workflow.Context) (process.UpgradeResult, error) {
	t := w.in.Timing
	win := window(ctx, t)
	st, err := run(ctx, store.RequestUpgrade, activities.RequestUpgradeInput{UpgradeID: w.in.UpgradeID, WorkflowID: w.id,
		SmartAccountID: w.in.SmartAccountID, Requester: w.in.Requester, Name: w.in.Name, Domain: w.in.Domain,
		Headquarters: w.in.Headquarters, Visibility: w.in.Visibility, Window: win})
	if err != nil {
		w.open(process.EncodeError(err))
		w.step(ctx, "refused: "+err.Error(), "")
		return process.UpgradeResult{}, w.finish(ctx, nil)
	}
	w.st = st
	w.step(ctx, "requested: "+string(w.st.Status), w.in.Requester.Email)
	for w.st.Status.Pending() {
		if win, err = w.decision(ctx, win); err != nil {
			return process.UpgradeResult{}, err
		}
	}
	w.open(nil)
	w.announce(ctx)
	w.upsertSearch(ctx)
	return process.UpgradeResult{UpgradeID: w.st.UpgradeID, Status: w.st.Status, DecidedBy: w.st.DecidedBy,
		Reason: w.st.Reason}, w.finish(ctx, nil)
}

// decision waits for the decision the upgrade's status asks for (Cisco's on the domain, or the TLD's
// administrators'), applies it or the expiry, and returns the window of the step that applied it.
func (w *smbUpgrade) decision(ctx workflow.Context, win activities.Window) (activities.Window, error) {
	t := w.in.Timing
	domain := w.st.Status == models.UpgradePendingDomainApproval
	expiry, reminders, step, resolve := t.Expiry, t.Reminders, "approval", store.DecideUpgrade
	if domain {
		expiry, reminders, step, resolve = t.DomainExpiry, t.DomainReminders, "domain", store.ResolveUpgradeDomain
	}
	w.task = newApprovalTask(win, w.st.Approvers, models.RoleCiscoApprover, expiry)
	w.task.excluded = []string{models.NormalizeEmail(w.in.Requester.Email)}
	w.open(nil)
	w.upsertSearch(ctx)
	w.taskMails(ctx, step, w.st.Approvers, 0)
	for {
		decided, err := w.task.wait(ctx, nudgesOf(reminders, "upgrade_task"), func(n nudge) {
			w.step(ctx, "reminder sent", "")
			w.taskMails(ctx, step+"-reminder-"+itoa(n.Reminder), w.task.approvers, n.Reminder)
		})
		if err != nil {
			return win, err
		}
		if !decided {
			if w.st, err = run(ctx, store.ExpireUpgrade, w.st.UpgradeID); err != nil {
				return win, err
			}
			w.step(ctx, "expired", "")
			return win, nil
		}
		in := *w.task.decision
		next := window(ctx, t)
		out, err := run(ctx, resolve, activities.DecideUpgradeInput{UpgradeID: w.st.UpgradeID,
			Approve: in.Decision == process.Approve, Actor: in.Actor, Reason: in.Reason, Via: in.Via,
			TokenID: in.TokenID, Window: next})
		if err != nil {
			w.task.fail(err)
			w.step(ctx, step+" decision refused: "+err.Error(), in.Actor)
			continue
		}
		w.task.close(process.DecideResult{SmartAccountID: w.in.SmartAccountID, Decision: in.Decision, Status: models.SAActive,
			DecidedBy: in.Actor, DecidedAt: next.At, Reason: in.Reason, RequestID: w.st.UpgradeID,
			RequestStatus: string(out.Status)})
		w.step(ctx, step+" decided: "+string(in.Decision), in.Actor)
		w.st = out
		return next, nil
	}
}

func (w *smbUpgrade) announce(ctx workflow.Context) {
	d := w.mailData(time.Time{})
	d.DecidedBy, d.Reason, d.Status = w.st.DecidedBy, w.st.Reason, string(w.st.Status)
	if d.DecidedBy == models.ActorSystem {
		d.DecidedBy = ""
	}
	to := []string{w.in.Requester.Email}
	switch w.st.Status {
	case models.UpgradeApproved:
		w.notify(ctx, "upgraded", to, "sa_upgraded", d)
	case models.UpgradeDeclined, models.UpgradeExpired:
		if w.task != nil {
			d.Approvers = w.task.approvers
		}
		w.notify(ctx, "declined", to, "sa_upgrade_declined", d)
	}
}

func (w *smbUpgrade) mailData(deadline time.Time) activities.MailData {
	tld, _ := models.TLD(w.in.Domain)
	return activities.MailData{AccountName: w.in.Name, AccountID: w.in.SmartAccountID, Domain: w.in.Domain, TLD: tld,
		RequesterEmail: w.in.Requester.Email, RequesterName: nameOr(w.in.Requester), Status: string(w.st.Status),
		Approvers: w.st.Approvers, Deadline: deadline}
}

func (w *smbUpgrade) taskMails(ctx workflow.Context, step string, to []string, reminder int) {
	d := w.mailData(w.task.deadline)
	d.Reminder = reminder
	w.tasks(ctx, step, models.PurposeUpgradeApproval, w.st.UpgradeID, to, w.task.deadline, "upgrade_task", d)
}
