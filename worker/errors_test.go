package worker

import (
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func TestFinalizeMakesRefusalsFinalAndKeepsTheirCode(t *testing.T) {
	err := finalize(fmt.Errorf("read: %w", models.Invalid("purchaseOrder", "holds a control character")))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != models.CodeInvalid {
		t.Fatalf("refusal: %#v", err)
	}
	var back *models.Error
	if !errors.As(process.DecodeError(err), &back) || back.Field != "purchaseOrder" || back.Code != models.CodeInvalid {
		t.Fatalf("the API would not see the field: %#v", process.DecodeError(err))
	}
}

func TestFinalizeLeavesOutagesRetryable(t *testing.T) {
	for _, in := range []error{
		nil,
		errors.New("connection refused"),
		&models.Error{Code: models.CodeUnavailable, Message: "database down"},
		temporal.NewApplicationError("keep me", "X"),
	} {
		out := finalize(in)
		var appErr *temporal.ApplicationError
		if errors.As(out, &appErr) && appErr.NonRetryable() {
			t.Errorf("%v became final", in)
		}
		if in == nil && out != nil {
			t.Errorf("nil became %v", out)
		}
	}
}
