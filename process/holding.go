package process

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/licensecentral/clc/models"
)

// Names of the transfer of orders out of Partner Holding Accounts (FEATURES HA2, HA3).
const (
	// UpdateTransfer asks an order's process to move lines out of holding accounts to the customer's.
	UpdateTransfer = "transfer"
	// SignalHolding tells an order's holding-transfer process which holding accounts still hold lines
	// that need a Smart Account; none left ends it.
	SignalHolding = "holding"
	// WorkflowHoldingTransfer is the type of the holding-transfer process.
	WorkflowHoldingTransfer = "HoldingTransfer"
)

// HoldingTransferID is the workflow id of an order's transfer out of holding.
func HoldingTransferID(orderID string) string { return "holding-transfer/" + orderID }

// HoldingTiming paces the reminders to a holding account's members; the worker's configuration sets
// it, tests shorten it.
type HoldingTiming struct {
	// Remind is the time between reminders (default weekly).
	Remind time.Duration `json:"remind"`
	// Link is how long each mailed link works (default 30 days).
	Link time.Duration `json:"link"`
}

// WithDefaults fills what is left unset.
func (t HoldingTiming) WithDefaults() HoldingTiming {
	orDefault(&t.Remind, models.DefaultHoldingReminder)
	orDefault(&t.Link, models.DefaultAssignLinkExpiry)
	return t
}

// HoldingInput starts (or tells) an order's holding-transfer process: the order as its mails show it,
// the holding accounts its lines are in now, and who moved lines out, when some moved.
type HoldingInput struct {
	OrderID       string        `json:"orderId"`
	PurchaseOrder string        `json:"purchaseOrder"`
	EndCustomer   string        `json:"endCustomer"`
	Lines         int           `json:"lines"`
	Holdings      []string      `json:"holdings"`
	Timing        HoldingTiming `json:"timing"`
	// Round counts the reminders sent, across continue-as-new.
	Round int `json:"round,omitempty"`
	// Since is when the order first waited in holding.
	Since time.Time `json:"since,omitzero"`
}

// HoldingNow is the signal an order's process sends its holding-transfer process after a change.
type HoldingNow struct {
	Holdings []string `json:"holdings"`
	Moved    []string `json:"moved,omitempty"`
	By       string   `json:"by,omitempty"`
}

// HoldingResult is how the holding-transfer process ended.
type HoldingResult struct {
	Reminders int `json:"reminders"`
}

// TransferInput is a transfer of an order's lines out of holding, as the API or the mailed link asks it.
type TransferInput struct {
	RequestID string                 `json:"requestId"`
	Actor     models.OrderActor      `json:"actor"`
	Via       string                 `json:"via"`
	TokenID   string                 `json:"tokenId,omitempty"`
	Request   models.TransferRequest `json:"request"`
}

// TransferResult is what a transfer did: the lines moved and what is left in holding.
type TransferResult struct {
	OrderID string                  `json:"orderId"`
	Status  models.AssignmentStatus `json:"status"`
	Moved   []string                `json:"moved"`
	Holding []string                `json:"holding"`
	As      string                  `json:"as"`
	Lines   []models.OrderLine      `json:"lines"`
}

// Transfer hands a transfer to the order's process and returns once it is recorded.
func (p *Client) Transfer(ctx context.Context, st models.OrderState, in TransferInput) (TransferResult, error) {
	var out TransferResult
	_, err := p.orderCall(ctx, p.orderInput(st), completed(in.RequestID, UpdateTransfer, in), &out)
	return out, err
}

// TellHolding tells an order's holding-transfer process which holding accounts hold its lines now,
// starting it when lines landed in one; with none left, a process that is gone is of no matter.
func (p *Client) TellHolding(ctx context.Context, in HoldingInput, now HoldingNow) error {
	id := HoldingTransferID(in.OrderID)
	if len(now.Holdings) == 0 {
		err := p.Temporal.SignalWorkflow(ctx, id, "", SignalHolding, now)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return nil
		}
		return wrap(err, id)
	}
	in.Timing = p.Holding.WithDefaults()
	_, err := p.Temporal.SignalWithStartWorkflow(ctx, id, SignalHolding, now, client.StartWorkflowOptions{
		ID: id, TaskQueue: p.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowHoldingTransfer, in)
	return wrap(err, id)
}
