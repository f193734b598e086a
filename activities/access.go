package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/licensecentral/clc/models"
)

// CreateAccessInput is an access request as the API validated it.
type CreateAccessInput struct {
	RequestID       string
	WorkflowID      string
	SmartAccountID  string
	Requester       models.Person
	Role            models.Role
	VirtualAccounts []string
	ForEmails       []string
	Reason          string
	ExpiresAt       time.Time
	// PartnerDomain, on a partner's request (FEATURES AC8), names the registered partner whose people are to
	// hold the role; ForEmails is then empty.
	PartnerDomain string
}

// VARef names a virtual account in mails and pages.
type VARef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AutoDecision is a decision taken without a person: by an automation rule, or because the requester
// administers the account.
type AutoDecision struct {
	Approve bool
	Actor   string
	RuleID  string
	Reason  string
}

// AccessState is an access request after a store step.
type AccessState struct {
	RequestID       string
	SmartAccountID  string
	AccountName     string
	Domain          string
	Requester       string
	Role            models.Role
	VirtualAccounts []VARef
	ForEmails       []string
	Reason          string
	Status          models.AccessStatus
	// Approvers are mailed the task: the account's administrators, or the administrators of the
	// requested virtual accounts when a rule routes it so.
	Approvers []string
	// Admins may decide besides the approvers mailed: the account's approvers by the same rule, less the
	// people the request is by or for.
	Admins        []string
	DelegatedTo   string
	OutsideDomain []string
	// Auto, when set on a new request, is the decision the workflow applies at once.
	Auto           *AutoDecision
	RouteRule      string
	DecidedBy      string
	DecidedAt      time.Time
	DecisionReason string
	DeclinedVAs    []string
	ExpiresAt      time.Time
	// PartnerDomain and PartnerName name the partner of a partner's request (FEATURES AC8).
	PartnerDomain string
	PartnerName   string
}

// CreateAccessRequest records a request for an ACTIVE account and works out who decides it: the
// account's automation rules first (FEATURES AC3), an administrator requesting for others next, the
// administrators otherwise. A partner's request (FEATURES AC8) is decided by the account's
// administrators only. A retry returns the row the first attempt wrote.
func (s *Store) CreateAccessRequest(ctx context.Context, in CreateAccessInput) (AccessState, error) {
	if ar, err := models.FindAccessRequest(ctx, s.DB, in.RequestID); err == nil {
		return s.accessState(ctx, s.DB, ar, nil)
	} else if models.ErrorCode(err) != models.CodeNotFound {
		return AccessState{}, err
	}
	var out AccessState
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tctx := tx.Statement.Context
		sa, err := models.FindSmartAccount(tctx, tx, in.SmartAccountID)
		if err != nil {
			return err
		}
		if sa.Status != models.SAActive {
			return conflictError(fmt.Sprintf("the Smart Account is %s: access can be requested once it is ACTIVE", sa.Status))
		}
		requester := models.NormalizeEmail(in.Requester.Email)
		people := append([]string{requester}, in.ForEmails...)
		outside := []string{}
		for _, p := range people {
			if !models.SameTLD(p, sa.Domain) && !slices.Contains(outside, p) {
				outside = append(outside, p)
			}
		}
		approvers, err := models.Approvers(tctx, tx, sa.TLD, []string{sa.ID}, people...)
		if err != nil {
			return err
		}
		auto, routeRule := (*AutoDecision)(nil), ""
		if in.PartnerDomain != "" {
			if in.PartnerDomain, approvers, err = partnerApprovers(tctx, tx, in.PartnerDomain, requester, approvers); err != nil {
				return err
			}
			out, err = s.recordAccess(tctx, tx, &sa, in, requester, approvers, outside, "", nil)
			return err
		}
		rules, err := models.AccessRules(tctx, tx, sa.ID)
		if err != nil {
			return err
		}
		// Only a Smart Account Administrator's own request is granted by them at once: an approver decides
		// other people's requests, never one they made (which could make them an administrator).
		saAdmins, err := models.AdminEmails(tctx, tx, sa.ID)
		if err != nil {
			return err
		}
		isAdmin := slices.Contains(saAdmins, requester)
		for _, r := range rules {
			if isAdmin || !r.Matches(in.Role, len(outside) == 0) {
				continue
			}
			// The first rule that matches acts; the ones after it are not tried.
			switch r.Action {
			case models.RuleApprove, models.RuleDecline:
				auto = &AutoDecision{Approve: r.Action == models.RuleApprove, Actor: models.ActorRulePrefix + r.ID,
					RuleID: r.ID, Reason: "automation rule: " + r.Describe()}
			case models.RuleRouteVAAdmins:
				vaAdmins, err := models.VAAdminsOf(tctx, tx, sa.ID, in.VirtualAccounts)
				if err != nil {
					return err
				}
				if routed := models.OfTLD(vaAdmins, sa.TLD, people...); len(routed) > 0 {
					approvers, routeRule = routed, r.ID
				}
			}
			break
		}
		if isAdmin {
			auto = &AutoDecision{Approve: true, Actor: requester, Reason: "requested by an administrator of the account"}
		}
		if len(approvers) == 0 && auto == nil {
			// Nobody else administers the account: Cisco's approvers decide rather than nobody.
			if approvers, err = s.ciscoApprovers(tctx, tx, people...); err != nil {
				return err
			}
		}
		out, err = s.recordAccess(tctx, tx, &sa, in, requester, approvers, outside, routeRule, auto)
		return err
	})
	if err != nil {
		return AccessState{}, err
	}
	s.logger().Info("access requested", "accessRequestId", out.RequestID, "smartAccountId", out.SmartAccountID,
		"role", out.Role, "approvers", len(out.Approvers), "auto", out.Auto != nil)
	return out, nil
}

