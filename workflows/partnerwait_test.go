package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// A partner line with nowhere to go (issue 13, item 6): the fulfillment contact assigns the order while
// the reseller has no account of its own; the partner's services line then waits for the reseller's
// OFMs, not for the contact, and they are mailed once (a second assignment mails nobody). When an
// account of the partner becomes ACTIVE, the line goes there and nobody is waited on for it.
func TestOrder_PartnerLineWaitsForTheOFMs(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	s := newOrderStore(h, order)
	s.partner.ofms = []string{ofmEmail}
	noPartner := func(r *models.AssignRequest) { r.Partner = nil }
	first := h.assignAt(time.Minute, assignTo(actor(fc), acmeTarget, noPartner))
	waiting := h.statusAt(2*time.Minute, "")
	again := h.assignAt(3*time.Minute, assignTo(actor(fc), acmeTarget, noPartner, func(r *models.AssignRequest) {
		r.Services = &svcTarget
	}))
	stillWaiting := h.statusAt(4*time.Minute, "")
	h.env.RegisterDelayedCallback(func() {
		s.mu.Lock()
		s.partner.account = &partnerTarget
		s.mu.Unlock()
		h.env.SignalWorkflow(process.SignalAccountActive, process.AccountActive{SmartAccountID: partnerTarget.SmartAccountID})
	}, 10*time.Minute)
	after := h.statusAt(11*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	res := requireAssigned(t, first)
	assert.Equal(t, models.AssignPartial, res.Status)
	requireAssigned(t, again)
	for _, st := range []struct {
		name string
		ws   []models.Waiting
	}{{"after the assignment", waiting.WaitingOn}, {"after a second one", stillWaiting.WaitingOn}} {
		assert.Equal(t, []models.Waiting{{Who: ofmEmail, Action: models.ActCreateAccount, Since: t0.Add(time.Minute)}},
			inUTC(st.ws), "%s the order waits for the partner's OFM, not for the contact", st.name)
	}
	assert.Equal(t, "PARTIALLY_ASSIGNED", waiting.State)
	assert.Contains(t, historyWhats(waiting), "partner services lines wait for partnerx.com's Order Fulfillment Managers to create an account")

	mails := h.mailsTo(ofmEmail)
	require.Len(t, mails, 1, "the OFMs are mailed once")
	m := mails[0].In
	assert.Equal(t, "order_partner_account", m.Template)
	assert.Equal(t, orderWF+"/partner-account", m.Key)
	assert.Equal(t, "partnerx.com", m.Data.Domain, "the mail links to the form for the partner's domain")
	assert.Empty(t, h.mailsTo(fc), "the contact is not asked again")

	assert.Equal(t, partnerTarget.SmartAccountID, s.line("3").SmartAccountID, "the line goes to the partner's new account")
	assert.Equal(t, "ASSIGNED", after.State)
	assert.Empty(t, after.WaitingOn)
	assert.Nil(t, s.state.Order.PartnerWaitingSince, "the order no longer waits for its partner")
	assert.Equal(t, 3, s.partner.looks, "each assignment that left the line and the activation looked for the account")
}

// A reseller that is not a registered partner has nobody to wait for: the line stays the fulfillment
// contact's, as before.
func TestOrder_PartnerLineOfAnUnregisteredReseller(t *testing.T) {
	h := newHarness(t, orderWF)
	order := testOrder(models.OrderStandard)
	newOrderStore(h, order)
	h.assignAt(time.Minute, assignTo(actor(fc), acmeTarget, func(r *models.AssignRequest) { r.Partner = nil }))
	st := h.statusAt(2*time.Minute, "")

	h.runOrder(process.OrderInput{OrderID: orderID, State: order}, time.Hour)

	assert.Equal(t, []models.Waiting{{Who: fc, Action: models.ActAssign, Since: order.Order.CreatedAt}}, inUTC(st.WaitingOn))
	assert.Empty(t, h.mailsTo(ofmEmail))
}
