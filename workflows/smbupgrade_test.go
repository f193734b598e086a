package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
	"github.com/licensecentral/clc/workflows"
)

const (
	upgradeID = "up-1"
	pat       = "pat@patco.com"
)

var upgradeWF = process.SMBUpgradeID(saID)

func upgradeIn() process.UpgradeInput {
	return process.UpgradeInput{UpgradeID: upgradeID, SmartAccountID: saID, Requester: models.Person{Email: pat, Name: "Pat"},
		Name: "Pat Co", Domain: "patco.com", Headquarters: hqAcme, Visibility: models.VisibilityUnrestricted, Timing: shortTiming()}
}

func upgradeState(status models.UpgradeStatus, approvers ...string) activities.UpgradeState {
	return activities.UpgradeState{UpgradeID: upgradeID, SmartAccountID: saID, Name: "Pat Co", Domain: "patco.com",
		FromDomain: "x7k2p9.smb", Requester: pat, Status: status, Approvers: approvers}
}

// upgradeStore answers the upgrade's store steps: the first state, then each stage's outcome in turn.
type upgradeStore struct {
	domain, approval []stamped[activities.DecideUpgradeInput]
	expired          []stamped[string]
}

func (h *harness) upgradeStore(first activities.UpgradeState, afterDomain activities.UpgradeState) *upgradeStore {
	us := &upgradeStore{}
	h.env.OnActivity(st.RequestUpgrade, mock.Anything, mock.Anything).Return(first, nil)
	decided := func(in activities.DecideUpgradeInput, approved activities.UpgradeState) activities.UpgradeState {
		out := approved
		if !in.Approve {
			out = upgradeState(models.UpgradeDeclined)
			out.Reason = in.Reason
		}
		out.DecidedBy = in.Actor
		return out
	}
	onStep(h, st.ResolveUpgradeDomain, &us.domain, func(in activities.DecideUpgradeInput) (activities.UpgradeState, error) {
		return decided(in, afterDomain), nil
	}).Maybe()
	onStep(h, st.DecideUpgrade, &us.approval, func(in activities.DecideUpgradeInput) (activities.UpgradeState, error) {
		return decided(in, upgradeState(models.UpgradeApproved)), nil
	}).Maybe()
	onStep(h, st.ExpireUpgrade, &us.expired, func(string) (activities.UpgradeState, error) {
		return upgradeState(models.UpgradeExpired), nil
	}).Maybe()
	return us
}

func (h *harness) upgrade() process.UpgradeResult {
	h.t.Helper()
	return runResult[process.UpgradeResult](h, workflows.SMBUpgrade, upgradeIn())
}

// The new domain is Cisco's to approve, then the TLD's administrators approve, and the owner is told.
func TestSMBUpgrade_DomainThenAdminsApprove(t *testing.T) {
	h := newHarness(t, upgradeWF)
	us := h.upgradeStore(upgradeState(models.UpgradePendingDomainApproval, cisco1), upgradeState(models.UpgradePendingApproval, admin1))
	created := h.updateAt(0, "", process.UpdateCreated)
	adminTooEarly := h.decideAt(5*time.Minute, approve(admin1))
	domainOK := h.decideAt(10*time.Minute, approve(cisco1))
	adminStatus := h.statusAt(20*time.Minute, "")
	approved := h.decideAt(30*time.Minute, approve(admin1))

	res := h.upgrade()

	resp := requireAnswer[process.UpgradeCreated](t, created)
	assert.Equal(t, models.UpgradePendingDomainApproval, resp.Status)
	assert.Equal(t, []models.Waiting{waiting(cisco1, "approve-domain", t0, t0.Add(4*time.Hour))}, inUTC(resp.WaitingOn))
	requireRejected(t, adminTooEarly, models.CodeForbidden)
	assert.Equal(t, string(models.UpgradePendingApproval), requireDecided(t, domainOK).RequestStatus)
	assert.Equal(t, []models.Waiting{waiting(admin1, "approve-upgrade", t0.Add(10*time.Minute), t0.Add(10*time.Minute+3*time.Hour))},
		inUTC(adminStatus.WaitingOn))
	assert.Equal(t, string(models.UpgradeApproved), requireDecided(t, approved).RequestStatus)
	require.Len(t, us.domain, 1)
	require.Len(t, us.approval, 1)
	assert.Equal(t, admin1, us.approval[0].In.Actor)

	keys := h.taskKeys()
	assert.Contains(t, keys, upgradeWF+"/"+upgradeID+"/domain/"+cisco1)
	assert.Contains(t, keys, upgradeWF+"/"+upgradeID+"/approval/"+admin1)
	task, _ := h.task(upgradeWF + "/" + upgradeID + "/approval/" + admin1)
	assert.Equal(t, models.PurposeUpgradeApproval, task.In.Purpose)
	assert.Equal(t, upgradeID, task.In.SubjectID)
	assert.Equal(t, upgradeWF, task.In.WorkflowID)
	assert.Equal(t, []string{"sa_upgraded"}, templates(h.mailsTo(pat)))
	assert.Equal(t, models.UpgradeApproved, res.Status)
}

// The TLD's administrators decline: the account stays SMB and the owner learns why.
func TestSMBUpgrade_Declined(t *testing.T) {
	h := newHarness(t, upgradeWF)
	h.upgradeStore(upgradeState(models.UpgradePendingApproval, admin1), activities.UpgradeState{})
	declined := h.decideAt(10*time.Minute, decline(admin1, "use our account"))

	res := h.upgrade()

	assert.Equal(t, string(models.UpgradeDeclined), requireDecided(t, declined).RequestStatus)
	mails := h.mailsTo(pat)
	require.Equal(t, []string{"sa_upgrade_declined"}, templates(mails))
	assert.Equal(t, "use our account", mails[0].In.Data.Reason)
	assert.Equal(t, string(models.UpgradeDeclined), mails[0].In.Data.Status)
	assert.Equal(t, models.UpgradeDeclined, res.Status)
}

// Approved by the rules at once: nobody is asked, the owner is told.
func TestSMBUpgrade_ApprovedAtOnce(t *testing.T) {
	h := newHarness(t, upgradeWF)
	first := upgradeState(models.UpgradeApproved)
	first.DecidedBy = models.ActorSystem
	h.upgradeStore(first, activities.UpgradeState{})
	created := h.updateAt(0, "", process.UpdateCreated)

	res := h.upgrade()

	assert.Equal(t, models.UpgradeApproved, created.snapshot().value.(process.UpgradeCreated).Status)
	assert.Empty(t, h.taskKeys())
	mails := h.mailsTo(pat)
	require.Equal(t, []string{"sa_upgraded"}, templates(mails))
	assert.Empty(t, mails[0].In.Data.DecidedBy, "the system is not named as the approver")
	assert.Equal(t, models.UpgradeApproved, res.Status)
}

// Nobody decides: reminders, then EXPIRED, and the owner is told.
func TestSMBUpgrade_Expired(t *testing.T) {
	h := newHarness(t, upgradeWF)
	us := h.upgradeStore(upgradeState(models.UpgradePendingApproval, admin1), activities.UpgradeState{})

	res := h.upgrade()

	keys := h.taskKeys()
	assert.Equal(t, time.Hour, keys[upgradeWF+"/"+upgradeID+"/approval-reminder-1/"+admin1])
	assert.Len(t, us.expired, 1)
	assert.Equal(t, []string{"sa_upgrade_declined"}, templates(h.mailsTo(pat)))
	assert.Equal(t, models.UpgradeExpired, res.Status)
}
