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
	accessID   = "ar-1"
	dev        = "dev@acme.com"
	outsideOps = "ops@outsider.io"
	teamLead   = "lead@acme.com"
	vaEMEA     = "va-emea"
	vaAPJ      = "va-apj"
	ruleOneID  = "rule-1"
)

var accessWF = process.AccessRequestID(accessID)

func accessIn() process.AccessRequestInput {
	return process.AccessRequestInput{RequestID: accessID, SmartAccountID: saID, Requester: models.Person{Email: dev, Name: "Dev"},
		Role: models.RoleVAUser, VirtualAccounts: []string{vaEMEA, vaAPJ}, ForEmails: []string{dev, outsideOps},
		Reason: "on-call", Timing: customerTiming()}
}

func accessPending() activities.AccessState {
	return activities.AccessState{RequestID: accessID, SmartAccountID: saID, AccountName: "Acme", Domain: "acme.com", Requester: dev,
		Role: models.RoleVAUser, VirtualAccounts: []activities.VARef{{ID: vaEMEA, Name: "EMEA"}, {ID: vaAPJ, Name: "APJ"}},
		ForEmails: []string{dev, outsideOps}, Reason: "on-call", Status: models.AccessPending, Approvers: []string{admin1, admin2},
		Admins: []string{admin1, admin2}, OutsideDomain: []string{outsideOps}, ExpiresAt: t0.Add(3 * time.Hour)}
}

// accessStore records the access store steps and answers as the database would.
type accessStore struct {
	created   []stamped[activities.CreateAccessInput]
	decided   []stamped[activities.DecideAccessInput]
	delegated []stamped[activities.DelegateAccessInput]
	expired   []stamped[string]
}

func (h *harness) accessStore(first activities.AccessState) *accessStore {
	as := &accessStore{}
	state := first
	onStep(h, st.CreateAccessRequest, &as.created, func(activities.CreateAccessInput) (activities.AccessState, error) {
		return first, nil
	})
	onStep(h, st.DecideAccessRequest, &as.decided, func(in activities.DecideAccessInput) (activities.AccessState, error) {
		out := state
		out.Auto = nil
		out.Status, out.DecidedBy, out.DecidedAt, out.DecisionReason, out.DeclinedVAs = models.AccessDeclined, in.Actor, h.env.Now(), in.Reason, in.DeclinedVAs
		if in.Approve {
			out.Status = models.AccessApproved
		}
		return out, nil
	}).Maybe()
	onStep(h, st.DelegateAccessRequest, &as.delegated, func(in activities.DelegateAccessInput) (activities.AccessState, error) {
		state.DelegatedTo, state.Approvers = models.NormalizeEmail(in.DelegateTo), []string{models.NormalizeEmail(in.DelegateTo)}
		return state, nil
	}).Maybe()
	onStep(h, st.ExpireAccessRequest, &as.expired, func(string) (activities.AccessState, error) {
		out := state
		out.Status = models.AccessExpired
		return out, nil
	}).Maybe()
	return as
}

func (h *harness) accessRequest(in process.AccessRequestInput) process.AccessRequestResult {
	h.t.Helper()
	return runResult[process.AccessRequestResult](h, workflows.AccessRequest, in)
}

