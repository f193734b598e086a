package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The fulfillment contact's assignment task (FEATURES OR2, PR2, seed 003's "assign their Smart Account
// or create one"): mailed once when a line that needs a Smart Account has none. Its page assigns the
// order (the rules of the API), delegates it by mail, or requests an account for it and assigns the
// order there, provisional or not; held lines are provisioned when the account is active.

func init() { purposes[models.PurposeOrderAssign] = assignTask{} }

type assignTask struct{}

// assignView is what the contact's page shows and the three forms they may fill.
type assignView struct {
	orderForm
	Title                    string
	Email, Note              string
	Name, Domain, Visibility string
	Address                  models.Address
}

func (assignTask) open(ctx context.Context, s *Server, l link) (subject, error) {
	st, f, err := s.linkedOrder(ctx, l)
	if err != nil {
		return nil, err
	}
	return &contactOrder{st: st, view: assignView{orderForm: f, Title: "Assign order " + st.Order.ID + " to a Smart Account"}}, nil
}

type contactOrder struct {
	st   models.OrderState
	view assignView
}

func (o *contactOrder) task() *taskView {
	return o.view.taskOf(o.view.Title, "Cisco order "+o.st.Order.ID+" waits for you to assign it to a Smart Account.")
}

// closed says who assigned the order once no line that needs an account waits for one.
func (o *contactOrder) closed() error {
	i := slices.IndexFunc(o.st.Lines, func(l models.OrderLine) bool { return l.SAMandatory && l.SmartAccountID == "" })
	if i >= 0 {
		return nil
	}
	by, at := "", time.Time{}
	for _, l := range o.st.Lines {
		if l.AssignedAt != nil && l.AssignedAt.After(at) {
			by, at = l.AssignedBy, *l.AssignedAt
		}
	}
	if by == "" {
		return models.Errorf(models.CodeConflict, "Order %s no longer waits for a Smart Account.", o.st.Order.ID)
	}
	return models.Errorf(models.CodeConflict, "Order %s was assigned by %s on %s.", o.st.Order.ID, by, at.UTC().Format(pageTime))
}

func (o *contactOrder) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	v := o.view
	v.fill(values, refusal)
	v.Email, v.Note = text(values, "email"), text(values, "note")
	v.Name, v.Domain, v.Visibility = text(values, "name"), text(values, "domain"), text(values, "visibility")
	v.Address = formAddress(values, "headquarters.", models.Address{})
	s.writePage(c, status, assignPage, v)
}

func (o *contactOrder) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	ctx := c.Request.Context()
	actor := models.OrderActor{Email: l.Recipient, Roles: l.Roles}
	switch decision(values) {
	case "ASSIGN":
		req, err := s.assignRequest(ctx, o.st, values)
		if err != nil {
			return "", err
		}
		return o.assign(ctx, s, l, actor, req)
	case "DELEGATE":
		acc := models.AccessTo(actor, o.st.Order, o.st.Delegations, false, time.Now())
		out := fmt.Sprintf("%s was asked by mail to assign order %s.", models.NormalizeEmail(text(values, "email")), o.st.Order.ID)
		_, err := s.delegate(ctx, o.st, acc, process.DelegateInput{DelegationID: "link-" + l.ID, Actor: actor,
			Delegate: text(values, "email"), Note: text(values, "note"), TokenID: l.ID, Outcome: out})
		return out, err
	case "CREATE":
		return o.create(c, s, l, actor, values)
	}
	return "", models.Invalid("decision", "Press Assign, Ask them by mail, or Request the account.")
}

// assign hands the assignment to the order's process, which uses the link up in the same write.
func (o *contactOrder) assign(ctx context.Context, s *Server, l link, actor models.OrderActor, req models.AssignRequest) (string, error) {
	res, err := s.orders.Assign(ctx, o.st, process.AssignInput{RequestID: "link-" + l.ID, Actor: actor, Via: process.ViaEmail,
		TokenID: l.ID, Request: req}, true)
	if err != nil {
		return "", err
	}
	return assignOutcome(o.st.Order.ID, req, res), nil
}

// create requests a Smart Account by the creation rules (the same request as POST /smart-accounts, the
// link's id its idempotency key, so a second press finds the account) and assigns the order to its
// default virtual account.
func (o *contactOrder) create(c *gin.Context, s *Server, l link, actor models.OrderActor, values url.Values) (string, error) {
	ctx := c.Request.Context()
	hq := formAddress(values, "headquarters.", models.Address{})
	body := createSARequest{Name: text(values, "name"), Domain: text(values, "domain"),
		Visibility: models.Visibility(text(values, "visibility")), Headquarters: &hq}
	req, err := body.validate(l.Recipient)
	if err != nil {
		return "", err
	}
	sa, _, err := s.requestAccount(c, auth.Identity{Email: l.Recipient, Roles: l.Roles}, req, "link-"+l.ID, true)
	if err != nil {
		return "", err
	}
	va, err := models.ResolveVirtualAccount(ctx, s.db, sa.ID, "", "virtualAccount")
	if err != nil {
		return "", err
	}
	ar := models.AssignRequest{Products: models.Target(sa, va)}
	if ar.Partner, err = models.PartnerAccount(ctx, s.db, o.st.Order.ResellerDomain); err != nil {
		return "", err
	}
	out, err := o.assign(ctx, s, l, actor, ar)
	if err != nil {
		return "", err
	}
	if sa.Status != models.SAActive {
		out += fmt.Sprintf(" The Smart Account %s is %s: its licenses wait until it is active.", sa.Name, sa.Status)
	}
	return out, nil
}
