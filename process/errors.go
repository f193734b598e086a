package process

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
)

// The one codec of domain errors across the Temporal boundary. A *models.Error that an activity returns,
// or that a workflow refuses an Update with, travels as an application error whose type is the code and
// whose details are the field and the details; the API gets the same *models.Error back and maps it
// once. Refusals are final: retrying bad data, a conflict or a rule changes nothing.

// EncodeError turns err into what crosses the boundary: an application error stays as it is, a
// *models.Error in its chain becomes its application error, anything else is returned unchanged.
func EncodeError(err error) error {
	var appErr *temporal.ApplicationError
	if err == nil || errors.As(err, &appErr) {
		return err
	}
	var e *models.Error
	if !errors.As(err, &e) {
		return err
	}
	details := []any{e.Field}
	if e.Details != nil {
		details = append(details, e.Details)
	}
	return temporal.NewApplicationErrorWithOptions(e.Message, e.Code, temporal.ApplicationErrorOptions{
		// An outage is worth retrying; nothing else a domain error says is.
		NonRetryable: e.Code != models.CodeUnavailable,
		Details:      details,
	})
}

// Refuse is the error a workflow answers an Update (or fails a step) with: a *models.Error, encoded.
func Refuse(code, field, format string, args ...any) error {
	e := models.Errorf(code, format, args...)
	e.Field = field
	return EncodeError(e)
}

// DecodeError turns an error that came back from a workflow, an update or an activity into the
// *models.Error it carries, with its field and details; other errors pass through.
func DecodeError(err error) error {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !domainCodes[appErr.Type()] {
		return err
	}
	e := &models.Error{Code: appErr.Type(), Message: appErr.Message()}
	if appErr.HasDetails() {
		var field string
		var details any
		if appErr.Details(&field, &details) != nil {
			details = nil
			_ = appErr.Details(&field)
		}
		e.Field, e.Details = field, details
	}
	return e
}

var domainCodes = map[string]bool{models.CodeInvalid: true, models.CodeForbidden: true, models.CodeNotFound: true,
	models.CodeConflict: true, models.CodeGone: true, models.CodeRefused: true, models.CodeUnavailable: true}
