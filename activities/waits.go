package activities

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Window is when a store step happens by its process's clock, and how long each kind of wait may last:
// the store writes the deadline of a wait it starts from it, so the stored waitingOn and the process's
// own timers agree to the microsecond.
type Window struct {
	At     time.Time
	Timing process.Timing
}

func (w Window) until(d time.Duration) time.Time { return w.At.Add(d) }

// accountWaits is whom an account waits for in its status, by the rules of that status (FEATURES X1):
// the TLD's approvers (or Cisco's, when there are none), Cisco for a domain, the customer's contacts,
// the contact who accepted, the requester after a decline. prev is what it waited for before.
func (s *Store) accountWaits(ctx context.Context, db *gorm.DB, sa models.SmartAccount, w Window,
	prev []models.Waiting) ([]models.Waiting, error) {
	t := w.Timing.WithDefaults()
	switch sa.Status {
	case models.SAPendingApproval:
		who, err := models.TLDApprovers(ctx, db, sa.TLD, requestPeople(sa)...)
		if err == nil {
			who, err = s.orCisco(ctx, db, who, requestPeople(sa))
		}
		return models.WaitFor(who, models.ActApprove, w.At, w.until(t.Expiry)), err
	case models.SAPendingDomainApproval:
		who, err := s.orCisco(ctx, db, nil, requestPeople(sa))
		return models.WaitFor(who, models.ActApproveDomain, w.At, w.until(t.DomainExpiry)), err
	case models.SAPendingCustomerAcceptance:
		since := w.At
		if len(prev) > 0 && prev[0].Action == models.ActAccept {
			// More creators nominated while it waits: the wait goes on, with a fresh deadline.
			since = prev[0].Since
		}
		return models.WaitFor(sa.CustomerContacts, models.ActAccept, since, w.until(t.AcceptanceExpiry)), nil
	case models.SAPendingCustomerAddress:
		return models.WaitFor([]string{sa.AcceptedBy}, models.ActGiveAddress, w.At, w.until(t.AcceptanceExpiry)), nil
	case models.SADeclinedByCustomer:
		// The requester may nominate more creators until the acceptance's own deadline.
		since, deadline := w.At, w.until(t.AcceptanceExpiry)
		if len(prev) > 0 {
			since, deadline = prev[0].Since, prev[0].Deadline
		}
		return models.WaitFor([]string{sa.RequestedBy}, models.ActNominate, since, deadline), nil
	}
	return []models.Waiting{}, nil
}

// upgradeWaits is whom an SMB upgrade waits for: Cisco for a domain not the requester's own, the TLD's
// approvers (or Cisco's) otherwise.
func (s *Store) upgradeWaits(ctx context.Context, db *gorm.DB, u models.SAUpgrade, w Window) ([]models.Waiting, error) {
	t := w.Timing.WithDefaults()
	switch u.Status {
	case models.UpgradePendingApproval:
		who, err := models.TLDApprovers(ctx, db, u.TLD, u.RequestedBy)
		if err == nil {
			who, err = s.orCisco(ctx, db, who, []string{u.RequestedBy})
		}
		return models.WaitFor(who, models.ActApproveUpgr, w.At, w.until(t.Expiry)), err
	case models.UpgradePendingDomainApproval:
		who, err := s.orCisco(ctx, db, nil, []string{u.RequestedBy})
		return models.WaitFor(who, models.ActApproveDomain, w.At, w.until(t.DomainExpiry)), err
	}
	return []models.Waiting{}, nil
}

// orCisco answers who, or Cisco's approvers (less the excluded people) when who is empty: a request
// nobody may approve would wait for nobody. With no Cisco approver either, whoever is given the role
// may decide.
func (s *Store) orCisco(ctx context.Context, db *gorm.DB, who, exclude []string) ([]string, error) {
	if len(who) > 0 {
		return who, nil
	}
	who, err := s.ciscoApprovers(ctx, db, exclude...)
	if err != nil || len(who) > 0 {
		return who, err
	}
	return []string{models.RolePrefix + models.RoleCiscoApprover}, nil
}

// requestPeople are the people an account request is by or for: its requester (the contact who accepted,
// for a request on a customer's behalf, too) and its nominees. None of them decides it.
func requestPeople(sa models.SmartAccount) []string {
	out := append([]string{sa.RequestedBy}, sa.NominatedAdmins...)
	if sa.AcceptedBy != "" {
		out = append(out, sa.AcceptedBy)
	}
	return out
}

// settle writes whom the account now waits for, after a step changed its status.
func (s *Store) settle(tx *gorm.DB, sa *models.SmartAccount, w Window, prev []models.Waiting) error {
	waits, err := s.accountWaits(tx.Statement.Context, tx, *sa, w, prev)
	if err != nil {
		return err
	}
	if err := tx.Model(&models.SmartAccount{}).Where("id = ?", sa.ID).
		Update("waiting_on", jsonText(waits)).Error; err != nil {
		return fmt.Errorf("waiting of %s: %w", sa.ID, err)
	}
	sa.WaitingOn = waits
	return nil
}

// useLink ends the life of the emailed link that carried a decision, with the sentence that says what
// it did, in the decision's own transaction: a decision is never applied with its link left usable,
// nor its link used up by a decision that rolled back. A retry finds it used and changes nothing.
func useLink(tx *gorm.DB, tokenID, outcome string, now time.Time) error {
	if tokenID == "" || outcome == "" {
		return nil
	}
	if err := tx.Model(&models.ActionToken{}).Where("id = ? AND used_at IS NULL", tokenID).
		Updates(map[string]any{"used_at": now, "outcome": outcome}).Error; err != nil {
		return fmt.Errorf("use link %s: %w", tokenID, err)
	}
	return nil
}
