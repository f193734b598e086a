package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// RollUp is an order's assignment status and line counts by provisioning status, from its lines.
func RollUp(lines []OrderLine) (status AssignmentStatus, byProvisioning map[ProvisioningStatus]int) {
	byProvisioning = map[ProvisioningStatus]int{}
	assigned, holding, requested := 0, 0, 0
	for _, l := range lines {
		byProvisioning[l.ProvisioningStatus]++
		switch l.AssignmentStatus {
		case AssignAssigned:
			assigned++
		case AssignInHolding:
			holding++
		case AssignRequested:
			requested++
		}
	}
	switch {
	case requested > 0:
		return AssignRequested, byProvisioning
	case assigned+holding == 0:
		return AssignUnassigned, byProvisioning
	case holding == len(lines):
		return AssignInHolding, byProvisioning
	case assigned+holding == len(lines):
		return AssignAssigned, byProvisioning
	}
	return AssignPartial, byProvisioning
}

// ApplyRollUp writes the roll-up of lines onto the order.
func (o *Order) ApplyRollUp(lines []OrderLine) {
	status, counts := RollUp(lines)
	o.AssignmentStatus, o.LineCount = status, len(lines)
	o.LinesNotStarted, o.LinesPending = counts[ProvisionNotStarted], counts[ProvisionPending]
	o.LinesProvisioned, o.LinesFailed = counts[ProvisionProvisioned], counts[ProvisionFailed]
	o.DelayCounts = CountDelays(lines)
}

// OrderActor is who acts on orders: the identity's verified email and platform roles, and the partner
// rights the partner rows give that address (OrderActorOf). A token's company claim gives none.
type OrderActor struct {
	Email string   `json:"email"`
	Roles []string `json:"roles"`
	// OFM is what the person manages as a partner's Order Fulfillment Manager.
	OFM PartnerRights `json:"ofm,omitzero"`
}

// Support reports whether the actor is internal support, who may act on any order with a reason (X3).
func (a OrderActor) Support() bool {
	return slices.Contains(a.Roles, RoleCiscoSupport) || slices.Contains(a.Roles, RoleLicensingOps)
}

// Internal reports whether the actor is Cisco staff, who may see every order.
func (a OrderActor) Internal() bool { return Viewer{Email: a.Email, Roles: a.Roles}.Internal() }

// Ways an actor is entitled to an order, as the answers and the events name them.
const (
	AsFulfillmentContact = "FULFILLMENT_CONTACT"
	AsSameDomain         = "FULFILLMENT_CONTACT_DOMAIN"
	AsOFM                = "ORDER_FULFILLMENT_MANAGER"
	AsDelegate           = "DELEGATE"
	AsSupport            = "SUPPORT"
	AsInternal           = "INTERNAL"
	AsAccountMember      = "ACCOUNT_MEMBER"
)

// OrderAccess is what an actor may do with one order, and why.
type OrderAccess struct {
	See, Act bool
	As       string
	// Delegation is the delegation that entitles a delegate.
	Delegation string
	// OFM are the partner rights that entitle an Order Fulfillment Manager: which holding accounts they
	// may deposit in and transfer from (holdingRule).
	OFM PartnerRights
}

// AccessTo decides what an actor may do with an order (FEATURES OR7, OR8, OR9, X3): its fulfillment
// contact, people of the contact's own mail domain (never a personal mail domain), the Order Fulfillment
// Managers the partner that resold or distributed it designated (and those of a distributor serving its
// reseller: 2-tier), a delegate while the delegation is active, and internal support act on it; other
// Cisco staff and members of an account holding its lines only see it.
func AccessTo(a OrderActor, o Order, delegations []OrderDelegation, memberOfHolder bool, now time.Time) OrderAccess {
	email := NormalizeEmail(a.Email)
	fc := NormalizeEmail(o.FulfillmentContact)
	switch {
	case fc != "" && email == fc:
		return OrderAccess{See: true, Act: true, As: AsFulfillmentContact}
	case fc != "" && EmailDomain(email) == EmailDomain(fc) && !IsPersonalMailDomain(EmailDomain(fc)):
		return OrderAccess{See: true, Act: true, As: AsSameDomain}
	case a.OFM.Manages(o):
		return OrderAccess{See: true, Act: true, As: AsOFM, OFM: a.OFM}
	}
	for _, d := range delegations {
		if d.OrderID == o.ID && d.Delegate == email && d.ActiveAt(now) {
			return OrderAccess{See: true, Act: true, As: AsDelegate, Delegation: d.ID}
		}
	}
	switch {
	case a.Support():
		return OrderAccess{See: true, Act: true, As: AsSupport}
	case a.Internal():
		return OrderAccess{See: true, As: AsInternal}
	case memberOfHolder:
		return OrderAccess{See: true, As: AsAccountMember}
	}
	return OrderAccess{}
}

