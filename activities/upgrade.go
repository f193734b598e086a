package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
)

// RequestUpgradeInput is an SMB account owner's upgrade request as the API validated it.
type RequestUpgradeInput struct {
	UpgradeID      string
	WorkflowID     string
	SmartAccountID string
	Requester      models.Person
	Name           string
	Domain         string
	Headquarters   models.Address
	Visibility     models.Visibility
	Window         Window
}

// UpgradeState is an upgrade after a store step, with whom it waits for.
type UpgradeState struct {
	UpgradeID      string
	SmartAccountID string
	Name           string
	Domain         string
	FromDomain     string
	Requester      string
	Status         models.UpgradeStatus
	// Approvers are the people the upgrade waits for (WaitingOn without its roles).
	Approvers []string
	WaitingOn []models.Waiting
	Why       string
	DecidedBy string
	DecidedAt time.Time
	Reason    string
}

// RequestUpgrade records the upgrade and decides it by the creation rules (FEATURES SA8): a domain
// outside the requester's own waits for Cisco's domain approval, a TLD with an ACTIVE account waits for
// its administrators, anything else upgrades at once. A retry returns what the first attempt decided.
func (s *Store) RequestUpgrade(ctx context.Context, in RequestUpgradeInput) (UpgradeState, error) {
	if u, err := models.FindUpgrade(ctx, s.DB, in.UpgradeID); err == nil {
		return upgradeState(u, ""), nil
	}
	var out UpgradeState
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tctx := tx.Statement.Context
		sa, err := models.FindSmartAccount(tctx, tx, in.SmartAccountID)
		if err != nil {
			return err
		}
		if !sa.SMB || sa.Status != models.SAActive {
			return conflictError(fmt.Sprintf("only an ACTIVE SMB account can be upgraded; this one is %s", sa.Status))
		}
		tld, err := models.TLD(in.Domain)
		if err != nil {
			return models.Invalid("domain", "%v", err)
		}
		if err := lockTLD(tx, tld); err != nil {
			return err
		}
		if taken, err := domainTaken(tx, in.Domain); err != nil {
			return err
		} else if taken {
			return conflictError(fmt.Sprintf("a Smart Account already uses the domain %s", in.Domain))
		}
		active, err := models.ActiveAccountIDsForTLD(tctx, tx, tld)
		if err != nil {
			return err
		}
		act := models.DecideActivation(in.Requester.Email, in.Domain, active)
		status := map[models.SAStatus]models.UpgradeStatus{models.SAPendingApproval: models.UpgradePendingApproval,
			models.SAPendingDomainApproval: models.UpgradePendingDomainApproval}[act.Status]
		if act.SMB {
			return models.Invalid("domain", "a personal mail domain cannot be a standard account's domain")
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		u := models.SAUpgrade{ID: in.UpgradeID, SmartAccountID: sa.ID, WorkflowID: in.WorkflowID,
			RequestedBy: models.NormalizeEmail(in.Requester.Email), Name: in.Name, Domain: in.Domain, TLD: tld,
			Headquarters: in.Headquarters, Visibility: in.Visibility, FromDomain: sa.Domain,
			Status: models.UpgradePendingApproval, CreatedAt: now, UpdatedAt: now}
		if status != "" {
			u.Status = status
		}
		if err := tx.Create(&u).Error; err != nil {
			if models.IsUniqueViolation(err) {
				return conflictError("an upgrade of this account already waits for a decision")
			}
			return fmt.Errorf("insert upgrade: %w", err)
		}
		decided := status
		if decided == "" {
			decided = models.UpgradeApproved
		}
		if err := writeEvents(tx, now, event(sa.ID, models.TargetUpgrade, u.ID, u.RequestedBy, models.EventUpgradeRequested,
			map[string]any{"name": u.Name, "domain": u.Domain, "fromDomain": u.FromDomain, "status": decided, "why": act.Why})); err != nil {
			return err
		}
		if status == "" {
			if err := applyUpgrade(tx, &u, models.ActorSystem, now); err != nil {
				return err
			}
		}
		if err := s.settleUpgrade(tx, &u, in.Window); err != nil {
			return err
		}
		out = upgradeState(u, act.Why)
		return nil
	})
	if err != nil {
		return UpgradeState{}, err
	}
	s.logger().Info("upgrade requested", "upgradeId", out.UpgradeID, "smartAccountId", out.SmartAccountID, "status", out.Status)
	return out, nil
}

// DecideUpgradeInput is a person's decision on an upgrade, with the window of the approval a domain's
// approval leads to.
type DecideUpgradeInput struct {
	UpgradeID string
	Approve   bool
	Actor     string
	Reason    string
	Via       string
	TokenID   string
	Window    Window
}

