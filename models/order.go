package models

import (
	"time"
)

// OrderType is how an order was sold; only STANDARD orders are assigned to accounts after the sale.
type OrderType string

// Order types.
const (
	OrderStandard OrderType = "STANDARD"
	OrderStocking OrderType = "STOCKING"
	OrderEA       OrderType = "EA"
)

// Valid reports whether t is a known type.
func (t OrderType) Valid() bool { return t == OrderStandard || t == OrderStocking || t == OrderEA }

// Assignable reports whether orders of this type may be assigned to a Smart Account (FEATURES OR4).
func (t OrderType) Assignable() bool { return t == OrderStandard }

// LineKind tells licenses from the services sold with them.
type LineKind string

// Line kinds.
const (
	LineProduct        LineKind = "PRODUCT"
	LineCiscoService   LineKind = "CISCO_SERVICE"
	LinePartnerService LineKind = "PARTNER_SERVICE"
)

// Valid reports whether k is a known kind.
func (k LineKind) Valid() bool {
	return k == LineProduct || k == LineCiscoService || k == LinePartnerService
}

// AssignmentStatus is where a line (or, rolled up, an order) stands with its Smart Account.
type AssignmentStatus string

// Assignment statuses. REQUESTED is an assignment the order's process accepted and has not recorded
// yet; PARTIALLY_ASSIGNED exists only for orders.
const (
	AssignUnassigned AssignmentStatus = "UNASSIGNED"
	AssignRequested  AssignmentStatus = "REQUESTED"
	AssignAssigned   AssignmentStatus = "ASSIGNED"
	AssignInHolding  AssignmentStatus = "IN_HOLDING"
	AssignPartial    AssignmentStatus = "PARTIALLY_ASSIGNED"
)

// OrderAssignmentStatuses are the values of an order's roll-up, in the donut's order.
var OrderAssignmentStatuses = []AssignmentStatus{AssignUnassigned, AssignPartial, AssignRequested, AssignAssigned, AssignInHolding}

// ProvisioningStatus is where a line's licenses stand.
type ProvisioningStatus string

// Provisioning statuses.
const (
	ProvisionNotStarted  ProvisioningStatus = "NOT_STARTED"
	ProvisionPending     ProvisioningStatus = "PENDING"
	ProvisionProvisioned ProvisioningStatus = "PROVISIONED"
	ProvisionFailed      ProvisioningStatus = "FAILED"
)

// ProvisioningStatuses lists every provisioning status, in the card's order.
var ProvisioningStatuses = []ProvisioningStatus{ProvisionNotStarted, ProvisionPending, ProvisionProvisioned, ProvisionFailed}

// DelayReason says why a line's provisioning is PENDING.
type DelayReason string

// Delay reasons.
const (
	DelayNoSmartAccount      DelayReason = "NO_SMART_ACCOUNT"
	DelaySmartAccountPending DelayReason = "SMART_ACCOUNT_PENDING"
	DelayInHolding           DelayReason = "IN_HOLDING_ACCOUNT"
	DelayAwaitingShipment    DelayReason = "AWAITING_SHIPMENT"
	DelayFulfillmentError    DelayReason = "FULFILLMENT_ERROR"
	DelayManualReview        DelayReason = "MANUAL_REVIEW"
)

