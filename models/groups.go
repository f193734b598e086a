package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Limits of user groups (FEATURES AC5).
const (
	MaxGroupMembersPerCall = 1000
	MaxGroupRoles          = 100
)

// Event actions and target of user groups.
const (
	EventGroupCreated        = "GROUP_CREATED"
	EventGroupDeleted        = "GROUP_DELETED"
	EventGroupMembersAdded   = "GROUP_MEMBERS_ADDED"
	EventGroupMembersRemoved = "GROUP_MEMBERS_REMOVED"
	EventGroupRolesChanged   = "GROUP_ROLES_CHANGED"
	TargetUserGroup          = "USER_GROUP"
)

// UserGroup is a named set of an account's users whose roles its members hold (FEATURES AC5).
type UserGroup struct {
	ID             string    `gorm:"primaryKey" json:"id"`
	SmartAccountID string    `json:"smartAccountId"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	CreatedBy      string    `json:"createdBy"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// GroupMember is one person of a group, by email.
type GroupMember struct {
	GroupID   string `gorm:"primaryKey"`
	UserEmail string `gorm:"primaryKey"`
	AddedBy   string
	CreatedAt time.Time
}

// GroupRole is a role a group's members hold, on the account or on a virtual account.
type GroupRole struct {
	ID               string    `gorm:"primaryKey" json:"-"`
	GroupID          string    `json:"-"`
	SmartAccountID   string    `json:"-"`
	VirtualAccountID string    `json:"virtualAccountId,omitempty"`
	Role             Role      `json:"role"`
	IncludeChildren  bool      `json:"includeChildren"`
	GrantedBy        string    `json:"grantedBy"`
	CreatedAt        time.Time `json:"createdAt"`
}

// GroupDetails is a group with its members and roles.
type GroupDetails struct {
	UserGroup
	Members []string    `json:"members"`
	Roles   []GroupRole `json:"roles"`
}

// CreateGroup adds a group to an account, with its event; a name the account uses already is a 409.
func CreateGroup(ctx context.Context, db *gorm.DB, actor, saID, name, description, supportReason string) (UserGroup, error) {
	now := Now()
	g := UserGroup{ID: NewID(), SmartAccountID: saID, Name: name, Description: description, CreatedBy: actor,
		CreatedAt: now, UpdatedAt: now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&g).Error; err != nil {
			if IsUniqueViolation(err) {
				return &Error{Code: CodeConflict, Field: "name", Message: fmt.Sprintf("a group named %q exists already", name)}
			}
			return fmt.Errorf("insert group: %w", err)
		}
		return WriteEvents(tx, now, NewEvent(saID, TargetUserGroup, g.ID, actor, EventGroupCreated,
			withReason(map[string]any{"name": name, "description": description}, supportReason)))
	})
	return g, err
}

// FindGroup reads a group of an account with its members and roles; one of another account is not found.
func FindGroup(ctx context.Context, db *gorm.DB, saID, groupID string) (GroupDetails, error) {
	var d GroupDetails
	var err error
	if d.UserGroup, err = findInAccount[UserGroup](db.WithContext(ctx), saID, groupID, "user group"); err != nil {
		return d, err
	}
	if err := db.WithContext(ctx).Model(&GroupMember{}).Where("group_id = ?", groupID).Order("user_email").
		Pluck("user_email", &d.Members).Error; err != nil {
		return d, fmt.Errorf("members of group %s: %w", groupID, err)
	}
	if err := db.WithContext(ctx).Where("group_id = ?", groupID).Order("role, virtual_account_id").Find(&d.Roles).Error; err != nil {
		return d, fmt.Errorf("roles of group %s: %w", groupID, err)
	}
	if d.Members == nil {
		d.Members = []string{}
	}
	return d, nil
}

// GroupSummary is a group of the account's list, with how many members it has and its roles.
type GroupSummary struct {
	UserGroup
	MemberCount int64       `json:"memberCount"`
	Roles       []GroupRole `json:"roles"`
}

