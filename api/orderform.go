package api

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// What the emailed pages about an order share: the order they show and the account their form names.

// orderForm is what the pages about an order show of it (the orderFacts part), and the account its
// form names (the targetFields part).
type orderForm struct {
	Order                                        models.Order
	Recipient                                    string
	Deadline                                     time.Time
	Lines                                        []delegationLine
	HasServices, Required                        bool
	SmartAccount, VirtualAccount                 string
	ServicesSmartAccount, ServicesVirtualAccount string
	FormError                                    string
}

type delegationLine struct {
	ID, SKU, Account string
	Kind             models.LineKind
	Quantity         int
}

// newOrderForm reads what an order's page shows: its lines and the accounts holding them.
func (s *Server) newOrderForm(ctx context.Context, st models.OrderState, recipient string, deadline time.Time) (orderForm, error) {
	var saIDs []string
	for _, line := range st.Lines {
		if line.SmartAccountID != "" {
			saIDs = append(saIDs, line.SmartAccountID)
		}
	}
	names, err := models.AccountNames(ctx, s.db, saIDs, nil)
	if err != nil {
		return orderForm{}, err
	}
	f := orderForm{Order: st.Order, Recipient: recipient, Deadline: deadline}
	for _, line := range st.Lines {
		f.Lines = append(f.Lines, delegationLine{ID: line.ID, SKU: line.SKU, Kind: line.Kind, Quantity: line.Quantity,
			Account: names[line.SmartAccountID]})
		f.HasServices = f.HasServices || line.Kind == models.LineCiscoService
	}
	return f, nil
}

// linkedOrder reads the order an emailed link is about, and its page until the link expires; an order
// that is not there makes the link not valid, as an unknown one.
func (s *Server) linkedOrder(ctx context.Context, l link) (models.OrderState, orderForm, error) {
	st, err := models.LoadOrderState(ctx, s.db, l.SubjectID)
	if err != nil {
		return st, orderForm{}, models.Errorf(models.CodeNotFound, "This link is not valid.")
	}
	f, err := s.newOrderForm(ctx, st, l.Recipient, l.ExpiresAt)
	return st, f, err
}

// taskOf is the task box of the page: its title, whom it is for, until when, asking ask.
func (f *orderForm) taskOf(title, ask string) *taskView {
	return &taskView{Title: title, Recipient: f.Recipient, Deadline: f.Deadline, OrderID: f.Order.ID, Ask: ask}
}

// fill puts the posted account fields and the refusal into the form.
func (f *orderForm) fill(values url.Values, refusal string) {
	f.SmartAccount, f.VirtualAccount = text(values, "smartAccount"), text(values, "virtualAccount")
	f.ServicesSmartAccount, f.ServicesVirtualAccount = text(values, "servicesTo.smartAccount"), text(values, "servicesTo.virtualAccount")
	f.FormError = refusal
}

// assignRequest is the assignment the posted account fields ask for, the reseller's own services lines
// to the reseller's account.
func (s *Server) assignRequest(ctx context.Context, st models.OrderState, values url.Values) (models.AssignRequest, error) {
	t, err := s.pageTarget(ctx, text(values, "smartAccount"), text(values, "virtualAccount"), "smartAccount")
	if err != nil {
		return models.AssignRequest{}, err
	}
	return s.withServices(ctx, st, values, models.AssignRequest{Products: t})
}

// withServices completes an assignment of a page's form with the services lines' account when the form
// names one (servicesTo.*) and the reseller's own account for the reseller's services lines.
func (s *Server) withServices(ctx context.Context, st models.OrderState, values url.Values,
	req models.AssignRequest) (models.AssignRequest, error) {
	if account := text(values, "servicesTo.smartAccount"); account != "" {
		t, err := s.pageTarget(ctx, account, text(values, "servicesTo.virtualAccount"), "servicesTo.smartAccount")
		if err != nil {
			return req, err
		}
		req.Services = &t
	}
	var err error
	req.Partner, err = models.PartnerAccount(ctx, s.db, st.Order.ResellerDomain)
	return req, err
}

// assignOutcome says what an assignment from a page did.
func assignOutcome(orderID string, req models.AssignRequest, res process.AssignResult) string {
	out := models.AssignOutcome(orderID, req.Products.SmartAccountName, req.Products.VirtualAccount)
	if req.Services != nil {
		out += fmt.Sprintf(" Its Cisco services lines go to %s, virtual account %s.", req.Services.SmartAccountName,
			req.Services.VirtualAccount)
	}
	for _, n := range res.Notes {
		out += " Note: " + n + "."
	}
	return out
}