// partnerApprovers are who decide a partner's request (FEATURES AC8): the account's approvers but the
// partner's own people, checked against the partner's rows as they are now (the API's check may be a
// moment old). No automation rule decides it, nor does the requester as an administrator: consent to
// a partner is a person's of the customer, and nobody approves their own request. With nobody of the
// customer left to decide it, the request is refused rather than handed to Cisco.
func partnerApprovers(ctx context.Context, tx *gorm.DB, domain, requester string, approvers []string) (string, []string, error) {
	p, err := models.PartnerRequester(ctx, tx, domain, requester)
	if err != nil {
		return "", nil, err
	}
	approvers = models.OutsidePartner(approvers, p.Domain)
	if len(approvers) == 0 {
		return "", nil, conflictError(fmt.Sprintf(
			"the Smart Account has no administrator outside %s to consent to the partner's access", p.Domain))
	}
	return p.Domain, approvers, nil
}

// recordAccess writes a new request with its event, and answers its state with the automatic decision.
func (s *Store) recordAccess(ctx context.Context, tx *gorm.DB, sa *models.SmartAccount, in CreateAccessInput, requester string,
	approvers, outside []string, routeRule string, auto *AutoDecision) (AccessState, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	ar := models.AccessRequest{ID: in.RequestID, SmartAccountID: sa.ID, WorkflowID: in.WorkflowID, RequestedBy: requester,
		ForEmails: nonNil(in.ForEmails), Role: in.Role, VirtualAccounts: nonNil(in.VirtualAccounts), Reason: in.Reason,
		Status: models.AccessPending, Approvers: nonNil(approvers), OutsideDomain: outside, RuleID: routeRule,
		DeclinedVirtualAccounts: []string{}, ExpiresAt: in.ExpiresAt.UTC(), PartnerDomain: in.PartnerDomain,
		CreatedAt: now, UpdatedAt: now}
	if auto != nil {
		ar.RuleID = auto.RuleID
	}
	if err := tx.Create(&ar).Error; err != nil {
		return AccessState{}, fmt.Errorf("insert access request: %w", err)
	}
	details := map[string]any{"role": ar.Role, "forEmails": ar.ForEmails, "virtualAccounts": ar.VirtualAccounts,
		"reason": ar.Reason, "approvers": ar.Approvers, "outsideDomain": outside}
	if routeRule != "" {
		details["routedByRule"] = routeRule
	}
	if ar.PartnerDomain != "" {
		details["partnerDomain"] = ar.PartnerDomain
	}
	if err := writeEvents(tx, now, event(sa.ID, models.TargetAccessRequest, ar.ID, requester, models.EventAccessRequested, details)); err != nil {
		return AccessState{}, err
	}
	out, err := s.accessState(ctx, tx, ar, sa)
	out.Auto = auto
	return out, err
}

// DecideAccessInput is a decision on an access request: a person's, or an automatic one.
type DecideAccessInput struct {
	RequestID string
	Approve   bool
	Actor     string
	Reason    string
	Via       string
	// DeclinedVAs are requested virtual accounts the approver declines while approving the others.
	DeclinedVAs []string
	RuleID      string
	TokenID     string
}