// Groups lists an account's groups by name, each with its member count and roles, in three queries.
func Groups(ctx context.Context, db *gorm.DB, saID string) ([]GroupSummary, error) {
	var gs []UserGroup
	if err := db.WithContext(ctx).Where("smart_account_id = ?", saID).Order("lower(name), id").Find(&gs).Error; err != nil {
		return nil, fmt.Errorf("groups of %s: %w", saID, err)
	}
	out := make([]GroupSummary, 0, len(gs))
	if len(gs) == 0 {
		return out, nil
	}
	var counts []struct {
		GroupID string
		N       int64
	}
	err := db.WithContext(ctx).Table("group_members m").Select("m.group_id, COUNT(*) AS n").
		Joins("JOIN user_groups g ON g.id = m.group_id").Where("g.smart_account_id = ?", saID).Group("m.group_id").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("group sizes of %s: %w", saID, err)
	}
	var roles []GroupRole
	if err := db.WithContext(ctx).Where("smart_account_id = ?", saID).Order("role, virtual_account_id").Find(&roles).Error; err != nil {
		return nil, fmt.Errorf("group roles of %s: %w", saID, err)
	}
	for _, g := range gs {
		s := GroupSummary{UserGroup: g, Roles: []GroupRole{}}
		for _, c := range counts {
			if c.GroupID == g.ID {
				s.MemberCount = c.N
			}
		}
		for _, r := range roles {
			if r.GroupID == g.ID {
				s.Roles = append(s.Roles, r)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// lockGroup reads a group of the account inside a transaction that holds the account's users lock.
func lockGroup(ctx context.Context, tx *gorm.DB, saID, groupID string) (UserGroup, error) {
	if err := lockUsers(tx, saID); err != nil {
		return UserGroup{}, err
	}
	return findInAccount[UserGroup](tx.WithContext(ctx), saID, groupID, "user group")
}

// AddGroupMembers adds people to a group (those already in it are left alone) and returns who was added.
func AddGroupMembers(ctx context.Context, db *gorm.DB, actor, saID, groupID string, emails []string,
	supportReason string) ([]string, error) {
	added := []string{}
	ch := groupChange{actor: actor, saID: saID, groupID: groupID, reason: supportReason, action: EventGroupMembersAdded}
	err := changeGroup(ctx, db, ch, func(tx *gorm.DB, g UserGroup, now time.Time) (map[string]any, error) {
		rows := make([]GroupMember, 0, len(emails))
		for _, e := range emails {
			rows = append(rows, GroupMember{GroupID: g.ID, UserEmail: e, AddedBy: actor, CreatedAt: now})
		}
		var had []string
		if err := tx.Model(&GroupMember{}).Where("group_id = ? AND user_email IN ?", g.ID, emails).
			Pluck("user_email", &had).Error; err != nil {
			return nil, fmt.Errorf("members of group %s: %w", g.ID, err)
		}
		rows = slices.DeleteFunc(rows, func(m GroupMember) bool { return slices.Contains(had, m.UserEmail) })
		if len(rows) == 0 {
			return nil, nil
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 500).Error; err != nil {
			return nil, fmt.Errorf("add members to group %s: %w", g.ID, err)
		}
		for _, m := range rows {
			added = append(added, m.UserEmail)
		}
		return map[string]any{"emails": added}, nil
	})
	return added, err
}

// groupChange is a change of one group: who makes it, internal support's reason, and the action its
// event records.
type groupChange struct {
	actor, saID, groupID, reason, action string
	// guard refuses (409) a change that leaves the account with no Smart Account Administrator.
	guard bool
}

// changeGroup runs change on a group in one transaction that holds the account's users lock, and
// records the event with the details change returns (with the group's name and support's reason); nil
// details mean nothing changed, and nothing is recorded.
func changeGroup(ctx context.Context, db *gorm.DB, ch groupChange,
	change func(tx *gorm.DB, g UserGroup, now time.Time) (map[string]any, error)) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		g, err := lockGroup(ctx, tx, ch.saID, ch.groupID)
		if err != nil {
			return err
		}
		keeps := func() error { return nil }
		if ch.guard {
			if keeps, err = adminGuard(ctx, tx, ch.saID); err != nil {
				return err
			}
		}
		now := Now()
		details, err := change(tx, g, now)
		if err != nil || details == nil {
			return err
		}
		if err := keeps(); err != nil {
			return err
		}
		details["name"] = g.Name
		return WriteEvents(tx, now, NewEvent(ch.saID, TargetUserGroup, g.ID, ch.actor, ch.action,
			withReason(details, ch.reason)))
	})
}

// RemoveGroupMembers takes people out of a group and returns who was removed; leaving the account with
// no Smart Account Administrator is refused (409).
func RemoveGroupMembers(ctx context.Context, db *gorm.DB, actor, saID, groupID string, emails []string,
	supportReason string) ([]string, error) {
	removed := []string{}
	ch := groupChange{actor: actor, saID: saID, groupID: groupID, reason: supportReason, action: EventGroupMembersRemoved,
		guard: true}
	err := changeGroup(ctx, db, ch, func(tx *gorm.DB, g UserGroup, _ time.Time) (map[string]any, error) {
		if err := tx.Model(&GroupMember{}).Where("group_id = ? AND user_email IN ?", g.ID, emails).Order("user_email").
			Pluck("user_email", &removed).Error; err != nil {
			return nil, fmt.Errorf("members of group %s: %w", g.ID, err)
		}
		if len(removed) == 0 {
			return nil, nil
		}
		if err := tx.Where("group_id = ? AND user_email IN ?", g.ID, removed).Delete(&GroupMember{}).Error; err != nil {
			return nil, fmt.Errorf("remove members of group %s: %w", g.ID, err)
		}
		return map[string]any{"emails": removed}, nil
	})
	return removed, err
}

// GroupRoleInput is a role of a group as the API validated it.
type GroupRoleInput struct {
	Role             Role
	VirtualAccountID string
	IncludeChildren  bool
}

