package activities

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Store holds the database writes of the Smart Account processes.
type Store struct {
	DB *gorm.DB
	// ExtraCiscoApprovers are mailed domain approvals besides the users holding the cisco-approver role.
	ExtraCiscoApprovers []string
	// OpsAlert are mailed stuck lines besides the users holding the licensing-ops role.
	OpsAlert []string
	Log      *slog.Logger
}

// CreateSAInput is a Smart Account request as the API validated it, and the window its first wait gets.
type CreateSAInput struct {
	RequestID  string
	WorkflowID string
	process.SARequest
	Window Window
}

// SAState is an account's state after a store step, with whom it now waits for.
type SAState struct {
	SmartAccountID string
	Name           string
	Domain         string
	Status         models.SAStatus
	SMB            bool
	// Approvers are the people the account waits for (WaitingOn without its roles): the TLD's approvers
	// of a PENDING_APPROVAL account, Cisco's of a domain, the customer's contacts.
	Approvers []string
	WaitingOn []models.Waiting
	Why       string
	DecidedBy string
	DecidedAt time.Time
	Reason    string
	// AcceptedBy is the customer contact who accepted an account requested on their behalf.
	AcceptedBy string
	// TLDAdmins are the administrators of the TLD's ACTIVE accounts, told of a request on a customer's
	// behalf while it waits for the customer.
	TLDAdmins []string
}

// conflictError tells the workflow, without retries (a domain error is final), that the request clashes
// with existing data.
func conflictError(msg string) error {
	return process.EncodeError(models.Errorf(models.CodeConflict, "%s", msg))
}

// CreateSmartAccount decides the request by the activation rules and records the account, its default
// virtual account and its events in one transaction. A retry returns what the first attempt decided.
func (s *Store) CreateSmartAccount(ctx context.Context, in CreateSAInput) (SAState, error) {
	if sa, ok, err := models.FindSmartAccountByRequest(ctx, s.DB, in.RequestID); err != nil {
		return SAState{}, err
	} else if ok {
		return s.stateOf(ctx, s.DB, sa)
	}
	r := in.SARequest
	tld, err := models.TLD(r.Domain)
	if err != nil {
		return SAState{}, models.Invalid("domain", "%v", err)
	}
	var out SAState
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTLD(tx, tld); err != nil {
			return err
		}
		typ := r.Type
		if typ == "" {
			typ = models.SATypeCustomer
		}
		taken, err := domainTaken(tx, r.Domain)
		if typ == models.SATypeHolding {
			// A partner keeps holding accounts beside its own account: they are told apart by name.
			taken, err = models.HoldingNameTaken(tx, r.Domain, r.Name)
		}
		if err != nil {
			return err
		}
		if taken && typ == models.SATypeHolding {
			return conflictError(fmt.Sprintf("%s already has a holding account named %s", r.Domain, r.Name))
		}
		if taken {
			return conflictError(fmt.Sprintf("a Smart Account already uses the domain %s", r.Domain))
		}
		active, err := models.ActiveAccountIDsForTLD(tx.Statement.Context, tx, tld)
		if err != nil {
			return err
		}
		act := models.DecideRequest(models.RequestRules{Requester: r.Requester.Email, Domain: r.Domain,
			ActiveForTLD: active, OnBehalf: r.OnBehalf, ModifiedDomain: r.ModifiedDomain})
		now := time.Now().UTC().Truncate(time.Microsecond)
		sa := models.SmartAccount{
			ID: models.NewID(), RequestID: in.RequestID, WorkflowID: in.WorkflowID,
			Name: r.Name, Domain: r.Domain, TLD: tld, Type: typ, SMB: act.SMB,
			Visibility: r.Visibility, Status: act.Status, Headquarters: r.Headquarters,
			NoteToApprover: r.NoteToApprover, RequestedBy: models.NormalizeEmail(r.Requester.Email),
			NominatedAdmins: r.NominatedAdmins, CreatedAt: now, UpdatedAt: now,
			OnBehalf: r.OnBehalf, CustomerContacts: r.CustomerContacts, NoteToCustomer: r.NoteToCustomer,
		}
		if sa.NominatedAdmins == nil {
			sa.NominatedAdmins = []string{}
		}
		if sa.CustomerContacts == nil {
			sa.CustomerContacts = []string{}
		}
		if act.SMB {
			sa.Domain = smbDomain()
			sa.TLD = sa.Domain
		}
		if sa.WaitingOn, err = s.accountWaits(tx.Statement.Context, tx, sa, in.Window, nil); err != nil {
			return err
		}
		if err := tx.Create(&sa).Error; err != nil {
			if models.IsUniqueViolation(err) && typ == models.SATypeHolding {
				return conflictError(fmt.Sprintf("%s already has a holding account named %s", r.Domain, r.Name))
			}
			if models.IsUniqueViolation(err) {
				return conflictError(fmt.Sprintf("a Smart Account already uses the domain %s", r.Domain))
			}
			return fmt.Errorf("insert smart account: %w", err)
		}
		va := models.VirtualAccount{ID: models.NewID(), SmartAccountID: sa.ID, Name: models.DefaultVAName,
			Description: "Default virtual account", IsDefault: true, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&va).Error; err != nil {
			return fmt.Errorf("insert default virtual account: %w", err)
		}
		if err := writeEvents(tx, now,
			event(sa.ID, models.TargetSmartAccount, sa.ID, sa.RequestedBy, models.EventSARequested, map[string]any{
				"name": sa.Name, "domain": sa.Domain, "status": sa.Status, "why": act.Why, "smb": sa.SMB,
				"visibility": sa.Visibility, "nominatedAdmins": sa.NominatedAdmins, "onBehalf": sa.OnBehalf,
				"customerContacts": sa.CustomerContacts, "modifiedDomain": r.ModifiedDomain, "type": sa.Type}),
			event(sa.ID, models.TargetVirtualAccount, va.ID, models.ActorSystem, models.EventVACreated, map[string]any{
				"name": va.Name, "default": true}),
		); err != nil {
			return err
		}
		if sa.Status == models.SAActive {
			if err := activate(tx, &sa, models.ActorSystem, now); err != nil {
				return err
			}
		}
		out, err = s.stateOf(tx.Statement.Context, tx, sa)
		out.Why = act.Why
		return err
	})
	if err != nil {
		return SAState{}, err
	}
	s.logger().Info("smart account requested", "smartAccountId", out.SmartAccountID, "requestId", in.RequestID,
		"status", out.Status, "why", out.Why)
	return out, nil
}