// DecideAccessRequest approves (granting every role, with its event, in this one transaction) or
// declines a PENDING request. A retry after the commit finds it decided and returns its state.
func (s *Store) DecideAccessRequest(ctx context.Context, in DecideAccessInput) (AccessState, error) {
	out, err := s.accessStep(ctx, in.RequestID, func(tx *gorm.DB, ar *models.AccessRequest, now time.Time) error {
		status, action := models.AccessDeclined, models.EventAccessDeclined
		if in.Approve {
			status, action = models.AccessApproved, models.EventAccessApproved
		}
		if err := movePending(tx, "decide", ar, map[string]any{"status": status, "decided_by": in.Actor, "decided_at": now,
			"decision_reason": in.Reason, "declined_virtual_accounts": jsonText(nonNil(in.DeclinedVAs)), "updated_at": now},
		); err != nil {
			return err
		}
		details := map[string]any{"reason": in.Reason, "via": in.Via, "role": ar.Role}
		if in.RuleID != "" {
			details["rule"] = in.RuleID
		}
		if len(in.DeclinedVAs) > 0 {
			details["declinedVirtualAccounts"] = in.DeclinedVAs
		}
		evs := []models.Event{event(ar.SmartAccountID, models.TargetAccessRequest, ar.ID, in.Actor, action, details)}
		if in.Approve && ar.PartnerDomain != "" {
			if err := grantPartner(tx, *ar, in.DeclinedVAs, in.Actor, now); err != nil {
				return err
			}
		} else if in.Approve {
			granted, err := grantRoles(tx, *ar, in.DeclinedVAs, in.Actor, now)
			if err != nil {
				return err
			}
			evs = append(evs, granted...)
		}
		if err := writeEvents(tx, now, evs...); err != nil {
			return err
		}
		ar.Status, ar.DecidedBy, ar.DecidedAt, ar.DecisionReason = status, in.Actor, &now, in.Reason
		ar.DeclinedVirtualAccounts = nonNil(in.DeclinedVAs)
		decision := map[bool]string{true: "APPROVE", false: "DECLINE"}[in.Approve]
		return useLink(tx, in.TokenID, models.AccessOutcome(decision, *ar), now)
	})
	if err != nil {
		return AccessState{}, err
	}
	s.logger().Info("access request decided", "accessRequestId", in.RequestID, "status", out.Status, "by", in.Actor)
	return out, nil
}

// accessStep runs change on a request that is still PENDING, in one transaction with the answer of its
// state; a request already past PENDING (a retry after the commit) is answered unchanged.
func (s *Store) accessStep(ctx context.Context, id string, change func(*gorm.DB, *models.AccessRequest, time.Time) error,
) (AccessState, error) {
	return runStep(ctx, s.DB, rowStep[models.AccessRequest, AccessState]{
		find: func(ctx context.Context, tx *gorm.DB) (models.AccessRequest, error) {
			return models.FindAccessRequest(ctx, tx, id)
		},
		due:    func(ar models.AccessRequest) bool { return ar.Status == models.AccessPending },
		change: change,
		state: func(ctx context.Context, tx *gorm.DB, ar models.AccessRequest) (AccessState, error) {
			return s.accessState(ctx, tx, ar, nil)
		},
	})
}

// movePending applies changes to a request while it is still PENDING (verb names the change in an error).
func movePending(tx *gorm.DB, verb string, ar *models.AccessRequest, changes map[string]any) error {
	return moveRow(tx, &models.AccessRequest{}, "access request", verb+" access request", ar.ID, models.AccessPending,
		changes)
}

// scopes are where an approved request gives its role: the account, or each virtual account approved.
func scopes(ar models.AccessRequest, declined []string) []string {
	if !ar.Role.VARole() {
		return []string{""}
	}
	return slices.DeleteFunc(slices.Clone(ar.VirtualAccounts), func(id string) bool { return slices.Contains(declined, id) })
}

// grantPartner gives a partner's request its grants (FEATURES AC8), one per scope, each with its
// PARTNER_ACCESS_GRANTED event, in the decision's transaction; a grant already there is kept.
func grantPartner(tx *gorm.DB, ar models.AccessRequest, declined []string, actor string, now time.Time) error {
	for _, va := range scopes(ar, declined) {
		if err := models.GrantPartnerIn(tx, actor, ar.SmartAccountID, models.PartnerGrantInput{PartnerDomain: ar.PartnerDomain,
			Role: ar.Role, VirtualAccountID: va, AccessRequestID: ar.ID}, now); err != nil {
			return err
		}
	}
	return nil
}

// grantRoles gives each person the role, on the account or on each approved virtual account; a role
// already held is left alone and gets no event.
func grantRoles(tx *gorm.DB, ar models.AccessRequest, declined []string, actor string, now time.Time) ([]models.Event, error) {
	var evs []models.Event
	for _, email := range ar.ForEmails {
		for _, va := range scopes(ar, declined) {
			role := models.AccountRole{ID: models.NewID(), UserEmail: email, SmartAccountID: ar.SmartAccountID,
				VirtualAccountID: va, Role: ar.Role, GrantedBy: actor, CreatedAt: now}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&role)
			if res.Error != nil {
				return nil, fmt.Errorf("grant %s to %s: %w", ar.Role, email, res.Error)
			}
			if res.RowsAffected == 1 {
				evs = append(evs, event(ar.SmartAccountID, models.TargetAccountRole, role.ID, actor, models.EventRoleGranted,
					map[string]any{"email": email, "role": role.Role, "virtualAccountId": va, "accessRequestId": ar.ID}))
			}
		}
	}
	return evs, nil
}

