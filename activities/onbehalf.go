package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// AcceptSAInput is a customer contact's acceptance of an account requested on their behalf.
type AcceptSAInput struct {
	SmartAccountID string
	Actor          string
	// Headquarters, when set, completes or replaces the address the requester gave.
	Headquarters   models.Address
	ModifiedDomain bool
	Via            string
	TokenID        string
	Window         Window
}

// AcceptOnBehalf records the acceptance. Without a headquarters address the account waits in
// PENDING_CUSTOMER_ADDRESS; with one, the creation rules run with the contact as the requester. A retry
// after the commit finds the account moved on and returns its state.
func (s *Store) AcceptOnBehalf(ctx context.Context, in AcceptSAInput) (SAState, error) {
	return s.accountStep(ctx, customerStep(in.SmartAccountID, models.SAPendingCustomerAcceptance, in.Window, in.TokenID, "ACCEPT"), func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
		actor := models.NormalizeEmail(in.Actor)
		changes := map[string]any{"accepted_by": actor, "accepted_at": now, "updated_at": now}
		if !in.Headquarters.IsZero() {
			sa.Headquarters = in.Headquarters
			changes["headquarters"] = jsonText(sa.Headquarters)
		}
		if err := tx.Model(&models.SmartAccount{}).Where("id = ?", sa.ID).Updates(changes).Error; err != nil {
			return fmt.Errorf("accept %s: %w", sa.ID, err)
		}
		sa.AcceptedBy, sa.AcceptedAt = actor, &now
		if err := writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, actor, models.EventSAAccepted,
			map[string]any{"via": in.Via, "headquartersGiven": !sa.Headquarters.IsZero()})); err != nil {
			return err
		}
		if sa.Headquarters.IsZero() {
			return setStatus(tx, sa, models.SAPendingCustomerAcceptance, models.SAPendingCustomerAddress, now)
		}
		return applyCreationRules(tx, sa, actor, in.ModifiedDomain, now)
	})
}

// DeclineOnBehalfInput is a customer contact's refusal.
type DeclineOnBehalfInput struct {
	SmartAccountID string
	Actor          string
	Reason         string
	Via            string
	TokenID        string
}

// DeclineOnBehalf marks the account DECLINED_BY_CUSTOMER. It keeps its domain: more creators may be
// nominated, which brings it back to PENDING_CUSTOMER_ACCEPTANCE.
func (s *Store) DeclineOnBehalf(ctx context.Context, in DeclineOnBehalfInput) (SAState, error) {
	return s.accountStep(ctx, customerStep(in.SmartAccountID, models.SAPendingCustomerAcceptance, Window{}, in.TokenID, "DECLINE"), func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
		return decline(tx, sa, models.SADeclinedByCustomer, models.NormalizeEmail(in.Actor), in.Reason,
			models.EventSADeclinedByCust, map[string]any{"reason": in.Reason, "via": in.Via}, now)
	})
}

// HeadquartersInput is the address the accepting contact gives in the address step. The step finishes
// what an acceptance without an address left open, so it carries the acceptance's own fields.
type HeadquartersInput = AcceptSAInput

// GiveHeadquarters records the address of an accepted account and runs the creation rules with the
// accepting contact as the requester.
func (s *Store) GiveHeadquarters(ctx context.Context, in HeadquartersInput) (SAState, error) {
	return s.accountStep(ctx, customerStep(in.SmartAccountID, models.SAPendingCustomerAddress, in.Window, in.TokenID, "SUBMIT"), func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
		actor := models.NormalizeEmail(in.Actor)
		sa.Headquarters = in.Headquarters
		if err := tx.Model(&models.SmartAccount{}).Where("id = ?", sa.ID).
			Updates(map[string]any{"headquarters": jsonText(sa.Headquarters), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("headquarters of %s: %w", sa.ID, err)
		}
		if err := writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, actor, models.EventSAAddressGiven,
			map[string]any{"via": in.Via, "country": in.Headquarters.Country})); err != nil {
			return err
		}
		return applyCreationRules(tx, sa, sa.AcceptedBy, in.ModifiedDomain, now)
	})
}

