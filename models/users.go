package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MaxBulkUsers is how many rows one bulk change of an account's users may hold (FEATURES AC4).
const MaxBulkUsers = 1000

// Event actions of user administration.
const (
	EventRoleRevoked = "ROLE_REVOKED"
	EventRoleChanged = "ROLE_CHANGED"
)

// UserRow is one row of a bulk change of an account's users: a person, and the role they get or lose
// on the account or on one of its virtual accounts (with its nested ones when IncludeChildren).
type UserRow struct {
	Email            string `json:"email"`
	Role             Role   `json:"role"`
	VirtualAccountID string `json:"virtualAccountId,omitempty"`
	IncludeChildren  bool   `json:"includeChildren,omitempty"`
}

// Row outcomes of a bulk change.
const (
	RowAdded     = "ADDED"
	RowUpdated   = "UPDATED"
	RowUnchanged = "UNCHANGED"
	RowRemoved   = "REMOVED"
	RowNotFound  = "NOT_FOUND"
	RowRefused   = "REFUSED"
)

// RowResult is what a bulk change did with one row: Row is its position (1 for the first row).
type RowResult struct {
	Row int `json:"row"`
	UserRow
	Status string `json:"status"`
	Error  *Error `json:"error,omitempty"`
	// Removed counts the roles a removal took away.
	Removed int `json:"removed,omitempty"`
}

// BulkResult is a bulk change's report, row by row, with the count of each outcome.
type BulkResult struct {
	Counts map[string]int `json:"counts"`
	Rows   []RowResult    `json:"rows"`
}

// ManageScope is whose roles a person may change on an account: every role (its administrators,
// internal support), or the virtual account roles of the virtual accounts they administer.
type ManageScope struct {
	All bool
	VAs []string
}

// ManageScopeOf is what a person's effective roles on an account let them manage (FEATURES AC4): a
// Smart Account Administrator manages every user, a Virtual Account Administrator the users of the
// virtual accounts their role reaches.
func ManageScopeOf(roles []AccountRole, support bool) ManageScope {
	s := ManageScope{All: support}
	for _, r := range roles {
		switch {
		case r.VirtualAccountID == "" && r.Role == RoleSAAdmin:
			s.All = true
		case r.VirtualAccountID != "" && r.Role == RoleVAAdmin && !slices.Contains(s.VAs, r.VirtualAccountID):
			s.VAs = append(s.VAs, r.VirtualAccountID)
		}
	}
	return s
}

// Empty reports whether the scope lets its holder manage nobody.
func (s ManageScope) Empty() bool { return !s.All && len(s.VAs) == 0 }

// covers reports whether the scope reaches a role on vaID ("" the account), and, with children, on
// every virtual account under it.
func (s ManageScope) covers(vaID string, children bool, tree vaForest) bool {
	if s.All {
		return true
	}
	if vaID == "" {
		return false
	}
	want := []string{vaID}
	if children {
		want = tree.subtree(vaID)
	}
	for _, id := range want {
		if !slices.Contains(s.VAs, id) {
			return false
		}
	}
	return true
}

// vaForest is an account's virtual accounts by parent, to check rows against.
type vaForest struct {
	exists   map[string]bool
	children map[string][]string
}

func loadForest(ctx context.Context, tx *gorm.DB, saID string) (vaForest, error) {
	vas, err := VirtualAccounts(ctx, tx, saID)
	if err != nil {
		return vaForest{}, err
	}
	f := vaForest{exists: map[string]bool{}, children: map[string][]string{}}
	for _, v := range vas {
		f.exists[v.ID] = true
		if v.ParentID != nil {
			f.children[*v.ParentID] = append(f.children[*v.ParentID], v.ID)
		}
	}
	return f, nil
}

func (f vaForest) subtree(id string) []string {
	out := []string{id}
	for i := 0; i < len(out) && i <= len(f.exists); i++ {
		out = append(out, f.children[out[i]]...)
	}
	return out
}

