package models

import (
	"time"
)

// AccountFacts are what a line's provisioning depends on about the account it is assigned to.
type AccountFacts struct {
	Status SAStatus
	Type   SAType
}

// LineProvisioning is a line's provisioning as its facts say (FEATURES PR2): the delay reason that
// holds it, recomputed on every event. A smart-license line is provisioned once it is shipped,
// assigned, and its account ACTIVE; until then it is PENDING with the first reason that holds it, the
// account's before the shipment's because the account is what a person can act on. A line that is
// ready is PENDING without a reason while its licenses are deposited, FULFILLMENT_ERROR while the
// deposit fails. MANUAL_REVIEW holds until ops lift it, and PROVISIONED and FAILED are final. Lines
// without smart licenses have nothing to deposit: NOT_STARTED, then PROVISIONED at shipment. account
// is nil for an unassigned line.
func LineProvisioning(l OrderLine, account *AccountFacts) (ProvisioningStatus, DelayReason) {
	switch {
	case l.ProvisioningStatus == ProvisionProvisioned || l.ProvisioningStatus == ProvisionFailed:
		return l.ProvisioningStatus, l.DelayReason
	case !l.SmartLicense && l.ShippedAt != nil:
		return ProvisionProvisioned, ""
	case !l.SmartLicense:
		return ProvisionNotStarted, ""
	case l.ProvisioningStatus == ProvisionPending && l.DelayReason == DelayManualReview:
		return ProvisionPending, DelayManualReview
	case account == nil:
		return ProvisionPending, DelayNoSmartAccount
	case account.Type == SATypeHolding:
		return ProvisionPending, DelayInHolding
	case account.Status != SAActive:
		return ProvisionPending, DelaySmartAccountPending
	case l.ShippedAt == nil:
		return ProvisionPending, DelayAwaitingShipment
	case l.DelayReason == DelayFulfillmentError:
		return ProvisionPending, DelayFulfillmentError
	}
	return ProvisionPending, ""
}

// Reprovision moves the line to what its facts say now and keeps the times its status and reason
// began; it reports whether anything changed.
func (l *OrderLine) Reprovision(account *AccountFacts, now time.Time) bool {
	status, reason := LineProvisioning(*l, account)
	return l.SetProvisioning(status, reason, now)
}

// SetProvisioning moves the line to status and reason, keeping the times each began: a line that
// stays PENDING keeps its pending_since, a changed reason starts its reason_since.
func (l *OrderLine) SetProvisioning(status ProvisioningStatus, reason DelayReason, now time.Time) bool {
	if status == l.ProvisioningStatus && reason == l.DelayReason {
		return false
	}
	if status != ProvisionPending {
		l.PendingSince, l.ReasonSince = nil, nil
	} else {
		if l.ProvisioningStatus != ProvisionPending || l.PendingSince == nil {
			l.PendingSince = &now
		}
		l.ReasonSince = &now
	}
	if status == ProvisionProvisioned && l.ProvisionedAt == nil {
		l.ProvisionedAt = &now
	}
	l.ProvisioningStatus, l.DelayReason = status, reason
	return true
}

// Ready reports whether the line's licenses are to be deposited now: shipped, assigned to an ACTIVE
// account, and not held for review.
func (l OrderLine) Ready() bool {
	return l.SmartLicense && l.ProvisioningStatus == ProvisionPending &&
		(l.DelayReason == "" || l.DelayReason == DelayFulfillmentError)
}

// TermEnd is when a term line's licenses end: termMonths after shipment, whenever the line was
// provisioned (seed 003). Lines without a term, or not shipped, have none.
func (l OrderLine) TermEnd() *time.Time {
	if l.TermMonths <= 0 || l.ShippedAt == nil {
		return nil
	}
	end := l.ShippedAt.UTC().AddDate(0, l.TermMonths, 0)
	return &end
}