// Approved for one of the two virtual accounts: each approver had their own link (the outsideOps marked),
// the store grants with the declined one left out, and the requester and the people are told.
func TestAccessRequest_Approved(t *testing.T) {
	h := newHarness(t, accessWF)
	as := h.accessStore(accessPending())
	created := h.updateAt(0, "", process.UpdateCreated)
	byRequester := h.decideAt(5*time.Minute, approve(dev))
	unknownVA := h.decideAt(6*time.Minute, process.DecideInput{Decision: process.Approve, Actor: admin1, DeclinedVirtualAccounts: []string{"va-x"}})
	allDeclined := h.decideAt(7*time.Minute, process.DecideInput{Decision: process.Approve, Actor: admin1, DeclinedVirtualAccounts: []string{vaEMEA, vaAPJ}})
	partialWithoutReason := h.decideAt(8*time.Minute, process.DecideInput{Decision: process.Approve, Actor: admin1, DeclinedVirtualAccounts: []string{vaAPJ}})
	approved := h.decideAt(30*time.Minute, process.DecideInput{Decision: process.Approve, Actor: admin1, DeclinedVirtualAccounts: []string{vaAPJ}, Via: process.ViaEmail, Reason: "APJ has its own team"})

	res := h.accessRequest(accessIn())

	resp := requireAnswer[process.AccessCreated](t, created)
	assert.Equal(t, models.AccessPending, resp.Status)
	deadline := t0.Add(3 * time.Hour)
	assert.Equal(t, []models.Waiting{waiting(admin1, "approve-access", t0, deadline), waiting(admin2, "approve-access", t0, deadline)}, inUTC(resp.WaitingOn))
	require.Len(t, as.created, 1)
	requireSameTime(t, deadline, as.created[0].In.ExpiresAt, "stored expiry")
	assert.Equal(t, accessWF, as.created[0].In.WorkflowID)

	requireRejected(t, byRequester, models.CodeForbidden)
	assert.Equal(t, "declinedVirtualAccounts", requireRejected(t, unknownVA, models.CodeInvalid).Field)
	assert.Equal(t, "declinedVirtualAccounts", requireRejected(t, allDeclined, models.CodeInvalid).Field)
	// The page says a partial decline needs a reason for the requester, and so does the process.
	assert.Equal(t, "reason", requireRejected(t, partialWithoutReason, models.CodeInvalid).Field)

	for _, a := range []string{admin1, admin2} {
		task, ok := h.task(accessWF + "/approval/" + a)
		require.True(t, ok, "no task to %s", a)
		assert.Equal(t, models.PurposeAccessApproval, task.In.Purpose)
		assert.Equal(t, accessID, task.In.SubjectID)
		assert.Equal(t, []string{outsideOps}, task.In.Data.Outside)
		assert.Equal(t, []string{"EMEA", "APJ"}, task.In.Data.Items)
		assert.Equal(t, "Virtual Account User", task.In.Data.Role)
	}
	require.Len(t, as.decided, 1)
	assert.Equal(t, activities.DecideAccessInput{RequestID: accessID, Approve: true, Actor: admin1, Via: process.ViaEmail,
		DeclinedVAs: []string{vaAPJ}, Reason: "APJ has its own team"}, as.decided[0].In)
	out := requireDecided(t, approved)
	assert.Equal(t, string(models.AccessApproved), out.RequestStatus)
	assert.Equal(t, accessID, out.RequestID)

	mails := h.mailsTo(outsideOps)
	require.Equal(t, []string{"access_approved"}, templates(mails))
	assert.Equal(t, []string{dev, outsideOps}, mails[0].In.To)
	assert.Equal(t, []string{"EMEA"}, mails[0].In.Data.Items)
	assert.Equal(t, []string{"APJ"}, mails[0].In.Data.Declined)
	assert.Equal(t, models.AccessApproved, res.Status)
	assert.Equal(t, "ACCESS_APPROVED", h.lastSearch().State)
}

// Declined with a reason (none, or a blank one, is refused); the requester learns it. A partner's
// request (FEATURES AC8) is declined the same way.
func TestAccessRequest_Declined(t *testing.T) {
	for _, c := range []struct {
		name             string
		in               process.AccessRequestInput
		pending          activities.AccessState
		admin, requester string
		noReason, reason string
	}{
		{"customer", accessIn(), accessPending(), admin2, dev, "", "not on this team"},
		{"partner", partnerAccessIn(), partnerAccessPending(), admin1, partnerOFM, " ", "we work with another partner"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, accessWF)
			as := h.accessStore(c.pending)
			noReason := h.decideAt(5*time.Minute, decline(c.admin, c.noReason))
			declined := h.decideAt(10*time.Minute, decline(c.admin, c.reason))

			res := h.accessRequest(c.in)

			assert.Equal(t, "reason", requireRejected(t, noReason, models.CodeInvalid).Field)
			assert.Equal(t, string(models.AccessDeclined), requireDecided(t, declined).RequestStatus)
			require.Len(t, as.decided, 1)
			assert.False(t, as.decided[0].In.Approve)
			mails := h.mailsTo(c.requester)
			require.Equal(t, []string{"access_declined"}, templates(mails))
			assert.Equal(t, c.reason, mails[0].In.Data.Reason)
			assert.Equal(t, models.AccessDeclined, res.Status)
		})
	}
}

