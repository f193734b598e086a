package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// A decision through the API goes to the process that waits for it. When none waits (the process
// decided and ended), the subject as stored answers instead: the same person repeating the same
// decision (a retry after a lost answer) is told its outcome, 200; anyone else why there is nothing to
// decide, 409 or 410. The emailed links answer the same way through the registry.

// decideAccount sends a decision on an account to the process workflowID names ("" when none waits);
// closed says why the account, as stored, waits for no such decision.
func (s *Server) decideAccount(ctx context.Context, sa models.SmartAccount, in process.DecideInput, workflowID string,
	closed func(models.SmartAccount) error) (process.DecideResult, error) {
	if repeat, ok, err := s.domainRepeat(ctx, sa, in); err != nil || ok {
		return repeat, err
	}
	if workflowID != "" {
		res, err := s.processes.Decide(ctx, workflowID, in)
		if !errors.Is(err, process.ErrProcessClosed) {
			return res, err
		}
		if sa, err = models.FindSmartAccount(ctx, s.db, sa.ID); err != nil {
			return process.DecideResult{}, err
		}
	}
	if res, ok := accountRepeat(sa, in); ok {
		return res, nil
	}
	return process.DecideResult{}, closed(sa)
}

// domainRepeat answers a Cisco approver's repeated approval of a domain whose account has moved on to
// its administrators' approval: the repeat must not become an approval of that next step.
func (s *Server) domainRepeat(ctx context.Context, sa models.SmartAccount, in process.DecideInput) (process.DecideResult, bool, error) {
	if sa.Status != models.SAPendingApproval || in.Decision != process.Approve || models.WaitsFor(sa.WaitingOn, in.Actor) {
		return process.DecideResult{}, false, nil
	}
	at, ok, err := models.ActedOn(ctx, s.db, sa.ID, models.EventDomainApproved, in.Actor)
	if err != nil || !ok {
		return process.DecideResult{}, false, err
	}
	return process.DecideResult{SmartAccountID: sa.ID, Decision: process.Approve, Status: sa.Status,
		DecidedBy: models.NormalizeEmail(in.Actor), DecidedAt: at}, true, nil
}

// decisionWorkflow names the process that waits for an approval of the account in its current status.
func decisionWorkflow(sa models.SmartAccount) (string, error) {
	switch sa.Status {
	case models.SAPendingApproval:
		return process.SACreateID(sa.RequestID), nil
	case models.SAPendingDomainApproval:
		return process.DomainApprovalID(sa.RequestID), nil
	case models.SAPendingCustomerAcceptance, models.SAPendingCustomerAddress:
		return "", models.Errorf(models.CodeConflict, "the Smart Account is %s: its customer contacts answer through "+
			"POST /api/v1/smart-accounts/%s/acceptance (or /headquarters)", sa.Status, sa.ID)
	}
	return "", nil
}

// accountRepeat is the outcome of the decision that settled an account, when in repeats it.
func accountRepeat(sa models.SmartAccount, in process.DecideInput) (process.DecideResult, bool) {
	actor := models.NormalizeEmail(in.Actor)
	var d process.Decision
	switch {
	case sa.Status == models.SADeclined && sa.DecidedBy == actor, sa.Status == models.SADeclinedByCustomer && sa.DecidedBy == actor:
		d = process.Decline
	case sa.AcceptedBy == actor && sa.Status != models.SAPendingCustomerAddress && in.Decision == process.Accept:
		d = process.Accept
	case sa.AcceptedBy == actor && sa.Status != models.SAPendingCustomerAddress && in.Decision == process.Submit:
		d = process.Submit
	case sa.Status == models.SAActive && sa.DecidedBy == actor:
		d = process.Approve
	}
	if d == "" || d != in.Decision {
		return process.DecideResult{}, false
	}
	return process.DecideResult{SmartAccountID: sa.ID, Decision: d, Status: sa.Status, DecidedBy: actor,
		DecidedAt: at(sa.DecidedAt, sa.AcceptedAt), Reason: sa.DecisionReason}, true
}

// accessRepeat is the outcome of the decision that settled an access request, when in repeats it.
func accessRepeat(ar models.AccessRequest, in process.DecideInput) (process.DecideResult, bool) {
	d := map[models.AccessStatus]process.Decision{models.AccessApproved: process.Approve, models.AccessDeclined: process.Decline}[ar.Status]
	return requestRepeat(in, process.DecideResult{SmartAccountID: ar.SmartAccountID, Decision: d, DecidedBy: ar.DecidedBy,
		DecidedAt: at(ar.DecidedAt), Reason: ar.DecisionReason, RequestID: ar.ID, RequestStatus: string(ar.Status)})
}