// checkRow validates a row to add (remove: role and virtual account optional) against the account's
// virtual accounts and the actor's scope.
func checkRow(r UserRow, remove bool, tree vaForest, scope ManageScope) (UserRow, *Error) {
	r.Email = NormalizeEmail(r.Email)
	r.Role = Role(strings.ToUpper(strings.TrimSpace(string(r.Role))))
	r.VirtualAccountID = strings.TrimSpace(r.VirtualAccountID)
	switch {
	case !ValidEmail(r.Email):
		return r, Invalid("email", "%q is not an email address", r.Email)
	case remove && r.Role == "":
		if r.VirtualAccountID != "" {
			return r, Invalid("role", "name the role to remove from virtual account %s", r.VirtualAccountID)
		}
		return r, nil
	case !r.Role.Valid():
		return r, Invalid("role", "role must be one of %s", strings.Join(roleNames(), ", "))
	case r.Role.VARole() && r.VirtualAccountID == "" && !remove:
		return r, Invalid("virtualAccountId", "%s is given on a virtual account: virtualAccountId is required", r.Role)
	case !r.Role.VARole() && r.VirtualAccountID != "":
		return r, Invalid("virtualAccountId", "%s is a Smart Account role: leave virtualAccountId out", r.Role)
	case !r.Role.VARole() && r.IncludeChildren:
		return r, Invalid("includeChildren", "includeChildren applies to virtual account roles only")
	case r.VirtualAccountID != "" && !tree.exists[r.VirtualAccountID]:
		return r, Invalid("virtualAccountId", "no virtual account %s in this Smart Account", r.VirtualAccountID)
	}
	if !scope.covers(r.VirtualAccountID, r.IncludeChildren && !remove, tree) {
		what := "Smart Account roles are changed by its administrators only"
		if r.VirtualAccountID != "" {
			what = "you do not administer virtual account " + r.VirtualAccountID
			if r.IncludeChildren {
				what += " and every virtual account under it"
			}
		}
		return r, &Error{Code: CodeForbidden, Field: "virtualAccountId", Message: what}
	}
	return r, nil
}

func roleNames() []string {
	out := make([]string, 0, len(roleTitles))
	for r := range roleTitles {
		out = append(out, string(r))
	}
	slices.Sort(out)
	return out
}

// lockUsers serializes the changes of one account's users until the transaction ends, so two removals
// at once cannot each leave the other as the last administrator and together leave none. SQLite has a
// single writer already.
func lockUsers(tx *gorm.DB, saID string) error {
	return AdvisoryLock(tx, "users:"+saID, "the users of "+saID)
}

// AdvisoryLock holds, until tx ends, the lock named key, so the transactions taking the same key run one
// after the other (what names the lock in an error). SQLite has a single writer already.
func AdvisoryLock(tx *gorm.DB, key, what string) error {
	if DialectOf(tx) != DialectPostgres {
		return nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", key).Error; err != nil {
		return fmt.Errorf("lock %s: %w", what, err)
	}
	return nil
}

type roleKey struct {
	email, va string
	role      Role
}

