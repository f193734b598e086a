package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// AwaitPartnerInput names the order whose partner-services lines found no account of the reseller.
type AwaitPartnerInput struct {
	OrderID string
}

// AwaitPartnerResult is what the order's process does next: assign the lines to the partner's account
// found now (Changes, to Account), or mail Mail (the OFMs, when the lines began waiting for them in this
// step) the ways to create one.
type AwaitPartnerResult struct {
	State   models.OrderState
	Changes []models.LineTarget
	Account *models.AssignTarget
	Mail    []string
}

// AwaitPartner looks again for the reseller's own account for the order's unassigned partner-services
// lines (issue 13, item 6): found, it answers where they go; not found, the order's row records that they
// wait for the partner's OFMs (once: a retry, or a second look, keeps the first time and mails nobody).
// A reseller that is not a registered partner has nobody to wait for: the lines stay the fulfillment
// contact's.
func (s *Store) AwaitPartner(ctx context.Context, in AwaitPartnerInput) (AwaitPartnerResult, error) {
	var out AwaitPartnerResult
	var err error
	out.State, err = s.orderTx(ctx, in.OrderID, func(tx *gorm.DB, o *models.Order, lines []models.OrderLine, now time.Time) error {
		c := tx.Statement.Context
		partnerLines := models.UnassignedPartnerLines(*o, lines)
		var err error
		switch {
		case len(partnerLines) == 0:
			err = clearPartnerWait(tx, o)
		default:
			out.Account, err = models.PartnerAccount(c, tx, o.ResellerDomain)
		}
		if err != nil {
			return err
		}
		if out.Account != nil {
			for _, id := range partnerLines {
				out.Changes = append(out.Changes, models.LineTarget{LineID: id, SmartAccountID: out.Account.SmartAccountID,
					VirtualAccountID: out.Account.VirtualAccountID})
			}
		} else if len(partnerLines) > 0 && o.PartnerWaitingSince == nil {
			ofms, err := models.PartnerContacts(c, tx, o.ResellerDomain)
			if err != nil {
				return err
			}
			if len(ofms) > 0 {
				o.PartnerOFMs, o.PartnerWaitingSince, out.Mail = ofms, &now, ofms
				if err := tx.Model(&models.Order{}).Where("id = ?", o.ID).Updates(map[string]any{
					"partner_ofms": jsonText(ofms), "partner_waiting_since": now}).Error; err != nil {
					return fmt.Errorf("order %s waits for its partner: %w", o.ID, err)
				}
				ev := event("", models.TargetOrder, o.ID, "", models.EventPartnerWaiting, map[string]any{
					"orderId": o.ID, "reseller": o.ResellerDomain, "lines": partnerLines, "waitingOn": ofms})
				if err := writeEvents(tx, now, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && len(out.Mail) > 0 {
		s.logger().Info("partner lines wait for the partner's account", "orderId", in.OrderID, "ofms", len(out.Mail))
	}
	return out, err
}

// clearPartnerWait ends the order's wait for its partner once no partner-services line awaits it.
func clearPartnerWait(tx *gorm.DB, o *models.Order) error {
	if o.PartnerWaitingSince == nil {
		return nil
	}
	o.PartnerOFMs, o.PartnerWaitingSince = nil, nil
	if err := tx.Model(&models.Order{}).Where("id = ?", o.ID).
		Updates(map[string]any{"partner_ofms": nil, "partner_waiting_since": nil}).Error; err != nil {
		return fmt.Errorf("order %s no longer waits for its partner: %w", o.ID, err)
	}
	return nil
}

// partnerWaitEnds clears the order's wait for its partner when the lines just written leave no
// partner-services line waiting.
func partnerWaitEnds(tx *gorm.DB, o *models.Order, lines []models.OrderLine) error {
	if slices.ContainsFunc(lines, func(l models.OrderLine) bool { return models.AwaitsPartner(*o, l) }) {
		return nil
	}
	return clearPartnerWait(tx, o)
}
