package api

import (
	"context"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// validateType reads the account type of a create request: CUSTOMER by default, or HOLDING for a
// Partner Holding Account (FEATURES SA12), which is the partner's own: never requested on a customer's
// behalf, never for a personal mail domain, and its domain is the partner's.
func (r *createSARequest) validateType(out *process.SARequest) error {
	switch r.Type {
	case "", models.SATypeCustomer:
		out.Type = models.SATypeCustomer
		return nil
	case models.SATypeHolding:
	default:
		return models.Invalid("type", "type must be CUSTOMER or HOLDING")
	}
	switch {
	case r.OnBehalf:
		return models.Invalid("onBehalf", "a Partner Holding Account is the partner's own: it cannot be requested on a customer's behalf")
	case r.ModifiedDomain:
		return models.Invalid("modifiedDomain", "a Partner Holding Account takes its partner's domain")
	case models.IsPersonalMailDomain(out.Domain):
		return models.Invalid("domain", "%s is a personal mail domain, no partner's", out.Domain)
	}
	out.Type = models.SATypeHolding
	return nil
}

// holdingRequest checks that the requester may create a holding account for the partner the domain
// names, from the partner rows (never a claim), and gives the account the partner's domain.
func (s *Server) holdingRequest(c *gin.Context, req *process.SARequest, requester string) error {
	p, err := models.HoldingPartner(c.Request.Context(), s.db, req.Domain, requester)
	if err != nil {
		return err
	}
	req.Domain = p.Domain
	return nil
}

// depositAtSale puts an ingested order in the holding account commerce names (FEATURES HA1): a live
// holding account of the order's reseller or distributor.
func (s *Server) depositAtSale(ctx context.Context, o *models.Order, lines []models.OrderLine, sel models.HoldingSelector,
	now time.Time) error {
	h, err := models.ResolveHolding(ctx, s.db, sel, "holdingAccount")
	if err != nil {
		return err
	}
	if h.Domain != o.ResellerDomain && h.Domain != o.DistributorDomain {
		return &models.Error{Code: models.CodeRefused, Field: "holdingAccount", Message: fmt.Sprintf(
			"the holding account %s belongs to %s, which is neither the order's reseller nor its distributor", h.SmartAccountName, h.Domain)}
	}
	models.DepositInHolding(o, lines, h, now)
	return nil
}
