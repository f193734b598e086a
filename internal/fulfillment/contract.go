package fulfillment

import "time"

// Deposit asks the service to deposit the licenses of one order line into a virtual account. It is
// idempotent on (OrderID, LineID): a repeat with the same content answers the first deposit's
// entitlement, a repeat with different content is a conflict.
type Deposit struct {
	OrderID          string `json:"orderId"`
	LineID           string `json:"lineId"`
	SKU              string `json:"sku"`
	Quantity         int    `json:"quantity"`
	SmartAccountID   string `json:"smartAccountId"`
	VirtualAccountID string `json:"virtualAccountId"`
	// StartsAt is left out (zero) when the licenses start with the deposit.
	StartsAt time.Time `json:"startsAt,omitzero"`
	// EndsAt is left out (zero) when the licenses do not expire.
	EndsAt time.Time `json:"endsAt,omitzero"`
}

// Entitlement is a deposit the service holds: the deposit as it was first made, the service's id for
// it and when it was made.
type Entitlement struct {
	EntitlementID string `json:"entitlementId"`
	Deposit
	DepositedAt time.Time `json:"depositedAt"`
}

// Error codes in the service's error bodies.
const (
	CodeInvalid     = "INVALID"      // 400: the body is malformed or a field is wrong; field names it
	CodeNotFound    = "NOT_FOUND"    // 404: no entitlement for the line
	CodeConflict    = "CONFLICT"     // 409: the line was deposited with different content
	CodeSKURejected = "SKU_REJECTED" // 422: the service refuses the SKU; retrying will not help
	CodeUnavailable = "UNAVAILABLE"  // 503: the service cannot answer now; retry later
)

// errorBody is every error answer: {"error":{"code","message","field"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail is the inside of an error answer; Field is set only for INVALID.
type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// sameContent compares times by instant because a repeat may spell the same instant in another zone.
func sameContent(a, b Deposit) bool {
	return a.OrderID == b.OrderID && a.LineID == b.LineID && a.SKU == b.SKU && a.Quantity == b.Quantity &&
		a.SmartAccountID == b.SmartAccountID && a.VirtualAccountID == b.VirtualAccountID &&
		a.StartsAt.Equal(b.StartsAt) && a.EndsAt.Equal(b.EndsAt)
}
