package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// partnerBody is the body of POST /partners.
type partnerBody struct {
	Domain         string   `json:"domain"`
	Name           string   `json:"name"`
	Administrators []string `json:"administrators"`
	DistributorOf  []string `json:"distributorOf"`
}

// partnerUpdateBody is the body of PUT /partners/{domain}: the partner as it is to be, its domain
// being the path's.
type partnerUpdateBody struct {
	Name           string   `json:"name"`
	Administrators []string `json:"administrators"`
	DistributorOf  []string `json:"distributorOf"`
}

// ofmsBody is the body of PUT /partners/{domain}/ofms: every OFM the partner is to have.
type ofmsBody struct {
	Emails []string `json:"emails"`
}

// partnerStaffOnly refuses callers who may not register or change partners.
func partnerStaffOnly(c *gin.Context) error {
	if models.CanRegisterPartners(identity(c).Roles) {
		return nil
	}
	return models.Errorf(models.CodeForbidden, "only Cisco staff (platform role %s or %s) register and change partners",
		models.RoleCiscoSupport, models.RoleLicensingOps)
}

// registerPartner records a partner organization: 201 the first time, 200 with the partner when the same
// registration comes again, 409 naming what differs when it comes with other content (PUT changes it).
func (s *Server) registerPartner(c *gin.Context) error {
	ctx := c.Request.Context()
	if err := partnerStaffOnly(c); err != nil {
		return err
	}
	var body partnerBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	in, err := models.PartnerInput{Domain: body.Domain, Name: body.Name, Administrators: body.Administrators,
		DistributorOf: body.DistributorOf}.Valid()
	if err != nil {
		return err
	}
	p, created, err := models.RegisterPartner(ctx, s.db, identity(c).Email, in)
	if err != nil || !created {
		return jsonOr(c, http.StatusOK, p, err)
	}
	s.log.InfoContext(ctx, "partner registered", "partner", p.Domain, "by", identity(c).Email)
	c.Header("Location", "/api/v1/partners/"+p.Domain)
	c.JSON(http.StatusCreated, p)
	return nil
}

// updatePartner replaces a partner's name, administrators and resellers; each change is an event.
func (s *Server) updatePartner(c *gin.Context) error {
	if err := partnerStaffOnly(c); err != nil {
		return err
	}
	var body partnerUpdateBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	domain, err := routePartnerDomain(c)
	if err != nil {
		return err
	}
	in, err := models.PartnerInput{Domain: domain, Name: body.Name, Administrators: body.Administrators,
		DistributorOf: body.DistributorOf}.Valid()
	if err != nil {
		return err
	}
	p, err := models.UpdatePartner(c.Request.Context(), s.db, identity(c).Email, in)
	return jsonOr(c, http.StatusOK, p, err)
}

// routePartnerDomain is the domain the route names; one that is not a domain names no partner (404).
func routePartnerDomain(c *gin.Context) (string, error) {
	domain, err := models.ValidPartnerDomain("domain", c.Param("domain"))
	if err != nil {
		return "", models.Errorf(models.CodeNotFound, "no partner %s", c.Param("domain"))
	}
	return domain, nil
}

// loadPartner reads the partner the route names, and what the caller may do with it; a partner the
// caller may not see is not found, as an unknown one.
func (s *Server) loadPartner(c *gin.Context) (models.PartnerDetails, models.PartnerAccess, error) {
	domain, err := routePartnerDomain(c)
	if err != nil {
		return models.PartnerDetails{}, models.PartnerAccess{}, err
	}
	p, err := models.FindPartner(c.Request.Context(), s.db, domain)
	if err != nil {
		return p, models.PartnerAccess{}, err
	}
	acc := models.AccessToPartner(viewer(identity(c)), p)
	if !acc.See {
		return p, acc, models.Errorf(models.CodeNotFound, "no partner %s", domain)
	}
	return p, acc, nil
}

// getPartner shows a partner to Cisco staff, its administrators and its OFMs.
func (s *Server) getPartner(c *gin.Context) error {
	p, _, err := s.loadPartner(c)
	return jsonOr(c, http.StatusOK, p, err)
}

// partnerEvents is a partner's history: its registration, its changes, each OFM designated or removed.
func (s *Server) partnerEvents(c *gin.Context) error {
	p, _, err := s.loadPartner(c)
	if err != nil {
		return err
	}
	return eventPage(c, func(after string, limit int) ([]models.Event, error) {
		return models.PartnerEvents(c.Request.Context(), s.db, p.Domain, after, limit)
	})
}

// getOFMs lists a partner's Order Fulfillment Managers.
func (s *Server) getOFMs(c *gin.Context) error {
	p, _, err := s.loadPartner(c)
	return jsonOr(c, http.StatusOK, gin.H{"domain": p.Domain, "emails": p.OFMs}, err)
}

// putOFMs replaces a partner's Order Fulfillment Managers: its administrators designate them, each an
// address of the partner's domain or a subdomain of it. The answer says who was added and removed; a
// removed OFM's next request has no partner right.
func (s *Server) putOFMs(c *gin.Context) error {
	ctx := c.Request.Context()
	p, acc, err := s.loadPartner(c)
	if err != nil {
		return err
	}
	var body ofmsBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	if !acc.ManageOFMs {
		return models.Errorf(models.CodeForbidden, "only the administrators of %s (%s) designate its Order Fulfillment Managers",
			p.Name, p.Domain)
	}
	if body.Emails == nil {
		return models.Invalid("emails", "emails is required: every OFM the partner is to have ([] for none)")
	}
	out, err := models.SetPartnerOFMs(ctx, s.db, identity(c).Email, p.Domain, body.Emails)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "partner OFMs set", "partner", p.Domain, "by", identity(c).Email,
		"added", len(out.Added), "removed", len(out.Removed))
	c.JSON(http.StatusOK, out)
	return nil
}