// An administrator hands the decision to a team lead, who gets the task and the reminders, and decides.
func TestAccessRequest_Delegated(t *testing.T) {
	h := newHarness(t, accessWF)
	as := h.accessStore(accessPending())
	toSelf := h.decideAt(10*time.Minute, process.DecideInput{Decision: process.Delegate, Actor: admin1, DelegateTo: admin1})
	toRequester := h.decideAt(11*time.Minute, process.DecideInput{Decision: process.Delegate, Actor: admin1, DelegateTo: dev})
	delegated := h.decideAt(30*time.Minute, process.DecideInput{Decision: process.Delegate, Actor: admin1, DelegateTo: "Lead@acme.com", Reason: "your team"})
	status := h.statusAt(40*time.Minute, "")
	stranger := h.decideAt(50*time.Minute, approve("mallory@acme.com"))
	approved := h.decideAt(2*time.Hour+30*time.Minute, approve(teamLead))

	res := h.accessRequest(accessIn())

	assert.Equal(t, "delegateTo", requireRejected(t, toSelf, models.CodeInvalid).Field)
	assert.Equal(t, "delegateTo", requireRejected(t, toRequester, models.CodeInvalid).Field)
	d := requireDecided(t, delegated)
	assert.Equal(t, process.Delegate, d.Decision)
	assert.Equal(t, teamLead, d.DelegatedTo)
	assert.Equal(t, string(models.AccessPending), d.RequestStatus)
	require.Len(t, as.delegated, 1)
	assert.Equal(t, admin1, as.delegated[0].In.Actor)

	assert.Equal(t, []models.Waiting{waiting(teamLead, "approve-access", t0, t0.Add(3*time.Hour))}, inUTC(status.WaitingOn))
	assert.Equal(t, []string{teamLead}, h.searchAt(40*time.Minute).WaitingOn)
	requireRejected(t, stranger, models.CodeForbidden)
	keys := h.taskKeys()
	assert.Equal(t, 30*time.Minute, keys[accessWF+"/delegated-1/"+teamLead])
	assert.Equal(t, time.Hour, keys[accessWF+"/reminder-1/"+teamLead], "reminders go to the delegate")
	assert.NotContains(t, keys, accessWF+"/reminder-1/"+admin1)
	assert.Equal(t, 2*time.Hour, keys[accessWF+"/reminder-2/"+teamLead])

	assert.Equal(t, string(models.AccessApproved), requireDecided(t, approved).RequestStatus)
	require.Len(t, as.decided, 1)
	assert.Equal(t, teamLead, as.decided[0].In.Actor)
	assert.Equal(t, models.AccessApproved, res.Status)
}

// A rule decided at once: nobody is mailed a task, the store is told which rule, the caller sees
// APPROVED in the first answer.
func TestAccessRequest_DecidedByRule(t *testing.T) {
	h := newHarness(t, accessWF)
	first := accessPending()
	first.Auto = &activities.AutoDecision{Approve: true, Actor: models.ActorRulePrefix + ruleOneID, RuleID: ruleOneID,
		Reason: "automation rule: approve Virtual Account User for people of the account's own domain"}
	as := h.accessStore(first)
	h.mailDelay["access_approved"] = 2 * time.Minute // keeps the process open for the late decision
	created := h.updateAt(0, "", process.UpdateCreated)
	late := h.decideAt(time.Minute, approve(admin1))

	res := h.accessRequest(accessIn())

	resp := requireAnswer[process.AccessCreated](t, created)
	assert.Equal(t, models.AccessApproved, resp.Status)
	assert.Empty(t, resp.WaitingOn)
	require.Len(t, as.decided, 1)
	assert.Equal(t, ruleOneID, as.decided[0].In.RuleID)
	assert.Equal(t, models.ActorRulePrefix+ruleOneID, as.decided[0].In.Actor)
	assert.Equal(t, time.Duration(0), as.decided[0].At)
	assert.Empty(t, h.taskKeys())
	mails := h.mailsTo(dev)
	require.Equal(t, []string{"access_approved"}, templates(mails))
	assert.Equal(t, "an automation rule of the account", mails[0].In.Data.DecidedBy)
	requireRejected(t, late, models.CodeConflict)
	assert.Equal(t, models.AccessApproved, res.Status)
}

