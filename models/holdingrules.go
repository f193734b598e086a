package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The rules of orders in Partner Holding Accounts (FEATURES HA1, HA3, seed 003): who may deposit an
// order in a holding account, and who may transfer it from there to the customer's account. Both the
// API (to answer at once) and the order's process (its update validators) run them.

// holdingRule decides whether the actor may deposit an order in, or transfer it from, a holding
// account (what says which, for the message): a holding account of a partner on the order (its
// reseller or distributor) for its fulfillment contact, delegates and support; for an Order Fulfillment
// Manager, their own partner's holding account, and a distributor's OFMs their reseller's as well
// (2-tier). A reseller's OFMs never use their distributor's.
func holdingRule(o Order, acc OrderAccess, h AssignTarget, what string) error {
	d := h.Domain
	onOrder := d != "" && (d == o.ResellerDomain || d == o.DistributorDomain)
	if acc.As != AsOFM {
		if onOrder {
			return nil
		}
		return Errorf(CodeRefused, "the holding account %s belongs to %s, which neither resold nor distributed order %s",
			h.SmartAccountName, d, o.ID)
	}
	r := acc.OFM
	distributor := o.DistributorDomain != "" && slices.Contains(r.Partners, o.DistributorDomain) ||
		o.ResellerDomain != "" && slices.Contains(r.Resellers, o.ResellerDomain)
	own := slices.Contains(r.Partners, d) && (onOrder || distributor)
	if own || distributor && d == o.ResellerDomain {
		return nil
	}
	return Errorf(CodeForbidden, "as an Order Fulfillment Manager you may "+what+" your own partner's holding accounts (a distributor's also in its reseller's), not %s of %s",
		o.ID, h.SmartAccountName, d)
}

// TransferRequest moves an order's lines out of holding accounts to the customer's account (FEATURES
// HA3): To is the customer's account and virtual account; Lines the lines to move (empty: every line in
// a holding account the actor may transfer from, the partner's own services lines aside).
type TransferRequest struct {
	To     AssignTarget `json:"to"`
	Lines  []string     `json:"lines,omitempty"`
	Reason string       `json:"reason,omitempty"`
	// From are the holding accounts the order's lines are in, as the caller read them (with their
	// domains); MemberOf those of them whose administrators or users the actor is.
	From     []AssignTarget `json:"from"`
	MemberOf []string       `json:"memberOf,omitempty"`
}

// AsHoldingMember is the entitlement of a holding account's administrators and users to transfer its orders.
const AsHoldingMember = "HOLDING_ACCOUNT_MEMBER"

