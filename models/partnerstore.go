package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FindPartner reads a partner with its people and its 2-tier links; an unknown one is not found.
func FindPartner(ctx context.Context, db *gorm.DB, domain string) (PartnerDetails, error) {
	db = db.WithContext(ctx)
	var d PartnerDetails
	var err error
	if d.Partner, err = takeRow[Partner](db.Where("domain = ?", domain), "partner", domain, ""); err != nil {
		return d, err
	}
	var people []PartnerPerson
	if err := db.Where("partner_domain = ?", domain).Order("email").Find(&people).Error; err != nil {
		return d, fmt.Errorf("people of partner %s: %w", domain, err)
	}
	d.Administrators, d.OFMs = []string{}, []string{}
	for _, p := range people {
		if p.Role == PartnerAdministrator {
			d.Administrators = append(d.Administrators, p.Email)
		} else {
			d.OFMs = append(d.OFMs, p.Email)
		}
	}
	d.DistributorOf, d.Distributors = []string{}, []string{}
	if err := db.Model(&PartnerReseller{}).Where("distributor_domain = ?", domain).Order("reseller_domain").
		Pluck("reseller_domain", &d.DistributorOf).Error; err != nil {
		return d, fmt.Errorf("resellers of partner %s: %w", domain, err)
	}
	if err := db.Model(&PartnerReseller{}).Where("reseller_domain = ?", domain).Order("distributor_domain").
		Pluck("distributor_domain", &d.Distributors).Error; err != nil {
		return d, fmt.Errorf("distributors of partner %s: %w", domain, err)
	}
	return d, nil
}

// errPartnerExists says a registration found its domain taken; the caller compares outside the
// transaction the insert aborted.
var errPartnerExists = errors.New("partner exists")

// RegisterPartner records a partner Cisco staff register (in is valid: PartnerInput.Valid), with its
// administrators, its resellers and its event, in one transaction; created is false when the same
// partner was registered before, which answers as it is. Other content for a registered domain is a
// conflict naming what differs: UpdatePartner changes a partner.
func RegisterPartner(ctx context.Context, db *gorm.DB, actor string, in PartnerInput) (PartnerDetails, bool, error) {
	now := Now()
	actor = NormalizeEmail(actor)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p := Partner{Domain: in.Domain, Name: in.Name, CreatedBy: actor, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&p).Error; err != nil {
			if IsUniqueViolation(err) {
				return errPartnerExists
			}
			return fmt.Errorf("insert partner %s: %w", in.Domain, err)
		}
		if err := addPeople(tx, in.Domain, PartnerAdministrator, in.Administrators, actor, now); err != nil {
			return err
		}
		if err := addResellers(tx, in.Domain, in.DistributorOf, now); err != nil {
			return err
		}
		return WriteEvents(tx, now, NewEvent("", TargetPartner, in.Domain, actor, EventPartnerRegistered,
			map[string]any{"name": in.Name, "administrators": in.Administrators, "distributorOf": in.DistributorOf}))
	})
	if errors.Is(err, errPartnerExists) {
		had, ferr := FindPartner(ctx, db, in.Domain)
		if ferr != nil {
			return had, false, ferr
		}
		if diff := had.differs(in); len(diff) > 0 {
			return had, false, &Error{Code: CodeConflict, Field: "domain", Details: map[string]any{"differs": diff, "partner": had},
				Message: fmt.Sprintf("partner %s is registered with other content; change it with PUT /api/v1/partners/%s", in.Domain, in.Domain)}
		}
		return had, false, nil
	}
	if err != nil {
		return PartnerDetails{}, false, err
	}
	d, err := FindPartner(ctx, db, in.Domain)
	return d, true, err
}