// DelegateAccessInput hands the decision of a request to another person.
type DelegateAccessInput struct {
	RequestID  string
	Actor      string
	DelegateTo string
	Reason     string
	Via        string
	TokenID    string
}

// DelegateAccessRequest records that the request now waits for the delegate.
func (s *Store) DelegateAccessRequest(ctx context.Context, in DelegateAccessInput) (AccessState, error) {
	to := models.NormalizeEmail(in.DelegateTo)
	return s.accessStep(ctx, in.RequestID, func(tx *gorm.DB, ar *models.AccessRequest, now time.Time) error {
		if ar.DelegatedTo == to {
			return nil
		}
		if err := movePending(tx, "delegate", ar,
			map[string]any{"delegated_to": to, "approvers": jsonText([]string{to}), "updated_at": now}); err != nil {
			return err
		}
		if err := writeEvents(tx, now, event(ar.SmartAccountID, models.TargetAccessRequest, ar.ID, models.NormalizeEmail(in.Actor),
			models.EventAccessDelegated, map[string]any{"to": to, "reason": in.Reason, "via": in.Via})); err != nil {
			return err
		}
		ar.DelegatedTo, ar.Approvers, ar.UpdatedAt = to, []string{to}, now
		return useLink(tx, in.TokenID, models.AccessOutcome("DELEGATE", *ar), now)
	})
}

// ExpireAccessRequest marks a request nobody decided EXPIRED.
func (s *Store) ExpireAccessRequest(ctx context.Context, requestID string) (AccessState, error) {
	return s.accessStep(ctx, requestID, func(tx *gorm.DB, ar *models.AccessRequest, now time.Time) error {
		if err := movePending(tx, "expire", ar, map[string]any{"status": models.AccessExpired, "updated_at": now}); err != nil {
			return err
		}
		ar.Status = models.AccessExpired
		return writeEvents(tx, now, event(ar.SmartAccountID, models.TargetAccessRequest, ar.ID, models.ActorSystem,
			models.EventAccessExpired, map[string]any{"approvers": ar.Approvers}))
	})
}

func (s *Store) accessState(ctx context.Context, db *gorm.DB, ar models.AccessRequest, sa *models.SmartAccount) (AccessState, error) {
	if sa == nil {
		acct, err := models.FindSmartAccount(ctx, db, ar.SmartAccountID)
		if err != nil {
			return AccessState{}, err
		}
		sa = &acct
	}
	st := AccessState{RequestID: ar.ID, SmartAccountID: sa.ID, AccountName: sa.Name, Domain: sa.Domain,
		Requester: ar.RequestedBy, Role: ar.Role, ForEmails: ar.ForEmails, Reason: ar.Reason, Status: ar.Status,
		Approvers: ar.Approvers, DelegatedTo: ar.DelegatedTo, OutsideDomain: ar.OutsideDomain, RouteRule: ar.RuleID,
		DecidedBy: ar.DecidedBy, DecisionReason: ar.DecisionReason, DeclinedVAs: ar.DeclinedVirtualAccounts,
		ExpiresAt: ar.ExpiresAt, VirtualAccounts: []VARef{}, PartnerDomain: ar.PartnerDomain}
	if ar.DecidedAt != nil {
		st.DecidedAt = *ar.DecidedAt
	}
	admins, err := models.Approvers(ctx, db, sa.TLD, []string{sa.ID}, append([]string{ar.RequestedBy}, ar.ForEmails...)...)
	if err != nil {
		return st, err
	}
	st.Admins = admins
	if ar.PartnerDomain != "" {
		st.Admins = models.OutsidePartner(admins, ar.PartnerDomain)
		if st.PartnerName, err = models.PartnerName(ctx, db, ar.PartnerDomain); err != nil {
			return st, err
		}
	}
	if len(ar.VirtualAccounts) > 0 {
		vas, err := models.VirtualAccounts(ctx, db, sa.ID)
		if err != nil {
			return st, err
		}
		for _, id := range ar.VirtualAccounts {
			ref := VARef{ID: id, Name: id}
			for _, va := range vas {
				if va.ID == id {
					ref.Name = va.Name
				}
			}
			st.VirtualAccounts = append(st.VirtualAccounts, ref)
		}
	}
	return st, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
