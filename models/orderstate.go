package models

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"
)

// OrderState is an order as its process knows it: the order, its lines, and its delegations still
// PENDING.
type OrderState struct {
	Order       Order             `json:"order"`
	Lines       []OrderLine       `json:"lines"`
	Delegations []OrderDelegation `json:"delegations"`
}

// LoadOrderState reads an order's state from the database.
func LoadOrderState(ctx context.Context, db *gorm.DB, orderID string) (OrderState, error) {
	o, lines, err := FindOrder(ctx, db, orderID)
	if err != nil {
		return OrderState{}, err
	}
	ds, err := PendingDelegations(ctx, db, []string{orderID})
	if err != nil {
		return OrderState{}, err
	}
	return OrderState{Order: o, Lines: lines, Delegations: NonNil(ds[orderID])}, nil
}

func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// OrderWaiting derives whom an order waits for from its state; the API uses it when the process cannot
// answer.
func OrderWaiting(st OrderState, since time.Time) []Waiting {
	o := st.Order
	out := []Waiting{}
	unassigned := o.AssignmentStatus == AssignUnassigned || o.AssignmentStatus == AssignPartial
	partner := PartnerWaiting(st)
	if len(partner) > 0 {
		// Lines that wait for the partner's account are not the fulfillment contact's to assign.
		unassigned = slices.ContainsFunc(st.Lines, func(l OrderLine) bool {
			return l.AssignmentStatus == AssignUnassigned && !AwaitsPartner(o, l)
		})
	}
	if unassigned && o.Type.Assignable() && o.FulfillmentContact != "" {
		out = append(out, Waiting{Who: o.FulfillmentContact, Action: "assign", Since: o.CreatedAt})
		for _, d := range st.Delegations {
			out = append(out, DelegationWaiting(d)...)
		}
	}
	out = append(out, partner...)
	for _, id := range InHolding(st.Lines) {
		out = append(out, Waiting{Who: "smart-account:" + id, Action: ActMove, Since: since})
	}
	held := []string{}
	for _, l := range st.Lines {
		if l.Held() && !slices.Contains(held, l.SmartAccountID) {
			held = append(held, l.SmartAccountID)
			out = append(out, Waiting{Who: "smart-account:" + l.SmartAccountID, Action: "activate", Since: since})
		}
	}
	return out
}

func DelegationWaiting(d OrderDelegation) []Waiting {
	return []Waiting{{Who: d.Delegate, Action: "assign", Since: d.CreatedAt, Deadline: d.ExpiresAt}}
}