// AssignTarget is a Smart Account and virtual account lines go to, as resolved from a selector.
type AssignTarget struct {
	SmartAccountID   string     `json:"smartAccountId"`
	SmartAccountName string     `json:"smartAccountName"`
	Status           SAStatus   `json:"status"`
	Type             SAType     `json:"type"`
	VirtualAccountID string     `json:"virtualAccountId"`
	VirtualAccount   string     `json:"virtualAccountName"`
	Visibility       Visibility `json:"visibility"`
	// Domain is the account's domain: a holding account's is its partner's.
	Domain string `json:"domain,omitempty"`
}

// AssignRequest is one order's share of an assignment: where products, Cisco services and partner
// services go, which lines (all when empty), and the support reason.
type AssignRequest struct {
	Products AssignTarget `json:"products"`
	// Services, when set, receives the CISCO_SERVICE lines (FEATURES OR5).
	Services *AssignTarget `json:"services,omitempty"`
	// Partner is the reseller's own account, which receives PARTNER_SERVICE lines (FEATURES OR6).
	Partner *AssignTarget `json:"partner,omitempty"`
	Lines   []string      `json:"lines,omitempty"`
	Reason  string        `json:"reason,omitempty"`
}

// LineTarget is one line's planned move.
type LineTarget struct {
	LineID           string `json:"lineId"`
	SmartAccountID   string `json:"smartAccountId"`
	VirtualAccountID string `json:"virtualAccountId"`
}

// AssignPlan is what an assignment changes, and what it leaves alone and why.
type AssignPlan struct {
	Changes []LineTarget `json:"changes"`
	Notes   []string     `json:"notes,omitempty"`
}