// DecideSAInput is a decision on a waiting account: an approver's on a PENDING_APPROVAL account, or
// Cisco's on an account's domain. TokenID is the emailed link that carried it, if one did; Window is the
// window of the approval a domain's approval may lead to (an approver's decision starts no wait).
type DecideSAInput struct {
	SmartAccountID string
	Approve        bool
	Actor          string
	Reason         string
	Via            string
	TokenID        string
	Window         Window
}

// DecideSmartAccount activates or declines a PENDING_APPROVAL account. A retry after the change
// committed finds the account already decided by the same actor and returns its state.
func (s *Store) DecideSmartAccount(ctx context.Context, in DecideSAInput) (SAState, error) {
	st := step{id: in.SmartAccountID, from: models.SAPendingApproval, tokenID: in.TokenID,
		outcome: func(sa models.SmartAccount) string { return models.ApprovalOutcome(in.Approve, sa) }}
	return s.accountStep(ctx, st, func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
		details := map[string]any{"reason": in.Reason, "via": in.Via}
		if !in.Approve {
			return decline(tx, sa, models.SADeclined, in.Actor, in.Reason, models.EventSADeclined, details, now)
		}
		if err := writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, in.Actor, models.EventSAApproved, details)); err != nil {
			return err
		}
		return activate(tx, sa, in.Actor, now)
	})
}

// ResolveDomainInput is Cisco's decision on an account's domain, with the window of the approval it may
// lead to: a decision as DecideSAInput carries it (as DecideUpgradeInput serves both upgrade stages).
type ResolveDomainInput = DecideSAInput

// ResolveDomainApproval applies Cisco's domain decision. Declined: the account is DECLINED. Approved:
// the creation rules go on as for a domain of the requester's own, so an ACTIVE account for the TLD
// makes the account wait for its administrators, and otherwise it activates.
func (s *Store) ResolveDomainApproval(ctx context.Context, in ResolveDomainInput) (SAState, error) {
	st := step{id: in.SmartAccountID, from: models.SAPendingDomainApproval, tokenID: in.TokenID, window: in.Window,
		outcome: func(sa models.SmartAccount) string { return models.DomainOutcome(in.Approve, sa) }}
	return s.accountStep(ctx, st, func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
		details := map[string]any{"reason": in.Reason, "via": in.Via, "domain": sa.Domain}
		if !in.Approve {
			if err := writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, in.Actor, models.EventDomainDeclined, details)); err != nil {
				return err
			}
			return decline(tx, sa, models.SADeclined, in.Actor, in.Reason, models.EventSADeclined, details, now)
		}
		if err := lockTLD(tx, sa.TLD); err != nil {
			return err
		}
		if err := writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, in.Actor, models.EventDomainApproved, details)); err != nil {
			return err
		}
		active, err := models.ActiveAccountIDsForTLD(tx.Statement.Context, tx, sa.TLD)
		if err != nil {
			return err
		}
		if len(active) == 0 {
			return activate(tx, sa, in.Actor, now)
		}
		if err := setStatus(tx, sa, models.SAPendingDomainApproval, models.SAPendingApproval, now); err != nil {
			return err
		}
		return writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, models.ActorSystem,
			models.EventSAWaitsApproval, map[string]any{"approverAccounts": active}))
	})
}

