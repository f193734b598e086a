package worker

import (
	"context"
	"errors"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// DomainErrors makes an activity's refusal final: a *models.Error (bad input, conflict, not found,
// forbidden, gone, a rule), or a database error that says the same (bad data, a broken constraint), will
// not change by retrying, and retried it would hold its process for the whole retry window. It crosses
// the boundary through process.EncodeError, with its field and details. Outages (UNAVAILABLE) and other
// errors keep being retried.
func DomainErrors() interceptor.WorkerInterceptor { return &domainErrors{} }

type domainErrors struct {
	interceptor.WorkerInterceptorBase
}

func (*domainErrors) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &domainErrorsActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type domainErrorsActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *domainErrorsActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	return res, finalize(err)
}

func finalize(err error) error {
	var appErr *temporal.ApplicationError
	if err == nil || errors.As(err, &appErr) {
		return err
	}
	var e *models.Error
	if !errors.As(models.Classify(err), &e) || e.Code == models.CodeUnavailable || e.Code == models.CodeInternal {
		return err
	}
	return process.EncodeError(e)
}
