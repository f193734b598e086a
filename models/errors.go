package models

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer; the API maps each to one HTTP status in one place.
const (
	CodeInvalid         = "INVALID"                // bad input; Field names it (400)
	CodeUnauthenticated = "UNAUTHENTICATED"        // no or bad credentials (401)
	CodeForbidden       = "FORBIDDEN"              // known caller, not allowed (403)
	CodeNotFound        = "NOT_FOUND"              // (404)
	CodeConflict        = "CONFLICT"               // clashes with the current state, which Details describe (409)
	CodeGone            = "GONE"                   // an emailed link that is used or expired (410)
	CodeRefused         = "RULE_REFUSED"           // a business rule refuses (422)
	CodeTooLarge        = "TOO_LARGE"              // a request body over the server's limit (413)
	CodeNotJSON         = "UNSUPPORTED_MEDIA_TYPE" // a body not declared as JSON where JSON is expected (415)
	CodeUnavailable     = "UNAVAILABLE"            // a dependency is down (503)
	CodeInternal        = "INTERNAL"               // (500)
)

// Error is a failure a user can act on: a code, a message written for people, the input field at
// fault and, for conflicts, what the current state is.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Details any    `json:"details,omitempty"`
	// cause is what the error was made from, for logs; it is never shown to the caller.
	cause error
}

// Unwrap gives the cause to errors.Is and errors.As, and to the logs.
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds a 400-class error naming the field at fault.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, CodeInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
