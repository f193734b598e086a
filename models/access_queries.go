package models

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// FindAccessRequest reads one access request.
func FindAccessRequest(ctx context.Context, db *gorm.DB, id string) (AccessRequest, error) {
	return findByID[AccessRequest](ctx, db, id, "access request")
}

// AccessFilter selects an account's access requests.
type AccessFilter struct {
	Status AccessStatus
	// RequestedBy, when set, keeps the requests that person made or is named in.
	RequestedBy string
	Limit       int
}

// AccessRequests lists an account's access requests, newest first.
func AccessRequests(ctx context.Context, db *gorm.DB, saID string, f AccessFilter) ([]AccessRequest, error) {
	q := db.WithContext(ctx).Where("smart_account_id = ?", saID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.RequestedBy != "" {
		e := NormalizeEmail(f.RequestedBy)
		q = q.Where("(requested_by = ? OR for_emails LIKE ? ESCAPE '\\')", e, `%"`+escapeLike(e)+`"%`)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []AccessRequest
	if err := q.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("access requests of %s: %w", saID, err)
	}
	if f.RequestedBy != "" {
		e := NormalizeEmail(f.RequestedBy)
		out = slices.DeleteFunc(out, func(a AccessRequest) bool { return a.RequestedBy != e && !slices.Contains(a.ForEmails, e) })
	}
	return out, nil
}

// PendingAccessCount counts an account's access requests that wait for a decision (FEATURES AC7).
func PendingAccessCount(ctx context.Context, db *gorm.DB, saID string) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&AccessRequest{}).Where("smart_account_id = ? AND status = ?", saID, AccessPending).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count pending access requests of %s: %w", saID, err)
	}
	return n, nil
}

// AccessRules lists an account's automation rules in the order they are tried.
func AccessRules(ctx context.Context, db *gorm.DB, saID string) ([]AccessRule, error) {
	return findAll[AccessRule](db.WithContext(ctx).Where("smart_account_id = ?", saID).Order("priority, id"),
		"access rules of %s", saID)
}

// ReplaceAccessRules sets an account's automation rules, in the given order, with one event that
// records the old and the new list (and internal support's reason, when support made the change).
func ReplaceAccessRules(ctx context.Context, db *gorm.DB, actor, saID string, rules []AccessRule, supportReason string) ([]AccessRule, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := AccessRules(ctx, tx, saID)
		if err != nil {
			return err
		}
		if err := tx.Where("smart_account_id = ?", saID).Delete(&AccessRule{}).Error; err != nil {
			return fmt.Errorf("delete access rules of %s: %w", saID, err)
		}
		now := Now()
		for i := range rules {
			rules[i].ID, rules[i].SmartAccountID, rules[i].Priority = NewID(), saID, i+1
			rules[i].CreatedBy, rules[i].CreatedAt = actor, now
		}
		if len(rules) > 0 {
			if err := tx.Create(&rules).Error; err != nil {
				return fmt.Errorf("insert access rules of %s: %w", saID, err)
			}
		}
		details := map[string]any{"before": describeRules(old), "after": describeRules(rules)}
		if supportReason != "" {
			details["supportReason"] = supportReason
		}
		return WriteEvents(tx, now, NewEvent(saID, TargetAccessRules, saID, actor, EventAccessRulesChanged, details))
	})
	if err != nil {
		return nil, err
	}
	return rules, nil
}

func describeRules(rules []AccessRule) []string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.Describe())
	}
	return out
}

// FindUpgrade reads one SMB upgrade.
func FindUpgrade(ctx context.Context, db *gorm.DB, id string) (SAUpgrade, error) {
	return findByID[SAUpgrade](ctx, db, id, "upgrade")
}

// LatestUpgrade reads an account's newest upgrade request, if any.
func LatestUpgrade(ctx context.Context, db *gorm.DB, saID string) (SAUpgrade, bool, error) {
	var u SAUpgrade
	err := db.WithContext(ctx).Where("smart_account_id = ?", saID).Order("id DESC").Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("upgrade of %s: %w", saID, err)
	}
	return u, true, nil
}

// FormerEmails lists the other addresses a person signed in with: the users sharing their CCO id.
// An SMB account's owner who changed their profile mail keeps their account through it.
func FormerEmails(ctx context.Context, db *gorm.DB, email, ccoID string) ([]string, error) {
	if ccoID == "" {
		return nil, nil
	}
	return pluckAll[string](db.WithContext(ctx).Model(&User{}).
		Where("cco_id = ? AND email <> ?", ccoID, NormalizeEmail(email)).Order("email"),
		"email", "former emails of %s", email)
}

// OwnedSMBAccounts lists the ACTIVE SMB accounts administered by any of the person's addresses.
func OwnedSMBAccounts(ctx context.Context, db *gorm.DB, emails []string) ([]SmartAccount, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	admins := effective(ctx, db, RoleFilter{Emails: emails, Roles: []Role{RoleSAAdmin}, AccountLevel: true})
	return findAll[SmartAccount](db.WithContext(ctx).Where("smb AND status = ? AND id IN (?)", SAActive,
		admins.Select("smart_account_id")).Order("created_at, id"), "SMB accounts of %v", emails)
}

// PendingAccessCounts counts the pending access requests of several accounts in one query.
func PendingAccessCounts(ctx context.Context, db *gorm.DB, saIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(saIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SmartAccountID string
		N              int64
	}
	err := db.WithContext(ctx).Model(&AccessRequest{}).Select("smart_account_id, count(*) AS n").
		Where("smart_account_id IN ? AND status = ?", saIDs, AccessPending).Group("smart_account_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count pending access requests: %w", err)
	}
	for _, r := range rows {
		out[r.SmartAccountID] = r.N
	}
	return out, nil
}

// AccessRequestsBy lists the access requests a person made or is named in, newest first, by account.
func AccessRequestsBy(ctx context.Context, db *gorm.DB, email string, limit int) (map[string][]AccessRequest, error) {
	e := NormalizeEmail(email)
	var ars []AccessRequest
	err := db.WithContext(ctx).Where("requested_by = ? OR for_emails LIKE ? ESCAPE '\\'", e, `%"`+escapeLike(e)+`"%`).
		Order("id DESC").Limit(limit).Find(&ars).Error
	if err != nil {
		return nil, fmt.Errorf("access requests of %s: %w", email, err)
	}
	out := map[string][]AccessRequest{}
	for _, a := range ars {
		if a.RequestedBy == e || slices.Contains(a.ForEmails, e) {
			out[a.SmartAccountID] = append(out[a.SmartAccountID], a)
		}
	}
	return out, nil
}
