package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// Partner access with the customer's consent (FEATURES AC8): an account's administrators grant a
// registered partner a role on the account or on VAs; the partner's people (addresses of its domain or
// a subdomain) then hold it, through the one effective-access query, until it is revoked.

// partnerGrantBody is the body of POST …/partner-grants.
type partnerGrantBody struct {
	PartnerDomain    string      `json:"partnerDomain"`
	Role             models.Role `json:"role"`
	VirtualAccountID string      `json:"virtualAccountId"`
	IncludeChildren  bool        `json:"includeChildren"`
}

func (s *Server) listPartnerGrants(c *gin.Context) error {
	return memberList(s, c, "partnerGrants", models.PartnerGrants)
}

// grantPartner answers 201 with a new grant, 200 with the one already there.
func (s *Server) grantPartner(c *gin.Context) error {
	ctx := c.Request.Context()
	who, body, err := bind[partnerGrantBody](c, s.load)
	if err != nil {
		return err
	}
	reason, err := s.adminWrite(c, who)
	if err != nil {
		return err
	}
	in, err := models.ValidPartnerGrant(ctx, s.db, who.sa.ID, models.PartnerGrantInput{PartnerDomain: body.PartnerDomain,
		Role: body.Role, VirtualAccountID: body.VirtualAccountID, IncludeChildren: body.IncludeChildren, SupportReason: reason})
	if err != nil {
		return err
	}
	g, created, err := models.GrantPartner(ctx, s.db, who.id.Email, who.sa.ID, in)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "partner granted", "smartAccountId", who.sa.ID, "partner", g.PartnerDomain, "role", g.Role, "by", who.id.Email)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, g)
	return nil
}

func (s *Server) revokePartnerGrant(c *gin.Context) error {
	ctx := c.Request.Context()
	who, reason, err := s.loadAdmin(c, nil)
	if err != nil {
		return err
	}
	g, err := models.RevokePartnerGrant(ctx, s.db, who.id.Email, who.sa.ID, c.Param("grantId"), reason)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "partner grant revoked", "smartAccountId", who.sa.ID, "partner", g.PartnerDomain, "by", who.id.Email)
	c.JSON(http.StatusOK, gin.H{"revoked": g})
	return nil
}
