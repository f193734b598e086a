package workflows_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

const (
	partner = "sam@partner.com"
	cto     = "cto@acme.com"
	cfo     = "cfo@acme.com"
	ceo     = "ceo@acme.com"
)

var hqAcme = models.Address{Company: "Acme", Line1: "1 Main", City: "San Jose", Country: "US"}

// customerTiming asks the customer contacts for 3 hours, reminding them at 1 and 2.
func customerTiming() process.Timing {
	t := shortTiming()
	t.AcceptanceReminders, t.AcceptanceExpiry = []time.Duration{time.Hour, 2 * time.Hour}, 3*time.Hour
	t.AccessReminders, t.AccessExpiry = []time.Duration{time.Hour, 2 * time.Hour}, 3*time.Hour
	return t
}

func onBehalfInput(modified bool) process.SACreateInput {
	in := input(customerTiming())
	in.Request.Requester = models.Person{Email: partner, Name: "Sam"}
	in.Request.NominatedAdmins = []string{}
	in.Request.OnBehalf, in.Request.CustomerContacts, in.Request.NoteToCustomer = true, []string{cto, cfo}, "sign here"
	in.Request.ModifiedDomain = modified
	return in
}

func pendingCustomer(contacts ...string) activities.SAState {
	s := account(models.SAPendingCustomerAcceptance)
	s.Approvers, s.TLDAdmins, s.Why = contacts, []string{admin1}, "requested on the customer's behalf"
	return s
}

// customerStore records the on-behalf store steps and answers as the database would.
type customerStore struct {
	h         *harness
	accepted  []stamped[activities.AcceptSAInput]
	addresses []stamped[activities.HeadquartersInput]
	declined  []stamped[activities.DeclineOnBehalfInput]
	nominated []stamped[activities.NominateCreatorsInput]
}

func (h *harness) customerStore(afterAccept activities.SAState) *customerStore {
	cs := &customerStore{h: h}
	onStep(h, st.AcceptOnBehalf, &cs.accepted, func(in activities.AcceptSAInput) (activities.SAState, error) {
		out := afterAccept
		out.AcceptedBy = models.NormalizeEmail(in.Actor)
		if in.Headquarters.IsZero() {
			out = account(models.SAPendingCustomerAddress)
			out.AcceptedBy, out.Approvers = models.NormalizeEmail(in.Actor), []string{models.NormalizeEmail(in.Actor)}
		}
		return out, nil
	}).Maybe()
	onStep(h, st.GiveHeadquarters, &cs.addresses, func(in activities.HeadquartersInput) (activities.SAState, error) {
		out := afterAccept
		out.AcceptedBy = in.Actor
		return out, nil
	}).Maybe()
	onStep(h, st.DeclineOnBehalf, &cs.declined, func(in activities.DeclineOnBehalfInput) (activities.SAState, error) {
		out := account(models.SADeclinedByCustomer)
		out.DecidedBy, out.Reason = in.Actor, in.Reason
		return out, nil
	}).Maybe()
	onStep(h, st.NominateCreators, &cs.nominated, func(in activities.NominateCreatorsInput) (activities.SAState, error) {
		contacts := []string{cto, cfo}
		for _, e := range in.Emails {
			if !slices.Contains(contacts, e) {
				contacts = append(contacts, e)
			}
		}
		return pendingCustomer(contacts...), nil
	}).Maybe()
	return cs
}

func accept(actor string, hq *models.Address) process.DecideInput {
	return process.DecideInput{Decision: process.Accept, Actor: actor, Headquarters: hq, Via: process.ViaEmail}
}

// newOnBehalf is the harness of a request made on the customer's behalf: it waits for cto or cfo, and the
// account is ACTIVE once one of them accepts.
func newOnBehalf(t *testing.T) (*harness, *customerStore) {
	t.Helper()
	h := newHarness(t, parentID)
	h.onCreate(pendingCustomer(cto, cfo), nil)
	return h, h.customerStore(active())
}

func active() activities.SAState {
	s := account(models.SAActive)
	s.DecidedBy = cto
	return s
}