// UpdatePartner replaces a registered partner's name, administrators and resellers (in is valid),
// writing an event for each change in the same transaction; its OFMs stay as its administrators
// designated them.
func UpdatePartner(ctx context.Context, db *gorm.DB, actor string, in PartnerInput) (PartnerDetails, error) {
	now := Now()
	actor = NormalizeEmail(actor)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		had, err := lockPartner(ctx, tx, in.Domain)
		if err != nil {
			return err
		}
		var evs []Event
		ev := func(action string, details map[string]any) {
			evs = append(evs, NewEvent("", TargetPartner, in.Domain, actor, action, details))
		}
		if had.Name != in.Name {
			ev(EventPartnerRenamed, map[string]any{"from": had.Name, "to": in.Name})
		}
		added, removed := setDiff(had.Administrators, in.Administrators)
		if err := replacePeople(tx, in.Domain, PartnerAdministrator, added, removed, actor, now); err != nil {
			return err
		}
		for _, e := range added {
			ev(EventPartnerAdminAdded, map[string]any{"email": e})
		}
		for _, e := range removed {
			ev(EventPartnerAdminRemoved, map[string]any{"email": e})
		}
		added, removed = setDiff(had.DistributorOf, in.DistributorOf)
		if err := addResellers(tx, in.Domain, added, now); err != nil {
			return err
		}
		if len(removed) > 0 {
			if err := tx.Where("distributor_domain = ? AND reseller_domain IN ?", in.Domain, removed).
				Delete(&PartnerReseller{}).Error; err != nil {
				return fmt.Errorf("remove resellers of %s: %w", in.Domain, err)
			}
		}
		for _, r := range added {
			ev(EventPartnerResellerAdded, map[string]any{"reseller": r})
		}
		for _, r := range removed {
			ev(EventPartnerResellerRemoved, map[string]any{"reseller": r})
		}
		if len(evs) == 0 {
			return nil
		}
		if err := tx.Model(&Partner{}).Where("domain = ?", in.Domain).
			Updates(map[string]any{"name": in.Name, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("update partner %s: %w", in.Domain, err)
		}
		return WriteEvents(tx, now, evs...)
	})
	if err != nil {
		return PartnerDetails{}, err
	}
	return FindPartner(ctx, db, in.Domain)
}

// SetPartnerOFMs replaces a partner's Order Fulfillment Managers with the addresses given (each of the
// partner's domain or a subdomain), writing an event for each designation and removal in the same
// transaction. A removed OFM loses the right with the commit: every request looks the rights up.
func SetPartnerOFMs(ctx context.Context, db *gorm.DB, actor, domain string, emails []string) (OFMChange, error) {
	want, err := PartnerEmails("emails", domain, emails, MaxPartnerOFMs)
	if err != nil {
		return OFMChange{}, err
	}
	now := Now()
	actor = NormalizeEmail(actor)
	out := OFMChange{Domain: domain, Emails: want}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		had, err := lockPartner(ctx, tx, domain)
		if err != nil {
			return err
		}
		out.Added, out.Removed = setDiff(had.OFMs, want)
		if len(out.Added)+len(out.Removed) == 0 {
			return nil
		}
		if err := replacePeople(tx, domain, PartnerOFM, out.Added, out.Removed, actor, now); err != nil {
			return err
		}
		var evs []Event
		for _, e := range out.Added {
			evs = append(evs, NewEvent("", TargetPartner, domain, actor, EventPartnerOFMDesignated, map[string]any{"email": e}))
		}
		for _, e := range out.Removed {
			evs = append(evs, NewEvent("", TargetPartner, domain, actor, EventPartnerOFMRemoved, map[string]any{"email": e}))
		}
		if err := tx.Model(&Partner{}).Where("domain = ?", domain).Update("updated_at", now).Error; err != nil {
			return fmt.Errorf("update partner %s: %w", domain, err)
		}
		return WriteEvents(tx, now, evs...)
	})
	return out, err
}

// lockPartner reads a partner for a change, holding its row (PostgreSQL; SQLite has one writer) so
// that two changes of the same partner apply one after the other, each to what the other left.
func lockPartner(ctx context.Context, tx *gorm.DB, domain string) (PartnerDetails, error) {
	if _, err := takeRow[Partner](tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("domain = ?", domain), "partner", domain,
		""); err != nil {
		return PartnerDetails{}, err
	}
	return FindPartner(ctx, tx, domain)
}

