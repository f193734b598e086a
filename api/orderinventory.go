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

// inventoryQuery reads the scope and filters shared by the list, the summary and the export: one Smart
// Account's orders (smartAccountId, for its members and Cisco staff) or the orders the caller may act
// on; assignmentStatus and type (comma-separated), fulfillmentContact, bookedFrom and bookedTo (RFC 3339
// or a date; bookedTo's date is included), and q (a prefix of an order id, purchase order or SKU).
func (s *Server) inventoryQuery(c *gin.Context) (models.OrderScope, models.OrderFilter, error) {
	ctx := c.Request.Context()
	var f models.OrderFilter
	a, err := s.orderActor(c)
	if err != nil {
		return models.OrderScope{}, f, err
	}
	for _, v := range splitList(c.Query("assignmentStatus")) {
		st := models.AssignmentStatus(strings.ToUpper(v))
		if !contains(statusNames(), string(st)) {
			return models.OrderScope{}, f, models.Invalid("assignmentStatus", "assignmentStatus values are %s", strings.Join(statusNames(), ", "))
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, v := range splitList(c.Query("type")) {
		t := models.OrderType(strings.ToUpper(v))
		if !t.Valid() {
			return models.OrderScope{}, f, models.Invalid("type", "type values are STANDARD, STOCKING, EA")
		}
		f.Types = append(f.Types, t)
	}
	for _, v := range splitList(c.Query("provisioningStatus")) {
		p := models.ProvisioningStatus(strings.ToUpper(v))
		if !slices.Contains(models.ProvisioningStatuses, p) {
			return models.OrderScope{}, f, models.Invalid("provisioningStatus", "provisioningStatus values are NOT_STARTED, PENDING, PROVISIONED, FAILED")
		}
		f.Provisioning = append(f.Provisioning, p)
	}
	for _, v := range splitList(c.Query("delayReason")) {
		r := models.DelayReason(strings.ToUpper(v))
		if !r.Valid() {
			return models.OrderScope{}, f, models.Invalid("delayReason", "delayReason values are %s", reasonNames())
		}
		f.Delays = append(f.Delays, r)
	}
	if fc := strings.TrimSpace(c.Query("fulfillmentContact")); fc != "" {
		if models.HasControl(fc, false) || len(fc) > 320 {
			return models.OrderScope{}, f, models.Invalid("fulfillmentContact", "fulfillmentContact must be an email address")
		}
		f.Contact = fc
	}
	if f.From, err = day(c.Query("bookedFrom"), "bookedFrom", false); err != nil {
		return models.OrderScope{}, f, err
	}
	if f.To, err = day(c.Query("bookedTo"), "bookedTo", true); err != nil {
		return models.OrderScope{}, f, err
	}
	if f.Query = strings.TrimSpace(c.Query("q")); len(f.Query) > 100 {
		return models.OrderScope{}, f, models.Invalid("q", "q is longer than 100 characters")
	}
	if models.HasControl(f.Query, false) {
		return models.OrderScope{}, f, models.Invalid("q", "q holds control characters")
	}
	saID := strings.TrimSpace(c.Query("smartAccountId"))
	if saID == "" {
		delegated, err := models.DelegatedOrderIDs(ctx, s.db, a.Email, time.Now())
		return models.ScopeFor(a, delegated), f, err
	}
	if models.HasControl(saID, false) {
		return models.OrderScope{}, f, models.Errorf(models.CodeNotFound, "no Smart Account %s", saID)
	}
	sa, err := models.FindSmartAccount(ctx, s.db, saID)
	if err != nil {
		return models.OrderScope{}, f, err
	}
	if !a.Internal() {
		roles, err := models.RolesOn(ctx, s.db, a.Email, sa.ID)
		if err != nil {
			return models.OrderScope{}, f, err
		}
		if len(roles) == 0 {
			// Only members see an account's orders; whether the account exists is not told either.
			return models.OrderScope{}, f, models.Errorf(models.CodeNotFound, "no Smart Account %s", saID)
		}
	}
	return models.OrderScope{Account: &sa}, f, nil
}

func reasonNames() string {
	out := make([]string, 0, len(models.DelayReasons))
	for _, r := range models.DelayReasons {
		out = append(out, string(r))
	}
	return strings.Join(out, ", ")
}

func statusNames() []string {
	out := make([]string, 0, len(models.OrderAssignmentStatuses))
	for _, s := range models.OrderAssignmentStatuses {
		out = append(out, string(s))
	}
	return out
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// day reads a time bound: an RFC 3339 time, or a date (whose whole day is included in a To bound).
func day(v, field string, to bool) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		t = t.UTC()
		return &t, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, models.Invalid(field, "%s must be a date (2026-11-01) or an RFC 3339 time", field)
	}
	if to {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

// orderRow is an order in the inventory's table.
type orderRow struct {
	ID                 string                  `json:"id"`
	Type               models.OrderType        `json:"type"`
	PurchaseOrder      string                  `json:"purchaseOrder"`
	EndCustomer        models.Party            `json:"endCustomer"`
	Reseller           models.Party            `json:"reseller,omitzero"`
	FulfillmentContact string                  `json:"fulfillmentContact"`
	BookedAt           time.Time               `json:"bookedAt"`
	ShippedAt          *time.Time              `json:"shippedAt,omitempty"`
	AssignmentStatus   models.AssignmentStatus `json:"assignmentStatus"`
	LineCount          int                     `json:"lineCount"`
	Assignable         bool                    `json:"assignable"`
}

func rowOf(o models.Order) orderRow {
	return orderRow{ID: o.ID, Type: o.Type, PurchaseOrder: o.PurchaseOrder, EndCustomer: o.EndCustomer, Reseller: o.Reseller,
		FulfillmentContact: o.FulfillmentContact, BookedAt: o.BookedAt, ShippedAt: o.ShippedAt,
		AssignmentStatus: o.AssignmentStatus, LineCount: o.LineCount, Assignable: o.Type.Assignable() && o.FulfillmentContact != ""}
}

// listOrders is the inventory's table (FEATURES OR1): newest booked first, keyset-paged by the opaque
// cursor in next.
func (s *Server) listOrders(c *gin.Context) error {
	scope, f, err := s.inventoryQuery(c)
	if err != nil {
		return err
	}
	limit, err := pageLimit(c, 50, 200)
	if err != nil {
		return err
	}
	after, err := afterCursor(c, models.DecodeCursor)
	if err != nil {
		return err
	}
	orders, next, err := models.ListOrders(c.Request.Context(), s.db, scope, f, after, limit)
	if err != nil {
		return err
	}
	rows := make([]orderRow, 0, len(orders))
	for _, o := range orders {
		rows = append(rows, rowOf(o))
	}
	resp := gin.H{"orders": rows}
	if next != nil {
		resp["next"] = next.Encode()
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

// orderSummary is the inventory's cards over the same scope and filters.
func (s *Server) orderSummary(c *gin.Context) error {
	scope, f, err := s.inventoryQuery(c)
	if err != nil {
		return err
	}
	sum, err := models.SummarizeOrders(c.Request.Context(), s.db, scope, f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, sum)
	return nil
}

// exportColumns are the order download's columns (FEATURES OR10), one row per line.
var exportColumns = []string{"orderId", "type", "purchaseOrder", "bookedAt", "shippedAt", "fulfillmentContact", "endCustomer",
	"reseller", "distributor", "orderAssignmentStatus", "lineId", "sku", "description", "kind", "quantity", "smartLicense",
	"saMandatory", "termMonths", "assignmentStatus", "smartAccountId", "virtualAccountId", "provisioningStatus", "delayReason"}

// exportOrders is exportOrderCSV run through handle: the API and the portal both mount it.
func (s *Server) exportOrders(c *gin.Context) { s.handle(s.exportOrderCSV)(c) }

// exportOrderCSV streams the inventory with the same scope and filters as CSV, a page of orders at a
// time, so a download of any size holds one page in memory.
func (s *Server) exportOrderCSV(c *gin.Context) error {
	ctx := c.Request.Context()
	scope, f, err := s.inventoryQuery(c)
	if err != nil {
		return err
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="orders-`+time.Now().UTC().Format("20060102")+`.csv"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write(exportColumns)
	var after *models.Cursor
	for {
		orders, next, err := models.ListOrders(ctx, s.db, scope, f, after, 500)
		if err != nil {
			// The status line is sent; the cut-off file and the log say what happened.
			s.log.ErrorContext(ctx, "order export failed", "error", err)
			_ = w.Write([]string{"# export failed; the file is incomplete"})
			break
		}
		ids := make([]string, len(orders))
		for i, o := range orders {
			ids[i] = o.ID
		}
		_, lines, err := models.OrdersByID(ctx, s.db, ids)
		if err != nil {
			s.log.ErrorContext(ctx, "order export failed", "error", err)
			_ = w.Write([]string{"# export failed; the file is incomplete"})
			break
		}
		for _, o := range orders {
			shipped := ""
			if o.ShippedAt != nil {
				shipped = o.ShippedAt.UTC().Format(time.RFC3339)
			}
			for _, l := range lines[o.ID] {
				_ = w.Write([]string{o.ID, string(o.Type), csvSafe(o.PurchaseOrder), o.BookedAt.UTC().Format(time.RFC3339), shipped,
					csvSafe(o.FulfillmentContact), csvSafe(o.EndCustomer.Name), o.ResellerDomain, o.DistributorDomain, string(o.AssignmentStatus),
					csvSafe(l.ID), csvSafe(l.SKU), csvSafe(l.Description), string(l.Kind), strconv.Itoa(l.Quantity),
					strconv.FormatBool(l.SmartLicense), strconv.FormatBool(l.SAMandatory), strconv.Itoa(l.TermMonths),
					string(l.AssignmentStatus), l.SmartAccountID, l.VirtualAccountID, string(l.ProvisioningStatus), string(l.DelayReason)})
			}
		}
		w.Flush()
		if next == nil || ctx.Err() != nil {
			break
		}
		after = next
	}
	w.Flush()
	return nil
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