// A contact accepts with the address: the rules activate the account; the contacts were asked each
// with their own link, the TLD's administrators told, the requester (no administrator) told the end.
func TestOnBehalf_AcceptedWithAddress(t *testing.T) {
	h, cs := newOnBehalf(t)
	h.mailDelay["sa_active"] = time.Minute
	created := h.updateAt(0, "", process.UpdateCreated)
	wrongKind := h.decideAt(10*time.Minute, approve(cto))
	notAContact := h.decideAt(11*time.Minute, accept(admin1, &hqAcme))
	waitingStatus := h.statusAt(20*time.Minute, "")
	accepted := h.decideAt(30*time.Minute, accept("CTO@acme.com", &hqAcme))
	late := h.decideAt(30*time.Minute+time.Second, accept(cfo, &hqAcme))

	res := h.sacreate(onBehalfInput(false))

	deadline := t0.Add(3 * time.Hour)
	resp := requireCreated(t, created)
	assert.Equal(t, models.SAPendingCustomerAcceptance, resp.Status)
	assert.Equal(t, []models.Waiting{waiting(cto, "accept", t0, deadline), waiting(cfo, "accept", t0, deadline)}, inUTC(resp.WaitingOn))
	require.True(t, h.created[0].OnBehalf)
	assert.Equal(t, []string{cto, cfo}, h.created[0].CustomerContacts)
	assert.Equal(t, "sign here", h.created[0].NoteToCustomer)

	assert.Equal(t, "decision", requireRejected(t, wrongKind, models.CodeInvalid).Field)
	requireRejected(t, notAContact, models.CodeForbidden)
	assert.Equal(t, string(models.SAPendingCustomerAcceptance), waitingStatus.State)
	assert.Equal(t, []string{cto, cfo}, h.searchAt(20*time.Minute).WaitingOn)

	for _, c := range []string{cto, cfo} {
		task, ok := h.task(parentID + "/acceptance/" + c)
		require.True(t, ok, "no acceptance task to %s", c)
		assert.Equal(t, models.PurposeSAAcceptance, task.In.Purpose)
		assert.Equal(t, "sa_acceptance_task", task.In.Template)
		assert.Equal(t, "sign here", task.In.Data.Note)
		requireSameTime(t, deadline, task.In.ExpiresAt, "link expiry")
	}
	assert.Equal(t, []string{"sa_onbehalf_notice"}, templates(h.mailsTo(admin1)))
	require.Len(t, cs.accepted, 1)
	assert.Equal(t, activities.AcceptSAInput{SmartAccountID: saID, Actor: cto, Headquarters: hqAcme, Via: process.ViaEmail,
		Window: activities.Window{At: t0.Add(30 * time.Minute), Timing: customerTiming()}}, cs.accepted[0].In)
	out := requireDecided(t, accepted)
	assert.Equal(t, models.SAActive, out.Status)
	assert.Equal(t, process.Accept, out.Decision)
	assert.Contains(t, requireRejected(t, late, models.CodeConflict).Message, "already accepted by "+cto)

	assert.Equal(t, []string{"sa_onbehalf_pending", "sa_onbehalf_active"}, templates(h.mailsTo(partner)))
	toCTO := h.mailsTo(cto)
	require.Equal(t, []string{"sa_active"}, templates(toCTO), "the contact who accepted is told they administer it")
	assert.Equal(t, models.SAActive, res.Status)
}

// Accepted without an address: the account waits in PENDING_CUSTOMER_ADDRESS for the contact who
// accepted, who alone may give it; then the rules decide.
func TestOnBehalf_AddressStep(t *testing.T) {
	h, cs := newOnBehalf(t)
	h.updateAt(0, "", process.UpdateCreated)
	accepted := h.decideAt(10*time.Minute, accept(cto, nil))
	addressStatus := h.statusAt(20*time.Minute, "")
	nominate := h.updateAt(25*time.Minute, "", process.UpdateNominate, process.NominateInput{Emails: []string{ceo}, Actor: partner})
	noAddress := h.decideAt(30*time.Minute, process.DecideInput{Decision: process.Submit, Actor: cto})
	otherContact := h.decideAt(31*time.Minute, process.DecideInput{Decision: process.Submit, Actor: cfo, Headquarters: &hqAcme})
	given := h.decideAt(40*time.Minute, process.DecideInput{Decision: process.Submit, Actor: cto, Headquarters: &hqAcme})

	res := h.sacreate(onBehalfInput(false))

	out := requireDecided(t, accepted)
	assert.Equal(t, models.SAPendingCustomerAddress, out.Status)
	assert.Equal(t, string(models.SAPendingCustomerAddress), addressStatus.State)
	assert.Equal(t, []models.Waiting{waiting(cto, "give-address", t0.Add(10*time.Minute), t0.Add(10*time.Minute+3*time.Hour))},
		inUTC(addressStatus.WaitingOn))
	task, ok := h.task(parentID + "/address/" + cto)
	require.True(t, ok, "the contact who accepted is mailed the address step")
	assert.Equal(t, models.PurposeSAAcceptance, task.In.Purpose)
	assert.Equal(t, "sa_address_task", task.In.Template)

	requireRejected(t, nominate, models.CodeConflict)
	assert.Equal(t, "headquarters", requireRejected(t, noAddress, models.CodeInvalid).Field)
	requireRejected(t, otherContact, models.CodeForbidden)
	assert.Equal(t, models.SAActive, requireDecided(t, given).Status)
	require.Len(t, cs.addresses, 1)
	assert.Equal(t, hqAcme, cs.addresses[0].In.Headquarters)
	assert.Equal(t, models.SAActive, res.Status)
}

