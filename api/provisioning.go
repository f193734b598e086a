package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// ProvisioningProcesses is what shipments and ops actions ask of the order processes (FEATURES PR2, PR3).
type ProvisioningProcesses interface {
	Ship(ctx context.Context, st models.OrderState, in process.ShipInput) (process.ShipResult, error)
	Provisioning(ctx context.Context, st models.OrderState, in process.OpsInput) (process.OpsResult, error)
}

// shipRequest is commerce's report that lines shipped.
type shipRequest struct {
	Lines     []string `json:"lines"`
	ShippedAt string   `json:"shippedAt"`
}

// maxShipmentAhead is how far in the future a shipment may be dated: clocks differ, shipments are not
// booked ahead.
const maxShipmentAhead = time.Hour

func (r shipRequest) validate(now time.Time) ([]string, time.Time, error) {
	if len(r.Lines) == 0 || len(r.Lines) > maxOrderLines {
		return nil, time.Time{}, models.Invalid("lines", "lines names 1 to %d line ids", maxOrderLines)
	}
	var lines []string
	for _, l := range r.Lines {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, time.Time{}, models.Invalid("lines", "lines names no line id")
	}
	at, err := instant("shippedAt", r.ShippedAt)
	if err != nil {
		return nil, at, err
	}
	if at.After(now.Add(maxShipmentAhead)) {
		return nil, at, models.Invalid("shippedAt", "shippedAt %s is in the future", at.Format(time.RFC3339))
	}
	return lines, at, nil
}

// shipOrder records commerce's shipment of lines (role commerce). The same report again is answered as
// the first; a line reported shipped at another time is a 409. A term starts at shipment (seed 003).
func (s *Server) shipOrder(c *gin.Context) error {
	if !identity(c).HasRole(models.RoleCommerce) {
		return models.Errorf(models.CodeForbidden, "only commerce's service identity (platform role %s) reports shipments", models.RoleCommerce)
	}
	var body shipRequest
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	lines, at, err := body.validate(time.Now())
	if err != nil {
		return err
	}
	st, err := s.orderState(c, c.Param("id"))
	if err != nil {
		return err
	}
	a, err := s.orderActor(c)
	if err != nil {
		return err
	}
	sorted := slices.Sorted(slices.Values(lines))
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\x00") + "@" + at.Format(time.RFC3339Nano)))
	res, err := s.orders.Ship(c.Request.Context(), st, process.ShipInput{RequestID: "ship-" + hex.EncodeToString(sum[:12]),
		Actor: a, Lines: lines, ShippedAt: at})
	if err != nil {
		return err
	}
	st.Lines = res.Lines
	v, err := s.orderView(c.Request.Context(), st, models.OrderAccess{See: true, As: models.RoleCommerce})
	return jsonOr(c, http.StatusOK, gin.H{"orderId": res.OrderID, "shipped": res.Shipped, "order": v}, err)
}

// orderState reads an order by an id from the path; an id no order can have is a 404.
func (s *Server) orderState(c *gin.Context, orderID string) (models.OrderState, error) {
	if !orderIDPattern.MatchString(orderID) {
		return models.OrderState{}, models.Errorf(models.CodeNotFound, "no order %s", orderID)
	}
	return models.LoadOrderState(c.Request.Context(), s.db, orderID)
}

// opsRequest is the body of an ops action: the reason (required, recorded), the lines (all that the
// action applies to when left out), and a review's outcome.
type opsRequest struct {
	Reason  string   `json:"reason" text:"multiline"`
	Lines   []string `json:"lines"`
	Outcome string   `json:"outcome"`
}

// maxOpsReason bounds the reason an ops action records.
const maxOpsReason = 2000

// opsAction answers an ops action on an order's lines (FEATURES PR3).
func (s *Server) opsAction(action models.OpsAction) func(*gin.Context) error {
	return func(c *gin.Context) error {
		var body opsRequest
		if err := DecodeJSON(c.Request, &body); err != nil {
			return err
		}
		a, err := s.orderActor(c)
		if err != nil {
			return err
		}
		res, err := s.opsAct(c.Request.Context(), a, c.Param("order"), action, body.Lines, body.Reason, body.Outcome)
		if err != nil {
			return err
		}
		st := models.OrderState{Order: models.Order{ID: res.OrderID}, Lines: res.Lines}
		lines := make([]lineView, 0, len(res.Lines))
		for _, l := range res.Lines {
			lines = append(lines, s.lineView(l, st, nil, nil))
		}
		c.JSON(http.StatusOK, gin.H{"orderId": res.OrderID, "changed": res.Changed, "lines": lines})
		return nil
	}
}

// opsAct is an ops action on an order's pending lines (FEATURES PR3, X3): the JSON API and the ops
// console both go through it. Only licensing ops act, always with a reason.
func (s *Server) opsAct(ctx context.Context, actor models.OrderActor, orderID string, action models.OpsAction, lines []string,
	reason, outcome string) (process.OpsResult, error) {
	reason, outcome = strings.TrimSpace(reason), strings.ToUpper(strings.TrimSpace(outcome))
	switch {
	case !slices.Contains(actor.Roles, models.RoleLicensingOps):
		return process.OpsResult{}, models.Errorf(models.CodeForbidden, "only licensing ops (platform role %s) act on provisioning", models.RoleLicensingOps)
	case reason == "":
		return process.OpsResult{}, models.Invalid("reason", "a reason is required; it is recorded with the action")
	case len(reason) > maxOpsReason:
		return process.OpsResult{}, models.Invalid("reason", "reason is longer than %d characters", maxOpsReason)
	case outcome != "" && action != models.OpsResolve:
		return process.OpsResult{}, models.Invalid("outcome", "only a resolution has an outcome")
	case outcome != "" && outcome != models.OutcomeRelease && outcome != models.OutcomeFailed:
		return process.OpsResult{}, models.Invalid("outcome", "outcome must be RELEASE or FAILED")
	}
	if !orderIDPattern.MatchString(orderID) {
		return process.OpsResult{}, models.Errorf(models.CodeNotFound, "no order %s", orderID)
	}
	st, err := models.LoadOrderState(ctx, s.db, orderID)
	if err != nil {
		return process.OpsResult{}, err
	}
	return s.orders.Provisioning(ctx, st, process.OpsInput{RequestID: "ops-" + models.NewID(), Actor: actor, Action: action,
		Lines: lines, Reason: reason, Outcome: outcome})
}
