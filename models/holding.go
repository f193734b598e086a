package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Partner Holding Accounts (FEATURES SA12, HA1–HA3, seed 003): a partner's account where orders wait
// until the end customer's account is known. Its licenses are HELD: listed, never usable, and they
// leave it only with their order's transfer to the customer's account.

// HoldingPartner finds the registered partner a holding account request is for: the partner of the
// exact domain, else the partner of the domain's registrable domain (eng.partnerx.com → partnerx.com).
// Only the partner's administrators and Order Fulfillment Managers create its holding accounts; the
// account takes the partner's domain, so orders naming the partner find it.
func HoldingPartner(ctx context.Context, db *gorm.DB, domain, requester string) (PartnerDetails, error) {
	p, err := FindPartner(ctx, db, domain)
	if ErrorCode(err) == CodeNotFound {
		if tld, terr := TLD(domain); terr == nil && tld != domain {
			p, err = FindPartner(ctx, db, tld)
		}
	}
	if ErrorCode(err) == CodeNotFound {
		return p, &Error{Code: CodeRefused, Field: "domain", Message: fmt.Sprintf(
			"%s is no registered partner: a Partner Holding Account belongs to a partner Cisco registered", domain)}
	}
	if err != nil {
		return p, err
	}
	e := NormalizeEmail(requester)
	if !slices.Contains(p.Administrators, e) && !slices.Contains(p.OFMs, e) {
		return p, Errorf(CodeForbidden, "only the administrators and Order Fulfillment Managers of %s create its holding accounts", p.Domain)
	}
	return p, nil
}

// HoldingNameTaken reports whether a live holding account of the domain already has the name (any case).
func HoldingNameTaken(tx *gorm.DB, domain, name string) (bool, error) {
	var n int64
	err := tx.Model(&SmartAccount{}).Where("type = ? AND domain = ? AND lower(name) = lower(?) AND status NOT IN ?",
		SATypeHolding, domain, name, []SAStatus{SADeclined, SAExpired}).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check holding account %s of %s: %w", name, domain, err)
	}
	return n > 0, nil
}

// ErrHeldLicenses refuses moving licenses of a holding account between its virtual accounts: they are
// HELD and leave only with their order's transfer to the customer.
func ErrHeldLicenses(name string) *Error {
	return &Error{Code: CodeRefused, Message: fmt.Sprintf(
		"%s is a Partner Holding Account: its licenses are held, not usable, and move only with their order's transfer to the customer's account", name)}
}

// accountType reads an account's name and type.
func accountType(tx *gorm.DB, saID string) (SmartAccount, error) {
	return takeRow[SmartAccount](tx.Select("id", "name", "type").Where("id = ?", saID), "Smart Account", saID, "")
}

// HoldingSelector names a holding account the ways an order names it at the point of sale: by id, by
// exact name (any case), or by its partner's domain (its only holding account there). Exactly one is set.
type HoldingSelector struct {
	SmartAccountID string `json:"smartAccountId,omitempty"`
	Name           string `json:"name,omitempty"`
	Domain         string `json:"domain,omitempty"`
	// VirtualAccount is the virtual account of it (name or id; empty: the default one).
	VirtualAccount string `json:"virtualAccount,omitempty"`
}