// A decline tells the requester; more creators nominated afterwards reopen the request with a fresh
// deadline and a task to the new ones, one of whom accepts.
func TestOnBehalf_DeclinedThenMoreCreators(t *testing.T) {
	h, cs := newOnBehalf(t)
	h.updateAt(0, "", process.UpdateCreated)
	declined := h.decideAt(10*time.Minute, process.DecideInput{Decision: process.Decline, Actor: cto, Reason: "not us", Via: process.ViaEmail})
	declinedStatus := h.statusAt(20*time.Minute, "")
	badCreator := h.updateAt(25*time.Minute, "", process.UpdateNominate, process.NominateInput{Emails: []string{"x@other.org"}, Actor: partner})
	nominated := h.updateAt(time.Hour, "", process.UpdateNominate, process.NominateInput{Emails: []string{ceo}, Actor: partner})
	reopened := h.statusAt(time.Hour+time.Minute, "")
	accepted := h.decideAt(2*time.Hour, accept(ceo, &hqAcme))

	res := h.sacreate(onBehalfInput(false))

	assert.Equal(t, models.SADeclinedByCustomer, requireDecided(t, declined).Status)
	require.Len(t, cs.declined, 1)
	assert.Equal(t, "not us", cs.declined[0].In.Reason)
	toPartner := h.mailsTo(partner)
	require.Equal(t, []string{"sa_onbehalf_pending", "sa_declined_by_customer", "sa_onbehalf_active"}, templates(toPartner))
	assert.Equal(t, "not us", toPartner[1].In.Data.Reason)
	assert.Equal(t, cto, toPartner[1].In.Data.DecidedBy)

	assert.Equal(t, string(models.SADeclinedByCustomer), declinedStatus.State)
	assert.Equal(t, []models.Waiting{waiting(partner, "nominate-creators", t0, t0.Add(3*time.Hour))}, inUTC(declinedStatus.WaitingOn))
	assert.Equal(t, "emails", requireRejected(t, badCreator, models.CodeInvalid).Field)

	nr := requireAnswer[process.NominateResult](t, nominated)
	assert.Equal(t, models.SAPendingCustomerAcceptance, nr.Status)
	assert.Equal(t, []string{ceo}, nr.Mailed)
	requireSameTime(t, t0.Add(4*time.Hour), nr.Deadline, "a reopened request gets a fresh deadline")
	require.Len(t, cs.nominated, 1)
	_, ok := h.task(parentID + "/nominated-1/" + ceo)
	assert.True(t, ok, "the new creator is mailed the acceptance task")
	assert.Equal(t, string(models.SAPendingCustomerAcceptance), reopened.State)
	assert.Len(t, reopened.WaitingOn, 3)

	assert.Equal(t, models.SAActive, requireDecided(t, accepted).Status)
	assert.Equal(t, ceo, cs.accepted[0].In.Actor)
	assert.Equal(t, models.SAActive, res.Status)
}

// A creator nominated while the request still waits is mailed; those already asked are not again,
// and everyone's deadline moves with the new one.
func TestOnBehalf_NominateWhileWaiting(t *testing.T) {
	h, _ := newOnBehalf(t)
	h.onExpire()
	h.updateAt(0, "", process.UpdateCreated)
	nominated := h.updateAt(time.Hour+30*time.Minute, "", process.UpdateNominate, process.NominateInput{Emails: []string{ceo, cto}, Actor: partner})

	h.sacreate(onBehalfInput(false))

	nr := nominated.snapshot().value.(process.NominateResult)
	assert.Equal(t, []string{ceo}, nr.Mailed)
	requireSameTime(t, t0.Add(4*time.Hour+30*time.Minute), nr.Deadline, "deadline")
	keys := h.taskKeys()
	assert.Contains(t, keys, parentID+"/nominated-1/"+ceo)
	assert.NotContains(t, keys, parentID+"/nominated-1/"+cto)
	require.Len(t, h.expired, 1)
	assert.Equal(t, 4*time.Hour+30*time.Minute, h.expired[0].At, "expiry follows the moved deadline")
}

