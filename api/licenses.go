package api

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// The licenses of an account (FEATURES PR2): what its provisioned lines put in its virtual accounts.

// licenseScope is what part of the route's account's licenses the caller sees: members see those of
// the virtual accounts their roles open, Cisco staff all; anyone else who may see the account is told
// its licenses are for its users.
func (s *Server) licenseScope(c *gin.Context) (models.SmartAccount, []models.AccountRole, models.LicenseScope, error) {
	sa, roles, err := s.loadVisible(c)
	if err != nil {
		return sa, nil, models.LicenseScope{}, err
	}
	scope := models.LicenseScopeOf(roles, viewer(identity(c)).Internal())
	if scope.Empty() {
		return sa, roles, scope, models.Errorf(models.CodeForbidden, "only the users of %s see its licenses", sa.Name)
	}
	return sa, roles, scope, nil
}

func licenseFilter(c *gin.Context) models.LicenseFilter {
	return models.LicenseFilter{VirtualAccountID: strings.TrimSpace(c.Query("virtualAccountId")), SKU: c.Query("sku")}
}

// listLicenses answers a page of the account's licenses in the caller's scope, by SKU, and the totals of
// the whole filter by SKU and status.
func (s *Server) listLicenses(c *gin.Context) error {
	sa, _, scope, err := s.licenseScope(c)
	if err != nil {
		return err
	}
	limit, err := pageLimit(c, 100, 1000)
	if err != nil {
		return err
	}
	after, err := afterCursor(c, models.DecodeLicenseCursor)
	if err != nil {
		return err
	}
	ctx, f := c.Request.Context(), licenseFilter(c)
	rows, next, err := models.ListLicenses(ctx, s.db, sa.ID, scope, f, after, limit)
	if err != nil {
		return err
	}
	totals, err := models.LicenseTotals(ctx, s.db, sa.ID, scope, f)
	if err != nil {
		return err
	}
	resp := gin.H{"licenses": rows, "totals": totals}
	if next != nil {
		resp["next"] = next.Encode()
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

// exportLicenses is the same filter as CSV, every page of it.
func (s *Server) exportLicenses(c *gin.Context) error {
	sa, _, scope, err := s.licenseScope(c)
	if err != nil {
		return err
	}
	ctx, f := c.Request.Context(), licenseFilter(c)
	rows, next, err := models.ListLicenses(ctx, s.db, sa.ID, scope, f, nil, 1000)
	if err != nil {
		return err
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="licenses-`+sa.ID+`.csv"`)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"sku", "description", "quantity", "status", "virtualAccountId", "startsAt", "endsAt", "orderId", "lineId"})
	for {
		for _, l := range rows {
			_ = w.Write([]string{l.SKU, csvCell(l.Description), strconv.Itoa(l.Quantity), string(l.Status), l.VirtualAccountID,
				stamp(l.StartsAt), stamp(l.EndsAt), l.OrderID, l.LineID})
		}
		if next == nil {
			break
		}
		if rows, next, err = models.ListLicenses(ctx, s.db, sa.ID, scope, f, next, 1000); err != nil {
			s.log.ErrorContext(ctx, "license export cut short", "smartAccountId", sa.ID, "error", err)
			break
		}
	}
	w.Flush()
	return nil
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(v string) string {
	if v != "" && strings.ContainsAny(v[:1], "=+-@\t\r") {
		return "'" + v
	}
	return v
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// transferLicenses moves licenses between two virtual accounts of the account, for its administrators
// and users: one transaction, an event, never a negative balance.
func (s *Server) transferLicenses(c *gin.Context) error {
	sa, roles, _, err := s.licenseScope(c)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(roles, func(r models.AccountRole) bool {
		return r.VirtualAccountID == "" && (r.Role == models.RoleSAAdmin || r.Role == models.RoleSAUser)
	}) {
		return models.Errorf(models.CodeForbidden, "only administrators and users of %s move its licenses", sa.Name)
	}
	var body models.LicenseTransfer
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	moved, err := models.TransferLicenses(c.Request.Context(), s.db, identity(c).Email, sa.ID, body)
	return jsonOr(c, http.StatusOK, gin.H{"transferred": body.Quantity, "sku": strings.ToUpper(strings.TrimSpace(body.SKU)),
		"from": body.From, "to": body.To, "licenses": moved}, err)
}