// ExpireSAInput names the account whose wait ran out and the status it waited in.
type ExpireSAInput struct {
	SmartAccountID string
	From           models.SAStatus
}

// ExpireSmartAccount marks an account EXPIRED when it still waits in the given status.
func (s *Store) ExpireSmartAccount(ctx context.Context, in ExpireSAInput) (SAState, error) {
	return s.accountStep(ctx, step{id: in.SmartAccountID, from: in.From}, func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
		if err := setStatus(tx, sa, in.From, models.SAExpired, now); err != nil {
			return err
		}
		return writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, models.ActorSystem,
			models.EventSAExpired, map[string]any{"waitedIn": in.From}))
	})
}

// step is one store step of an account: which, from which status, with the window of the wait it may
// start, and the link that carried it with the sentence that says what it did (none when outcome says "").
type step struct {
	id      string
	from    models.SAStatus
	window  Window
	tokenID string
	outcome func(models.SmartAccount) string
}

// accountStep runs a change of an account that must be in the step's status, in one transaction with
// whom the account waits for next and the link that carried the decision used up. An account already
// past the status (a retry after the commit) answers its state unchanged.
func (s *Store) accountStep(ctx context.Context, st step, change func(*gorm.DB, *models.SmartAccount, time.Time) error) (SAState, error) {
	out, err := runStep(ctx, s.DB, rowStep[models.SmartAccount, SAState]{
		find: func(ctx context.Context, tx *gorm.DB) (models.SmartAccount, error) {
			return models.FindSmartAccount(ctx, tx, st.id)
		},
		due: func(sa models.SmartAccount) bool { return sa.Status == st.from },
		change: func(tx *gorm.DB, sa *models.SmartAccount, now time.Time) error {
			prev := sa.WaitingOn
			if err := change(tx, sa, now); err != nil {
				return err
			}
			if err := s.settle(tx, sa, st.window, prev); err != nil {
				return err
			}
			if st.outcome == nil {
				return nil
			}
			return useLink(tx, st.tokenID, st.outcome(*sa), now)
		},
		state: s.stateOf,
	})
	if err != nil {
		return SAState{}, err
	}
	s.logger().Info("smart account moved", "smartAccountId", st.id, "from", st.from, "status", out.Status)
	return out, nil
}

// CiscoApprovers lists who decides domain approvals: users holding the cisco-approver role and the
// configured extra addresses.
func (s *Store) CiscoApprovers(ctx context.Context) ([]string, error) {
	return s.ciscoApprovers(ctx, s.DB)
}

// ciscoApprovers lists the Cisco approvers less the excluded people: nobody decides their own request.
func (s *Store) ciscoApprovers(ctx context.Context, db *gorm.DB, exclude ...string) ([]string, error) {
	return withRole(ctx, db, models.RoleCiscoApprover, s.ExtraCiscoApprovers, exclude...)
}

// withRole lists the users holding a platform role and the extra addresses configured for it, less the
// excluded people.
func withRole(ctx context.Context, db *gorm.DB, role string, extra []string, exclude ...string) ([]string, error) {
	users, err := models.UsersWithRole(ctx, db, role)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range exclude {
		seen[models.NormalizeEmail(e)] = true
	}
	var out []string
	for _, e := range append(emails(users), extra...) {
		e = models.NormalizeEmail(e)
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func emails(users []models.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Email
	}
	return out
}

func (s *Store) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// stateOf describes an account for the workflow, with whom it waits for as stored.
func (s *Store) stateOf(ctx context.Context, db *gorm.DB, sa models.SmartAccount) (SAState, error) {
	st := SAState{SmartAccountID: sa.ID, Name: sa.Name, Domain: sa.Domain, Status: sa.Status, SMB: sa.SMB,
		DecidedBy: sa.DecidedBy, Reason: sa.DecisionReason, AcceptedBy: sa.AcceptedBy,
		WaitingOn: models.NonNil(sa.WaitingOn), Approvers: models.People(sa.WaitingOn)}
	if sa.DecidedAt != nil {
		st.DecidedAt = *sa.DecidedAt
	}
	var err error
	if sa.Status == models.SAPendingCustomerAcceptance {
		st.TLDAdmins, err = models.TLDApprovers(ctx, db, sa.TLD)
	}
	return st, err
}

// lockTLD serializes the decisions about one TLD, so two requests cannot both find no ACTIVE account
// and both activate. SQLite has a single writer already.
func lockTLD(tx *gorm.DB, tld string) error {
	return models.AdvisoryLock(tx, "tld:"+tld, tld)
}

func domainTaken(tx *gorm.DB, domain string) (bool, error) {
	var n int64
	// Holding accounts share their partner's domain: only a customer account takes it.
	err := tx.Model(&models.SmartAccount{}).Where("domain = ? AND type = ? AND status NOT IN ?", domain,
		models.SATypeCustomer, []models.SAStatus{models.SADeclined, models.SAExpired}).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check domain %s: %w", domain, err)
	}
	return n > 0, nil
}

