package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Event actions and target of partner grants (FEATURES AC8).
const (
	EventPartnerGranted = "PARTNER_ACCESS_GRANTED"
	EventPartnerRevoked = "PARTNER_ACCESS_REVOKED"
	TargetPartnerGrant  = "PARTNER_GRANT"
)

// PartnerGrant is a customer's consent that a partner's people (addresses of the partner's domain or of
// a subdomain of it) hold a role on the account or on a virtual account.
type PartnerGrant struct {
	ID               string    `gorm:"primaryKey" json:"id"`
	SmartAccountID   string    `json:"smartAccountId"`
	PartnerDomain    string    `json:"partnerDomain"`
	VirtualAccountID string    `json:"virtualAccountId,omitempty"`
	Role             Role      `json:"role"`
	IncludeChildren  bool      `json:"includeChildren"`
	GrantedBy        string    `json:"grantedBy"`
	AccessRequestID  string    `json:"accessRequestId,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	// PartnerName is read with the grant.
	PartnerName string `gorm:"->" json:"partnerName"`
}

// PartnerGrantInput is a grant as the API or an approved access request makes it.
type PartnerGrantInput struct {
	PartnerDomain    string
	Role             Role
	VirtualAccountID string
	IncludeChildren  bool
	AccessRequestID  string
	SupportReason    string
}

// ValidPartnerGrant checks a grant: a registered partner, and a role valid on the account's virtual
// accounts as a user's would be.
func ValidPartnerGrant(ctx context.Context, db *gorm.DB, saID string, in PartnerGrantInput) (PartnerGrantInput, error) {
	d, err := ValidPartnerDomain("partnerDomain", in.PartnerDomain)
	if err != nil {
		return in, err
	}
	in.PartnerDomain = d
	if _, err := FindPartner(ctx, db, d); err != nil {
		if ErrorCode(err) == CodeNotFound {
			return in, Invalid("partnerDomain", "no partner is registered with the domain %s", d)
		}
		return in, err
	}
	tree, err := loadForest(ctx, db, saID)
	if err != nil {
		return in, err
	}
	row, bad := checkRow(UserRow{Email: "partner@" + d, Role: in.Role, VirtualAccountID: in.VirtualAccountID,
		IncludeChildren: in.IncludeChildren}, false, tree, ManageScope{All: true})
	if bad != nil {
		return in, bad
	}
	in.Role, in.VirtualAccountID, in.IncludeChildren = row.Role, row.VirtualAccountID, row.IncludeChildren
	return in, nil
}

// GrantPartner records the grant with its event, and returns it; a grant already there is returned as
// it is (includeChildren updated), created false.
func GrantPartner(ctx context.Context, db *gorm.DB, actor, saID string, in PartnerGrantInput) (PartnerGrant, bool, error) {
	var out PartnerGrant
	created := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, created, err = grantPartner(tx, actor, saID, in, Now())
		return err
	})
	return out, created, err
}

func grantPartner(tx *gorm.DB, actor, saID string, in PartnerGrantInput, now time.Time) (PartnerGrant, bool, error) {
	var had PartnerGrant
	err := tx.Where("partner_domain = ? AND smart_account_id = ? AND virtual_account_id = ? AND role = ?",
		in.PartnerDomain, saID, in.VirtualAccountID, in.Role).Take(&had).Error
	if err == nil {
		if had.IncludeChildren != in.IncludeChildren {
			if err := tx.Model(&PartnerGrant{}).Where("id = ?", had.ID).Update("include_children", in.IncludeChildren).Error; err != nil {
				return had, false, fmt.Errorf("update partner grant %s: %w", had.ID, err)
			}
			had.IncludeChildren = in.IncludeChildren
		}
		return had, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return had, false, fmt.Errorf("read partner grant: %w", err)
	}
	g := PartnerGrant{ID: NewID(), SmartAccountID: saID, PartnerDomain: in.PartnerDomain, VirtualAccountID: in.VirtualAccountID,
		Role: in.Role, IncludeChildren: in.IncludeChildren, GrantedBy: actor, AccessRequestID: in.AccessRequestID, CreatedAt: now}
	if err := tx.Create(&g).Error; err != nil {
		return g, false, fmt.Errorf("insert partner grant: %w", err)
	}
	details := map[string]any{"partnerDomain": g.PartnerDomain, "role": g.Role, "virtualAccountId": g.VirtualAccountID,
		"includeChildren": g.IncludeChildren}
	if in.AccessRequestID != "" {
		details["accessRequestId"] = in.AccessRequestID
	}
	if in.SupportReason != "" {
		details["supportReason"] = in.SupportReason
	}
	return g, true, WriteEvents(tx, now, NewEvent(saID, TargetPartnerGrant, g.ID, actor, EventPartnerGranted, details))
}

// GrantPartnerIn records a grant in the caller's transaction (an approved access request's).
func GrantPartnerIn(tx *gorm.DB, actor, saID string, in PartnerGrantInput, now time.Time) error {
	_, _, err := grantPartner(tx, actor, saID, in, now)
	return err
}

// PartnerGrants lists the grants to partners on an account, by partner, with each partner's name.
func PartnerGrants(ctx context.Context, db *gorm.DB, saID string) ([]PartnerGrant, error) {
	var out []PartnerGrant
	err := db.WithContext(ctx).Table("partner_grants g").Select("g.*, p.name AS partner_name").
		Joins("JOIN partners p ON p.domain = g.partner_domain").Where("g.smart_account_id = ?", saID).
		Order("g.partner_domain, g.role, g.virtual_account_id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("partner grants of %s: %w", saID, err)
	}
	if out == nil {
		out = []PartnerGrant{}
	}
	return out, nil
}

// RevokePartnerGrant deletes a grant of the account with its event: the partner's people lose the role
// at their next request.
func RevokePartnerGrant(ctx context.Context, db *gorm.DB, actor, saID, grantID, supportReason string) (PartnerGrant, error) {
	var g PartnerGrant
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if g, err = findInAccount[PartnerGrant](tx, saID, grantID, "partner grant"); err != nil {
			return err
		}
		if err := tx.Delete(&PartnerGrant{}, "id = ?", g.ID).Error; err != nil {
			return fmt.Errorf("revoke partner grant %s: %w", g.ID, err)
		}
		details := map[string]any{"partnerDomain": g.PartnerDomain, "role": g.Role, "virtualAccountId": g.VirtualAccountID}
		if supportReason != "" {
			details["supportReason"] = supportReason
		}
		return WriteEvents(tx, Now(), NewEvent(saID, TargetPartnerGrant, g.ID, actor, EventPartnerRevoked, details))
	})
	return g, err
}

// PartnerRequester finds the registered partner a partner's access request names (FEATURES AC8) and
// checks that the requester speaks for it: an administrator or Order Fulfillment Manager of the partner
// by its rows, at an address of the partner's domain or a subdomain. A company claim gives no right.
func PartnerRequester(ctx context.Context, db *gorm.DB, domain, requester string) (PartnerDetails, error) {
	d, err := ValidPartnerDomain("partnerDomain", domain)
	if err != nil {
		return PartnerDetails{}, err
	}
	p, err := FindPartner(ctx, db, d)
	if ErrorCode(err) == CodeNotFound {
		return p, &Error{Code: CodeNotFound, Field: "partnerDomain", Message: fmt.Sprintf(
			"no partner is registered with the domain %s: a partner's access request names a partner Cisco registered", d)}
	}
	if err != nil {
		return p, err
	}
	e := NormalizeEmail(requester)
	if !InDomain(EmailDomain(e), p.Domain) || (!slices.Contains(p.Administrators, e) && !slices.Contains(p.OFMs, e)) {
		return p, &Error{Code: CodeForbidden, Field: "partnerDomain", Message: fmt.Sprintf(
			"only the administrators and Order Fulfillment Managers of %s (%s) request access for it, and %s is neither",
			p.Name, p.Domain, e)}
	}
	return p, nil
}

// OutsidePartner keeps the addresses that are not of the partner's domain or a subdomain of it: the
// partner's own people never consent to their partner's request.
func OutsidePartner(emails []string, partnerDomain string) []string {
	return slices.DeleteFunc(slices.Clone(emails), func(e string) bool { return InDomain(EmailDomain(e), partnerDomain) })
}

// PartnerName is the name of a registered partner, its domain when it has none on record.
func PartnerName(ctx context.Context, db *gorm.DB, domain string) (string, error) {
	var p Partner
	err := db.WithContext(ctx).Select("domain", "name").Where("domain = ?", domain).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && p.Name == "") {
		return domain, nil
	}
	if err != nil {
		return domain, fmt.Errorf("partner %s: %w", domain, err)
	}
	return p.Name, nil
}