// AddUsers gives each row's person its role on the account (FEATURES AC4), each row answered on its own:
// added, updated (includeChildren changed), unchanged, or refused with the reason; the valid rows are
// written in one transaction with an event each.
func AddUsers(ctx context.Context, db *gorm.DB, actor, saID string, scope ManageScope, rows []UserRow,
	supportReason string) (BulkResult, error) {
	return bulkChange(ctx, db, saID, scope, rows, false, func(tx *gorm.DB, _ vaForest, held map[roleKey]AccountRole,
		valid []*RowResult) error {
		now := Now()
		var adds []AccountRole
		var evs []Event
		for _, rr := range valid {
			k := roleKey{rr.Email, rr.VirtualAccountID, rr.Role}
			details := withReason(map[string]any{"email": rr.Email, "role": rr.Role, "virtualAccountId": rr.VirtualAccountID,
				"includeChildren": rr.IncludeChildren, "via": "bulk"}, supportReason)
			old, ok := held[k]
			switch {
			case ok && old.IncludeChildren == rr.IncludeChildren:
				rr.Status = RowUnchanged
			case ok:
				if err := tx.Model(&AccountRole{}).Where("id = ?", old.ID).
					Update("include_children", rr.IncludeChildren).Error; err != nil {
					return fmt.Errorf("update role %s: %w", old.ID, err)
				}
				old.IncludeChildren = rr.IncludeChildren
				held[k] = old
				rr.Status = RowUpdated
				evs = append(evs, NewEvent(saID, TargetAccountRole, old.ID, actor, EventRoleChanged, details))
			default:
				role := AccountRole{ID: NewID(), UserEmail: rr.Email, SmartAccountID: saID, VirtualAccountID: rr.VirtualAccountID,
					Role: rr.Role, IncludeChildren: rr.IncludeChildren, GrantedBy: actor, CreatedAt: now}
				held[k] = role
				adds = append(adds, role)
				rr.Status = RowAdded
				evs = append(evs, NewEvent(saID, TargetAccountRole, role.ID, actor, EventRoleGranted, details))
			}
		}
		if len(adds) > 0 {
			if err := tx.CreateInBatches(&adds, 200).Error; err != nil {
				return fmt.Errorf("add roles: %w", err)
			}
		}
		return writeEventBatches(tx, now, evs)
	})
}

// bulkChange runs a bulk change of the account's users in one transaction that holds its users lock:
// each row is checked against the account's virtual accounts and the actor's scope (a refused row is
// answered with its reason and left out), the people's direct roles are read, and change applies the
// valid rows, setting each one's status.
func bulkChange(ctx context.Context, db *gorm.DB, saID string, scope ManageScope, rows []UserRow, remove bool,
	change func(tx *gorm.DB, tree vaForest, held map[roleKey]AccountRole, valid []*RowResult) error) (BulkResult, error) {
	res := BulkResult{Counts: map[string]int{}, Rows: make([]RowResult, len(rows))}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockUsers(tx, saID); err != nil {
			return err
		}
		tree, err := loadForest(ctx, tx, saID)
		if err != nil {
			return err
		}
		emails := []string{}
		var valid []*RowResult
		for i, r := range rows {
			row, bad := checkRow(r, remove, tree, scope)
			res.Rows[i] = RowResult{Row: i + 1, UserRow: row, Error: bad}
			if bad != nil {
				res.Rows[i].Status = RowRefused
				continue
			}
			emails = append(emails, row.Email)
			valid = append(valid, &res.Rows[i])
		}
		held, err := directRoles(tx, saID, sortedUnique(emails))
		if err != nil {
			return err
		}
		return change(tx, tree, held, valid)
	})
	if err != nil {
		return BulkResult{}, err
	}
	res.count()
	return res, nil
}

func (b *BulkResult) count() {
	for _, r := range b.Rows {
		b.Counts[r.Status]++
	}
}

