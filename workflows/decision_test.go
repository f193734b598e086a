package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// A decision the store refuses for good (bad data, a constraint: what a NUL byte in a reason once did)
// is answered with why, at once, and the request stays decidable: the next decision applies, and no
// decision is left "being decided" for ever.
func TestSACreate_RefusedStoreStepLeavesTheRequestDecidable(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	calls := 0
	h.env.OnActivity(st.DecideSmartAccount, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DecideSAInput) (activities.SAState, error) {
			calls++
			if calls == 1 {
				return activities.SAState{}, process.EncodeError(models.Invalid("reason", "a value was refused by the database"))
			}
			out := account(models.SADeclined)
			out.DecidedBy, out.DecidedAt, out.Reason = in.Actor, h.env.Now().UTC(), in.Reason
			return out, nil
		})
	poisoned := h.decideAt(10*time.Minute, decline(admin1, "x"))
	during := h.statusAt(15*time.Minute, "")
	next := h.decideAt(20*time.Minute, decline(admin2, "a duplicate"))

	res := h.sacreate(input(shortTiming()))

	s := poisoned.snapshot()
	require.True(t, s.accepted && s.completed, "the first decision was not answered (accepted %v, completed %v)", s.accepted, s.completed)
	me := apiError(s.err)
	require.NotNil(t, me, "the refusal carries no code: %v", s.err)
	assert.Equal(t, models.CodeInvalid, me.Code)
	assert.Equal(t, "reason", me.Field)
	assert.Equal(t, string(models.SAPendingApproval), during.State, "the request still waits")
	assert.Len(t, during.WaitingOn, 2)
	out := requireDecided(t, next)
	assert.Equal(t, models.SADeclined, out.Status)
	assert.Equal(t, admin2, out.DecidedBy)
	assert.Equal(t, models.SADeclined, res.Status)
	assert.Equal(t, 2, calls)
}

// The same person's same decision, sent again after its answer was lost, is answered with the outcome
// of the first, not refused as a conflict; another person's decision still is.
func TestSACreate_RepeatedDecisionGetsTheSameAnswer(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1, admin2), nil)
	h.onDecide()
	h.mailDelay["sa_active"] = time.Hour // the process is still open when the repeat arrives
	first := h.decideAt(10*time.Minute, approve(admin1))
	repeat := h.decideAt(20*time.Minute, approve("ADMIN1@acme.com"))
	other := h.decideAt(21*time.Minute, decline(admin2, "no"))

	h.sacreate(input(shortTiming()))

	a, b := requireDecided(t, first), requireDecided(t, repeat)
	assert.Equal(t, a, b)
	assert.Equal(t, models.SAActive, b.Status)
	requireRejected(t, other, models.CodeConflict)
	require.Len(t, h.decided, 1, "the repeat applied nothing twice")
}

// The requester never decides their own request, even holding the role that may decide any.
func TestSACreate_RequesterNeverDecidesTheirOwnRequest(t *testing.T) {
	h := newHarness(t, parentID)
	h.onCreate(pendingApproval(admin1), nil)
	h.onDecide()
	own := h.decideAt(10*time.Minute, approve(requester, models.RoleCiscoApprover))
	nominated := h.decideAt(11*time.Minute, approve(nominee, models.RoleCiscoApprover))
	h.decideAt(20*time.Minute, approve(admin1))

	h.sacreate(input(shortTiming()))

	requireRejected(t, own, models.CodeForbidden)
	requireRejected(t, nominated, models.CodeForbidden)
}