// Deadline is when a line still pending is stuck: its SLA after shipment. Lines not shipped have none.
func (l OrderLine) Deadline(sla time.Duration) *time.Time {
	if l.ShippedAt == nil || l.ProvisioningStatus != ProvisionPending || sla <= 0 {
		return nil
	}
	d := l.ShippedAt.Add(sla)
	return &d
}

// DelayReasons lists every delay reason, in the card's order.
var DelayReasons = []DelayReason{DelayAwaitingShipment, DelayNoSmartAccount, DelaySmartAccountPending, DelayInHolding,
	DelayFulfillmentError, DelayManualReview}

// Valid reports whether r is a known delay reason.
func (r DelayReason) Valid() bool {
	for _, d := range DelayReasons {
		if r == d {
			return true
		}
	}
	return false
}

// DelayCounts are an order's pending lines by delay reason, rolled up with its lines so the inventory's
// filter and card read the order's row alone (FEATURES PR1).
type DelayCounts struct {
	LinesNoAccount        int `json:"linesNoAccount"`
	LinesAccountPending   int `json:"linesAccountPending"`
	LinesInHolding        int `json:"linesInHolding"`
	LinesAwaitingShipment int `json:"linesAwaitingShipment"`
	LinesFulfillmentError int `json:"linesFulfillmentError"`
	LinesManualReview     int `json:"linesManualReview"`
}

// CountDelays counts lines by delay reason.
func CountDelays(lines []OrderLine) DelayCounts {
	var c DelayCounts
	for _, l := range lines {
		if l.ProvisioningStatus != ProvisionPending {
			continue
		}
		if p := c.of(l.DelayReason); p != nil {
			*p++
		}
	}
	return c
}

// Of is the count of one reason.
func (c DelayCounts) Of(r DelayReason) int {
	if p := c.of(r); p != nil {
		return *p
	}
	return 0
}

func (c *DelayCounts) of(r DelayReason) *int {
	switch r {
	case DelayNoSmartAccount:
		return &c.LinesNoAccount
	case DelaySmartAccountPending:
		return &c.LinesAccountPending
	case DelayInHolding:
		return &c.LinesInHolding
	case DelayAwaitingShipment:
		return &c.LinesAwaitingShipment
	case DelayFulfillmentError:
		return &c.LinesFulfillmentError
	case DelayManualReview:
		return &c.LinesManualReview
	}
	return nil
}

// Scale is the counts times sign: an order's share of a roll-up, negated when it leaves it.
func (c DelayCounts) Scale(sign int) DelayCounts {
	return DelayCounts{c.LinesNoAccount * sign, c.LinesAccountPending * sign, c.LinesInHolding * sign,
		c.LinesAwaitingShipment * sign, c.LinesFulfillmentError * sign, c.LinesManualReview * sign}
}

// DelayColumn is the orders column that counts lines of a reason; the inventory filters on it.
func DelayColumn(r DelayReason) string {
	switch r {
	case DelayNoSmartAccount:
		return "lines_no_account"
	case DelaySmartAccountPending:
		return "lines_account_pending"
	case DelayInHolding:
		return "lines_in_holding"
	case DelayAwaitingShipment:
		return "lines_awaiting_shipment"
	case DelayFulfillmentError:
		return "lines_fulfillment_error"
	case DelayManualReview:
		return "lines_manual_review"
	}
	return ""
}

// LicenseStatus is whether a license can be used: ACTIVE, HELD in a Partner Holding Account (visible,
// not usable), or EXPIRED once its term ended (read from its end, never stored).
type LicenseStatus string

// License statuses.
const (
	LicenseActive  LicenseStatus = "ACTIVE"
	LicenseHeld    LicenseStatus = "HELD"
	LicenseExpired LicenseStatus = "EXPIRED"
)