// writeEventBatches writes many events in statements of a few hundred rows.
func writeEventBatches(tx *gorm.DB, now time.Time, evs []Event) error {
	for len(evs) > 0 {
		n := min(len(evs), 200)
		if err := WriteEvents(tx, now, evs[:n]...); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

// directRoles reads the roles the people hold directly on the account, by person, virtual account and
// role.
func directRoles(tx *gorm.DB, saID string, emails []string) (map[roleKey]AccountRole, error) {
	out := map[roleKey]AccountRole{}
	for len(emails) > 0 {
		n := min(len(emails), 500)
		var roles []AccountRole
		if err := tx.Where("smart_account_id = ? AND user_email IN ?", saID, emails[:n]).Find(&roles).Error; err != nil {
			return nil, fmt.Errorf("roles on %s: %w", saID, err)
		}
		for _, r := range roles {
			out[roleKey{r.UserEmail, r.VirtualAccountID, r.Role}] = r
		}
		emails = emails[n:]
	}
	return out, nil
}

// RemoveUsers takes away, row by row, a person's role (on the account, on one virtual account, or,
// with no virtual account, on every one), or every role in the actor's scope when the row names no
// role. A row that would take away the account's last Smart Account Administrator is refused
// (FEATURES AC4); roles held through a group stay, and are the group's to change.
func RemoveUsers(ctx context.Context, db *gorm.DB, actor, saID string, scope ManageScope, rows []UserRow,
	supportReason string) (BulkResult, error) {
	return bulkChange(ctx, db, saID, scope, rows, true, func(tx *gorm.DB, tree vaForest, held map[roleKey]AccountRole,
		valid []*RowResult) error {
		admins, err := adminSources(ctx, tx, saID)
		if err != nil {
			return err
		}
		now := Now()
		var gone []string
		var evs []Event
		for _, rr := range valid {
			var match []AccountRole
			for k, r := range held {
				if k.email == rr.Email && (rr.Role == "" || k.role == rr.Role) &&
					(rr.VirtualAccountID == "" || k.va == rr.VirtualAccountID) && scope.covers(k.va, false, tree) {
					match = append(match, r)
				}
			}
			slices.SortFunc(match, func(a, b AccountRole) int {
				return strings.Compare(string(a.Role)+"/"+a.VirtualAccountID, string(b.Role)+"/"+b.VirtualAccountID)
			})
			if len(match) == 0 {
				rr.Status = RowNotFound
				continue
			}
			if slices.ContainsFunc(match, func(r AccountRole) bool { return r.VirtualAccountID == "" && r.Role == RoleSAAdmin }) {
				if admins.lastWithout(rr.Email) {
					rr.Status, rr.Error = RowRefused, &Error{Code: CodeConflict, Field: "email", Message: fmt.Sprintf(
						"%s is the last Smart Account Administrator of the account: make someone else one first", rr.Email)}
					continue
				}
				delete(admins[rr.Email], SourceDirect)
			}
			for _, r := range match {
				gone = append(gone, r.ID)
				delete(held, roleKey{r.UserEmail, r.VirtualAccountID, r.Role})
				details := withReason(map[string]any{"email": r.UserEmail, "role": r.Role, "virtualAccountId": r.VirtualAccountID,
					"via": "bulk"}, supportReason)
				evs = append(evs, NewEvent(saID, TargetAccountRole, r.ID, actor, EventRoleRevoked, details))
			}
			rr.Status, rr.Removed = RowRemoved, len(match)
		}
		for len(gone) > 0 {
			n := min(len(gone), 500)
			if err := tx.Where("id IN ?", gone[:n]).Delete(&AccountRole{}).Error; err != nil {
				return fmt.Errorf("remove roles: %w", err)
			}
			gone = gone[n:]
		}
		return writeEventBatches(tx, now, evs)
	})
}

// adminSet is an account's administrators with where each one's role comes from.
type adminSet map[string]map[string]bool

// lastWithout reports whether the account would be left with no administrator if email lost its direct
// role.
func (a adminSet) lastWithout(email string) bool {
	for e, sources := range a {
		if len(sources) > 0 && (e != email || len(sources) > 1 || !sources[SourceDirect]) {
			return false
		}
	}
	return true
}

func adminSources(ctx context.Context, tx *gorm.DB, saID string) (adminSet, error) {
	var rows []struct{ UserEmail, Source string }
	err := effective(ctx, tx, RoleFilter{AccountID: saID, Roles: []Role{RoleSAAdmin}, AccountLevel: true}).
		Distinct("user_email", "source").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("administrators of %s: %w", saID, err)
	}
	out := adminSet{}
	for _, r := range rows {
		if out[r.UserEmail] == nil {
			out[r.UserEmail] = map[string]bool{}
		}
		out[r.UserEmail][r.Source] = true
	}
	return out, nil
}

// adminGuard reads whether the account has a Smart Account Administrator before a change (of a
// group's members or roles); the function it returns, called after the change, refuses (409) one that
// left it with none, and the caller's transaction then rolls the change back.
func adminGuard(ctx context.Context, tx *gorm.DB, saID string) (func() error, error) {
	before, err := holdersOf(ctx, tx, []string{saID}, RoleSAAdmin)
	if err != nil {
		return nil, err
	}
	return func() error {
		if len(before) == 0 {
			return nil
		}
		after, err := holdersOf(ctx, tx, []string{saID}, RoleSAAdmin)
		if err != nil {
			return err
		}
		if len(after) == 0 {
			return &Error{Code: CodeConflict, Message: "this would leave the account without a Smart Account Administrator: make someone one first"}
		}
		return nil
	}, nil
}

// AccountUser is one person of an account's users page: their effective roles and their groups.
type AccountUser struct {
	Email  string        `json:"email"`
	Name   string        `json:"name,omitempty"`
	Roles  []AccountRole `json:"-"`
	Groups []GroupRef    `json:"groups"`
}

// GroupRef names a user group.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AccountUsers pages an account's users by email (those holding a direct role and its groups' members),
// after the given email, with each one's effective roles and groups; next is the email to page on from.
func AccountUsers(ctx context.Context, db *gorm.DB, saID, after string, limit int) ([]AccountUser, string, error) {
	var emails []string
	// Each branch reads its first page in email order from an index; the union of the two pages holds
	// the page of the union.
	err := db.WithContext(ctx).Raw(`SELECT user_email FROM (
SELECT * FROM (SELECT user_email FROM account_roles WHERE smart_account_id = ? AND user_email > ?
 ORDER BY user_email LIMIT ?) direct
UNION
SELECT * FROM (SELECT m.user_email FROM group_members m JOIN user_groups g ON g.id = m.group_id
 WHERE g.smart_account_id = ? AND m.user_email > ? ORDER BY m.user_email LIMIT ?) grouped
) u ORDER BY user_email LIMIT ?`, saID, after, limit+1, saID, after, limit+1, limit+1).Scan(&emails).Error
	if err != nil {
		return nil, "", fmt.Errorf("users of %s: %w", saID, err)
	}
	next := ""
	if len(emails) > limit {
		emails, next = emails[:limit], emails[limit-1]
	}
	out := make([]AccountUser, 0, len(emails))
	if len(emails) == 0 {
		return out, "", nil
	}
	roles, err := EffectiveRoles(ctx, db, RoleFilter{Emails: emails, AccountID: saID})
	if err != nil {
		return nil, "", err
	}
	var users []User
	if err := db.WithContext(ctx).Where("email IN ?", emails).Find(&users).Error; err != nil {
		return nil, "", fmt.Errorf("users of %s: %w", saID, err)
	}
	var groups []struct{ UserEmail, ID, Name string }
	err = db.WithContext(ctx).Table("group_members m").Select("m.user_email, g.id, g.name").
		Joins("JOIN user_groups g ON g.id = m.group_id").Where("g.smart_account_id = ? AND m.user_email IN ?", saID, emails).
		Order("m.user_email, lower(g.name)").Scan(&groups).Error
	if err != nil {
		return nil, "", fmt.Errorf("groups of the users of %s: %w", saID, err)
	}
	at := map[string]*AccountUser{}
	for _, e := range emails {
		out = append(out, AccountUser{Email: e, Roles: []AccountRole{}, Groups: []GroupRef{}})
	}
	for i := range out {
		at[out[i].Email] = &out[i]
	}
	for _, u := range users {
		at[u.Email].Name = u.Name
	}
	for _, r := range roles {
		at[r.UserEmail].Roles = append(at[r.UserEmail].Roles, r)
	}
	for _, g := range groups {
		at[g.UserEmail].Groups = append(at[g.UserEmail].Groups, GroupRef{ID: g.ID, Name: g.Name})
	}
	return out, next, nil
}