// ResolveHolding finds the one live holding account a selector names, and its virtual account. A
// restricted holding account is found as any is: by its id, exact name or domain.
func ResolveHolding(ctx context.Context, db *gorm.DB, sel HoldingSelector, field string) (AssignTarget, error) {
	n := 0
	for _, v := range []string{sel.SmartAccountID, sel.Name, sel.Domain} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	if n != 1 {
		return AssignTarget{}, Invalid(field, "%s needs exactly one of smartAccountId, name or domain", field)
	}
	if HasControl(sel.SmartAccountID+sel.Name+sel.Domain, false) {
		return AssignTarget{}, Invalid(field, "%s holds control characters", field)
	}
	q := db.WithContext(ctx).Where("type = ? AND status IN ?", SATypeHolding, assignableStatuses)
	switch {
	case strings.TrimSpace(sel.SmartAccountID) != "":
		q = q.Where("id = ?", strings.TrimSpace(sel.SmartAccountID))
	case strings.TrimSpace(sel.Name) != "":
		name := strings.TrimSpace(sel.Name)
		q = q.Where("(lower(name) = ? OR name = ?)", strings.ToLower(name), name)
	default:
		q = q.Where("domain = ?", strings.ToLower(strings.TrimSpace(sel.Domain)))
	}
	var found []SmartAccount
	if err := q.Order("name, id").Limit(11).Find(&found).Error; err != nil {
		return AssignTarget{}, fmt.Errorf("resolve holding account: %w", err)
	}
	switch len(found) {
	case 0:
		return AssignTarget{}, &Error{Code: CodeNotFound, Field: field, Message: "no live Partner Holding Account matches " + field}
	case 1:
	default:
		cands := make([]map[string]string, 0, len(found))
		for _, sa := range found[:min(10, len(found))] {
			cands = append(cands, map[string]string{"id": sa.ID, "name": sa.Name, "domain": sa.Domain})
		}
		return AssignTarget{}, &Error{Code: CodeRefused, Field: field, Details: map[string]any{"candidates": cands},
			Message: "the partner has more than one holding account: name it by its exact name or id"}
	}
	va, err := ResolveVirtualAccount(ctx, db, found[0].ID, sel.VirtualAccount, field+".virtualAccount")
	if err != nil {
		return AssignTarget{}, err
	}
	return Target(found[0], va), nil
}

// transferRoles are the roles whose holders move a holding account's orders to their customers: its
// administrators and users, account-wide or on one of its virtual accounts (seed 003).
var transferRoles = []Role{RoleSAAdmin, RoleSAUser, RoleVAAdmin, RoleVAUser}

// HoldingMembers lists, by email, who is told of a holding account's orders and moves them: its
// administrators and users.
func HoldingMembers(ctx context.Context, db *gorm.DB, accountIDs []string) ([]string, error) {
	out := []string{}
	if len(accountIDs) == 0 {
		return out, nil
	}
	err := db.WithContext(ctx).Model(&AccountRole{}).Distinct("user_email").
		Where("smart_account_id IN ? AND role IN ?", accountIDs, transferRoles).Order("user_email").Pluck("user_email", &out).Error
	if err != nil {
		return nil, fmt.Errorf("members of %v: %w", accountIDs, err)
	}
	return out, nil
}

// HoldingFacts reads the holding accounts an order's lines are in, as transfer sources with their
// domains, and which of them the address may transfer from as a member.
func HoldingFacts(ctx context.Context, db *gorm.DB, lines []OrderLine, email string) (from []AssignTarget, memberOf []string, err error) {
	var ids []string
	for _, l := range lines {
		if l.AssignmentStatus == AssignInHolding && !slices.Contains(ids, l.SmartAccountID) {
			ids = append(ids, l.SmartAccountID)
		}
	}
	from, memberOf = []AssignTarget{}, []string{}
	if len(ids) == 0 {
		return from, memberOf, nil
	}
	var sas []SmartAccount
	if err := db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&sas).Error; err != nil {
		return nil, nil, fmt.Errorf("read holding accounts: %w", err)
	}
	for _, sa := range sas {
		from = append(from, Target(sa, VirtualAccount{}))
	}
	err = db.WithContext(ctx).Model(&AccountRole{}).Distinct("smart_account_id").
		Where("user_email = ? AND smart_account_id IN ? AND role IN ?", NormalizeEmail(email), ids, transferRoles).
		Order("smart_account_id").Pluck("smart_account_id", &memberOf).Error
	if err != nil {
		return nil, nil, fmt.Errorf("holding roles of %s: %w", email, err)
	}
	return from, memberOf, nil
}
