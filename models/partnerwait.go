package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// A partner's own services go to the partner's own account (FEATURES OR6). When the reseller has none,
// such a line has nowhere to go: it waits for the reseller's Order Fulfillment Managers to create a
// holding or customer account, not for the fulfillment contact, who can do nothing about it (issue 13,
// item 6). The order's row keeps whom they were mailed and since when (Order.PartnerOFMs), so its
// waitingOn is derived from the row like the rest of it.

// ActCreateAccount is what the partner's OFMs are waited on for: an account for the partner's services.
const ActCreateAccount = "create-account"

// EventPartnerWaiting is the order event of its partner-services lines beginning to wait for the OFMs.
const EventPartnerWaiting = "ORDER_PARTNER_ACCOUNT_AWAITED"

// AwaitsPartner reports whether the line is a partner-services line still unassigned while the order
// waits for its reseller's OFMs.
func AwaitsPartner(o Order, l OrderLine) bool {
	return o.PartnerWaitingSince != nil && l.Kind == LinePartnerService && l.SmartAccountID == ""
}

// PartnerWaiting is whom the order's partner-services lines wait for: each OFM mailed, to create an
// account; none when no line awaits the partner.
func PartnerWaiting(st OrderState) []Waiting {
	o := st.Order
	if !slices.ContainsFunc(st.Lines, func(l OrderLine) bool { return AwaitsPartner(o, l) }) {
		return nil
	}
	return WaitFor(o.PartnerOFMs, ActCreateAccount, *o.PartnerWaitingSince, time.Time{})
}

// UnassignedPartnerLines are the order's partner-services lines without an account, when the order has a
// reseller whose account they would go to.
func UnassignedPartnerLines(o Order, lines []OrderLine) []string {
	var out []string
	if o.ResellerDomain == "" {
		return out
	}
	for _, l := range lines {
		if l.Kind == LinePartnerService && l.SmartAccountID == "" {
			out = append(out, l.ID)
		}
	}
	return out
}

// PartnerContacts are whom a partner's lines wait for: the OFMs of the registered partner of the
// domain, or of its registrable domain, else its administrators (who designate OFMs); none for a
// reseller that is not registered.
func PartnerContacts(ctx context.Context, db *gorm.DB, domain string) ([]string, error) {
	domains := []string{domain}
	if tld, err := TLD(domain); err == nil && tld != domain {
		domains = append(domains, tld)
	}
	for _, d := range domains {
		for _, role := range []PartnerRole{PartnerOFM, PartnerAdministrator} {
			var emails []string
			if err := db.WithContext(ctx).Model(&PartnerPerson{}).Where("partner_domain = ? AND role = ?", d, role).
				Order("email").Pluck("email", &emails).Error; err != nil {
				return nil, fmt.Errorf("people of partner %s: %w", d, err)
			}
			if len(emails) > 0 {
				return emails, nil
			}
		}
	}
	return nil, nil
}

// OrdersAwaitingPartner are the orders whose partner-services lines wait for an account of the
// registrable domain tld.
func OrdersAwaitingPartner(ctx context.Context, db *gorm.DB, tld string) ([]string, error) {
	return pluckAll[string](db.WithContext(ctx).Model(&Order{}).
		Where("partner_waiting_since IS NOT NULL AND (reseller_domain = ? OR reseller_domain LIKE ?)", tld, "%."+tld).
		Order("id"), "id", "orders waiting for an account of %s", tld)
}
