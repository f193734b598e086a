package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Where an effective role comes from (FEATURES AC4, AC5, AC8).
const (
	SourceDirect  = "DIRECT"
	SourceGroup   = "GROUP"
	SourcePartner = "PARTNER"
)

// RoleFilter selects the effective roles to read. Every filter is applied inside each branch of the
// query, so each branch is an index lookup.
type RoleFilter struct {
	// Email is one person: their direct roles, their groups' roles and the grants to their partner.
	Email string
	// Emails are several people: their direct and group roles (a partner grant is to a domain, and is
	// read by one of its people's Email).
	Emails []string
	// AccountID keeps the roles on one account, AccountIDs on several; neither reads every account.
	AccountID  string
	AccountIDs []string
	// Roles keeps these roles only; AccountLevel only the roles on the account itself.
	Roles        []Role
	AccountLevel bool
}

// effectiveRolesSQL is the one statement every authorization check reads (every check of a person on an
// account, the directory, the accounts and licenses in scope, who administers what): the union of
// direct roles, the roles of the person's groups and the grants to their partner, where a virtual
// account role given with includeChildren reaches every virtual account under it, walked down the
// tree by the database. Each row is a role on the account ("" virtual account) or on one virtual
// account; inherited_from names the virtual account the role was given on when it reached this one
// from there.
func effectiveRolesSQL(f RoleFilter) clause.Expr {
	var b strings.Builder
	var vars []any
	// where writes a branch's conditions: emailCol "" leaves the people out (a partner grant's branch,
	// selected by the domains in extra instead).
	where := func(emailCol, accountCol, vaCol, roleCol string, extra string, extraVars ...any) {
		conds := []string{}
		switch {
		case emailCol == "":
		case f.Email != "":
			conds = append(conds, emailCol+" = ?")
			vars = append(vars, NormalizeEmail(f.Email))
		case f.Emails != nil:
			conds = append(conds, emailCol+" IN ?")
			vars = append(vars, f.Emails)
		}
		if f.AccountID != "" {
			conds = append(conds, accountCol+" = ?")
			vars = append(vars, f.AccountID)
		} else if f.AccountIDs != nil {
			conds = append(conds, accountCol+" IN ?")
			vars = append(vars, f.AccountIDs)
		}
		if len(f.Roles) > 0 {
			conds = append(conds, roleCol+" IN ?")
			vars = append(vars, f.Roles)
		}
		if f.AccountLevel {
			conds = append(conds, vaCol+" = ''")
		}
		if extra != "" {
			conds = append(conds, extra)
			vars = append(vars, extraVars...)
		}
		if len(conds) > 0 {
			b.WriteString(" WHERE " + strings.Join(conds, " AND "))
		}
	}
	b.WriteString(`WITH RECURSIVE grants AS (
SELECT r.id, r.user_email, r.smart_account_id, r.virtual_account_id, r.role, r.granted_by, r.created_at,
 r.include_children, 'DIRECT' AS source, '' AS group_id, '' AS group_name, '' AS partner_domain
FROM account_roles r`)
	where("r.user_email", "r.smart_account_id", "r.virtual_account_id", "r.role", "")
	b.WriteString(`
UNION ALL
SELECT gr.id, m.user_email, gr.smart_account_id, gr.virtual_account_id, gr.role, gr.granted_by, gr.created_at,
 gr.include_children, 'GROUP', g.id, g.name, ''
FROM group_members m JOIN user_groups g ON g.id = m.group_id JOIN group_roles gr ON gr.group_id = m.group_id`)
	where("m.user_email", "gr.smart_account_id", "gr.virtual_account_id", "gr.role", "")
	if domains := domainChain(EmailDomain(f.Email)); f.Email != "" && len(domains) > 0 {
		b.WriteString(`
UNION ALL
SELECT pg.id, CAST(? AS TEXT), pg.smart_account_id, pg.virtual_account_id, pg.role, pg.granted_by, pg.created_at,
 pg.include_children, 'PARTNER', '', '', pg.partner_domain
FROM partner_grants pg`)
		vars = append(vars, NormalizeEmail(f.Email))
		where("", "pg.smart_account_id", "pg.virtual_account_id", "pg.role", "pg.partner_domain IN ?", domains)
	}
	b.WriteString(`
), roots AS (
SELECT DISTINCT virtual_account_id AS id FROM grants WHERE include_children AND virtual_account_id <> ''
), tree (root, id, depth) AS (
SELECT id, id, 0 FROM roots
UNION ALL
SELECT tree.root, va.id, tree.depth + 1 FROM virtual_accounts va JOIN tree ON va.parent_id = tree.id WHERE tree.depth < 64
)
SELECT g.id, g.user_email, g.smart_account_id, COALESCE(t.id, g.virtual_account_id) AS virtual_account_id, g.role,
 g.granted_by, g.created_at, g.include_children, g.source, g.group_id, g.group_name, g.partner_domain,
 CASE WHEN t.depth > 0 THEN g.virtual_account_id ELSE '' END AS inherited_from
FROM grants g LEFT JOIN tree t ON g.include_children AND t.root = g.virtual_account_id`)
	return clause.Expr{SQL: b.String(), Vars: vars}
}

// domainChain is a host and the domains above it, down to two labels: the domains a partner grant to
// which reaches an address of host.
func domainChain(host string) []string {
	out := []string{}
	for h := strings.ToLower(host); strings.Count(h, ".") >= 1; {
		out = append(out, h)
		_, rest, _ := strings.Cut(h, ".")
		h = rest
	}
	return out
}

// effective is the effective roles as a table, aliased er, to select from or filter on.
func effective(ctx context.Context, db *gorm.DB, f RoleFilter) *gorm.DB {
	return db.WithContext(ctx).Table("(?) AS er", effectiveRolesSQL(f))
}

// EffectiveRoles reads the effective roles the filter selects, by person, role and virtual account.
func EffectiveRoles(ctx context.Context, db *gorm.DB, f RoleFilter) ([]AccountRole, error) {
	var roles []AccountRole
	err := effective(ctx, db, f).Order("user_email, role, virtual_account_id, source, group_name, partner_domain").
		Find(&roles).Error
	if err != nil {
		return nil, fmt.Errorf("effective roles: %w", err)
	}
	return roles, nil
}

// AccountsOf is the subquery of the accounts a person holds any effective role on.
func AccountsOf(ctx context.Context, db *gorm.DB, email string, roles ...Role) *gorm.DB {
	return effective(ctx, db, RoleFilter{Email: email, Roles: roles}).Distinct("smart_account_id")
}

// holdersOf lists who holds one of the roles on the account itself, directly or through a group
// (partner grants name a domain, not people, and are left out), by email.
func holdersOf(ctx context.Context, db *gorm.DB, accountIDs []string, roles ...Role) ([]string, error) {
	var emails []string
	err := effective(ctx, db, RoleFilter{AccountIDs: accountIDs, Roles: roles, AccountLevel: true}).
		Distinct("user_email").Order("user_email").Pluck("user_email", &emails).Error
	if err != nil {
		return nil, fmt.Errorf("holders of %v on %v: %w", roles, accountIDs, err)
	}
	return sortedUnique(emails), nil
}

// sortedUnique sorts a list and drops its repeats.
func sortedUnique(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}
