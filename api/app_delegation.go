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

// appDelegate answers POST /app/orders/{id}/delegations: the delegate is mailed a link to assign it.
func (s *Server) appDelegate(c *gin.Context) {
	back := "/app/orders/" + url.PathEscape(c.Param("id"))
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	a, err := s.orderActor(c)
	if err != nil {
		s.appError(c, err, back)
		return
	}
	// The form's key (one per rendering of the page) makes a second press the same delegation.
	id := models.NewID()
	if key := strings.TrimSpace(c.PostForm("key")); key != "" && len(key) <= 200 {
		id = assignmentID(a.Email, "delegate-"+key, st.Order.ID)
	}
	res, err := s.delegate(c.Request.Context(), st, acc, process.DelegateInput{DelegationID: id, Actor: a,
		Delegate: c.PostForm("email"), Note: c.PostForm("note")})
	if err != nil {
		s.appError(c, err, back)
		return
	}
	s.log.InfoContext(c.Request.Context(), "order delegated from the portal", "orderId", st.Order.ID, "delegationId", res.Delegation.ID)
	c.Redirect(http.StatusSeeOther, back+"?delegated="+url.QueryEscape(res.Delegation.Delegate)+"#delegations")
}

// appRevoke answers POST /app/orders/{id}/delegations/{delegation}/revoke: the delegate's link then
// shows "revoked" and does nothing.
func (s *Server) appRevoke(c *gin.Context) {
	back := "/app/orders/" + url.PathEscape(c.Param("id"))
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	a, err := s.orderActor(c)
	if err != nil {
		s.appError(c, err, back)
		return
	}
	res, err := s.revoke(c.Request.Context(), st, acc, a, c.Param("delegation"), strings.TrimSpace(c.PostForm("reason")))
	if err != nil {
		s.appError(c, err, back)
		return
	}
	s.log.InfoContext(c.Request.Context(), "delegation revoked from the portal", "orderId", st.Order.ID,
		"delegationId", res.Delegation.ID, "by", a.Email)
	c.Redirect(http.StatusSeeOther, back+"#delegations")
}
