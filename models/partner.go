package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PartnerRole is what a person is to a partner organization: one of its administrators, whom Cisco
// staff register with it, or one of the Order Fulfillment Managers its administrators designate (seed
// 002: the OFM role is designated in Partner Self-Service).
type PartnerRole string

// The partner roles.
const (
	PartnerAdministrator PartnerRole = "ADMINISTRATOR"
	PartnerOFM           PartnerRole = "OFM"
)

// Limits of a partner's lists.
const (
	MaxPartnerAdministrators = 50
	MaxPartnerOFMs           = 200
	MaxPartnerResellers      = 500
)

// Partner is a partner organization as Cisco staff registered it, by its domain (FEATURES OR9, HA3).
type Partner struct {
	Domain    string    `gorm:"primaryKey" json:"domain"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// PartnerPerson is one person's role in a partner, held by address so that it holds before their first
// sign-in.
type PartnerPerson struct {
	PartnerDomain string      `gorm:"primaryKey"`
	Role          PartnerRole `gorm:"primaryKey"`
	Email         string      `gorm:"primaryKey"`
	GrantedBy     string
	CreatedAt     time.Time
}

// PartnerReseller is a reseller a distributor serves (2-tier): the distributor's OFMs act on the
// reseller's orders.
type PartnerReseller struct {
	DistributorDomain string `gorm:"primaryKey"`
	ResellerDomain    string `gorm:"primaryKey"`
	CreatedAt         time.Time
}

// PartnerDetails is a partner with its people and its 2-tier links, each list sorted.
type PartnerDetails struct {
	Partner
	Administrators []string `json:"administrators"`
	OFMs           []string `json:"ofms"`
	// DistributorOf are the resellers this partner serves as a distributor.
	DistributorOf []string `json:"distributorOf"`
	// Distributors are the registered distributors that serve this partner as a reseller.
	Distributors []string `json:"distributors"`
}

// PartnerInput is a partner as Cisco staff register or change it.
type PartnerInput struct {
	Domain         string
	Name           string
	Administrators []string
	DistributorOf  []string
}

// Valid checks and normalizes a partner's registration: a real domain (never a personal mail domain),
// a name, one to MaxPartnerAdministrators administrators of the domain, and the resellers' domains.
// The lists come back sorted, each entry once.
func (in PartnerInput) Valid() (PartnerInput, error) {
	var err error
	out := PartnerInput{Name: strings.TrimSpace(in.Name)}
	if out.Domain, err = ValidPartnerDomain("domain", in.Domain); err != nil {
		return out, err
	}
	switch {
	case out.Name == "" || len([]rune(out.Name)) > 200:
		return out, Invalid("name", "name is required (at most 200 characters)")
	case HasControl(out.Name, false):
		return out, Invalid("name", "name holds control characters")
	case len(in.Administrators) == 0:
		return out, Invalid("administrators", "a partner needs at least one administrator: they designate its Order Fulfillment Managers")
	}
	if out.Administrators, err = PartnerEmails("administrators", out.Domain, in.Administrators, MaxPartnerAdministrators); err != nil {
		return out, err
	}
	if len(in.DistributorOf) > MaxPartnerResellers {
		return out, Invalid("distributorOf", "distributorOf lists at most %d resellers", MaxPartnerResellers)
	}
	out.DistributorOf = []string{}
	for i, raw := range in.DistributorOf {
		field := fmt.Sprintf("distributorOf[%d]", i)
		d, err := NormalizeDomain(raw)
		if err != nil {
			return out, Invalid(field, "%s must be a reseller's domain: %v", field, err)
		}
		if d == out.Domain {
			return out, Invalid(field, "%s is the partner itself: a distributor lists the resellers it serves", d)
		}
		if !slices.Contains(out.DistributorOf, d) {
			out.DistributorOf = append(out.DistributorOf, d)
		}
	}
	slices.Sort(out.DistributorOf)
	return out, nil
}

// ValidPartnerDomain checks a partner's domain: a hostname under a known public suffix, not a public
// suffix itself, and neither a personal mail domain nor an SMB identifier, which are nobody's company.
func ValidPartnerDomain(field, raw string) (string, error) {
	d, err := NormalizeDomain(raw)
	switch {
	case err != nil:
		return "", Invalid(field, "%s must be the partner's domain: %v", field, err)
	case IsPersonalMailDomain(d) || IsSMBDomain(d):
		return "", Invalid(field, "%s is a personal mail domain, no partner's", d)
	}
	return d, nil
}

// PartnerEmails checks the addresses of a partner's people: each of the partner's domain or of a
// subdomain of it (olivia@partnerx.com and olivia@emea.partnerx.com for partnerx.com), lowercased,
// each once, sorted, at most max.
func PartnerEmails(field, domain string, raw []string, max int) ([]string, error) {
	if len(raw) > max {
		return nil, Invalid(field, "%s lists at most %d addresses", field, max)
	}
	out := []string{}
	for i, r := range raw {
		f := fmt.Sprintf("%s[%d]", field, i)
		e := NormalizeEmail(r)
		switch {
		case !ValidEmail(e):
			return nil, Invalid(f, "%q is not an email address", r)
		case !InDomain(EmailDomain(e), domain):
			return nil, Invalid(f, "%s is not an address of %s or of a subdomain of it", e, domain)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out, nil
}

// InDomain reports whether host is domain or one of its subdomains: eng.acme.com is in acme.com,
// acme.com.evil.com and notacme.com are not.
func InDomain(host, domain string) bool {
	host, domain = strings.ToLower(host), strings.ToLower(domain)
	return domain != "" && (host == domain || strings.HasSuffix(host, "."+domain))
}

// differs names the fields in which a registration differs from the partner as recorded.
func (d PartnerDetails) differs(in PartnerInput) []string {
	var out []string
	if d.Name != in.Name {
		out = append(out, "name")
	}
	if !slices.Equal(d.Administrators, in.Administrators) {
		out = append(out, "administrators")
	}
	if !slices.Equal(d.DistributorOf, in.DistributorOf) {
		out = append(out, "distributorOf")
	}
	return out
}

// PartnerRights are the orders a person manages as Order Fulfillment Manager, as the partner rows say
// (PartnerRightsOf): those of the partners that designated them, as reseller or distributor, and those
// of the resellers such a partner serves as distributor (2-tier). A token's claims give none.
type PartnerRights struct {
	// Partners are the domains of the partners that designated the person OFM.
	Partners []string `json:"partners,omitempty"`
	// Resellers are the resellers those partners serve as distributors.
	Resellers []string `json:"resellers,omitempty"`
}

// Manages reports whether the rights cover an order: its reseller or its distributor designated the
// person, or its reseller is served by a distributor that did.
func (r PartnerRights) Manages(o Order) bool {
	res, dist := o.ResellerDomain, o.DistributorDomain
	return res != "" && (slices.Contains(r.Partners, res) || slices.Contains(r.Resellers, res)) ||
		dist != "" && slices.Contains(r.Partners, dist)
}

// resellerDomains are the reseller domains whose orders the rights cover.
func (r PartnerRights) resellerDomains() []string {
	out := slices.Concat(r.Partners, r.Resellers)
	slices.Sort(out)
	return slices.Compact(out)
}

// CanRegisterPartners reports whether platform roles let someone register and change partners: Cisco
// support and licensing operations.
func CanRegisterPartners(roles []string) bool {
	return slices.Contains(roles, RoleCiscoSupport) || slices.Contains(roles, RoleLicensingOps)
}

// PartnerAccess is what a person may do with a partner's rows.
type PartnerAccess struct {
	// See: Cisco staff, the partner's administrators and its OFMs.
	See bool
	// ManageOFMs: the partner's administrators designate and remove its OFMs.
	ManageOFMs bool
	// Change: Cisco support and licensing operations change the partner itself.
	Change bool
}

// AccessToPartner decides what a person, by verified address and platform roles, may do with a partner.
func AccessToPartner(v Viewer, p PartnerDetails) PartnerAccess {
	email := NormalizeEmail(v.Email)
	admin := slices.Contains(p.Administrators, email)
	return PartnerAccess{See: v.Internal() || admin || slices.Contains(p.OFMs, email), ManageOFMs: admin,
		Change: CanRegisterPartners(v.Roles)}
}

// OFMChange is what a replacement of a partner's OFMs did.
type OFMChange struct {
	Domain  string   `json:"domain"`
	Emails  []string `json:"emails"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// PartnerMembership is one partner a person has roles in, for their own view.
type PartnerMembership struct {
	Domain string        `json:"domain"`
	Name   string        `json:"name"`
	Roles  []PartnerRole `json:"roles"`
}

// Events of partners: their target is the partner's domain; they belong to no Smart Account.
const (
	TargetPartner               = "PARTNER"
	EventPartnerRegistered      = "PARTNER_REGISTERED"
	EventPartnerRenamed         = "PARTNER_RENAMED"
	EventPartnerAdminAdded      = "PARTNER_ADMINISTRATOR_ADDED"
	EventPartnerAdminRemoved    = "PARTNER_ADMINISTRATOR_REMOVED"
	EventPartnerOFMDesignated   = "PARTNER_OFM_DESIGNATED"
	EventPartnerOFMRemoved      = "PARTNER_OFM_REMOVED"
	EventPartnerResellerAdded   = "PARTNER_RESELLER_ADDED"
	EventPartnerResellerRemoved = "PARTNER_RESELLER_REMOVED"
)

// setDiff is what turns the sorted list had into the sorted list want.
func setDiff(had, want []string) (added, removed []string) {
	added, removed = []string{}, []string{}
	for _, w := range want {
		if !slices.Contains(had, w) {
			added = append(added, w)
		}
	}
	for _, h := range had {
		if !slices.Contains(want, h) {
			removed = append(removed, h)
		}
	}
	return added, removed
}
