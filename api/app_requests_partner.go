package api

import (
	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// forPartner is what My requests adds to a partner's access request (FEATURES AC8): the role is asked
// for the partner, not for the person who asked, so the row names the partner, by its registered name
// and domain (the domain alone when the name cannot be read).
func (s *Server) forPartner(c *gin.Context, domain string) string {
	name, err := models.PartnerName(c.Request.Context(), s.db, domain)
	if err != nil || name == "" || name == domain {
		return ", for the partner " + domain
	}
	return ", for the partner " + name + " (" + domain + ")"
}
