package models

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// DirectoryEntry is one account of the Access Directory: the account, the caller's roles on it and
// every administrator's email.
type DirectoryEntry struct {
	Account SmartAccount
	MyRoles []AccountRole
	Admins  []string
	// Why says how the account came into the directory: MEMBER, REQUESTER or DOMAIN.
	Why string
}

// Directory lists the Access Directory of a person (FEATURES SA9): every live account of their email's
// TLD (restricted ones only where they are a member), every account they hold a role on, and the
// requests they made that are still live, by name.
func Directory(ctx context.Context, db *gorm.DB, email string) ([]DirectoryEntry, error) {
	email = NormalizeEmail(email)
	roles, err := EffectiveRoles(ctx, db, RoleFilter{Email: email})
	if err != nil {
		return nil, fmt.Errorf("roles of %s: %w", email, err)
	}
	memberOf := map[string][]AccountRole{}
	for _, r := range roles {
		memberOf[r.SmartAccountID] = append(memberOf[r.SmartAccountID], r)
	}
	ids := make([]string, 0, len(memberOf))
	for id := range memberOf {
		ids = append(ids, id)
	}
	live := []SAStatus{SADeclined, SAExpired}
	q := db.WithContext(ctx).Model(&SmartAccount{})
	// Every branch is indexed (requester, id, TLD): customer contacts share the account's TLD and are
	// found by it, and nominees by their role once the account is active.
	cond := db.Where("requested_by = ? AND status NOT IN ?", email, live)
	if len(ids) > 0 {
		cond = cond.Or("id IN ?", ids)
	}
	tld, terr := TLD(EmailDomain(email))
	if terr == nil && !IsPersonalMailDomain(tld) {
		cond = cond.Or("tld = ? AND visibility = ? AND status NOT IN ?", tld, VisibilityUnrestricted, live)
		// A restricted account waiting for my acceptance (requested on my company's behalf) is mine to see.
		cond = cond.Or("tld = ? AND visibility = ? AND status NOT IN ? AND customer_contacts LIKE ? ESCAPE '\\'",
			tld, VisibilityRestricted, live, `%"`+escapeLike(email)+`"%`)
	}
	var sas []SmartAccount
	if err := q.Where(cond).Order("lower(name), id").Limit(500).Find(&sas).Error; err != nil {
		return nil, fmt.Errorf("directory of %s: %w", email, err)
	}
	admins, err := adminsByAccount(ctx, db, sas)
	if err != nil {
		return nil, err
	}
	out := make([]DirectoryEntry, 0, len(sas))
	for _, sa := range sas {
		e := DirectoryEntry{Account: sa, MyRoles: memberOf[sa.ID], Admins: admins[sa.ID]}
		switch {
		case len(e.MyRoles) > 0:
			e.Why = "MEMBER"
		case sa.RequestedBy == email || slices.Contains(sa.NominatedAdmins, email) || slices.Contains(sa.CustomerContacts, email):
			e.Why = "REQUESTER"
		case sa.TLD == tld && sa.Visibility == VisibilityUnrestricted:
			e.Why = "DOMAIN"
		default:
			continue
		}
		if e.MyRoles == nil {
			e.MyRoles = []AccountRole{}
		}
		if e.Admins == nil {
			e.Admins = []string{}
		}
		out = append(out, e)
	}
	return out, nil
}

func adminsByAccount(ctx context.Context, db *gorm.DB, sas []SmartAccount) (map[string][]string, error) {
	out := map[string][]string{}
	if len(sas) == 0 {
		return out, nil
	}
	ids := make([]string, len(sas))
	for i, sa := range sas {
		ids[i] = sa.ID
	}
	var rows []struct{ SmartAccountID, UserEmail string }
	err := effective(ctx, db, RoleFilter{AccountIDs: ids, Roles: []Role{RoleSAAdmin}, AccountLevel: true}).
		Distinct("smart_account_id", "user_email").Order("smart_account_id, user_email").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("administrators: %w", err)
	}
	for _, r := range rows {
		out[r.SmartAccountID] = append(out[r.SmartAccountID], r.UserEmail)
	}
	return out, nil
}
