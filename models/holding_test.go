package models_test

import (
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
)

// Who may deposit a 2-tier order in which holding account, and transfer it from there (FEATURES HA1,
// HA3, seed 003): the distributor's OFMs in and from their own holding account or their reseller's, the
// reseller's OFMs their own only; another partner's OFMs, the customer's administrators nothing; the
// fulfillment contact either partner's; a holding account's members transfer from it; support with a
// reason only.
func TestHoldingAuthorization(t *testing.T) {
	now := time.Now()
	o := models.Order{ID: "WO-7", Type: models.OrderStandard, FulfillmentContact: "fc@acme.com",
		ResellerDomain: "partnerx.com", DistributorDomain: "distri.com"}
	lines := func(in string) []models.OrderLine {
		return []models.OrderLine{{OrderID: o.ID, ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1, SmartLicense: true,
			SAMandatory: true, AssignmentStatus: models.AssignInHolding, SmartAccountID: in, VirtualAccountID: "va-" + in,
			ProvisioningStatus: models.ProvisionPending, DelayReason: models.DelayInHolding}}
	}
	reseller := models.AssignTarget{SmartAccountID: "sa-rh", SmartAccountName: "Partner X Holding", Status: models.SAActive,
		Type: models.SATypeHolding, VirtualAccountID: "va-sa-rh", Domain: "partnerx.com"}
	distributor := models.AssignTarget{SmartAccountID: "sa-dh", SmartAccountName: "Distri Holding", Status: models.SAActive,
		Type: models.SATypeHolding, VirtualAccountID: "va-sa-dh", Domain: "distri.com"}
	other := models.AssignTarget{SmartAccountID: "sa-oh", SmartAccountName: "Other Holding", Status: models.SAActive,
		Type: models.SATypeHolding, VirtualAccountID: "va-sa-oh", Domain: "other.com"}
	customer := models.AssignTarget{SmartAccountID: "sa-acme", SmartAccountName: "Acme", Status: models.SAActive,
		Type: models.SATypeCustomer, VirtualAccountID: "va-acme", Domain: "acme.com"}
	resellerOFM := models.OrderActor{Email: "olivia@partnerx.com", OFM: models.PartnerRights{Partners: []string{"partnerx.com"}}}
	distributorOFM := models.OrderActor{Email: "dan@distri.com", OFM: models.PartnerRights{Partners: []string{"distri.com"},
		Resellers: []string{"partnerx.com"}}}
	otherOFM := models.OrderActor{Email: "oz@other.com", OFM: models.PartnerRights{Partners: []string{"other.com"}}}
	fc := models.OrderActor{Email: "fc@acme.com"}
	customerAdmin := models.OrderActor{Email: "boss@acmecorp.com"}
	member := models.OrderActor{Email: "pat@partnerx.com"}
	support := models.OrderActor{Email: "tac@cisco.com", Roles: []string{models.RoleCiscoSupport}}
	for _, c := range []struct {
		who    string
		actor  models.OrderActor
		reason string
		member bool
		// deposit and transfer are the codes for the reseller's and the distributor's holding account
		// ("" allowed).
		deposit, transfer [2]string
	}{
		{"reseller OFM", resellerOFM, "", false, [2]string{"", models.CodeForbidden}, [2]string{"", models.CodeForbidden}},
		{"distributor OFM", distributorOFM, "", false, [2]string{"", ""}, [2]string{"", ""}},
		{"OFM of another partner", otherOFM, "", false, [2]string{models.CodeNotFound, models.CodeNotFound}, [2]string{models.CodeNotFound, models.CodeNotFound}},
		{"holding account member", member, "", true, [2]string{models.CodeForbidden, models.CodeForbidden}, [2]string{"", ""}},
		{"fulfillment contact", fc, "", false, [2]string{"", ""}, [2]string{"", ""}},
		{"customer admin", customerAdmin, "", false, [2]string{models.CodeNotFound, models.CodeNotFound}, [2]string{models.CodeNotFound, models.CodeNotFound}},
		{"support with a reason", support, "case 123", false, [2]string{"", ""}, [2]string{"", ""}},
		{"support without a reason", support, "", false, [2]string{models.CodeInvalid, models.CodeInvalid}, [2]string{models.CodeInvalid, models.CodeInvalid}},
	} {
		for i, h := range []models.AssignTarget{reseller, distributor} {
			acc := models.AccessTo(c.actor, o, nil, c.member, now)
			unassigned := lines("")
			unassigned[0].AssignmentStatus, unassigned[0].SmartAccountID = models.AssignUnassigned, ""
			_, err := models.PlanAssignment(o, unassigned, acc, models.AssignRequest{Products: h, Reason: c.reason})
			if got := code(err); got != c.deposit[i] {
				t.Errorf("%s deposits in %s: %q (%v), want %q", c.who, h.SmartAccountName, got, err, c.deposit[i])
			}
			req := models.TransferRequest{To: customer, Reason: c.reason, From: []models.AssignTarget{h}}
			if c.member {
				req.MemberOf = []string{h.SmartAccountID}
			}
			_, _, err = models.PlanTransfer(o, lines(h.SmartAccountID), acc, req)
			if got := code(err); got != c.transfer[i] {
				t.Errorf("%s transfers from %s: %q (%v), want %q", c.who, h.SmartAccountName, got, err, c.transfer[i])
			}
		}
	}
	// Nobody deposits in a holding account of a partner the order does not name, and nothing is
	// transferred to another holding account.
	if _, err := models.PlanAssignment(o, lines(""), models.AccessTo(fc, o, nil, false, now), models.AssignRequest{Products: other}); code(err) != models.CodeRefused {
		t.Errorf("deposit in another partner's holding account: %v", err)
	}
	if _, _, err := models.PlanTransfer(o, lines(reseller.SmartAccountID), models.AccessTo(fc, o, nil, false, now),
		models.TransferRequest{To: distributor, From: []models.AssignTarget{reseller}}); code(err) != models.CodeRefused {
		t.Errorf("transfer to a holding account: %v", err)
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return models.ErrorCode(err)
}