// NominateCreatorsInput adds customer contacts to an account waiting for (or declined by) its customer;
// the acceptance's deadline starts afresh from the window.
type NominateCreatorsInput struct {
	SmartAccountID string
	Actor          string
	Emails         []string
	Window         Window
}

// NominateCreators adds the contacts; a DECLINED_BY_CUSTOMER account goes back to waiting for
// acceptance. Contacts already named are left as they are, so a retry changes nothing more.
func (s *Store) NominateCreators(ctx context.Context, in NominateCreatorsInput) (SAState, error) {
	var out SAState
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sa, err := models.FindSmartAccount(tx.Statement.Context, tx, in.SmartAccountID)
		if err != nil {
			return err
		}
		if sa.Status != models.SAPendingCustomerAcceptance && sa.Status != models.SADeclinedByCustomer {
			return conflictError(fmt.Sprintf("the Smart Account is %s: creators can no longer be nominated", sa.Status))
		}
		added := []string{}
		contacts := append([]string{}, sa.CustomerContacts...)
		for _, e := range in.Emails {
			if e = models.NormalizeEmail(e); e != "" && !slices.Contains(contacts, e) {
				contacts, added = append(contacts, e), append(added, e)
			}
		}
		reopen := sa.Status == models.SADeclinedByCustomer
		if len(added) > 0 || reopen {
			now := time.Now().UTC().Truncate(time.Microsecond)
			changes := map[string]any{"customer_contacts": jsonText(contacts), "updated_at": now}
			if reopen {
				changes["status"], changes["decided_by"], changes["decided_at"], changes["decision_reason"] =
					models.SAPendingCustomerAcceptance, "", nil, ""
			}
			if err := moveAccount(tx, "nominate creators of", sa.ID, sa.Status, changes); err != nil {
				return err
			}
			if err := writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, models.NormalizeEmail(in.Actor),
				models.EventCreatorsNominated, map[string]any{"added": added, "reopened": reopen})); err != nil {
				return err
			}
			prev := sa.WaitingOn
			sa.CustomerContacts, sa.Status = contacts, models.SAPendingCustomerAcceptance
			if err := s.settle(tx, &sa, in.Window, prev); err != nil {
				return err
			}
		}
		out, err = s.stateOf(tx.Statement.Context, tx, sa)
		return err
	})
	return out, err
}

// customerStep is one answer of a customer contact. Its link stays usable when the answer leads to the
// address step: the same link carries its recipient through it.
func customerStep(id string, from models.SAStatus, w Window, tokenID, decision string) step {
	return step{id: id, from: from, window: w, tokenID: tokenID, outcome: func(sa models.SmartAccount) string {
		if sa.Status == models.SAPendingCustomerAddress {
			return ""
		}
		return models.CustomerOutcome(decision, sa)
	}}
}

// applyCreationRules decides an accepted account as a request of the accepting contact would be
// decided: ACTIVE at once, or waiting for the TLD's administrators or for Cisco's domain approval.
func applyCreationRules(tx *gorm.DB, sa *models.SmartAccount, requester string, modified bool, now time.Time) error {
	if err := lockTLD(tx, sa.TLD); err != nil {
		return err
	}
	active, err := models.ActiveAccountIDsForTLD(tx.Statement.Context, tx, sa.TLD)
	if err != nil {
		return err
	}
	act := models.DecideRequest(models.RequestRules{Requester: requester, Domain: sa.Domain, ActiveForTLD: active, ModifiedDomain: modified})
	switch act.Status {
	case models.SAPendingApproval:
		if err := setStatus(tx, sa, sa.Status, models.SAPendingApproval, now); err != nil {
			return err
		}
		return writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, models.ActorSystem,
			models.EventSAWaitsApproval, map[string]any{"approverAccounts": active, "why": act.Why}))
	case models.SAPendingDomainApproval:
		if err := setStatus(tx, sa, sa.Status, models.SAPendingDomainApproval, now); err != nil {
			return err
		}
		return writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, models.ActorSystem,
			models.EventSAWaitsDomain, map[string]any{"why": act.Why}))
	}
	return activate(tx, sa, requester, now)
}

// jsonText is a JSON column's value for a map update, which, unlike a struct, skips the serializer.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal %T: %v", v, err)) // only plain structs and slices come here
	}
	return string(b)
}
