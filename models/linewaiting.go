package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Actions a pending line waits for, as its waitingOn names them.
const (
	ActShip    = "ship"
	ActDeposit = "deposit"
	ActReview  = "review"
	ActMove    = "transfer"
)

// Who a line may wait for besides people and roles.
const (
	// WhoFulfillment is the outside entitlement service, while a deposit is under way or failing.
	WhoFulfillment = "service:fulfillment"
)

// LineWaiting says whom a pending line waits for (FEATURES X1): the fulfillment contact (and their
// delegates) to assign it, the account's approvers to activate it (accountWaits: each account's stored
// waitingOn), commerce to ship it, the fulfillment service to take the deposit, ops to review it. The
// deadline is the line's SLA once it shipped.
func LineWaiting(l OrderLine, st OrderState, accountWaits map[string][]Waiting, sla time.Duration) []Waiting {
	out := []Waiting{}
	if l.ProvisioningStatus != ProvisionPending {
		return out
	}
	since := l.UpdatedAt
	if l.ReasonSince != nil {
		since = *l.ReasonSince
	}
	var deadline time.Time
	if d := l.Deadline(sla); d != nil {
		deadline = *d
	}
	add := func(who, action string) {
		out = append(out, Waiting{Who: who, Action: action, Since: since, Deadline: deadline})
	}
	switch r := l.DelayReason; {
	case r == DelayNoSmartAccount && AwaitsPartner(st.Order, l):
		for _, ofm := range st.Order.PartnerOFMs {
			add(ofm, ActCreateAccount)
		}
	case r == DelayNoSmartAccount:
		if c := st.Order.FulfillmentContact; c != "" {
			add(c, ActAssign)
		}
		for _, d := range st.Delegations {
			add(d.Delegate, ActAssign)
		}
	case r == DelaySmartAccountPending:
		add("smart-account:"+l.SmartAccountID, ActActivate)
		for _, w := range accountWaits[l.SmartAccountID] {
			add(w.Who, w.Action)
		}
	case r == DelayInHolding:
		add("smart-account:"+l.SmartAccountID, ActMove)
	case r == DelayAwaitingShipment:
		add(RolePrefix+RoleCommerce, ActShip)
	case r == DelayManualReview:
		add(RolePrefix+RoleLicensingOps, ActReview)
	default:
		add(WhoFulfillment, ActDeposit)
	}
	return out
}

// AccountWaits reads whom each of the accounts waits for, as their store steps recorded it.
func AccountWaits(ctx context.Context, db *gorm.DB, ids []string) (map[string][]Waiting, error) {
	out := map[string][]Waiting{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []SmartAccount
	if err := db.WithContext(ctx).Select("id", "waiting_on").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read whom the accounts wait for: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.WaitingOn
	}
	return out, nil
}
