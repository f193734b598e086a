package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// delegationBody is the body of POST /orders/{id}/delegations.
type delegationBody struct {
	Email string `json:"email"`
	Note  string `json:"note"`
}

// createDelegation lets an order's fulfillment contact authorize someone else, by email, to assign it
// (FEATURES OR8). The order's process records the delegation and starts its own process, which mails
// the link.
func (s *Server) createDelegation(c *gin.Context) error {
	ctx := c.Request.Context()
	st, acc, a, err := s.routeOrder(c)
	if err != nil {
		return err
	}
	var body delegationBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	o := st.Order
	id := models.NewID()
	if key := strings.TrimSpace(c.GetHeader("Idempotency-Key")); key != "" {
		sum := sha256.Sum256([]byte(a.Email + "\n" + key + "\n" + o.ID))
		id = hex.EncodeToString(sum[:16])
	}
	res, err := s.delegate(ctx, st, acc, process.DelegateInput{DelegationID: id, Actor: a, Delegate: body.Email, Note: body.Note})
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "order delegated", "orderId", o.ID, "delegationId", res.Delegation.ID)
	c.Header("Location", "/api/v1/orders/"+o.ID+"/delegations/"+res.Delegation.ID)
	c.JSON(http.StatusCreated, gin.H{"delegation": res.Delegation, "waitingOn": res.WaitingOn})
	return nil
}

// delegate checks a delegation of the order's assignment and hands it to the order's process: the API
// and the contact's emailed assignment page both go through it.
func (s *Server) delegate(ctx context.Context, st models.OrderState, acc models.OrderAccess, in process.DelegateInput) (
	process.DelegateResult, error) {
	o := st.Order
	in.Delegate, in.Note = models.NormalizeEmail(in.Delegate), strings.TrimSpace(in.Note)
	switch {
	case acc.As != models.AsFulfillmentContact:
		return process.DelegateResult{}, models.Errorf(models.CodeForbidden, "only the fulfillment contact of order %s can delegate its assignment", o.ID)
	case !o.Type.Assignable():
		return process.DelegateResult{}, models.Errorf(models.CodeRefused, "%s orders cannot be assigned to a Smart Account, so their assignment cannot be delegated", o.Type)
	case !models.ValidEmail(in.Delegate):
		return process.DelegateResult{}, models.Invalid("email", "email must be the delegate's address")
	case in.Delegate == o.FulfillmentContact:
		return process.DelegateResult{}, models.Invalid("email", "you are the fulfillment contact: assign the order yourself")
	case len(in.Note) > 1000:
		return process.DelegateResult{}, models.Invalid("note", "note is longer than 1000 characters")
	}
	return s.orders.Delegate(ctx, st, in)
}

// listDelegations shows an order's delegations to its fulfillment contact and to support.
func (s *Server) listDelegations(c *gin.Context) error {
	st, acc, a, err := s.routeOrder(c)
	if err != nil {
		return err
	}
	if acc.As != models.AsFulfillmentContact && !a.Support() {
		return models.Errorf(models.CodeForbidden, "only the fulfillment contact of order %s sees its delegations", st.Order.ID)
	}
	ds, err := models.OrderDelegations(c.Request.Context(), s.db, st.Order.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"delegations": ds})
	return nil
}

// revokeDelegation lets the fulfillment contact (or support, with a reason) withdraw a delegation; its
// link then shows "revoked" and does nothing.
func (s *Server) revokeDelegation(c *gin.Context) error {
	ctx := c.Request.Context()
	st, acc, a, err := s.routeOrder(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.Query("reason"))
	if c.Request.ContentLength > 0 {
		var body struct {
			Reason string `json:"reason"`
		}
		if err := DecodeJSON(c.Request, &body); err != nil {
			return err
		}
		reason = strings.TrimSpace(body.Reason)
	}
	res, err := s.revoke(ctx, st, acc, a, c.Param("delegation"), reason)
	if err != nil {
		return err
	}
	d := res.Delegation
	s.log.InfoContext(ctx, "delegation revoked", "orderId", st.Order.ID, "delegationId", d.ID, "by", a.Email)
	c.JSON(http.StatusOK, gin.H{"delegation": res.Delegation})
	return nil
}

// revoke checks a revocation of one of the order's delegations and hands it to the order's process: the
// API and the portal's order page both go through it.
func (s *Server) revoke(ctx context.Context, st models.OrderState, acc models.OrderAccess, a models.OrderActor,
	delegationID, reason string) (process.RevokeResult, error) {
	if models.HasControl(reason, true) || len(reason) > 2000 {
		return process.RevokeResult{}, models.Invalid("reason", "reason holds control characters or is longer than 2000 characters")
	}
	d, err := models.FindDelegation(ctx, s.db, delegationID)
	if err != nil || d.OrderID != st.Order.ID {
		return process.RevokeResult{}, models.Errorf(models.CodeNotFound, "order %s has no delegation %s", st.Order.ID, delegationID)
	}
	switch {
	case acc.As != models.AsFulfillmentContact && models.NormalizeEmail(a.Email) != d.Delegator && !a.Support():
		err = models.Errorf(models.CodeForbidden, "only the fulfillment contact who delegated (%s) can revoke the delegation", d.Delegator)
	case acc.As != models.AsFulfillmentContact && a.Support() && reason == "":
		err = models.Invalid("reason", "internal support needs a reason to revoke a delegation; it is recorded")
	default:
		err = delegationClosed(d)
	}
	if err != nil {
		return process.RevokeResult{}, err
	}
	res, err := s.orders.Revoke(ctx, st, process.RevokeInput{DelegationID: d.ID, Actor: a, Reason: reason})
	if models.ErrorCode(err) == models.CodeConflict {
		if fresh, ferr := models.FindDelegation(ctx, s.db, d.ID); ferr == nil && delegationClosed(fresh) != nil {
			err = delegationClosed(fresh)
		}
	}
	return res, err
}

// delegationClosed says, from the database, why a delegation no longer authorizes anything; nil while
// it does.
func delegationClosed(d models.OrderDelegation) error {
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return " on " + t.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	switch {
	case d.Status == models.DelegationRevoked:
		return models.Errorf(models.CodeGone, "this delegation was revoked by %s%s; nothing can be assigned through it", d.ClosedBy, when(d.ClosedAt))
	case d.Status == models.DelegationUsed:
		return models.Errorf(models.CodeConflict, "this delegation was already used by %s%s", d.ClosedBy, when(d.ClosedAt))
	case d.Status == models.DelegationExpired || !time.Now().Before(d.ExpiresAt):
		return models.Errorf(models.CodeGone, "this delegation expired on %s", d.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	return nil
}