func addPeople(tx *gorm.DB, domain string, role PartnerRole, emails []string, actor string, now time.Time) error {
	if len(emails) == 0 {
		return nil
	}
	rows := make([]PartnerPerson, len(emails))
	for i, e := range emails {
		rows[i] = PartnerPerson{PartnerDomain: domain, Role: role, Email: e, GrantedBy: actor, CreatedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("add %s of %s: %w", role, domain, err)
	}
	return nil
}

func replacePeople(tx *gorm.DB, domain string, role PartnerRole, added, removed []string, actor string, now time.Time) error {
	if len(removed) > 0 {
		if err := tx.Where("partner_domain = ? AND role = ? AND email IN ?", domain, role, removed).
			Delete(&PartnerPerson{}).Error; err != nil {
			return fmt.Errorf("remove %s of %s: %w", role, domain, err)
		}
	}
	return addPeople(tx, domain, role, added, actor, now)
}

func addResellers(tx *gorm.DB, domain string, resellers []string, now time.Time) error {
	if len(resellers) == 0 {
		return nil
	}
	rows := make([]PartnerReseller, len(resellers))
	for i, r := range resellers {
		rows[i] = PartnerReseller{DistributorDomain: domain, ResellerDomain: r, CreatedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("add resellers of %s: %w", domain, err)
	}
	return nil
}

// PartnerRightsOf looks up, in one query, the orders a verified address manages as Order Fulfillment
// Manager: the partners that designated it and the resellers those partners serve as distributors.
func PartnerRightsOf(ctx context.Context, db *gorm.DB, email string) (PartnerRights, error) {
	var rows []struct {
		Domain string
		Own    bool
	}
	e := NormalizeEmail(email)
	err := db.WithContext(ctx).Raw(`SELECT p.partner_domain AS domain, TRUE AS own FROM partner_people p
		WHERE p.email = ? AND p.role = ?
		UNION SELECT r.reseller_domain, FALSE FROM partner_people p
		JOIN partner_resellers r ON r.distributor_domain = p.partner_domain WHERE p.email = ? AND p.role = ?
		ORDER BY 1`, e, PartnerOFM, e, PartnerOFM).Scan(&rows).Error
	if err != nil {
		return PartnerRights{}, fmt.Errorf("partner rights of %s: %w", e, err)
	}
	var r PartnerRights
	for _, row := range rows {
		if row.Own {
			r.Partners = append(r.Partners, row.Domain)
		} else {
			r.Resellers = append(r.Resellers, row.Domain)
		}
	}
	return r, nil
}

// OrderActorOf is the actor of an order request: the identity's verified address and platform roles,
// with the partner rights its address has by the partner rows.
func OrderActorOf(ctx context.Context, db *gorm.DB, email string, roles []string) (OrderActor, error) {
	rights, err := PartnerRightsOf(ctx, db, email)
	return OrderActor{Email: NormalizeEmail(email), Roles: roles, OFM: rights}, err
}

// PartnersOf lists the partners a person has roles in, with those roles, by domain.
func PartnersOf(ctx context.Context, db *gorm.DB, email string) ([]PartnerMembership, error) {
	var rows []struct {
		Domain, Name string
		Role         PartnerRole
	}
	err := db.WithContext(ctx).Raw(`SELECT p.domain, p.name, pp.role FROM partner_people pp
		JOIN partners p ON p.domain = pp.partner_domain WHERE pp.email = ? ORDER BY p.domain, pp.role`,
		NormalizeEmail(email)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("partners of %s: %w", email, err)
	}
	out := []PartnerMembership{}
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].Domain == r.Domain {
			out[n-1].Roles = append(out[n-1].Roles, r.Role)
			continue
		}
		out = append(out, PartnerMembership{Domain: r.Domain, Name: r.Name, Roles: []PartnerRole{r.Role}})
	}
	return out, nil
}

// PartnerEvents lists a partner's history, oldest first; after (an event id) pages on.
func PartnerEvents(ctx context.Context, db *gorm.DB, domain, after string, limit int) ([]Event, error) {
	q := db.WithContext(ctx).Where("target_type = ? AND target_id = ?", TargetPartner, domain)
	if after != "" {
		q = q.Where("id > ?", after)
	}
	evs := []Event{}
	if err := q.Order("id").Limit(limit).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("events of partner %s: %w", domain, err)
	}
	return evs, nil
}
