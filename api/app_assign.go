package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// The assign wizard (FEATURES OR2–OR7, OR9, seed 000's "Assign to Smart Account"): the inventory's
// checked orders, the Smart Account found by domain, name or customer email, one of its virtual
// accounts, the "Cisco services to a separate account" choice, a review, and the POST that asks
// for the assignment with the function POST /api/v1/orders/assignments uses (assignEach), so every
// order is answered REQUESTED or REFUSED by the same rules. Every step before the review is a GET of
// /app/orders/assign carrying what was chosen so far: it works without script, and Back works.

// Wizard steps.
const (
	stepAccount         = "account"
	stepVirtualAccount  = "virtualAccount"
	stepServicesAccount = "servicesAccount"
	stepReview          = "review"
)

// appAssignView is one step of the wizard.
type appAssignView struct {
	appPage
	Step      string
	Orders    []string
	Products  accountPicker
	Services  *accountPicker
	Separate  bool
	Hidden    []field
	Key       string
	Reason    string
	NeedsWhy  bool
	FormError string
}

// appAssignResultView is the confirmation: what each order was answered.
type appAssignResultView struct {
	appPage
	Products  models.AssignTarget
	Services  *models.AssignTarget
	Results   []assignResult
	Requested int
}

// readWizard reads the wizard's state from a query or a posted form and says which step it is at.
func (s *Server) readWizard(c *gin.Context, values url.Values) (appAssignView, error) {
	ctx := c.Request.Context()
	v := appAssignView{appPage: s.appPage(c, "Assign to Smart Account", "orders"), Separate: text(values, "separate") != ""}
	ids, err := assignedOrderIDs(values["order"])
	if err != nil {
		return v, err
	}
	v.Orders = ids
	if v.Products, err = s.readPicker(ctx, values, "", "Smart Account for the products"); err != nil {
		return v, err
	}
	for _, id := range ids {
		v.Hidden = append(v.Hidden, field{"order", id})
	}
	switch {
	case v.Products.Picked == nil:
		v.Step = stepAccount
		return v, nil
	case v.Products.VA == nil:
		v.Step = stepVirtualAccount
		return v, nil
	}
	v.Hidden = append(v.Hidden, v.Products.hidden()...)
	if v.Separate {
		sp, err := s.readPicker(ctx, values, "services.", "Smart Account for the Cisco services")
		if err != nil {
			return v, err
		}
		v.Services = &sp
		v.Hidden = append(v.Hidden, field{"separate", "1"})
		if _, ok := sp.target(); !ok {
			v.Step = stepServicesAccount
			return v, nil
		}
		v.Hidden = append(v.Hidden, sp.hidden()...)
	}
	v.Step = stepReview
	a, err := s.orderActor(c)
	if err != nil {
		return v, err
	}
	v.NeedsWhy = a.Support()
	v.Key = text(values, "key")
	if v.Key == "" {
		v.Key = models.NewID()
	}
	return v, nil
}

// appAssign answers GET /app/orders/assign: the wizard's step for what the query has chosen so far.
func (s *Server) appAssign(c *gin.Context) {
	v, err := s.readWizard(c, c.Request.URL.Query())
	if err != nil {
		if len(v.Orders) == 0 {
			s.appError(c, err, "/app/orders?assignmentStatus=UNASSIGNED")
			return
		}
		v.FormError = asDomainError(err).Message
		s.writeAppPage(c, StatusOf(err), appAssignPage, v)
		return
	}
	s.writeAppPage(c, http.StatusOK, appAssignPage, v)
}

// appAssignPost answers POST /app/orders/assign: the reviewed assignment asked for, each order's
// answer on the confirmation page (or the review again with why nothing could be asked).
func (s *Server) appAssignPost(c *gin.Context) {
	ctx := c.Request.Context()
	if err := c.Request.ParseForm(); err != nil {
		s.appError(c, models.Invalid("form", "the form could not be read"), "/app/orders")
		return
	}
	values := c.Request.PostForm
	v, err := s.readWizard(c, values)
	if err == nil && v.Step != stepReview {
		err = models.Invalid("account", "choose the Smart Account and its virtual account before assigning")
	}
	a, aerr := s.orderActor(c)
	if err == nil {
		err = aerr
	}
	req := models.AssignRequest{}
	if err == nil {
		req.Reason, err = assignReason(a, text(values, "reason"))
	}
	if err == nil && len(v.Key) > 200 {
		err = models.Invalid("key", "the form's key is longer than 200 characters")
	}
	if err != nil {
		if len(v.Orders) == 0 {
			s.appError(c, err, "/app/orders")
			return
		}
		v.FormError, v.Reason = asDomainError(err).Message, text(values, "reason")
		s.writeAppPage(c, StatusOf(err), appAssignPage, v)
		return
	}
	req.Products, _ = v.Products.target()
	if v.Services != nil {
		t, _ := v.Services.target()
		req.Services = &t
	}
	results, err := s.requestAssignments(ctx, a, v.Orders, req, "portal-"+v.Key)
	if err != nil {
		s.appError(c, err, "/app/orders")
		return
	}
	out := appAssignResultView{appPage: s.appPage(c, "Assignment requested", "orders"), Products: req.Products,
		Services: req.Services, Results: results}
	for _, r := range results {
		if r.Status == resultRequested {
			out.Requested++
		}
	}
	if out.Requested == 0 {
		out.Title = "Nothing could be assigned"
	}
	s.log.InfoContext(ctx, "assignment requested from the portal", "user", a.Email, "orders", len(v.Orders),
		"requested", out.Requested, "smartAccountId", req.Products.SmartAccountID)
	s.writeAppPage(c, http.StatusOK, appAssignedPage, out)
}

// requestAssignments is the API's assignment of many orders (assignEach), for the portal's wizard.
func (s *Server) requestAssignments(ctx context.Context, a models.OrderActor, ids []string, req models.AssignRequest,
	key string) ([]assignResult, error) {
	_, results, err := s.assignEach(ctx, a, ids, req, key)
	return results, err
}
