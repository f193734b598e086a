package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// NewEvent builds an event row; WriteEvents gives it its id and time.
func NewEvent(saID, targetType, targetID, actor, action string, details map[string]any) Event {
	if details == nil {
		details = map[string]any{}
	}
	return Event{SmartAccountID: saID, TargetType: targetType, TargetID: targetID, Actor: actor, Action: action, Details: details}
}

// WriteEvents inserts events in the caller's transaction, so each change and its history commit together.
func WriteEvents(tx *gorm.DB, now time.Time, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		evs[i].ID = NewID()
		evs[i].CreatedAt = now
	}
	if err := tx.Create(&evs).Error; err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// Now is the time the models write: UTC, to the microsecond both databases keep.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// VANode is a virtual account with its children, for the tree view.
type VANode struct {
	VirtualAccount
	Children []*VANode `json:"children"`
}

// VATree nests an account's virtual accounts under their parents; roots come in the order given.
func VATree(vas []VirtualAccount) []*VANode {
	nodes := make(map[string]*VANode, len(vas))
	for _, va := range vas {
		nodes[va.ID] = &VANode{VirtualAccount: va, Children: []*VANode{}}
	}
	roots := []*VANode{}
	for _, va := range vas {
		n := nodes[va.ID]
		if va.ParentID != nil {
			if p, ok := nodes[*va.ParentID]; ok {
				p.Children = append(p.Children, n)
				continue
			}
		}
		roots = append(roots, n)
	}
	return roots
}

// VAInput is a virtual account as the API validated it.
type VAInput struct {
	Name        string
	Description string
	ParentID    string
	Address     Address
	// SupportReason is set when internal support makes the change; its event records it.
	SupportReason string
}

// ValidVAName checks a virtual account's name.
func ValidVAName(field, name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return n, Invalid(field, "%s is required", field)
	case len([]rune(n)) > 100:
		return n, Invalid(field, "%s is longer than 100 characters", field)
	case strings.IndexFunc(n, unicode.IsControl) >= 0:
		return n, Invalid(field, "%s holds control characters", field)
	}
	return n, nil
}

// FindVirtualAccount reads one virtual account of an account; one of another account is not found.
func FindVirtualAccount(ctx context.Context, db *gorm.DB, saID, vaID string) (VirtualAccount, error) {
	return findInAccount[VirtualAccount](db.WithContext(ctx), saID, vaID, "virtual account")
}

// CreateVirtualAccount adds a virtual account, under parentID when set, with its event.
func CreateVirtualAccount(ctx context.Context, db *gorm.DB, actor, saID string, in VAInput) (VirtualAccount, error) {
	now := Now()
	va := VirtualAccount{ID: NewID(), SmartAccountID: saID, Name: in.Name, Description: in.Description,
		Address: in.Address, CreatedAt: now, UpdatedAt: now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if in.ParentID != "" {
			if _, err := FindVirtualAccount(ctx, tx, saID, in.ParentID); err != nil {
				return Invalid("parentId", "parentId: no virtual account %s in this Smart Account", in.ParentID)
			}
			va.ParentID = &in.ParentID
		}
		if err := tx.Create(&va).Error; err != nil {
			if IsUniqueViolation(err) {
				return &Error{Code: CodeConflict, Field: "name", Message: fmt.Sprintf("a virtual account named %q exists already", in.Name)}
			}
			return fmt.Errorf("insert virtual account: %w", err)
		}
		details := map[string]any{"name": va.Name, "parentId": in.ParentID, "description": va.Description}
		if in.SupportReason != "" {
			details["supportReason"] = in.SupportReason
		}
		return WriteEvents(tx, now, NewEvent(saID, TargetVirtualAccount, va.ID, actor, EventVACreated, details))
	})
	return va, err
}

// VAPatch is a change to a virtual account; nil fields stay as they are. MoveTo "" with Move set
// makes it a top-level virtual account.
type VAPatch struct {
	Name        *string
	Description *string
	Address     *Address
	Move        bool
	MoveTo      string
	MakeDefault bool
	// SupportReason is set when internal support makes the change; the events record it.
	SupportReason string
}