// Nobody decides: reminders at 1 h and 2 h, EXPIRED at 3 h, the requester told.
func TestAccessRequest_Expired(t *testing.T) {
	h := newHarness(t, accessWF)
	as := h.accessStore(accessPending())

	res := h.accessRequest(accessIn())

	keys := h.taskKeys()
	for _, a := range []string{admin1, admin2} {
		assert.Equal(t, time.Hour, keys[accessWF+"/reminder-1/"+a])
		assert.Equal(t, 2*time.Hour, keys[accessWF+"/reminder-2/"+a])
	}
	assert.Equal(t, []time.Duration{3 * time.Hour}, stampTimes(as.expired))
	require.Equal(t, []string{"access_expired"}, templates(h.mailsTo(dev)))
	assert.Equal(t, models.AccessExpired, res.Status)
}

// A request the store refuses (the account is not ACTIVE) answers the caller with the conflict.
func TestAccessRequest_Refused(t *testing.T) {
	h := newHarness(t, accessWF)
	h.env.OnActivity(st.CreateAccessRequest, mock.Anything, mock.Anything).Return(activities.AccessState{},
		conflict("the Smart Account is PENDING_APPROVAL: access can be requested once it is ACTIVE"))
	created := h.updateAt(0, "", process.UpdateCreated)

	h.accessRequest(accessIn())

	requireFailed(t, created, models.CodeConflict)
}

const (
	partnerOFM    = "olivia@partnerx.com"
	partnerDomain = "partnerx.com"
)

// partnerAccessIn is Partner X's OFM asking that the partner's people hold VA User on two VAs.
func partnerAccessIn() process.AccessRequestInput {
	in := accessIn()
	in.Requester, in.ForEmails, in.PartnerDomain = models.Person{Email: partnerOFM, Name: "Olivia"}, nil, partnerDomain
	return in
}

func partnerAccessPending() activities.AccessState {
	st := accessPending()
	st.Requester, st.ForEmails, st.OutsideDomain = partnerOFM, []string{}, []string{partnerOFM}
	st.PartnerDomain, st.PartnerName = partnerDomain, "Partner X"
	return st
}

// A partner's request (FEATURES AC8): the store is told the partner; each administrator's task names it;
// the decision is theirs alone (no delegation, not the requester's); the approval goes to the store and
// the requester, and only the requester, is told, the mail naming the partner.
func TestAccessRequest_Partner(t *testing.T) {
	h := newHarness(t, accessWF)
	as := h.accessStore(partnerAccessPending())
	byRequester := h.decideAt(5*time.Minute, approve(partnerOFM))
	delegated := h.decideAt(6*time.Minute, process.DecideInput{Decision: process.Delegate, Actor: admin1, DelegateTo: teamLead})
	approved := h.decideAt(30*time.Minute, process.DecideInput{Decision: process.Approve, Actor: admin2, Via: process.ViaEmail})

	res := h.accessRequest(partnerAccessIn())

	require.Len(t, as.created, 1)
	assert.Equal(t, partnerDomain, as.created[0].In.PartnerDomain)
	assert.Empty(t, as.created[0].In.ForEmails)
	requireRejected(t, byRequester, models.CodeForbidden)
	assert.Equal(t, "decision", requireRejected(t, delegated, models.CodeInvalid).Field)
	assert.Empty(t, as.delegated)
	for _, a := range []string{admin1, admin2} {
		task, ok := h.task(accessWF + "/approval/" + a)
		require.True(t, ok, "no task to %s", a)
		assert.Equal(t, models.PurposeAccessApproval, task.In.Purpose)
		assert.Equal(t, "Partner X (partnerx.com)", task.In.Data.Partner)
	}
	_, toRequester := h.task(accessWF + "/approval/" + partnerOFM)
	assert.False(t, toRequester, "the requester was mailed a task")
	require.Len(t, as.decided, 1)
	assert.True(t, as.decided[0].In.Approve)
	assert.Equal(t, admin2, as.decided[0].In.Actor)
	assert.Equal(t, string(models.AccessApproved), requireDecided(t, approved).RequestStatus)
	mails := h.mailsTo(partnerOFM)
	require.Equal(t, []string{"access_approved"}, templates(mails))
	assert.Equal(t, []string{partnerOFM}, mails[0].In.To)
	assert.Equal(t, "Partner X (partnerx.com)", mails[0].In.Data.Partner)
	assert.Equal(t, models.AccessApproved, res.Status)
}
