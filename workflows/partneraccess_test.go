package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

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
	assert.Equal(t, partnerDomain, as.created[0].PartnerDomain)
	assert.Empty(t, as.created[0].ForEmails)
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

// A partner's request declined: a reason is required, and the requester reads it.
func TestAccessRequest_PartnerDeclined(t *testing.T) {
	h := newHarness(t, accessWF)
	as := h.accessStore(partnerAccessPending())
	noReason := h.decideAt(5*time.Minute, decline(admin1, " "))
	declined := h.decideAt(10*time.Minute, decline(admin1, "we work with another partner"))

	res := h.accessRequest(partnerAccessIn())

	assert.Equal(t, "reason", requireRejected(t, noReason, models.CodeInvalid).Field)
	assert.Equal(t, string(models.AccessDeclined), requireDecided(t, declined).RequestStatus)
	require.Len(t, as.decided, 1)
	assert.False(t, as.decided[0].In.Approve)
	mails := h.mailsTo(partnerOFM)
	require.Equal(t, []string{"access_declined"}, templates(mails))
	assert.Equal(t, "we work with another partner", mails[0].In.Data.Reason)
	assert.Equal(t, models.AccessDeclined, res.Status)
}
