package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The order's partner-services lines with nowhere to go (issue 13, item 6; FEATURES OR6): when an
// assignment leaves them unassigned because the reseller has no account of its own, they wait for the
// reseller's Order Fulfillment Managers, who are mailed once how to create a holding or customer
// account; the fulfillment contact is no longer waited on for them. When an account of the partner's
// domain becomes ACTIVE, its process tells this one (Releaser.ReleaseHeld) and the lines go there.

// changePartnerWaits is the change id of this behaviour: histories recorded before it assigned nothing
// more after such an assignment, and replay keeps them on that path.
const changePartnerWaits = "partner-line-waits"

// partnerWaits reports whether this run has the partner lines wait for the partner's OFMs.
func (w *orderProc) partnerWaits(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changePartnerWaits, workflow.DefaultVersion, 1) >= 1
}

// partnerLeftOver reports whether the assignment left partner-services lines unassigned for want of
// the reseller's account.
func (w *orderProc) partnerLeftOver(req models.AssignRequest) bool {
	return req.Partner == nil && len(req.Lines) == 0 &&
		len(models.UnassignedPartnerLines(w.state.Order, w.state.Lines)) > 0
}

// awaitPartner looks for the reseller's account once more: found, the partner's lines go there;
// not found, they wait for the reseller's OFMs, mailed once. It runs under the order's lock.
func (w *orderProc) awaitPartner(ctx workflow.Context) {
	res, err := run(ctx, store.AwaitPartner, activities.AwaitPartnerInput{OrderID: w.in.OrderID})
	if err != nil {
		w.step(ctx, "looking for the partner's account failed: "+err.Error(), "")
		return
	}
	w.state = res.State
	o := w.state.Order
	if len(res.Changes) > 0 {
		to := res.Account
		out, err := run(ctx, store.AssignOrderLines, activities.AssignLinesInput{
			OrderID: w.in.OrderID, Changes: res.Changes, As: models.AsInternal, Via: process.ViaAPI,
			Reason: "the partner's own account, " + to.SmartAccountName,
		})
		if err != nil {
			w.step(ctx, "moving the partner's lines to its account failed: "+err.Error(), "")
			return
		}
		w.state = out.State
		w.step(ctx, "partner services lines "+strings.Join(out.Changed, ", ")+" moved to the partner's account "+
			to.SmartAccountName, "")
		w.upsertSearch(ctx)
		w.kick()
		w.tellHolding(ctx, out.Changed, "")
		return
	}
	if len(res.Mail) > 0 {
		w.notify(ctx, "partner-account", res.Mail, "order_partner_account", activities.MailData{Order: w.orderMail(),
			Domain: o.ResellerDomain, AccountName: o.Reseller.Name})
		w.step(ctx, "partner services lines wait for "+o.ResellerDomain+"'s Order Fulfillment Managers to create an account", "")
	}
	w.upsertSearch(ctx)
}
