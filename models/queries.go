package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// findByID reads the row of T with the id: a 404 naming what when there is none.
func findByID[T any](ctx context.Context, db *gorm.DB, id, what string) (T, error) {
	return takeRow[T](db.WithContext(ctx).Where("id = ?", id), what, id, "")
}

// findInAccount reads the row of T with the id that belongs to the account saID. A row of another
// account is not found, so an id taken from a request never reaches into another account.
func findInAccount[T any](db *gorm.DB, saID, id, what string) (T, error) {
	return takeRow[T](db.Where("id = ? AND smart_account_id = ?", id, saID), what, id, " in this Smart Account")
}

// takeRow reads the one row q selects: a 404 "no <what> <id><where>" when there is none.
func takeRow[T any](q *gorm.DB, what, id, where string) (T, error) {
	var v T
	err := q.Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, Errorf(CodeNotFound, "no %s %s%s", what, id, where)
	}
	if err != nil {
		return v, fmt.Errorf("read %s %s: %w", strings.ToLower(what), id, err)
	}
	return v, nil
}

// FindSmartAccount reads one account by id.
func FindSmartAccount(ctx context.Context, db *gorm.DB, id string) (SmartAccount, error) {
	return findByID[SmartAccount](ctx, db, id, "Smart Account")
}

// FindSmartAccountWithRequester reads an account and the name its requester signed in with (their
// address when they never did), in one round trip: what a task page shows.
func FindSmartAccountWithRequester(ctx context.Context, db *gorm.DB, id string) (SmartAccount, string, error) {
	var row struct {
		SmartAccount
		RequesterName string
	}
	err := db.WithContext(ctx).Table("smart_accounts").
		Select("smart_accounts.*, COALESCE(NULLIF(users.name, ''), smart_accounts.requested_by) AS requester_name").
		Joins("LEFT JOIN users ON users.email = smart_accounts.requested_by").
		Where("smart_accounts.id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SmartAccount{}, "", Errorf(CodeNotFound, "no Smart Account %s", id)
	}
	if err != nil {
		return SmartAccount{}, "", fmt.Errorf("read smart account %s: %w", id, err)
	}
	return row.SmartAccount, row.RequesterName, nil
}

// FindSmartAccountByRequest reads the account a creation request made, if any.
func FindSmartAccountByRequest(ctx context.Context, db *gorm.DB, requestID string) (SmartAccount, bool, error) {
	var sa SmartAccount
	err := db.WithContext(ctx).Where("request_id = ?", requestID).Take(&sa).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sa, false, nil
	}
	if err != nil {
		return sa, false, fmt.Errorf("read smart account of request %s: %w", requestID, err)
	}
	return sa, true, nil
}

// LiveAccountsForTLD lists the accounts of a TLD that still hold their domain, oldest first.
func LiveAccountsForTLD(ctx context.Context, db *gorm.DB, tld string) ([]SmartAccount, error) {
	return findAll[SmartAccount](db.WithContext(ctx).Where("tld = ? AND status NOT IN ?", tld,
		[]SAStatus{SADeclined, SAExpired}).Order("created_at, id"), "accounts of %s", tld)
}

// ActiveAccountIDsForTLD lists the ACTIVE, non-SMB accounts of a TLD: the ones whose administrators
// approve a newcomer.
func ActiveAccountIDsForTLD(ctx context.Context, db *gorm.DB, tld string) ([]string, error) {
	return pluckAll[string](db.WithContext(ctx).Model(&SmartAccount{}).
		Where("tld = ? AND status = ? AND smb = ?", tld, SAActive, false).Order("created_at, id"),
		"id", "active accounts of %s", tld)
}

// ApproverEmails lists who may approve on behalf of accounts: their Smart Account Administrators and
// Smart Account Approvers, by email, sorted and without repeats.
func ApproverEmails(ctx context.Context, db *gorm.DB, accountIDs []string) ([]string, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	return holdersOf(ctx, db, accountIDs, RoleSAAdmin, RoleSAApprover)
}

// AdminEmails lists an account's Smart Account Administrators, directly or through a group.
func AdminEmails(ctx context.Context, db *gorm.DB, accountID string) ([]string, error) {
	return holdersOf(ctx, db, []string{accountID}, RoleSAAdmin)
}

// RolesOn lists the effective roles a user holds on an account (on the account itself or any of its
// VAs): directly, through their groups or their partner's grants, and on the virtual accounts a role
// given with its children reaches. Every check of a person on an account reads this.
func RolesOn(ctx context.Context, db *gorm.DB, email, accountID string) ([]AccountRole, error) {
	roles, err := EffectiveRoles(ctx, db, RoleFilter{Email: email, AccountID: accountID})
	if err != nil {
		return nil, fmt.Errorf("roles of %s on %s: %w", email, accountID, err)
	}
	return roles, nil
}

// AccountRoles lists every role granted directly on an account, as the rows hold them.
func AccountRoles(ctx context.Context, db *gorm.DB, accountID string) ([]AccountRole, error) {
	return findAll[AccountRole](db.WithContext(ctx).Where("smart_account_id = ?", accountID).Order("user_email, role"),
		"roles on %s", accountID)
}