// PlanTransfer checks a transfer against the order's rules and plans each line's move. Shipped lines
// move too: their held licenses go with them. It returns the plan and how the actor is entitled.
func PlanTransfer(o Order, lines []OrderLine, acc OrderAccess, req TransferRequest) (AssignPlan, string, error) {
	member := func(id string) bool { return slices.Contains(req.MemberOf, id) }
	switch {
	case !acc.See && len(req.MemberOf) == 0:
		return AssignPlan{}, "", Errorf(CodeNotFound, "no order %s", o.ID)
	case !o.Type.Assignable():
		return AssignPlan{}, "", Errorf(CodeRefused, "%s orders cannot be assigned to a Smart Account (order %s)", o.Type, o.ID)
	case len(req.Reason) > maxOrderAssignmentReason:
		return AssignPlan{}, "", Invalid("reason", "reason is longer than %d characters", maxOrderAssignmentReason)
	case req.To.SmartAccountID == "" || req.To.VirtualAccountID == "":
		return AssignPlan{}, "", Invalid("to.smartAccount", "to names no Smart Account and virtual account")
	case req.To.Type == SATypeHolding:
		return AssignPlan{}, "", &Error{Code: CodeRefused, Field: "to.smartAccount", Message: fmt.Sprintf(
			"%s is a holding account: an order leaves holding for the customer's own account", req.To.SmartAccountName)}
	case !Assignable(req.To.Status):
		return AssignPlan{}, "", Errorf(CodeRefused, "the Smart Account %s is %s: orders can be assigned to ACTIVE or pending accounts only",
			req.To.SmartAccountName, req.To.Status)
	}
	from := func(id string) (AssignTarget, bool) {
		i := slices.IndexFunc(req.From, func(t AssignTarget) bool { return t.SmartAccountID == id })
		if i < 0 {
			return AssignTarget{}, false
		}
		return req.From[i], true
	}
	// may says how the actor may move a line out of its holding account, or why not.
	may := func(l OrderLine) (string, error) {
		h, ok := from(l.SmartAccountID)
		switch {
		case !ok:
			return "", Errorf(CodeConflict, "line %s of order %s is in no holding account", l.ID, o.ID)
		case member(h.SmartAccountID):
			return AsHoldingMember, nil
		case !acc.Act:
			return "", Errorf(CodeForbidden, "only the members of %s, the partner's Order Fulfillment Managers, the order's fulfillment contact and Cisco support transfer order %s",
				h.SmartAccountName, o.ID)
		}
		return acc.As, holdingRule(o, acc, h, "transfer order %s from")
	}
	named := map[string]bool{}
	for i, id := range req.Lines {
		j := slices.IndexFunc(lines, func(l OrderLine) bool { return l.ID == id })
		switch {
		case j < 0:
			return AssignPlan{}, "", Invalid(fmt.Sprintf("lines[%d]", i), "order %s has no line %q", o.ID, id)
		case lines[j].AssignmentStatus != AssignInHolding:
			return AssignPlan{}, "", &Error{Code: CodeConflict, Field: fmt.Sprintf("lines[%d]", i),
				Message: fmt.Sprintf("line %s of order %s is not in a holding account", id, o.ID)}
		}
		named[id] = true
	}
	var plan AssignPlan
	as := ""
	var refusal error
	for _, l := range lines {
		if l.AssignmentStatus != AssignInHolding || len(named) > 0 && !named[l.ID] ||
			len(named) == 0 && l.Kind == LinePartnerService {
			continue
		}
		how, err := may(l)
		if err != nil {
			if len(named) > 0 {
				return AssignPlan{}, "", err
			}
			refusal = err
			continue
		}
		if as == "" || how == AsHoldingMember {
			as = how
		}
		plan.Changes = append(plan.Changes, LineTarget{LineID: l.ID, SmartAccountID: req.To.SmartAccountID, VirtualAccountID: req.To.VirtualAccountID})
	}
	switch {
	case len(plan.Changes) == 0 && refusal != nil:
		return AssignPlan{}, "", refusal
	case len(plan.Changes) == 0:
		return AssignPlan{}, "", Errorf(CodeConflict, "order %s has no line left in a holding account", o.ID)
	case as == AsSupport && strings.TrimSpace(req.Reason) == "":
		return AssignPlan{}, "", Invalid("reason", "internal support needs a reason to transfer order %s; it is recorded", o.ID)
	}
	return plan, as, nil
}

// InHolding lists the holding accounts an order's lines that need a Smart Account are in: while any
// is, the order waits for its transfer (FEATURES HA2).
func InHolding(lines []OrderLine) []string {
	out := []string{}
	for _, l := range lines {
		if l.AssignmentStatus == AssignInHolding && l.SAMandatory && !slices.Contains(out, l.SmartAccountID) {
			out = append(out, l.SmartAccountID)
		}
	}
	return out
}

// DepositInHolding puts an ingested order's lines in the holding account chosen at the point of sale
// (FEATURES HA1): every line, as the partner's, each IN_HOLDING and its provisioning held there.
func DepositInHolding(o *Order, lines []OrderLine, h AssignTarget, now time.Time) {
	facts := AccountFacts{Status: h.Status, Type: SATypeHolding}
	for i := range lines {
		l := &lines[i]
		l.SmartAccountID, l.VirtualAccountID, l.AssignmentStatus = h.SmartAccountID, h.VirtualAccountID, AssignInHolding
		l.AssignedBy, l.AssignedAt = RoleCommerce, &now
		l.Reprovision(&facts, now)
	}
	o.ApplyRollUp(lines)
}

// OrderHolding records that an order's lines were deposited in a holding account (FEATURES NO2: its
// members are told once the order is fulfilled, even after the lines moved on).
type OrderHolding struct {
	OrderID           string `gorm:"primaryKey"`
	SmartAccountID    string `gorm:"primaryKey"`
	CreatedAt         time.Time
	FulfilledMailedAt *time.Time
}

// Events and link purpose of holding accounts.
const (
	EventLicensesHeld      = "LICENSES_HELD"
	EventLinesTransferred  = "ORDER_TRANSFERRED"
	PurposeHoldingTransfer = "HOLDING_TRANSFER"
	// DefaultHoldingReminder is how often the holding account's members are reminded of an order to
	// move (seed 003; FEATURES HA2).
	DefaultHoldingReminder = 7 * 24 * time.Hour
)

// TransferOutcome is what a page says a transfer did.
func TransferOutcome(orderID string, lines int, to AssignTarget) string {
	return fmt.Sprintf("%d lines of order %s were moved to %s, virtual account %s.", lines, orderID, to.SmartAccountName, to.VirtualAccount)
}
