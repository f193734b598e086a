package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
)

// refuse builds the error an update validator or handler returns: the code travels as the
// application error type, so the client can turn it back into a *models.Error.
func refuse(code, field, format string, args ...any) error {
	return temporal.NewApplicationErrorWithOptions(fmt.Sprintf(format, args...), code,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{field}})
}

// wireError prepares an error for the trip out of an update handler: an ApplicationError keeps its
// type (the code) across the wire, anything else would arrive as a generic "Error" and lose it.
func wireError(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr
	}
	var e *models.Error
	if errors.As(err, &e) {
		return refuse(e.Code, e.Field, "%s", e.Message)
	}
	return refuse(models.CodeInternal, "", "%v", err)
}
