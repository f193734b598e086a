package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Delegate and revoke from an order's page (FEATURES OR8): the forms call delegate and revoke, the
// checks POST and DELETE /api/v1/orders/{id}/delegations go through, and come back to the order's page.

// orderDelegations is what the order's page shows of its delegations: to its fulfillment contact and to
// support, as GET /api/v1/orders/{id}/delegations answers; nothing to others.
func (s *Server) orderDelegations(c *gin.Context, st models.OrderState, acc models.OrderAccess) ([]models.OrderDelegation, error) {
	a, err := s.orderActor(c)
	if err != nil {
		return nil, err
	}
	if acc.As != models.AsFulfillmentContact && !a.Support() {
		return nil, nil
	}
	return models.OrderDelegations(c.Request.Context(), s.db, st.Order.ID)
}

// appOrderForm answers a form posted on an order's page: it reads the order and the actor as the JSON
// routes do, then act, and goes back to the order's page with act's fragment; a refusal is the portal's
// error page, leading back to the order (or to the list, for an order the person cannot see).
func (s *Server) appOrderForm(c *gin.Context,
	act func(st models.OrderState, acc models.OrderAccess, a models.OrderActor) (fragment string, err error)) {
	back := "/app/orders/" + url.PathEscape(c.Param("id"))
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	a, err := s.orderActor(c)
	if err == nil {
		var fragment string
		if fragment, err = act(st, acc, a); err == nil {
			c.Redirect(http.StatusSeeOther, back+fragment)
			return
		}
	}
	s.appError(c, err, back)
}

// appDelegate answers POST /app/orders/{id}/delegations: the delegate is mailed a link to assign it.
func (s *Server) appDelegate(c *gin.Context) {
	s.appOrderForm(c, func(st models.OrderState, acc models.OrderAccess, a models.OrderActor) (string, error) {
		// The form's key (one per rendering of the page) makes a second press the same delegation.
		id := models.NewID()
		if key := strings.TrimSpace(c.PostForm("key")); key != "" && len(key) <= 200 {
			id = assignmentID(a.Email, "delegate-"+key, st.Order.ID)
		}
		res, err := s.delegate(c.Request.Context(), st, acc, process.DelegateInput{DelegationID: id, Actor: a,
			Delegate: c.PostForm("email"), Note: c.PostForm("note")})
		if err != nil {
			return "", err
		}
		s.log.InfoContext(c.Request.Context(), "order delegated from the portal", "orderId", st.Order.ID,
			"delegationId", res.Delegation.ID)
		return "?delegated=" + url.QueryEscape(res.Delegation.Delegate) + "#delegations", nil
	})
}

// appRevoke answers POST /app/orders/{id}/delegations/{delegation}/revoke: the delegate's link then
// shows "revoked" and does nothing.
func (s *Server) appRevoke(c *gin.Context) {
	s.appOrderForm(c, func(st models.OrderState, acc models.OrderAccess, a models.OrderActor) (string, error) {
		res, err := s.revoke(c.Request.Context(), st, acc, a, c.Param("delegation"), strings.TrimSpace(c.PostForm("reason")))
		if err != nil {
			return "", err
		}
		s.log.InfoContext(c.Request.Context(), "delegation revoked from the portal", "orderId", st.Order.ID,
			"delegationId", res.Delegation.ID, "by", a.Email)
		return "#delegations", nil
	})
}