// ResolveUpgradeDomain applies Cisco's decision on the upgrade's domain: declined ends the upgrade;
// approved goes on as the creation rules say (the TLD's administrators, or the upgrade itself).
func (s *Store) ResolveUpgradeDomain(ctx context.Context, in DecideUpgradeInput) (UpgradeState, error) {
	return s.decideUpgrade(ctx, in, models.UpgradePendingDomainApproval, func(tx *gorm.DB, u *models.SAUpgrade, now time.Time) error {
		if err := lockTLD(tx, u.TLD); err != nil {
			return err
		}
		if err := writeEvents(tx, now, event(u.SmartAccountID, models.TargetUpgrade, u.ID, in.Actor, models.EventUpgradeDomainOK,
			map[string]any{"domain": u.Domain, "reason": in.Reason, "via": in.Via})); err != nil {
			return err
		}
		active, err := models.ActiveAccountIDsForTLD(tx.Statement.Context, tx, u.TLD)
		if err != nil {
			return err
		}
		if len(active) > 0 {
			return setUpgradeStatus(tx, u, models.UpgradePendingApproval, "", "", now)
		}
		return applyUpgrade(tx, u, in.Actor, now)
	})
}

// DecideUpgrade applies the TLD administrators' decision. An approval takes the TLD's lock, as the
// request and Cisco's domain decision do, so the domain check and a creation under the TLD do not interleave.
func (s *Store) DecideUpgrade(ctx context.Context, in DecideUpgradeInput) (UpgradeState, error) {
	return s.decideUpgrade(ctx, in, models.UpgradePendingApproval, func(tx *gorm.DB, u *models.SAUpgrade, now time.Time) error {
		if err := lockTLD(tx, u.TLD); err != nil {
			return err
		}
		return applyUpgrade(tx, u, in.Actor, now)
	})
}

// ExpireUpgrade ends an upgrade nobody decided; the account stays the SMB account it was.
func (s *Store) ExpireUpgrade(ctx context.Context, upgradeID string) (UpgradeState, error) {
	return s.upgradeStep(ctx, upgradeID, models.UpgradeStatus.Pending, Window{},
		func(tx *gorm.DB, u *models.SAUpgrade, now time.Time) error {
			from := u.Status
			if err := setUpgradeStatus(tx, u, models.UpgradeExpired, "", "", now); err != nil {
				return err
			}
			return writeEvents(tx, now, event(u.SmartAccountID, models.TargetUpgrade, u.ID, models.ActorSystem,
				models.EventUpgradeExpired, map[string]any{"waitedIn": from}))
		})
}

// decideUpgrade runs an approval (approve) or records a decline, for an upgrade in status from, and uses up
// the link that carried the decision.
func (s *Store) decideUpgrade(ctx context.Context, in DecideUpgradeInput, from models.UpgradeStatus,
	approve func(*gorm.DB, *models.SAUpgrade, time.Time) error) (UpgradeState, error) {
	inFrom := func(st models.UpgradeStatus) bool { return st == from }
	decide := func(tx *gorm.DB, u *models.SAUpgrade, now time.Time) error {
		var err error
		if in.Approve {
			err = approve(tx, u, now)
		} else {
			err = declineUpgrade(tx, u, in.Actor, in.Reason, map[string]any{"via": in.Via, "stage": from}, now)
		}
		if err != nil {
			return err
		}
		return useLink(tx, in.TokenID, models.UpgradeOutcome(*u), now)
	}
	out, err := s.upgradeStep(ctx, in.UpgradeID, inFrom, in.Window, decide)
	if err != nil {
		return UpgradeState{}, err
	}
	s.logger().Info("upgrade decided", "upgradeId", in.UpgradeID, "status", out.Status, "by", in.Actor)
	return out, nil
}

// upgradeStep runs change on an upgrade still waiting as due says, in one transaction with whom it waits
// for next (a wait in the window w); an upgrade that moved on (a retry after the commit) answers its state
// unchanged.
func (s *Store) upgradeStep(ctx context.Context, id string, due func(models.UpgradeStatus) bool, w Window,
	change func(*gorm.DB, *models.SAUpgrade, time.Time) error) (UpgradeState, error) {
	return runStep(ctx, s.DB, rowStep[models.SAUpgrade, UpgradeState]{
		find: func(ctx context.Context, tx *gorm.DB) (models.SAUpgrade, error) {
			return models.FindUpgrade(ctx, tx, id)
		},
		due: func(u models.SAUpgrade) bool { return due(u.Status) },
		change: func(tx *gorm.DB, u *models.SAUpgrade, now time.Time) error {
			if err := change(tx, u, now); err != nil {
				return err
			}
			return s.settleUpgrade(tx, u, w)
		},
		state: func(_ context.Context, _ *gorm.DB, u models.SAUpgrade) (UpgradeState, error) {
			return upgradeState(u, ""), nil
		},
	})
}