// License is a provisioned line's quantity in one virtual account of a Smart Account (FEATURES PR2).
type License struct {
	ID               string        `gorm:"primaryKey" json:"id"`
	SmartAccountID   string        `json:"smartAccountId"`
	VirtualAccountID string        `json:"virtualAccountId"`
	OrderID          string        `json:"orderId"`
	LineID           string        `json:"lineId"`
	SKU              string        `gorm:"column:sku" json:"sku"`
	Description      string        `json:"description"`
	Quantity         int           `json:"quantity"`
	Status           LicenseStatus `json:"status"`
	StartsAt         *time.Time    `json:"startsAt,omitempty"`
	EndsAt           *time.Time    `json:"endsAt,omitempty"`
	CreatedAt        time.Time     `json:"createdAt"`
	UpdatedAt        time.Time     `json:"updatedAt"`
}

// StatusAt is the license's status at t: EXPIRED once its term ended.
func (l License) StatusAt(t time.Time) LicenseStatus {
	if l.EndsAt != nil && !t.Before(*l.EndsAt) {
		return LicenseExpired
	}
	return l.Status
}

// Event actions of provisioning and licenses.
const (
	EventLineShipped           = "ORDER_LINE_SHIPPED"
	EventLineDelayed           = "ORDER_LINE_PROVISIONING_CHANGED"
	EventProvisionAttempt      = "ORDER_LINE_PROVISION_FAILED"
	EventLineProvisioned       = "ORDER_LINE_PROVISIONED"
	EventLineManualReview      = "ORDER_LINE_MANUAL_REVIEW"
	EventLineRetried           = "ORDER_LINE_RETRIED"
	EventLineResolved          = "ORDER_LINE_RESOLVED"
	EventLineStuck             = "ORDER_LINE_STUCK"
	EventLicensesMoved         = "LICENSES_MOVED"
	EventLicensesTransferred   = "LICENSES_TRANSFERRED"
	TargetLicense              = "LICENSE"
	PurposeOrderAssign         = "ORDER_ASSIGN"
	DefaultProvisionSLA        = 72 * time.Hour
	DefaultRejectsBeforeReview = 3
	DefaultAssignLinkExpiry    = 30 * 24 * time.Hour
)

// Add is the sum of two counts.
func (c DelayCounts) Add(d DelayCounts) DelayCounts {
	return DelayCounts{c.LinesNoAccount + d.LinesNoAccount, c.LinesAccountPending + d.LinesAccountPending,
		c.LinesInHolding + d.LinesInHolding, c.LinesAwaitingShipment + d.LinesAwaitingShipment,
		c.LinesFulfillmentError + d.LinesFulfillmentError, c.LinesManualReview + d.LinesManualReview}
}

// OpsAction is what ops do with pending lines (FEATURES PR3).
type OpsAction string

// Ops actions. RETRY deposits failed or reviewed lines again at once; MANUAL_REVIEW takes pending lines
// out of the automatic deposits until someone looks; RESOLVE ends a review: the line is deposited again
// (OutcomeRelease) or closed as FAILED without licenses (OutcomeFailed).
const (
	OpsRetry        OpsAction = "RETRY"
	OpsManualReview OpsAction = "MANUAL_REVIEW"
	OpsResolve      OpsAction = "RESOLVE"
	OutcomeRelease            = "RELEASE"
	OutcomeFailed             = "FAILED"
)

// Valid reports whether a is a known action.
func (a OpsAction) Valid() bool { return a == OpsRetry || a == OpsManualReview || a == OpsResolve }

// OpsApplies reports whether an ops action applies to a line: a retry to a line being deposited, failing
// or in review; a review to any pending line not in review yet; a resolution to a line in review.
func OpsApplies(a OpsAction, l OrderLine) bool {
	if l.ProvisioningStatus != ProvisionPending || !l.SmartLicense {
		return false
	}
	switch a {
	case OpsRetry:
		return l.DelayReason == "" || l.DelayReason == DelayFulfillmentError || l.DelayReason == DelayManualReview
	case OpsManualReview:
		return l.DelayReason != DelayManualReview
	case OpsResolve:
		return l.DelayReason == DelayManualReview
	}
	return false
}