// upgradeRepeat is the outcome of the decision that settled an upgrade, when in repeats it.
func upgradeRepeat(u models.SAUpgrade, in process.DecideInput) (process.DecideResult, bool) {
	d := map[models.UpgradeStatus]process.Decision{models.UpgradeApproved: process.Approve, models.UpgradeDeclined: process.Decline}[u.Status]
	return requestRepeat(in, process.DecideResult{SmartAccountID: u.SmartAccountID, Decision: d, DecidedBy: u.DecidedBy,
		DecidedAt: at(u.DecidedAt), Reason: u.DecisionReason, RequestID: u.ID, RequestStatus: string(u.Status)})
}

// requestRepeat is settled, the outcome of the decision that settled a request on an account (an access
// request, an upgrade; its Decision empty while none did), when in repeats it: the same decision by the
// same person. The account stays ACTIVE whatever a request's decision was.
func requestRepeat(in process.DecideInput, settled process.DecideResult) (process.DecideResult, bool) {
	if settled.Decision == "" || settled.Decision != in.Decision || settled.DecidedBy != models.NormalizeEmail(in.Actor) {
		return process.DecideResult{}, false
	}
	settled.Status = models.SAActive
	return settled, true
}

func at(times ...*time.Time) time.Time {
	for _, t := range times {
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

// accountClosed says, from the database, why an account waits for no decision.
func accountClosed(sa models.SmartAccount) error {
	switch {
	case sa.Status == models.SAExpired:
		return models.Errorf(models.CodeGone, "the request expired on %s", sa.UpdatedAt.UTC().Format(time.RFC3339))
	case sa.DecidedAt != nil && sa.DecidedBy != "" && sa.DecidedBy != models.ActorSystem:
		verb := "approved"
		if sa.Status == models.SADeclined {
			verb = "declined"
		}
		return models.Errorf(models.CodeConflict, "already %s by %s at %s", verb, sa.DecidedBy, sa.DecidedAt.UTC().Format(time.RFC3339))
	}
	return models.Errorf(models.CodeConflict, "the Smart Account is %s and waits for no decision", sa.Status)
}

// customerStepClosed says, from the database, why a customer's step no longer waits.
func customerStepClosed(sa models.SmartAccount, waiting models.SAStatus) error {
	if sa.AcceptedBy != "" && waiting == models.SAPendingCustomerAcceptance {
		return models.Errorf(models.CodeConflict, "already accepted by %s at %s; the account is %s", sa.AcceptedBy,
			sa.AcceptedAt.UTC().Format(time.RFC3339), sa.Status)
	}
	if sa.Status == models.SADeclinedByCustomer && sa.DecidedAt != nil {
		return models.Errorf(models.CodeConflict, "already declined by %s at %s", sa.DecidedBy, sa.DecidedAt.UTC().Format(time.RFC3339))
	}
	if sa.Status == models.SAExpired {
		return models.Errorf(models.CodeGone, "the request expired on %s", sa.UpdatedAt.UTC().Format(time.RFC3339))
	}
	return models.Errorf(models.CodeConflict, "the Smart Account is %s, not %s", sa.Status, waiting)
}

// accessClosed says why a request waits for no decision.
func accessClosed(ar models.AccessRequest) error {
	switch {
	case ar.Status == models.AccessExpired:
		return models.Errorf(models.CodeGone, "the access request expired on %s", ar.ExpiresAt.UTC().Format(time.RFC3339))
	case ar.DecidedAt != nil:
		return models.Errorf(models.CodeConflict, "already %s by %s at %s", strings.ToLower(string(ar.Status)), ar.DecidedBy,
			ar.DecidedAt.UTC().Format(time.RFC3339))
	}
	return models.Errorf(models.CodeConflict, "the access request is %s and waits for no decision", ar.Status)
}

// upgradeClosed says why an upgrade waits for no decision.
func upgradeClosed(u models.SAUpgrade) error {
	if u.Status == models.UpgradeExpired {
		return models.Errorf(models.CodeGone, "the upgrade expired on %s", u.UpdatedAt.UTC().Format(time.RFC3339))
	}
	if u.DecidedAt != nil {
		return models.Errorf(models.CodeConflict, "already %s by %s at %s", strings.ToLower(string(u.Status)), u.DecidedBy,
			u.DecidedAt.UTC().Format(time.RFC3339))
	}
	return models.Errorf(models.CodeConflict, "the upgrade is %s and waits for no decision", u.Status)
}