// applyUpgrade turns the SMB account into a standard one: same id, users, virtual accounts and history;
// the new name, domain, headquarters and visibility; no SMB limits. The requester, who may have signed
// in with a new company address since, administers it.
func applyUpgrade(tx *gorm.DB, u *models.SAUpgrade, actor string, now time.Time) error {
	// The request's rule again, as the change is made (the live-domain index has the last word): a holding
	// account shares its partner's domain without taking it; the SMB account keeps its placeholder domain
	// until the update below, so it never counts itself.
	taken, err := domainTaken(tx, u.Domain)
	if err != nil {
		return err
	}
	if taken {
		return declineUpgrade(tx, u, models.ActorSystem, "the domain "+u.Domain+" was taken by another Smart Account meanwhile",
			map[string]any{"approvedBy": actor}, now)
	}
	res := tx.Model(&models.SmartAccount{}).Where("id = ? AND smb", u.SmartAccountID).Updates(map[string]any{
		"smb": false, "domain": u.Domain, "tld": u.TLD, "name": u.Name, "headquarters": jsonText(u.Headquarters),
		"visibility": u.Visibility, "updated_at": now})
	if res.Error != nil {
		if models.IsUniqueViolation(res.Error) {
			return errors.Join(conflictError("the domain "+u.Domain+" is taken"), res.Error)
		}
		return fmt.Errorf("upgrade %s: %w", u.SmartAccountID, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("smart account %s is no longer an SMB account", u.SmartAccountID)
	}
	if err := setUpgradeStatus(tx, u, models.UpgradeApproved, actor, "", now); err != nil {
		return err
	}
	evs := []models.Event{event(u.SmartAccountID, models.TargetSmartAccount, u.SmartAccountID, actor, models.EventUpgraded,
		map[string]any{"fromDomain": u.FromDomain, "domain": u.Domain, "name": u.Name, "upgradeId": u.ID, "requestedBy": u.RequestedBy})}
	role := models.AccountRole{ID: models.NewID(), UserEmail: u.RequestedBy, SmartAccountID: u.SmartAccountID,
		Role: models.RoleSAAdmin, GrantedBy: actor, CreatedAt: now}
	r := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&role)
	if r.Error != nil {
		return fmt.Errorf("grant admin to %s: %w", u.RequestedBy, r.Error)
	}
	if r.RowsAffected == 1 {
		evs = append(evs, event(u.SmartAccountID, models.TargetAccountRole, role.ID, actor, models.EventRoleGranted,
			map[string]any{"email": u.RequestedBy, "role": role.Role, "upgradeId": u.ID}))
	}
	return writeEvents(tx, now, evs...)
}

func declineUpgrade(tx *gorm.DB, u *models.SAUpgrade, actor, reason string, details map[string]any, now time.Time) error {
	if err := setUpgradeStatus(tx, u, models.UpgradeDeclined, actor, reason, now); err != nil {
		return err
	}
	details["reason"] = reason
	return writeEvents(tx, now, event(u.SmartAccountID, models.TargetUpgrade, u.ID, actor, models.EventUpgradeDeclined, details))
}

func setUpgradeStatus(tx *gorm.DB, u *models.SAUpgrade, to models.UpgradeStatus, actor, reason string, now time.Time) error {
	changes := map[string]any{"status": to, "updated_at": now}
	if actor != "" {
		changes["decided_by"], changes["decided_at"], changes["decision_reason"] = actor, now, reason
	}
	if err := moveRow(tx, &models.SAUpgrade{}, "upgrade", "set status of upgrade", u.ID, u.Status, changes); err != nil {
		return err
	}
	u.Status, u.UpdatedAt = to, now
	if actor != "" {
		u.DecidedBy, u.DecidedAt, u.DecisionReason = actor, &now, reason
	}
	return nil
}

// settleUpgrade writes whom the upgrade now waits for, after a step changed its status.
func (s *Store) settleUpgrade(tx *gorm.DB, u *models.SAUpgrade, w Window) error {
	waits, err := s.upgradeWaits(tx.Statement.Context, tx, *u, w)
	if err != nil {
		return err
	}
	if err := tx.Model(&models.SAUpgrade{}).Where("id = ?", u.ID).Update("waiting_on", jsonText(waits)).Error; err != nil {
		return fmt.Errorf("waiting of upgrade %s: %w", u.ID, err)
	}
	u.WaitingOn = waits
	return nil
}

func upgradeState(u models.SAUpgrade, why string) UpgradeState {
	st := UpgradeState{UpgradeID: u.ID, SmartAccountID: u.SmartAccountID, Name: u.Name, Domain: u.Domain,
		FromDomain: u.FromDomain, Requester: u.RequestedBy, Status: u.Status, Why: why, DecidedBy: u.DecidedBy,
		Reason: u.DecisionReason, WaitingOn: models.NonNil(u.WaitingOn), Approvers: models.People(u.WaitingOn)}
	if u.DecidedAt != nil {
		st.DecidedAt = *u.DecidedAt
	}
	return st
}
