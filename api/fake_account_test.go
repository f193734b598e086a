package api_test

import (
	"context"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The fake's side of the account processes does what each workflow's first step does, through the real
// store, so handler tests see the rows a real process would write.

func (f *fakeProcesses) StartAccessRequest(ctx context.Context, in process.AccessRequestInput) (process.AccessCreated, error) {
	st, err := f.store.CreateAccessRequest(ctx, activities.CreateAccessInput{RequestID: in.RequestID,
		WorkflowID: process.AccessRequestID(in.RequestID), SmartAccountID: in.SmartAccountID, Requester: in.Requester,
		Role: in.Role, VirtualAccounts: in.VirtualAccounts, ForEmails: in.ForEmails, Reason: in.Reason,
		ExpiresAt: time.Now().Add(14 * 24 * time.Hour), PartnerDomain: in.PartnerDomain})
	if err != nil {
		return process.AccessCreated{}, process.DecodeError(err)
	}
	if st.Auto != nil {
		if st, err = f.store.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: st.RequestID,
			Approve: st.Auto.Approve, Actor: st.Auto.Actor, Reason: st.Auto.Reason, RuleID: st.Auto.RuleID}); err != nil {
			return process.AccessCreated{}, err
		}
	}
	return process.AccessCreated{RequestID: st.RequestID, SmartAccountID: st.SmartAccountID, Status: st.Status,
		DecidedBy: st.DecidedBy, Reason: st.DecisionReason, WaitingOn: []models.Waiting{}}, nil
}

func (f *fakeProcesses) StartUpgrade(ctx context.Context, in process.UpgradeInput) (process.UpgradeCreated, error) {
	if f.upgradeFn != nil {
		return f.upgradeFn(ctx, in)
	}
	st, err := f.store.RequestUpgrade(ctx, activities.RequestUpgradeInput{UpgradeID: in.UpgradeID,
		WorkflowID: process.SMBUpgradeID(in.SmartAccountID), SmartAccountID: in.SmartAccountID, Requester: in.Requester,
		Name: in.Name, Domain: in.Domain, Headquarters: in.Headquarters, Visibility: in.Visibility})
	if err != nil {
		return process.UpgradeCreated{}, process.DecodeError(err)
	}
	return process.UpgradeCreated{UpgradeID: st.UpgradeID, SmartAccountID: st.SmartAccountID, Status: st.Status,
		Domain: st.Domain, WaitingOn: []models.Waiting{}, Why: st.Why}, nil
}

func (f *fakeProcesses) Nominate(ctx context.Context, _ string, in process.NominateInput) (process.NominateResult, error) {
	return process.NominateResult{}, process.ErrProcessClosed
}
