package api

import (
	"encoding/csv"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// Account properties, notices and the location export (FEATURES SA11).

// propertiesBody is the body of PATCH /smart-accounts/{id}: the fields given change.
type propertiesBody struct {
	Name         *string            `json:"name"`
	Headquarters *models.Address    `json:"headquarters"`
	Visibility   *models.Visibility `json:"visibility"`
}

func (b propertiesBody) validate() (models.PropertiesPatch, error) {
	var p models.PropertiesPatch
	if b.Name != nil {
		n, err := models.ValidVAName("name", *b.Name)
		if err != nil {
			return p, err
		}
		p.Name = &n
	}
	if b.Headquarters != nil {
		hq, err := models.ValidAddress("headquarters", *b.Headquarters)
		if err != nil {
			return p, err
		}
		p.Headquarters = &hq
	}
	if b.Visibility != nil {
		if *b.Visibility != models.VisibilityRestricted && *b.Visibility != models.VisibilityUnrestricted {
			return p, models.Invalid("visibility", "visibility must be UNRESTRICTED or RESTRICTED")
		}
		p.Visibility = b.Visibility
	}
	return p, nil
}

// updateProperties edits an ACTIVE account's name, headquarters and visibility, for its administrators
// and support with a reason; each change is an event.
func (s *Server) updateProperties(c *gin.Context) error {
	ctx := c.Request.Context()
	who, body, err := bind[propertiesBody](c, s.load)
	if err != nil {
		return err
	}
	p, err := body.validate()
	if err != nil {
		return err
	}
	if p.SupportReason, err = s.adminWrite(c, who); err != nil {
		return err
	}
	sa, err := models.UpdateAccountProperties(ctx, s.db, who.id.Email, who.sa.ID, p)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "account properties changed", "smartAccountId", sa.ID, "by", who.id.Email)
	c.JSON(http.StatusOK, myAccountView(sa, who.roles))
	return nil
}

// listNotices shows the account's notices, who acknowledged each, and whether the caller did, to its
// members and Cisco staff.
func (s *Server) listNotices(c *gin.Context) error {
	who, err := s.member(c)
	if err != nil {
		return err
	}
	notices, err := models.AccountNotices(c.Request.Context(), s.db, who.sa.ID, who.id.Email)
	return jsonOr(c, http.StatusOK, gin.H{"notices": notices}, err)
}

// acknowledgeNotice records a Smart Account Administrator's acknowledgement: each administrator
// acknowledges for themself, so nobody (support included) does it for them.
func (s *Server) acknowledgeNotice(c *gin.Context) error {
	ctx := c.Request.Context()
	who, err := s.load(c)
	if err != nil {
		return err
	}
	kind, err := models.ParseNoticeKind(c.Param("kind"))
	if err != nil {
		return err
	}
	if !who.saAdmin() {
		return models.Errorf(models.CodeForbidden, "the %s is acknowledged by the administrators of %s", kind.Title(), who.sa.Name)
	}
	ack, err := models.AcknowledgeNotice(ctx, s.db, who.sa.ID, kind, who.id.Email)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "notice acknowledged", "smartAccountId", who.sa.ID, "notice", kind, "by", who.id.Email)
	c.JSON(http.StatusOK, gin.H{"kind": kind, "title": kind.Title(), "email": ack.Email, "at": ack.AcknowledgedAt})
	return nil
}

// exportLocations is the account's location data as CSV: its headquarters, then each virtual account
// the caller's roles open with its address.
func (s *Server) exportLocations(c *gin.Context) error {
	ctx := c.Request.Context()
	who, err := s.member(c)
	if err != nil {
		return err
	}
	vas, err := models.VirtualAccounts(ctx, s.db, who.sa.ID)
	if err != nil {
		return err
	}
	scope := models.LicenseScopeOf(who.roles, viewer(who.id).Internal())
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="locations-`+who.sa.ID+`.csv"`)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"kind", "id", "name", "company", "line1", "line2", "city", "region", "postalCode", "country"})
	row := func(kind, id, name string, a models.Address) {
		_ = w.Write([]string{kind, id, csvCell(name), csvCell(a.Company), csvCell(a.Line1), csvCell(a.Line2), csvCell(a.City),
			csvCell(a.Region), csvCell(a.PostalCode), a.Country})
	}
	row("HEADQUARTERS", who.sa.ID, who.sa.Name, who.sa.Headquarters)
	for _, va := range vas {
		if scope.All || contains(scope.VAs, va.ID) {
			row("VIRTUAL_ACCOUNT", va.ID, va.Name, va.Address)
		}
	}
	w.Flush()
	return nil
}
