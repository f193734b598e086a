package process

import (
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"

	"github.com/licensecentral/clc/models"
)

// A restarted Temporal frontend answers NamespaceNotFound for a few seconds: the API says 503, try
// again, as for the engine being down, never a 500.
func TestWrapMakesEngineOutagesUnavailable(t *testing.T) {
	for _, in := range []error{
		serviceerror.NewUnavailable("down"),
		serviceerror.NewNamespaceNotFound("default"),
		serviceerror.NewDeadlineExceeded("slow"),
	} {
		var e *models.Error
		if !errors.As(wrap(in, "sa-create/x"), &e) || e.Code != models.CodeUnavailable {
			t.Errorf("%T became %v, want UNAVAILABLE", in, wrap(in, "sa-create/x"))
		}
	}
	if !errors.Is(wrap(serviceerror.NewNotFound("gone"), "sa-create/x"), ErrProcessClosed) {
		t.Error("NotFound is no longer a closed process")
	}
}