// PlanAssignment checks an assignment against the order's rules and plans each line's move
// (FEATURES OR2–OR7, X3). Both the API (to answer at once) and the order's process (its update
// validator) run it; errors are *Error with the code the API answers.
func PlanAssignment(o Order, lines []OrderLine, acc OrderAccess, req AssignRequest) (AssignPlan, error) {
	switch {
	case !acc.See:
		return AssignPlan{}, Errorf(CodeNotFound, "no order %s", o.ID)
	case !acc.Act:
		return AssignPlan{}, Errorf(CodeForbidden, "you may see order %s but not assign it: only its fulfillment contact, people of the contact's domain, the partner's Order Fulfillment Managers and delegates may", o.ID)
	case !o.Type.Assignable():
		return AssignPlan{}, Errorf(CodeRefused, "%s orders cannot be assigned to a Smart Account (order %s)", o.Type, o.ID)
	case acc.As == AsSupport && strings.TrimSpace(req.Reason) == "":
		return AssignPlan{}, Invalid("reason", "internal support needs a reason to assign order %s; it is recorded", o.ID)
	case len(req.Reason) > maxOrderAssignmentReason:
		return AssignPlan{}, Invalid("reason", "reason is longer than %d characters", maxOrderAssignmentReason)
	case o.FulfillmentContact == "" && acc.As != AsSupport:
		return AssignPlan{}, Errorf(CodeRefused, "order %s has no fulfillment contact, so it cannot be assigned after the sale; commerce must add one", o.ID)
	case req.Products.SmartAccountID == "" || req.Products.VirtualAccountID == "":
		return AssignPlan{}, Invalid("productsTo", "productsTo names no Smart Account and virtual account")
	}
	for _, t := range []*AssignTarget{&req.Products, req.Services, req.Partner} {
		if t != nil && !Assignable(t.Status) {
			return AssignPlan{}, Errorf(CodeRefused, "the Smart Account %s is %s: orders can be assigned to ACTIVE or pending accounts only", t.SmartAccountName, t.Status)
		}
	}
	for _, t := range []*AssignTarget{&req.Products, req.Services} {
		if t != nil && t.Type == SATypeHolding {
			if err := holdingRule(o, acc, *t, "deposit order %s in"); err != nil {
				return AssignPlan{}, err
			}
		}
	}
	selected := map[string]bool{}
	for i, id := range req.Lines {
		if !slices.ContainsFunc(lines, func(l OrderLine) bool { return l.ID == id }) {
			return AssignPlan{}, Invalid(fmt.Sprintf("lines[%d]", i), "order %s has no line %q", o.ID, id)
		}
		selected[id] = true
	}
	var plan AssignPlan
	var partnerSkipped []string
	for _, l := range lines {
		if len(selected) > 0 && !selected[l.ID] {
			continue
		}
		t := req.Products
		switch {
		case l.Kind == LineCiscoService && req.Services != nil:
			t = *req.Services
		case l.Kind == LinePartnerService && len(selected) == 0 && o.ResellerDomain != "":
			// A partner's own services go to the partner's account; the partner moves them on by naming
			// the lines explicitly.
			if req.Partner == nil {
				partnerSkipped = append(partnerSkipped, l.ID)
				continue
			}
			t = *req.Partner
		}
		if l.SmartAccountID == t.SmartAccountID && l.VirtualAccountID == t.VirtualAccountID {
			continue
		}
		if l.ShippedAt != nil && l.SmartAccountID != "" && acc.As != AsSupport {
			return AssignPlan{}, Errorf(CodeRefused, "line %s of order %s shipped on %s: it keeps its Smart Account; Cisco support can reassign it, with a reason",
				l.ID, o.ID, l.ShippedAt.UTC().Format(time.RFC3339))
		}
		plan.Changes = append(plan.Changes, LineTarget{LineID: l.ID, SmartAccountID: t.SmartAccountID, VirtualAccountID: t.VirtualAccountID})
	}
	if len(partnerSkipped) > 0 {
		plan.Notes = append(plan.Notes, fmt.Sprintf("partner services lines %s stay unassigned: the reseller %s has no Smart Account",
			strings.Join(partnerSkipped, ", "), o.ResellerDomain))
	}
	return plan, nil
}

// Assignable reports whether orders may be assigned to an account in this status: ACTIVE, or
// provisional (pending), in which case its lines are held until it is active.
func Assignable(s SAStatus) bool { return s == SAActive || s.Pending() }

// PrepareOrder fills what an ingested order derives from its content: the indexed domains, each line's
// position and first statuses (unassigned; provisioning pending for want of an account), and the
// roll-up.
func PrepareOrder(o *Order, lines []OrderLine, now time.Time) {
	o.Reseller.Domain = strings.ToLower(strings.TrimSpace(o.Reseller.Domain))
	o.Distributor.Domain = strings.ToLower(strings.TrimSpace(o.Distributor.Domain))
	o.ResellerDomain, o.DistributorDomain = o.Reseller.Domain, o.Distributor.Domain
	o.FulfillmentContact = NormalizeEmail(o.FulfillmentContact)
	o.FCDomain, o.FCTLD = "", ""
	if o.FulfillmentContact != "" {
		o.FCDomain = EmailDomain(o.FulfillmentContact)
		o.FCTLD, _ = TLD(o.FCDomain)
	}
	for i := range lines {
		l := &lines[i]
		l.OrderID, l.Position, l.UpdatedAt = o.ID, i+1, now
		l.AssignmentStatus, l.SmartAccountID, l.VirtualAccountID = AssignUnassigned, "", ""
		l.ShippedAt = o.ShippedAt
		l.ProvisioningStatus, l.DelayReason = "", ""
		l.Reprovision(nil, now)
	}
	o.ApplyRollUp(lines)
	o.CreatedAt, o.UpdatedAt = now, now
}

// SearchKeys are the keys the free-text search finds an order by: its id, purchase order and SKUs.
func SearchKeys(o Order, lines []OrderLine) []OrderKey {
	seen := map[string]bool{}
	var out []OrderKey
	add := func(s string) {
		if k := SearchKey(s); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, OrderKey{OrderID: o.ID, Key: k})
		}
	}
	add(o.ID)
	add(o.PurchaseOrder)
	for _, l := range lines {
		add(l.SKU)
	}
	return out
}
