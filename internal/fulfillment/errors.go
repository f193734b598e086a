package fulfillment

import (
	"errors"
	"fmt"
)

// RejectedError is the service refusing the line's SKU (422 SKU_REJECTED). It is permanent: the same
// deposit will be refused again, so the line needs a person, not a retry.
type RejectedError struct {
	SKU     string
	Message string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("fulfillment: SKU %s rejected: %s", e.SKU, e.Message)
}

// ConflictError is a deposit of a line the service already holds with different content (409). It is
// permanent: the service keeps the first deposit, and the caller has to find out which one is right.
type ConflictError struct {
	OrderID string
	LineID  string
	Message string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("fulfillment: line %s/%s conflicts with its earlier deposit: %s", e.OrderID, e.LineID,
		e.Message)
}

// InvalidError is a deposit the service cannot accept as sent (400): Field names the JSON field at
// fault when the service says which. It is permanent: a bug or bad data on our side.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return "fulfillment: invalid request: " + e.Message
	}
	return fmt.Sprintf("fulfillment: invalid %s: %s", e.Field, e.Message)
}

// UnavailableError is the service not answering usefully now: a 5xx (Status), or no answer at all
// (Status 0: a timeout, a cancelled context, a refused or broken connection, with the cause in Err).
// It is transient: retry with backoff; a deposit is idempotent, so a retry never deposits twice.
type UnavailableError struct {
	Status int
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("fulfillment: service unreachable: %v", e.Err)
	}
	return fmt.Sprintf("fulfillment: service unavailable (HTTP %d): %v", e.Status, e.Err)
}

// Unwrap lets errors.Is find context.DeadlineExceeded and the like.
func (e *UnavailableError) Unwrap() error { return e.Err }

// UnexpectedError is an answer outside the contract: a status it does not define, a 404 that is not
// the service's, a body that does not decode. It is not classed permanent because it usually means
// a misconfigured base URL or a proxy in the way, which an operator fixes while the caller retries.
type UnexpectedError struct {
	Status  int
	Message string
}

func (e *UnexpectedError) Error() string {
	return fmt.Sprintf("fulfillment: unexpected answer (HTTP %d): %s", e.Status, e.Message)
}

// Permanent reports whether retrying err cannot succeed (a rejected SKU, a conflict, an invalid
// request), so a Temporal activity can return it as non-retryable; everything else is worth a retry.
func Permanent(err error) bool {
	var rejected *RejectedError
	var conflict *ConflictError
	var invalid *InvalidError
	return errors.As(err, &rejected) || errors.As(err, &conflict) || errors.As(err, &invalid)
}
