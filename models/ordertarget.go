package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// AccountSelector names the Smart Account an order goes to the ways CLC offers (FEATURES OR3): by its
// domain identifier, its name, or the email of a customer who belongs to it. Exactly one is set.
type AccountSelector struct {
	Domain string `json:"domain,omitempty"`
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
}

// Validate checks that exactly one way is given; field names the selector in errors.
func (s AccountSelector) Validate(field string) error {
	n := 0
	for _, v := range []string{s.Domain, s.Name, s.Email} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	if n != 1 {
		return Invalid(field, "%s needs exactly one of domain, name or email", field)
	}
	if HasControl(s.Domain+s.Name+s.Email, false) {
		return Invalid(field, "%s holds control characters", field)
	}
	if s.Email != "" && !ValidEmail(NormalizeEmail(s.Email)) {
		return Invalid(field+".email", "%q is not an email address", s.Email)
	}
	return nil
}

// assignableStatuses are the account statuses an order may go to.
var assignableStatuses = []SAStatus{SAActive, SAPendingApproval, SAPendingDomainApproval, SAPendingCustomerAcceptance, SAPendingCustomerAddress}

// ResolveAccount finds the one account a selector names. An exact domain or exact name (any case)
// finds restricted accounts too; a partial domain or name, and a customer's email, find unrestricted
// accounts only (FEATURES SA10). Several matches are refused with the candidates, none is NOT_FOUND.
// Declined and expired accounts are never found.
func ResolveAccount(ctx context.Context, db *gorm.DB, sel AccountSelector, field string) (SmartAccount, error) {
	if HasControl(sel.Domain+sel.Name+sel.Email, false) {
		return SmartAccount{}, Invalid(field, "%s holds control characters", field)
	}
	live := func() *gorm.DB {
		return db.WithContext(ctx).Model(&SmartAccount{}).Where("status NOT IN ?", []SAStatus{SADeclined, SAExpired})
	}
	var tries []*gorm.DB
	var what string
	switch {
	case strings.TrimSpace(sel.Domain) != "":
		d := strings.ToLower(strings.TrimSpace(sel.Domain))
		what = "domain " + d
		tries = []*gorm.DB{live().Where("domain = ?", d),
			live().Where("visibility = ? AND domain LIKE ? ESCAPE '\\'", VisibilityUnrestricted, "%"+escapeLike(d)+"%")}
	case strings.TrimSpace(sel.Name) != "":
		n := strings.ToLower(strings.TrimSpace(sel.Name))
		what = "name " + strings.TrimSpace(sel.Name)
		// SQLite's lower() folds ASCII letters only: the name as typed finds it there too.
		tries = []*gorm.DB{live().Where("(lower(name) = ? OR name = ?)", n, strings.TrimSpace(sel.Name)),
			live().Where("visibility = ? AND lower(name) LIKE ? ESCAPE '\\'", VisibilityUnrestricted, "%"+escapeLike(n)+"%")}
	default:
		e := NormalizeEmail(sel.Email)
		what = "customer email " + e
		tries = []*gorm.DB{live().Where("visibility = ? AND (requested_by = ? OR id IN (?))", VisibilityUnrestricted, e,
			AccountsOf(ctx, db, e))}
	}
	for _, q := range tries {
		var found []SmartAccount
		if err := q.Order("name, id").Limit(11).Find(&found).Error; err != nil {
			return SmartAccount{}, fmt.Errorf("resolve account by %s: %w", what, err)
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		cands := make([]map[string]string, 0, len(found))
		for _, sa := range found[:min(10, len(found))] {
			cands = append(cands, map[string]string{"id": sa.ID, "name": sa.Name, "domain": sa.Domain})
		}
		return SmartAccount{}, &Error{Code: CodeRefused, Field: field,
			Message: fmt.Sprintf("more than one Smart Account matches the %s: give its exact name or domain", what),
			Details: map[string]any{"candidates": cands}}
	}
	return SmartAccount{}, &Error{Code: CodeNotFound, Field: field,
		Message: fmt.Sprintf("no Smart Account matches the %s (a restricted account is found only by its exact name or domain)", what)}
}

// ResolveVirtualAccount finds a virtual account of an account by id or name (any case); empty means
// the default one.
func ResolveVirtualAccount(ctx context.Context, db *gorm.DB, saID, nameOrID, field string) (VirtualAccount, error) {
	q := db.WithContext(ctx).Where("smart_account_id = ?", saID)
	v := strings.TrimSpace(nameOrID)
	if HasControl(v, false) {
		return VirtualAccount{}, Invalid(field, "%s holds control characters", field)
	}
	if v == "" {
		q = q.Where("is_default")
	} else {
		q = q.Where("id = ? OR lower(name) = ?", v, strings.ToLower(v))
	}
	var va VirtualAccount
	err := q.Order("is_default DESC, id").Take(&va).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if v == "" {
			return va, &Error{Code: CodeNotFound, Field: field, Message: "the Smart Account has no default virtual account"}
		}
		return va, &Error{Code: CodeNotFound, Field: field, Message: fmt.Sprintf("the Smart Account has no virtual account %q", v)}
	}
	if err != nil {
		return va, fmt.Errorf("resolve virtual account %q: %w", v, err)
	}
	return va, nil
}

// Target builds an assignment target from an account and one of its virtual accounts.
func Target(sa SmartAccount, va VirtualAccount) AssignTarget {
	return AssignTarget{SmartAccountID: sa.ID, SmartAccountName: sa.Name, Status: sa.Status, Type: sa.Type,
		VirtualAccountID: va.ID, VirtualAccount: va.Name, Visibility: sa.Visibility, Domain: sa.Domain}
}

// PartnerAccount finds a reseller's own account by its domain: a Partner Holding Account of the
// domain's registrable domain first, then the account of the exact domain, then the oldest ACTIVE one of
// the registrable domain; its default virtual account receives the partner's services.
func PartnerAccount(ctx context.Context, db *gorm.DB, domain string) (*AssignTarget, error) {
	tld, err := TLD(domain)
	if err != nil {
		return nil, nil
	}
	var sas []SmartAccount
	err = db.WithContext(ctx).Where("tld = ? AND status IN ?", tld, assignableStatuses).
		Order("created_at, id").Limit(50).Find(&sas).Error
	if err != nil {
		return nil, fmt.Errorf("partner account of %s: %w", domain, err)
	}
	rank := func(sa SmartAccount) int {
		switch {
		case sa.Type == SATypeHolding:
			return 0
		case sa.Domain == domain:
			return 1
		case sa.Status == SAActive:
			return 2
		}
		return 3
	}
	best := -1
	for i, sa := range sas {
		if best < 0 || rank(sa) < rank(sas[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil, nil
	}
	va, err := ResolveVirtualAccount(ctx, db, sas[best].ID, "", "partner")
	if err != nil {
		return nil, err
	}
	t := Target(sas[best], va)
	return &t, nil
}