// Nobody answers: reminders at 1 h and 2 h, then EXPIRED at 3 h and the requester is told.
func TestOnBehalf_Expires(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingCustomer(cto, cfo), nil)
	h.onExpire()
	h.updateAt(0, "", process.UpdateCreated)

	res := h.sacreate(onBehalfInput(false))

	keys := h.taskKeys()
	for _, c := range []string{cto, cfo} {
		assert.Equal(t, time.Hour, keys[parentID+"/acceptance-reminder-1/"+c])
		assert.Equal(t, 2*time.Hour, keys[parentID+"/acceptance-reminder-2/"+c])
	}
	h.requireExpired(models.SAPendingCustomerAcceptance, 3*time.Hour)
	toPartner := h.mailsTo(partner)
	require.Equal(t, []string{"sa_onbehalf_pending", "sa_acceptance_expired"}, templates(toPartner))
	assert.Equal(t, []string{cto, cfo}, toPartner[1].In.Data.Approvers)
	assert.Equal(t, models.SAExpired, res.Status)
}

// A modified domain: the store sends a direct request to Cisco's domain approval; an on-behalf one
// goes there once the customer accepted.
func TestSACreate_ModifiedDomain(t *testing.T) {
	t.Run("direct request", func(t *testing.T) {
		h := newHarness(t, parentID)
		h.onCreate(pendingDomain(cisco1), nil)
		h.onResolve(active())
		h.updateAt(time.Minute, childID, process.UpdateDecide, approve(cisco1))
		in := input(shortTiming())
		in.Request.ModifiedDomain = true

		res := h.sacreate(in)

		assert.True(t, h.created[0].ModifiedDomain)
		require.Len(t, h.resolved, 1)
		assert.Equal(t, models.SAActive, res.Status)
	})
	t.Run("on behalf", func(t *testing.T) {
		h := newHarness(t, parentID)
		h.onCreate(pendingCustomer(cto), nil)
		cs := h.customerStore(pendingDomain(cisco1))
		h.onResolve(active())
		h.decideAt(10*time.Minute, accept(cto, &hqAcme))
		domainDecided := h.updateAt(20*time.Minute, childID, process.UpdateDecide, approve(cisco1))

		res := h.sacreate(onBehalfInput(true))

		require.Len(t, cs.accepted, 1)
		assert.True(t, cs.accepted[0].In.ModifiedDomain, "the acceptance runs the rules with the modified-domain flag")
		assert.Equal(t, models.SAActive, requireDecided(t, domainDecided).Status)
		assert.Equal(t, models.SAActive, res.Status)
		assert.Contains(t, templates(h.mailsTo(partner)), "sa_onbehalf_active")
	})
}

// A nomination that arrives while an acceptance is being applied is answered when the account moves
// on to the address step, not left waiting until the address is given.
func TestOnBehalf_NominationDuringAcceptanceIsAnsweredAtOnce(t *testing.T) {
	h, _ := newOnBehalf(t)
	h.updateAt(0, "", process.UpdateCreated)
	accepted := h.decideAt(10*time.Minute, accept(cto, nil))
	nominate := h.updateAt(10*time.Minute, "", process.UpdateNominate, process.NominateInput{Emails: []string{ceo}, Actor: partner})
	var atTwenty updateOutcome
	h.env.RegisterDelayedCallback(func() { atTwenty = nominate.snapshot() }, 20*time.Minute)
	given := h.decideAt(2*time.Hour, process.DecideInput{Decision: process.Submit, Actor: cto, Headquarters: &hqAcme})

	res := h.sacreate(onBehalfInput(false))

	assert.Equal(t, models.SAPendingCustomerAddress, requireDecided(t, accepted).Status)
	assert.True(t, atTwenty.completed || atTwenty.rejected, "the nomination still waits for an answer once the account waits for its address")
	if atTwenty.completed && atTwenty.err == nil {
		t.Errorf("a nomination during the address step was applied: %+v", atTwenty.value)
	}
	assert.Equal(t, models.SAActive, requireDecided(t, given).Status)
	assert.Equal(t, models.SAActive, res.Status)
}