// ValidGroupRoles checks a group's roles against the account's virtual accounts: known roles, a virtual
// account for (and only for) virtual account roles, each role once per place.
func ValidGroupRoles(ctx context.Context, db *gorm.DB, saID string, in []GroupRoleInput) ([]GroupRoleInput, error) {
	if len(in) > MaxGroupRoles {
		return nil, Invalid("roles", "at most %d roles per group", MaxGroupRoles)
	}
	tree, err := loadForest(ctx, db, saID)
	if err != nil {
		return nil, err
	}
	out := []GroupRoleInput{}
	for i, r := range in {
		row, bad := checkRow(UserRow{Email: "group@example.com", Role: r.Role, VirtualAccountID: r.VirtualAccountID,
			IncludeChildren: r.IncludeChildren}, false, tree, ManageScope{All: true})
		if bad != nil {
			bad.Field = fmt.Sprintf("roles[%d].%s", i, bad.Field)
			return nil, bad
		}
		r = GroupRoleInput{Role: row.Role, VirtualAccountID: row.VirtualAccountID, IncludeChildren: row.IncludeChildren}
		if slices.ContainsFunc(out, func(o GroupRoleInput) bool { return o.Role == r.Role && o.VirtualAccountID == r.VirtualAccountID }) {
			return nil, Invalid(fmt.Sprintf("roles[%d]", i), "%s is listed twice for the same place", r.Role)
		}
		out = append(out, r)
	}
	return out, nil
}

// SetGroupRoles replaces a group's roles with one event recording the old and the new ones; leaving the
// account with no Smart Account Administrator is refused (409).
func SetGroupRoles(ctx context.Context, db *gorm.DB, actor, saID, groupID string, roles []GroupRoleInput,
	supportReason string) ([]GroupRole, error) {
	var out []GroupRole
	ch := groupChange{actor: actor, saID: saID, groupID: groupID, reason: supportReason, action: EventGroupRolesChanged,
		guard: true}
	err := changeGroup(ctx, db, ch, func(tx *gorm.DB, g UserGroup, now time.Time) (map[string]any, error) {
		var old []GroupRole
		if err := tx.Where("group_id = ?", g.ID).Order("role, virtual_account_id").Find(&old).Error; err != nil {
			return nil, fmt.Errorf("roles of group %s: %w", g.ID, err)
		}
		if err := tx.Where("group_id = ?", g.ID).Delete(&GroupRole{}).Error; err != nil {
			return nil, fmt.Errorf("clear roles of group %s: %w", g.ID, err)
		}
		out = make([]GroupRole, 0, len(roles))
		for _, r := range roles {
			out = append(out, GroupRole{ID: NewID(), GroupID: g.ID, SmartAccountID: saID, VirtualAccountID: r.VirtualAccountID,
				Role: r.Role, IncludeChildren: r.IncludeChildren, GrantedBy: actor, CreatedAt: now})
		}
		if len(out) > 0 {
			if err := tx.Create(&out).Error; err != nil {
				return nil, fmt.Errorf("set roles of group %s: %w", g.ID, err)
			}
		}
		return map[string]any{"before": describeGroupRoles(old), "after": describeGroupRoles(out)}, nil
	})
	return out, err
}

func describeGroupRoles(roles []GroupRole) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		d := string(r.Role)
		if r.VirtualAccountID != "" {
			d += " on " + r.VirtualAccountID
			if r.IncludeChildren {
				d += " and its children"
			}
		}
		out = append(out, d)
	}
	return out
}

// DeleteGroup removes a group with its members and roles; leaving the account with no Smart Account
// Administrator is refused (409).
func DeleteGroup(ctx context.Context, db *gorm.DB, actor, saID, groupID, supportReason string) error {
	ch := groupChange{actor: actor, saID: saID, groupID: groupID, reason: supportReason, action: EventGroupDeleted, guard: true}
	return changeGroup(ctx, db, ch, func(tx *gorm.DB, g UserGroup, _ time.Time) (map[string]any, error) {
		for _, m := range []any{&GroupRole{}, &GroupMember{}} {
			if err := tx.Where("group_id = ?", g.ID).Delete(m).Error; err != nil {
				return nil, fmt.Errorf("delete group %s: %w", g.ID, err)
			}
		}
		if err := tx.Delete(&UserGroup{}, "id = ?", g.ID).Error; err != nil {
			return nil, fmt.Errorf("delete group %s: %w", g.ID, err)
		}
		return map[string]any{}, nil
	})
}

// ValidGroupName checks a group's name.
func ValidGroupName(name string) (string, error) {
	n, err := ValidVAName("name", name)
	return strings.TrimSpace(n), err
}

// withReason adds internal support's reason to an event's details, when support made the change.
func withReason(details map[string]any, supportReason string) map[string]any {
	if supportReason != "" {
		details["supportReason"] = supportReason
	}
	return details
}
