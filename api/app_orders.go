package api

import (
	"fmt"
	"math"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// appOrdersView is the order inventory page (FEATURES OR1, OR10, PR1, seed 000): the three cards, the
// filters as sent, a page of orders and the links to the next page and to the CSV of the filter.
type appOrdersView struct {
	appPage
	Filter       url.Values
	Summary      models.OrderSummary
	Donut        []donutSlice
	Types        []count
	Provisioning []count
	Delays       []count
	Rows         []appOrderRow
	Next, CSV    string
	Statuses     []models.AssignmentStatus
	Reasons      []models.DelayReason
}

// appOrderRow is an order of the table; Refusal says why it can never be assigned (and its checkbox
// is disabled), in the words the assignment would refuse it with.
type appOrderRow struct {
	orderRow
	Refusal string
}

// count is one figure of a card.
type count struct {
	Name  string
	Value int
}

// donutSlice is one assignment status's arc of the donut: an SVG circle of circumference 100 whose
// dash is the status's share, turned to start where the previous one ended.
type donutSlice struct {
	Status models.AssignmentStatus
	Count  int
	Dash   string
	Offset string
	Color  string
}

var donutColors = map[models.AssignmentStatus]string{models.AssignUnassigned: "#c0392b", models.AssignPartial: "#e67e22",
	models.AssignRequested: "#f1c40f", models.AssignAssigned: "#27ae60", models.AssignInHolding: "#2980b9"}

func donut(sum models.OrderSummary) []donutSlice {
	out := []donutSlice{}
	done := 0.0
	for _, st := range models.OrderAssignmentStatuses {
		n := sum.AssignmentStatus[st]
		share := 0.0
		if sum.Orders > 0 {
			share = 100 * float64(n) / float64(sum.Orders)
		}
		out = append(out, donutSlice{Status: st, Count: n, Color: donutColors[st],
			Dash: fmt.Sprintf("%.2f %.2f", share, 100-share), Offset: fmt.Sprintf("%.2f", math.Mod(125-done, 100))})
		done += share
	}
	return out
}

// appOrders is the inventory page: the query string is GET /api/v1/orders's, read by the same code.
func (s *Server) appOrders(c *gin.Context) {
	ctx := c.Request.Context()
	scope, f, err := s.inventoryQuery(c)
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	after, err := afterCursor(c, models.DecodeCursor)
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	orders, next, err := models.ListOrders(ctx, s.db, scope, f, after, 50)
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	sum, err := models.SummarizeOrders(ctx, s.db, scope, f)
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	q := c.Request.URL.Query()
	q.Del("after")
	v := appOrdersView{appPage: s.appPage(c, "Orders", "orders"), Filter: q, Summary: sum, Donut: donut(sum),
		CSV: "/app/orders/export.csv?" + q.Encode(), Statuses: models.OrderAssignmentStatuses, Reasons: models.DelayReasons}
	for _, t := range []models.OrderType{models.OrderStandard, models.OrderStocking, models.OrderEA} {
		v.Types = append(v.Types, count{string(t), sum.OrderTypes[t]})
	}
	for _, p := range models.ProvisioningStatuses {
		v.Provisioning = append(v.Provisioning, count{string(p), sum.LinesByProvisioning[p]})
	}
	for _, r := range models.DelayReasons {
		v.Delays = append(v.Delays, count{string(r), sum.LinesByDelayReason[r]})
	}
	for _, o := range orders {
		v.Rows = append(v.Rows, appOrderRow{orderRow: rowOf(o), Refusal: models.WhyUnassignable(o)})
	}
	if next != nil {
		nq := c.Request.URL.Query()
		nq.Set("after", next.Encode())
		v.Next = "/app/orders?" + nq.Encode()
	}
	s.writeAppPage(c, http.StatusOK, appOrdersPage, v)
}

// appOrderView is an order's page: what GET /api/v1/orders/{id} answers, and its history.
type appOrderView struct {
	appPage
	Order       orderView
	Events      []models.Event
	Trail       []models.LineTrail
	TrailCut    bool
	Delegations []models.OrderDelegation
	CanDelegate bool
	Delegated   string
	Key         string
}

// appOrder is an order's page: its lines with assignment and provisioning and whom each waits for.
func (s *Server) appOrder(c *gin.Context) {
	v, err := s.appOrderOf(c)
	s.appPageOr(c, "/app/orders", appOrderPage, v, err)
}

// appOrderOf reads an order's page through the JSON routes' functions.
func (s *Server) appOrderOf(c *gin.Context) (appOrderView, error) {
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		return appOrderView{}, err
	}
	v := appOrderView{appPage: s.appPage(c, "Order "+st.Order.ID, "orders"), Key: models.NewID(),
		CanDelegate: acc.As == models.AsFulfillmentContact && st.Order.Type.Assignable(), Delegated: c.Query("delegated")}
	if v.Order, err = s.orderView(c.Request.Context(), st, acc); err != nil {
		return v, err
	}
	if v.Events, err = s.orderHistory(c, st); err != nil {
		return v, err
	}
	// The trail of GET /api/v1/orders/{id}/trail (OR11): where each line's licenses went.
	if v.Trail, v.TrailCut, err = models.OrderTrail(c.Request.Context(), s.db, st); err != nil {
		return v, err
	}
	v.Delegations, err = s.orderDelegations(c, st, acc)
	return v, err
}
