package api_test

import (
	"context"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/workflows"
)

// The fake's side of the account processes does what each workflow's first step does, through the real
// store, so handler tests see the rows a real process would write.

func (f *fakeProcesses) StartAccessRequest(ctx context.Context, in workflows.AccessRequestInput) (workflows.AccessCreated, error) {
	st, err := f.store.CreateAccessRequest(ctx, activities.CreateAccessInput{RequestID: in.RequestID,
		WorkflowID: workflows.AccessRequestID(in.RequestID), SmartAccountID: in.SmartAccountID, Requester: in.Requester,
		Role: in.Role, VirtualAccounts: in.VirtualAccounts, ForEmails: in.ForEmails, Reason: in.Reason,
		ExpiresAt: time.Now().Add(14 * 24 * time.Hour)})
	if err != nil {
		return workflows.AccessCreated{}, workflows.AsModelError(err)
	}
	if st.Auto != nil {
		if st, err = f.store.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: st.RequestID,
			Approve: st.Auto.Approve, Actor: st.Auto.Actor, Reason: st.Auto.Reason, RuleID: st.Auto.RuleID}); err != nil {
			return workflows.AccessCreated{}, err
		}
	}
	return workflows.AccessCreated{RequestID: st.RequestID, SmartAccountID: st.SmartAccountID, Status: st.Status,
		DecidedBy: st.DecidedBy, Reason: st.DecisionReason, WaitingOn: []workflows.Waiting{}}, nil
}

func (f *fakeProcesses) StartUpgrade(ctx context.Context, in workflows.UpgradeInput) (workflows.UpgradeCreated, error) {
	if f.upgradeFn != nil {
		return f.upgradeFn(ctx, in)
	}
	st, err := f.store.RequestUpgrade(ctx, activities.RequestUpgradeInput{UpgradeID: in.UpgradeID,
		WorkflowID: workflows.SMBUpgradeID(in.SmartAccountID), SmartAccountID: in.SmartAccountID, Requester: in.Requester,
		Name: in.Name, Domain: in.Domain, Headquarters: in.Headquarters, Visibility: in.Visibility})
	if err != nil {
		return workflows.UpgradeCreated{}, workflows.AsModelError(err)
	}
	return workflows.UpgradeCreated{UpgradeID: st.UpgradeID, SmartAccountID: st.SmartAccountID, Status: st.Status,
		Domain: st.Domain, WaitingOn: []workflows.Waiting{}, Why: st.Why}, nil
}

func (f *fakeProcesses) Nominate(ctx context.Context, _ string, in workflows.NominateInput) (workflows.NominateResult, error) {
	return workflows.NominateResult{}, workflows.ErrProcessClosed
}
