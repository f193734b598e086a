package models

import "time"

// The moves of a line's provisioning that the order's process makes, one method each, so the store
// steps and the workflow tests move lines by the same rules (FEATURES PR2, PR3).

// Kinds of a failed deposit, as the order's process handles them.
const (
	// DepositTransient is a service that did not answer: the line is deposited again later.
	DepositTransient = "TRANSIENT"
	// DepositRejected is the service refusing the SKU: after enough of them the line goes to review.
	DepositRejected = "REJECTED"
	// DepositPermanent is a deposit the service will never take as sent (a conflict, an invalid field):
	// the line goes to review at once.
	DepositPermanent = "PERMANENT"
)

// Ship marks the line shipped at `at`, unless it shipped before; it reports whether it did.
func (l *OrderLine) Ship(at time.Time) bool {
	if l.ShippedAt != nil {
		return false
	}
	at = at.UTC().Truncate(time.Microsecond)
	l.ShippedAt = &at
	return true
}

// Deposited records the service's entitlement: the line is PROVISIONED.
func (l *OrderLine) Deposited(entitlementID string, now time.Time) {
	l.EntitlementID, l.ProvError = entitlementID, ""
	l.SetProvisioning(ProvisionProvisioned, "", now)
}

// DepositFailed counts a failed deposit and keeps its error: FULFILLMENT_ERROR, or MANUAL_REVIEW once
// the service refused the SKU `rejects` times or will never take the deposit as sent.
func (l *OrderLine) DepositFailed(kind, message string, rejects int, now time.Time) DelayReason {
	l.ProvAttempts++
	l.ProvError = message
	reason := DelayFulfillmentError
	if kind == DepositRejected {
		l.ProvRejects++
	}
	if kind == DepositPermanent || (kind == DepositRejected && l.ProvRejects >= max(rejects, 1)) {
		reason = DelayManualReview
	}
	l.SetProvisioning(ProvisionPending, reason, now)
	return reason
}

// Act applies an ops action the line allows (OpsApplies): a review holds it, a failed resolution closes
// it without licenses, a retry or a release clears its failed attempts so it is deposited at once,
// unless what else holds it (its account, account is nil when unassigned) still does.
func (l *OrderLine) Act(a OpsAction, outcome string, account *AccountFacts, now time.Time) {
	switch {
	case a == OpsManualReview:
		l.SetProvisioning(ProvisionPending, DelayManualReview, now)
	case a == OpsResolve && outcome == OutcomeFailed:
		l.SetProvisioning(ProvisionFailed, "", now)
	default:
		l.ProvAttempts, l.ProvRejects, l.ProvError = 0, 0, ""
		l.SetProvisioning(ProvisionPending, "", now)
		l.Reprovision(account, now)
	}
}

// MarkStuck marks the line stuck when it is still pending past its SLA, once; it reports whether it did.
func (l *OrderLine) MarkStuck(sla time.Duration, now time.Time) bool {
	d := l.Deadline(sla)
	if l.StuckAt != nil || d == nil || now.Before(*d) {
		return false
	}
	l.StuckAt = &now
	return true
}
