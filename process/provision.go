package process

import (
	"context"
	"time"

	"github.com/licensecentral/clc/models"
)

// Update and signal names of an order's provisioning (FEATURES PR2, PR3).
const (
	// UpdateShip tells the order process that commerce shipped lines.
	UpdateShip = "ship"
	// UpdateProvisioning carries an ops action on the order's pending lines (retry, manual review, resolve).
	UpdateProvisioning = "provisioning"
	// SignalAccountActive tells an order process that an account holding its lines became ACTIVE: its
	// held lines are released (the account's process sends it; nothing polls).
	SignalAccountActive = "account-active"
)

// ProvisionTiming is how an order's process paces its deposits and when a line is stuck; the worker's
// configuration sets it, tests shorten it.
type ProvisionTiming struct {
	// SLA is how long after shipment a pending line may take before it is stuck (default 72 h).
	SLA time.Duration `json:"sla"`
	// RetryFirst and RetryMax bound the wait between failed deposits (default 2 s, doubling to 5 min).
	RetryFirst time.Duration `json:"retryFirst"`
	RetryMax   time.Duration `json:"retryMax"`
	// Rejects is how many times the service may refuse a line's SKU before the line goes to manual
	// review (default 3).
	Rejects int `json:"rejects"`
	// AssignLink is how long the fulfillment contact's emailed assignment link works (default 30 days).
	AssignLink time.Duration `json:"assignLink"`
}

// WithDefaults fills what is left unset.
func (t ProvisionTiming) WithDefaults() ProvisionTiming {
	orDefault(&t.SLA, models.DefaultProvisionSLA)
	orDefault(&t.RetryFirst, 2*time.Second)
	if t.RetryMax < t.RetryFirst {
		t.RetryMax = max(5*time.Minute, t.RetryFirst)
	}
	orDefault(&t.AssignLink, models.DefaultAssignLinkExpiry)
	orDefault(&t.Rejects, models.DefaultRejectsBeforeReview)
	return t
}

// ShipInput is commerce's report that lines of an order shipped.
type ShipInput struct {
	// RequestID makes a repeat of the same report the same update.
	RequestID string            `json:"requestId"`
	Actor     models.OrderActor `json:"actor"`
	Lines     []string          `json:"lines"`
	ShippedAt time.Time         `json:"shippedAt"`
}

// ShipResult is what a shipment did: the lines it shipped now (none for a repeat) and the order after.
type ShipResult struct {
	OrderID string             `json:"orderId"`
	Shipped []string           `json:"shipped"`
	Lines   []models.OrderLine `json:"lines"`
}

// OpsAction is what ops do with pending lines: models.OpsAction, named here too for the API's callers.
type OpsAction = models.OpsAction

// Ops actions and the outcomes of a resolved review (models says what each does).
const (
	OpsRetry        = models.OpsRetry
	OpsManualReview = models.OpsManualReview
	OpsResolve      = models.OpsResolve
	OutcomeRelease  = models.OutcomeRelease
	OutcomeFailed   = models.OutcomeFailed
)

// OpsInput is an ops action on an order's lines: all the lines it applies to when Lines is empty.
// Every action needs a reason; it is recorded with the event (FEATURES X3).
type OpsInput struct {
	RequestID string            `json:"requestId"`
	Actor     models.OrderActor `json:"actor"`
	Action    OpsAction         `json:"action"`
	Lines     []string          `json:"lines,omitempty"`
	Reason    string            `json:"reason"`
	Outcome   string            `json:"outcome,omitempty"`
}

// OpsResult is what the action changed and the order's lines after it.
type OpsResult struct {
	OrderID string             `json:"orderId"`
	Changed []string           `json:"changed"`
	Lines   []models.OrderLine `json:"lines"`
}

// AccountActive is the signal an account's process sends the orders it held lines of.
type AccountActive struct {
	SmartAccountID string `json:"smartAccountId"`
}

// Ship hands a shipment to the order's process and returns once it is recorded.
func (p *Client) Ship(ctx context.Context, st models.OrderState, in ShipInput) (ShipResult, error) {
	var out ShipResult
	_, err := p.orderCall(ctx, p.orderInput(st), completed(in.RequestID, UpdateShip, in), &out)
	return out, err
}

// Provisioning hands an ops action to the order's process and returns once it is recorded.
func (p *Client) Provisioning(ctx context.Context, st models.OrderState, in OpsInput) (OpsResult, error) {
	var out OpsResult
	_, err := p.orderCall(ctx, p.orderInput(st), completed(in.RequestID, UpdateProvisioning, in), &out)
	return out, err
}

// AccountActive tells the process of an order that an account holding its lines is ACTIVE, starting it
// from st when none runs (an order loaded in bulk, or a process an operator ended).
func (p *Client) AccountActive(ctx context.Context, st models.OrderState, smartAccountID string) error {
	id := OrderWorkflowID(st.Order.ID)
	_, err := p.Temporal.SignalWithStartWorkflow(ctx, id, SignalAccountActive, AccountActive{SmartAccountID: smartAccountID},
		p.orderStart(p.orderInput(st)), WorkflowOrder, p.orderInput(st))
	return wrap(err, id)
}

// orderInput is the start of an order's process from the order as the database holds it.
func (p *Client) orderInput(st models.OrderState) OrderInput {
	return OrderInput{OrderID: st.Order.ID, State: st, Provisioning: p.Provision}
}
