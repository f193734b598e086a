package api

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// A delegated order assignment (FEATURES OR8): the delegate names the Smart Account (and virtual
// account) the order goes to. The order's process applies it with the same rules as the API, and uses
// the delegation and the link up in the same write.

func init() { purposes[models.PurposeOrderDelegation] = delegationTask{} }

type delegationTask struct{}

// delegationView is what the delegate's page shows and the form they fill.
type delegationView struct {
	orderForm
	Title, Delegator, Note string
	Picker                 accountPicker
}

func (delegationTask) open(ctx context.Context, s *Server, l link) (subject, error) {
	d, err := models.FindDelegation(ctx, s.db, l.SubjectID)
	if err != nil {
		return nil, models.Errorf(models.CodeNotFound, "This link is not valid.")
	}
	st, err := models.LoadOrderState(ctx, s.db, d.OrderID)
	if err != nil {
		return nil, err
	}
	f, err := s.newOrderForm(ctx, st, l.Recipient, d.ExpiresAt)
	if err != nil {
		return nil, err
	}
	v := delegationView{orderForm: f, Title: "Assign order " + st.Order.ID + " to a Smart Account", Delegator: d.Delegator, Note: d.Note}
	return &delegatedOrder{d: d, st: st, view: v}, nil
}

type delegatedOrder struct {
	d    models.OrderDelegation
	st   models.OrderState
	view delegationView
}

func (o *delegatedOrder) task() *taskView {
	return o.view.taskOf(o.view.Title, o.d.Delegator+" asked you to assign order "+o.st.Order.ID+".")
}

func (o *delegatedOrder) closed() error { return delegationClosed(o.d) }

func (o *delegatedOrder) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	v := o.view
	if values == nil {
		// The picker's searches are GETs of the page (they never act): the query is the form.
		values = c.Request.URL.Query()
	}
	v.fill(values, refusal)
	p, err := s.readPicker(c.Request.Context(), values, "", "Find the Smart Account")
	if err != nil && refusal == "" {
		v.FormError, status = asDomainError(err).Message, StatusOf(err)
	}
	v.Picker = p
	s.writePage(c, status, delegationPage, v)
}

func (o *delegatedOrder) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	ctx := c.Request.Context()
	if decision(values) != "ASSIGN" {
		return "", models.Invalid("decision", "Press Assign to assign the order.")
	}
	req, err := s.assignRequest(ctx, o.st, values)
	if text(values, "account") != "" {
		// Picked with the account picker; the typed fields are the page's fallback and the older pages'.
		req, err = s.pickedRequest(ctx, o.st, values)
	}
	if err != nil {
		return "", err
	}
	actor := models.OrderActor{Email: l.Recipient, Roles: l.Roles}
	res, err := s.orders.Assign(ctx, o.st, process.AssignInput{RequestID: "link-" + l.ID, Actor: actor, Via: process.ViaEmail,
		DelegationID: o.d.ID, TokenID: l.ID, Request: req}, true)
	if err != nil {
		if fresh, ferr := models.FindDelegation(ctx, s.db, o.d.ID); ferr == nil && delegationClosed(fresh) != nil {
			return "", delegationClosed(fresh)
		}
		return "", err
	}
	return assignOutcome(o.st.Order.ID, req, res) + " " + o.d.Delegator + " was told by mail.", nil
}

// pickedRequest is the assignment the picker names: its account and virtual account, the services
// lines typed to another account if the order has some, the reseller's own services to its account.
func (s *Server) pickedRequest(ctx context.Context, st models.OrderState, values url.Values) (models.AssignRequest, error) {
	p, err := s.readPicker(ctx, values, "", "")
	if err != nil {
		return models.AssignRequest{}, err
	}
	t, ok := p.target()
	if !ok {
		return models.AssignRequest{}, models.Invalid("virtualAccount", "Pick the Smart Account and its virtual account.")
	}
	return s.withServices(ctx, st, values, models.AssignRequest{Products: t})
}

// pageTarget resolves what the delegate typed: the Smart Account by its domain identifier when it looks
// like one, else by its exact (or, for unrestricted accounts, unique partial) name; then its virtual
// account. Each miss names what was not found.
func (s *Server) pageTarget(ctx context.Context, account, va, field string) (models.AssignTarget, error) {
	if account == "" {
		return models.AssignTarget{}, models.Invalid(field, "Name the Smart Account: its domain identifier or its exact name.")
	}
	sa, err := models.ResolveAccount(ctx, s.db, models.AccountSelector{Name: account}, field)
	if !strings.ContainsAny(account, " \t") && strings.Contains(account, ".") {
		if byDomain, derr := models.ResolveAccount(ctx, s.db, models.AccountSelector{Domain: account}, field); models.ErrorCode(derr) != models.CodeNotFound {
			sa, err = byDomain, derr
		}
	}
	if models.ErrorCode(err) == models.CodeNotFound {
		return models.AssignTarget{}, &models.Error{Code: models.CodeNotFound, Field: field,
			Message: fmt.Sprintf("No Smart Account has the domain identifier or the name %q.", account)}
	}
	if err != nil {
		return models.AssignTarget{}, err
	}
	v, err := models.ResolveVirtualAccount(ctx, s.db, sa.ID, va, strings.TrimSuffix(field, "smartAccount")+"virtualAccount")
	if models.ErrorCode(err) == models.CodeNotFound {
		return models.AssignTarget{}, &models.Error{Code: models.CodeNotFound, Field: asDomainError(err).Field,
			Message: fmt.Sprintf("The Smart Account %s has no virtual account %q.", sa.Name, va)}
	}
	if err != nil {
		return models.AssignTarget{}, err
	}
	return models.Target(sa, v), nil
}
