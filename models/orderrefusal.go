package models

import "errors"

// WhyUnassignable says why an order can never be assigned after the sale, as an assignment would
// refuse it (a STOCKING or EA order, no fulfillment contact: FEATURES OR4, OR7), or "" when it can be.
// The portal shows it beside the order's disabled checkbox; the words are PlanAssignment's own.
func WhyUnassignable(o Order) string {
	target := AssignTarget{SmartAccountID: "-", VirtualAccountID: "-", Status: SAActive}
	_, err := PlanAssignment(o, nil, OrderAccess{See: true, Act: true}, AssignRequest{Products: target})
	var e *Error
	if errors.As(err, &e) && e.Code == CodeRefused {
		return e.Message
	}
	return ""
}