// Party is a company on an order: the end customer (with a contact email) or a partner (with its domain).
type Party struct {
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// IsZero reports whether the party is absent.
func (p Party) IsZero() bool { return p == Party{} }

// Order is an order as commerce booked it, with the roll-up of its lines. Its JSON is its whole state
// as the processes carry it; the API shows orders through its own views.
type Order struct {
	ID                 string           `gorm:"primaryKey" json:"id"`
	Type               OrderType        `json:"type"`
	PurchaseOrder      string           `json:"purchaseOrder"`
	EndCustomer        Party            `gorm:"serializer:json" json:"endCustomer"`
	Reseller           Party            `gorm:"serializer:json" json:"reseller,omitzero"`
	Distributor        Party            `gorm:"serializer:json" json:"distributor,omitzero"`
	ResellerDomain     string           `json:"resellerDomain"`
	DistributorDomain  string           `json:"distributorDomain"`
	FulfillmentContact string           `json:"fulfillmentContact"`
	FCDomain           string           `gorm:"column:fc_domain" json:"fcDomain"`
	FCTLD              string           `gorm:"column:fc_tld" json:"fcTld"`
	BookedAt           time.Time        `json:"bookedAt"`
	ShippedAt          *time.Time       `json:"shippedAt,omitempty"`
	AssignmentStatus   AssignmentStatus `json:"assignmentStatus"`
	LineCount          int              `json:"lineCount"`
	LinesNotStarted    int              `json:"linesNotStarted"`
	LinesPending       int              `json:"linesPending"`
	LinesProvisioned   int              `json:"linesProvisioned"`
	LinesFailed        int              `json:"linesFailed"`
	DelayCounts
	// PartnerOFMs are whom the partner-services lines wait for when the reseller has no account of its
	// own, mailed once since PartnerWaitingSince (AwaitsPartner); nil while they wait for nobody.
	PartnerOFMs         []string   `gorm:"column:partner_ofms;serializer:json" json:"partnerOfms,omitempty"`
	PartnerWaitingSince *time.Time `json:"partnerWaitingSince,omitempty"`
	PayloadHash         string     `json:"payloadHash"`
	WorkflowID          string     `json:"workflowId"`
	CreatedAt           time.Time  `json:"createdAt"`
	UpdatedAt           time.Time  `json:"updatedAt"`
}

// OrderLine is one line of an order, with its assignment and provisioning.
type OrderLine struct {
	OrderID            string             `gorm:"primaryKey" json:"orderId"`
	ID                 string             `gorm:"primaryKey" json:"id"`
	Position           int                `json:"position"`
	SKU                string             `gorm:"column:sku" json:"sku"`
	Description        string             `json:"description"`
	Kind               LineKind           `json:"kind"`
	Quantity           int                `json:"quantity"`
	SmartLicense       bool               `json:"smartLicense"`
	SAMandatory        bool               `gorm:"column:sa_mandatory" json:"saMandatory"`
	TermMonths         int                `json:"termMonths"`
	AssignmentStatus   AssignmentStatus   `json:"assignmentStatus"`
	SmartAccountID     string             `json:"smartAccountId"`
	VirtualAccountID   string             `json:"virtualAccountId"`
	ProvisioningStatus ProvisioningStatus `json:"provisioningStatus"`
	DelayReason        DelayReason        `json:"delayReason"`
	AssignedBy         string             `json:"assignedBy"`
	AssignedAt         *time.Time         `json:"assignedAt"`
	// ShippedAt is when commerce reported the line shipped: a term starts then (seed 003).
	ShippedAt *time.Time `json:"shippedAt,omitempty"`
	// PendingSince is when the line became PENDING, ReasonSince when its delay reason began.
	PendingSince *time.Time `json:"pendingSince,omitempty"`
	ReasonSince  *time.Time `json:"reasonSince,omitempty"`
	// ProvAttempts and ProvError are the failed deposits since the line was last ready, and the last one's error.
	ProvAttempts  int        `json:"provAttempts"`
	ProvRejects   int        `json:"provRejects"`
	ProvError     string     `json:"provError,omitempty"`
	ProvisionedAt *time.Time `json:"provisionedAt,omitempty"`
	// StuckAt is when the line was found still pending at its SLA; ops were alerted then.
	StuckAt       *time.Time `json:"stuckAt,omitempty"`
	EntitlementID string     `json:"entitlementId,omitempty"`
	UpdatedAt     time.Time  `json:"updatedAt"`
}

// Held reports whether the line waits for its (provisional) Smart Account to become active.
func (l OrderLine) Held() bool { return l.DelayReason == DelaySmartAccountPending }

// OrderAccount says that an account holds lines of an order.
type OrderAccount struct {
	SmartAccountID string `gorm:"primaryKey"`
	OrderID        string `gorm:"primaryKey"`
	BookedAt       time.Time
}

// OrderKey is one search key of an order.
type OrderKey struct {
	OrderID string `gorm:"primaryKey"`
	Key     string `gorm:"primaryKey"`
}

// DelegationStatus is where an emailed delegation of an order's assignment stands.
type DelegationStatus string

// Delegation statuses.
const (
	DelegationPending DelegationStatus = "PENDING"
	DelegationUsed    DelegationStatus = "USED"
	DelegationRevoked DelegationStatus = "REVOKED"
	DelegationExpired DelegationStatus = "EXPIRED"
)

// OrderDelegation is a fulfillment contact's authorization of another person to assign one order.
type OrderDelegation struct {
	ID         string           `gorm:"primaryKey" json:"id"`
	OrderID    string           `json:"orderId"`
	Delegator  string           `json:"delegator"`
	Delegate   string           `json:"delegate"`
	Note       string           `json:"note"`
	Status     DelegationStatus `json:"status"`
	WorkflowID string           `json:"workflowId"`
	ExpiresAt  time.Time        `json:"expiresAt"`
	ClosedBy   string           `json:"closedBy,omitempty"`
	ClosedAt   *time.Time       `json:"closedAt,omitempty"`
	Reason     string           `json:"reason,omitempty"`
	CreatedAt  time.Time        `json:"createdAt"`
}

// ActiveAt reports whether the delegation still authorizes its delegate at t.
func (d OrderDelegation) ActiveAt(t time.Time) bool {
	return d.Status == DelegationPending && t.Before(d.ExpiresAt)
}

// Event actions and targets of the order processes.
const (
	EventOrderIngested       = "ORDER_INGESTED"
	EventLineAssigned        = "ORDER_LINE_ASSIGNED"
	EventLineReassigned      = "ORDER_LINE_REASSIGNED"
	EventDelegationCreated   = "ORDER_DELEGATED"
	EventDelegationUsed      = "ORDER_DELEGATION_USED"
	EventDelegationRevoked   = "ORDER_DELEGATION_REVOKED"
	EventDelegationExpired   = "ORDER_DELEGATION_EXPIRED"
	TargetOrder              = "ORDER"
	TargetOrderLine          = "ORDER_LINE"
	TargetOrderDelegation    = "ORDER_DELEGATION"
	PurposeOrderDelegation   = "ORDER_DELEGATION"
	DefaultDelegationExpiry  = 14 * 24 * time.Hour
	MaxDelegationsPerOrder   = 10
	MaxOrdersPerAssignment   = 1000
	maxOrderAssignmentReason = 2000
)

// The platform role of the order features, carried by the identity. An Order Fulfillment Manager is
// no platform role: partners designate theirs (PartnerRightsOf).
const (
	// RoleCommerce is the service identity that books orders.
	RoleCommerce = "commerce"
)

// OrderRollup counts the orders of a booking day (YYYY-MM-DD, UTC) in one assignment status and type,
// with their lines by provisioning status.
type OrderRollup struct {
	BookedDay        string           `gorm:"primaryKey"`
	AssignmentStatus AssignmentStatus `gorm:"primaryKey"`
	Type             OrderType        `gorm:"primaryKey"`
	Orders           int
	LinesNotStarted  int
	LinesPending     int
	LinesProvisioned int
	LinesFailed      int
	DelayCounts
}

// Plus is r with d's counts added (its bucket stays r's): the roll-ups sum an order's shares this way,
// whole book (order_rollups) or per scope (order_scope_rollups).
func (r OrderRollup) Plus(d OrderRollup) OrderRollup {
	r.Orders += d.Orders
	r.LinesNotStarted += d.LinesNotStarted
	r.LinesPending += d.LinesPending
	r.LinesProvisioned += d.LinesProvisioned
	r.LinesFailed += d.LinesFailed
	r.DelayCounts = r.DelayCounts.Add(d.DelayCounts)
	return r
}

// RollupOf is an order's share of the roll-ups: its bucket and counts, negated when it leaves.
func RollupOf(o Order, sign int) OrderRollup {
	return OrderRollup{BookedDay: o.BookedAt.UTC().Format(time.DateOnly), AssignmentStatus: o.AssignmentStatus, Type: o.Type,
		Orders: sign, LinesNotStarted: sign * o.LinesNotStarted, LinesPending: sign * o.LinesPending,
		LinesProvisioned: sign * o.LinesProvisioned, LinesFailed: sign * o.LinesFailed, DelayCounts: o.DelayCounts.Scale(sign)}
}