// UpdateVirtualAccount renames, describes, moves (refusing cycles) or makes default a virtual account,
// each change with its event, in one transaction.
func UpdateVirtualAccount(ctx context.Context, db *gorm.DB, actor, saID, vaID string, p VAPatch) (VirtualAccount, error) {
	var out VirtualAccount
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if p.Move {
			// The cycle check reads the whole tree: two moves checked at once (A under B, B under A)
			// would each pass and together make a cycle.
			if err := lockVATree(tx, saID); err != nil {
				return err
			}
		}
		va, err := FindVirtualAccount(ctx, tx, saID, vaID)
		if err != nil {
			return err
		}
		now := Now()
		var evs []Event
		changes := map[string]any{}
		if p.Name != nil && *p.Name != va.Name {
			changes["name"] = *p.Name
			evs = append(evs, NewEvent(saID, TargetVirtualAccount, va.ID, actor, EventVARenamed,
				map[string]any{"from": va.Name, "name": *p.Name}))
		}
		if p.Description != nil && *p.Description != va.Description {
			changes["description"] = *p.Description
			evs = append(evs, NewEvent(saID, TargetVirtualAccount, va.ID, actor, EventVARenamed,
				map[string]any{"description": *p.Description}))
		}
		if p.Address != nil && *p.Address != va.Address {
			raw, _ := json.Marshal(*p.Address)
			changes["address"] = string(raw)
			evs = append(evs, NewEvent(saID, TargetVirtualAccount, va.ID, actor, EventVARenamed,
				map[string]any{"address": *p.Address}))
		}
		if p.Move {
			ev, err := moveVA(ctx, tx, va, p.MoveTo, actor)
			if err != nil {
				return err
			}
			if ev != nil {
				changes["parent_id"] = nullable(p.MoveTo)
				evs = append(evs, *ev)
			}
		}
		if p.MakeDefault && !va.IsDefault {
			// The partial unique index allows one default: clear the old one first.
			if err := tx.Model(&VirtualAccount{}).Where("smart_account_id = ? AND is_default", saID).
				Updates(map[string]any{"is_default": false, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("clear default virtual account: %w", err)
			}
			changes["is_default"] = true
			evs = append(evs, NewEvent(saID, TargetVirtualAccount, va.ID, actor, EventVADefault, map[string]any{"name": va.Name}))
		}
		if len(changes) > 0 {
			changes["updated_at"] = now
			if err := tx.Model(&VirtualAccount{}).Where("id = ?", va.ID).Updates(changes).Error; err != nil {
				if IsUniqueViolation(err) {
					return &Error{Code: CodeConflict, Field: "name", Message: fmt.Sprintf("a virtual account named %q exists already", *p.Name)}
				}
				return fmt.Errorf("update virtual account %s: %w", va.ID, err)
			}
		}
		for i := range evs {
			if p.SupportReason != "" {
				evs[i].Details["supportReason"] = p.SupportReason
			}
		}
		if err := WriteEvents(tx, now, evs...); err != nil {
			return err
		}
		out, err = FindVirtualAccount(ctx, tx, saID, vaID)
		return err
	})
	return out, err
}

// lockVATree serializes the moves within one account's virtual accounts until the transaction ends.
// SQLite has a single writer already: a transaction that read a tree another one changed cannot write.
func lockVATree(tx *gorm.DB, saID string) error {
	return AdvisoryLock(tx, "va-tree:"+saID, "the virtual accounts of "+saID)
}

// moveVA checks that the new parent exists in the same account and is not the virtual account itself
// or one of its descendants.
func moveVA(ctx context.Context, tx *gorm.DB, va VirtualAccount, to, actor string) (*Event, error) {
	from := ""
	if va.ParentID != nil {
		from = *va.ParentID
	}
	if from == to {
		return nil, nil
	}
	if to != "" {
		vas, err := VirtualAccounts(ctx, tx, va.SmartAccountID)
		if err != nil {
			return nil, err
		}
		parent := map[string]string{}
		found := false
		for _, v := range vas {
			if v.ParentID != nil {
				parent[v.ID] = *v.ParentID
			}
			found = found || v.ID == to
		}
		if !found {
			return nil, Invalid("parentId", "parentId: no virtual account %s in this Smart Account", to)
		}
		for at, hops := to, 0; at != "" && hops <= len(vas); at, hops = parent[at], hops+1 {
			if at == va.ID {
				return nil, Invalid("parentId", "a virtual account cannot move under itself or one of its own children")
			}
		}
	}
	ev := NewEvent(va.SmartAccountID, TargetVirtualAccount, va.ID, actor, EventVAMoved,
		map[string]any{"fromParentId": from, "parentId": to, "name": va.Name})
	return &ev, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// VAAdminsOf lists who administers every one of the given virtual accounts (each by a role on it, or
// by one given with its children on an ancestor; directly or through a group): a person who
// administers only some of them does not decide for the others.
func VAAdminsOf(ctx context.Context, db *gorm.DB, saID string, vaIDs []string) ([]string, error) {
	emails := []string{}
	want := sortedUnique(vaIDs)
	if len(want) == 0 {
		return emails, nil
	}
	var rows []struct{ UserEmail string }
	err := effective(ctx, db, RoleFilter{AccountID: saID, Roles: []Role{RoleVAAdmin}}).
		Select("user_email").Where("virtual_account_id IN ?", want).Group("user_email").
		Having("COUNT(DISTINCT virtual_account_id) = ?", len(want)).Order("user_email").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("virtual account admins of %s: %w", saID, err)
	}
	for _, r := range rows {
		emails = append(emails, r.UserEmail)
	}
	return emails, nil
}