// VirtualAccounts lists an account's virtual accounts, the default first.
func VirtualAccounts(ctx context.Context, db *gorm.DB, accountID string) ([]VirtualAccount, error) {
	return findAll[VirtualAccount](db.WithContext(ctx).Where("smart_account_id = ?", accountID).
		Order("is_default DESC, name"), "virtual accounts of %s", accountID)
}

// AccountEvents lists an account's history, oldest first; after (an event id) pages on.
func AccountEvents(ctx context.Context, db *gorm.DB, accountID, after string, limit int) ([]Event, error) {
	q := db.WithContext(ctx).Where("smart_account_id = ?", accountID)
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var evs []Event
	if err := q.Order("id").Limit(limit).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("events of %s: %w", accountID, err)
	}
	return evs, nil
}

// ActedOn reports whether, and when, actor wrote the event action about an account.
func ActedOn(ctx context.Context, db *gorm.DB, accountID, action, actor string) (time.Time, bool, error) {
	var ev Event
	err := db.WithContext(ctx).Where("smart_account_id = ? AND action = ? AND actor = ?", accountID, action, NormalizeEmail(actor)).
		Order("id DESC").Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("events of %s: %w", accountID, err)
	}
	return ev.CreatedAt, true, nil
}

// Viewer is who asks to see accounts: an email and platform roles.
type Viewer struct {
	Email string
	Roles []string
}

// Internal reports whether the viewer is Cisco staff who may see every account.
func (v Viewer) Internal() bool {
	return slices.Contains(v.Roles, RoleCiscoApprover) || slices.Contains(v.Roles, RoleLicensingOps) ||
		slices.Contains(v.Roles, RoleCiscoSupport)
}

// CanSee reports whether a viewer may see an account's details: its members, its requester, nominees
// and customer contacts, Cisco staff, and, for unrestricted accounts, people of the account's own TLD.
func CanSee(v Viewer, sa SmartAccount, rolesOnIt []AccountRole) bool {
	email := NormalizeEmail(v.Email)
	if v.Internal() || len(rolesOnIt) > 0 || email == sa.RequestedBy || slices.Contains(sa.NominatedAdmins, email) ||
		slices.Contains(sa.CustomerContacts, email) {
		return true
	}
	if sa.Visibility == VisibilityRestricted {
		return false
	}
	tld, err := TLD(EmailDomain(email))
	return err == nil && tld == sa.TLD
}

// SearchFilter selects accounts by domain, name or a member's email.
type SearchFilter struct {
	Domain string
	Name   string
	Email  string
	Limit  int
}

// SearchSmartAccounts finds live accounts. Unrestricted accounts match partially (name contains,
// domain contains); restricted ones only by their exact name or exact domain (FEATURES SA10), whoever
// asks.
func SearchSmartAccounts(ctx context.Context, db *gorm.DB, f SearchFilter) ([]SmartAccount, error) {
	var sas []SmartAccount
	if err := searchQuery(ctx, db, f).Find(&sas).Error; err != nil {
		return nil, fmt.Errorf("search smart accounts: %w", err)
	}
	return sas, nil
}

// searchQuery is SearchSmartAccounts's query (the picker, X7): the unrestricted accounts that match
// partially, by the trigram indexes of migration 00013 (containing: the needle's rarest word), beside
// the restricted ones that match exactly, by the B-trees on domain (migration 00017) and lower(name).
// An exact match of an unrestricted account is one of its partial matches, so the two parts are the
// answer, each cut to the limit and merged in the same order.
func searchQuery(ctx context.Context, db *gorm.DB, f SearchFilter) *gorm.DB {
	live := []SAStatus{SADeclined, SAExpired}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	d, n := strings.ToLower(strings.TrimSpace(f.Domain)), strings.ToLower(strings.TrimSpace(f.Name))
	base := func() *gorm.DB { return db.WithContext(ctx).Model(&SmartAccount{}).Where("status NOT IN ?", live) }
	open := base()
	if d != "" || n != "" || f.Email != "" {
		open = open.Where("visibility = ?", VisibilityUnrestricted)
	}
	if d != "" {
		open = containing(ctx, db, open, "domain", "smart_accounts", "domain", d)
	}
	if n != "" {
		open = containing(ctx, db, open, "lower(name)", "smart_accounts_name", "lower", n)
	}
	if f.Email != "" {
		// By a member's email: the accounts where that address holds a role, unrestricted ones only,
		// since an email is never an exact name or domain.
		open = open.Where("id IN (?)", AccountsOf(ctx, db, f.Email))
	}
	open = open.Order("name, id").Limit(limit)
	if f.Email != "" || d == "" && n == "" {
		return open
	}
	closed := base().Where("visibility <> ?", VisibilityUnrestricted)
	if d != "" {
		closed = closed.Where("domain = ?", d)
	}
	if n != "" {
		closed = closed.Where("lower(name) = ?", n)
	}
	closed = closed.Order("name, id").Limit(limit)
	return db.WithContext(ctx).Raw("SELECT * FROM (?) o UNION ALL SELECT * FROM (?) r ORDER BY name, id LIMIT ?", open, closed, limit)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