// setStatus moves an account from one status to another, refusing when another writer moved it first.
func setStatus(tx *gorm.DB, sa *models.SmartAccount, from, to models.SAStatus, now time.Time) error {
	if err := moveAccount(tx, "set status of", sa.ID, from, map[string]any{"status": to, "updated_at": now}); err != nil {
		return err
	}
	sa.Status, sa.UpdatedAt = to, now
	return nil
}

// activate makes an account ACTIVE and its requester and nominees its administrators.
func activate(tx *gorm.DB, sa *models.SmartAccount, actor string, now time.Time) error {
	from := sa.Status
	if err := moveAccount(tx, "activate", sa.ID, from, map[string]any{"status": models.SAActive, "activated_at": now,
		"decided_by": actor, "decided_at": now, "updated_at": now}); err != nil {
		return err
	}
	sa.Status, sa.ActivatedAt, sa.DecidedBy, sa.DecidedAt = models.SAActive, &now, actor, &now
	evs := []models.Event{event(sa.ID, models.TargetSmartAccount, sa.ID, actor, models.EventSAActivated,
		map[string]any{"from": from})}
	for _, email := range adminsOf(*sa) {
		role := models.AccountRole{ID: models.NewID(), UserEmail: email, SmartAccountID: sa.ID,
			Role: models.RoleSAAdmin, GrantedBy: actor, CreatedAt: now}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&role)
		if res.Error != nil {
			return fmt.Errorf("grant admin to %s: %w", email, res.Error)
		}
		if res.RowsAffected == 1 {
			evs = append(evs, event(sa.ID, models.TargetAccountRole, role.ID, actor, models.EventRoleGranted,
				map[string]any{"email": email, "role": role.Role}))
		}
	}
	return writeEvents(tx, now, evs...)
}

// adminsOf lists the requester and the nominees, without repeats. An account requested on a
// customer's behalf is the customer's: the contact who accepted it stands in for the requester.
func adminsOf(sa models.SmartAccount) []string {
	seen := map[string]bool{}
	var out []string
	first := sa.RequestedBy
	if sa.OnBehalf {
		first = sa.AcceptedBy
	}
	for _, e := range append([]string{first}, sa.NominatedAdmins...) {
		e = models.NormalizeEmail(e)
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// decline ends an account in its status to (DECLINED, or DECLINED_BY_CUSTOMER), decided by actor for the
// reason, with the event action.
func decline(tx *gorm.DB, sa *models.SmartAccount, to models.SAStatus, actor, reason, action string, details map[string]any,
	now time.Time) error {
	if err := moveAccount(tx, "decline", sa.ID, sa.Status, map[string]any{"status": to, "decided_by": actor,
		"decided_at": now, "decision_reason": reason, "updated_at": now}); err != nil {
		return err
	}
	sa.Status, sa.DecidedBy, sa.DecidedAt, sa.DecisionReason = to, actor, &now, reason
	return writeEvents(tx, now, event(sa.ID, models.TargetSmartAccount, sa.ID, actor, action, details))
}

// moveAccount applies changes to an account while it is still in status from (verb names the change in an error).
func moveAccount(tx *gorm.DB, verb, id string, from models.SAStatus, changes map[string]any) error {
	return moveRow(tx, &models.SmartAccount{}, "smart account", verb, id, from, changes)
}

func event(saID, targetType, targetID, actor, action string, details map[string]any) models.Event {
	if details == nil {
		details = map[string]any{}
	}
	return models.Event{SmartAccountID: saID, TargetType: targetType, TargetID: targetID, Actor: actor,
		Action: action, Details: details}
}

func writeEvents(tx *gorm.DB, now time.Time, evs ...models.Event) error {
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		evs[i].ID = models.NewID()
		evs[i].CreatedAt = now
	}
	if err := tx.Create(&evs).Error; err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// smbDomain is the Account Domain Identifier of an SMB account: random, since a personal mail domain
// identifies nobody's company.
func smbDomain() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)) + ".smb"
}

// IsConflict reports whether err is the store's refusal of a request that clashes with existing data,
// as the store returns it or as it arrives across the Temporal boundary.
func IsConflict(err error) bool {
	return models.ErrorCode(process.DecodeError(err)) == models.CodeConflict
}
