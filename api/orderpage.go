package api

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

var delegationPage = template.Must(template.New("delegation").Funcs(pageFuncs).ParseFS(pageFiles, "pages/layout.html", "pages/delegation.html"))

func init() {
	linkPages[models.PurposeOrderDelegation] = linkPage{show: (*Server).showDelegation, decide: (*Server).decideDelegation}
}

// delegationView is what the delegate's page shows and the form they fill.
type delegationView struct {
	Title, Delegator, Note, Recipient            string
	Order                                        models.Order
	Deadline                                     time.Time
	Lines                                        []delegationLine
	HasServices                                  bool
	SmartAccount, VirtualAccount                 string
	ServicesSmartAccount, ServicesVirtualAccount string
	FormError                                    string
}

type delegationLine struct {
	ID, SKU, Account string
	Kind             models.LineKind
	Quantity         int
}

// openDelegation reads the delegation behind a link and checks it still authorizes its delegate,
// answering the page itself when it does not.
func (s *Server) openDelegation(c *gin.Context, tok models.ActionToken) (models.OrderDelegation, models.OrderState, bool) {
	ctx := c.Request.Context()
	d, err := models.FindDelegation(ctx, s.db, tok.SubjectID)
	if err != nil {
		s.renderError(c, models.Errorf(models.CodeNotFound, "This link is not valid."), nil)
		return d, models.OrderState{}, false
	}
	st, err := models.LoadOrderState(ctx, s.db, d.OrderID)
	if err != nil {
		s.renderError(c, err, nil)
		return d, st, false
	}
	if tok.UsedAt != nil {
		s.renderError(c, models.Errorf(models.CodeGone, "This link was already used on %s. %s",
			tok.UsedAt.UTC().Format("2 Jan 2006 15:04 UTC"), tok.Outcome), nil)
		return d, st, false
	}
	if err := delegationClosed(d); err != nil {
		var e *models.Error
		errors.As(err, &e)
		s.renderError(c, &models.Error{Code: e.Code, Message: upperFirst(e.Message) + "."}, nil)
		return d, st, false
	}
	return d, st, true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// showDelegation shows the order and the form; it changes nothing.
func (s *Server) showDelegation(c *gin.Context, tok models.ActionToken) {
	d, st, ok := s.openDelegation(c, tok)
	if !ok {
		return
	}
	s.renderDelegation(c, http.StatusOK, s.delegationView(c.Request.Context(), tok, d, st))
}

// decideDelegation assigns the order as the delegate chose, through the order's process, with the same
// rules as the API; the process uses the delegation in the same write, and the contact and the
// delegate are mailed the outcome.
func (s *Server) decideDelegation(c *gin.Context, tok models.ActionToken) {
	ctx := c.Request.Context()
	d, st, ok := s.openDelegation(c, tok)
	if !ok {
		return
	}
	v := s.delegationView(ctx, tok, d, st)
	v.SmartAccount = strings.TrimSpace(c.PostForm("smartAccount"))
	v.VirtualAccount = strings.TrimSpace(c.PostForm("virtualAccount"))
	v.ServicesSmartAccount = strings.TrimSpace(c.PostForm("servicesTo.smartAccount"))
	v.ServicesVirtualAccount = strings.TrimSpace(c.PostForm("servicesTo.virtualAccount"))
	formError := func(status int, msg string) {
		v.FormError = msg
		s.renderDelegation(c, status, v)
	}
	if strings.ToUpper(strings.TrimSpace(c.PostForm("decision"))) != "ASSIGN" {
		formError(http.StatusBadRequest, "Press Assign to assign the order.")
		return
	}
	if v.SmartAccount == "" {
		formError(http.StatusBadRequest, "Name the Smart Account: its domain identifier or its exact name.")
		return
	}
	req := models.AssignRequest{}
	var err error
	if req.Products, err = s.pageTarget(ctx, v.SmartAccount, v.VirtualAccount, "smartAccount"); err == nil && v.ServicesSmartAccount != "" {
		var t models.AssignTarget
		if t, err = s.pageTarget(ctx, v.ServicesSmartAccount, v.ServicesVirtualAccount, "servicesTo.smartAccount"); err == nil {
			req.Services = &t
		}
	}
	if err == nil {
		req.Partner, err = (&partners{s: s, found: map[string]*models.AssignTarget{}}).of(ctx, st.Order.ResellerDomain)
	}
	if err != nil {
		if StatusOf(err) < 500 {
			formError(StatusOf(err), asDomainError(err).Message)
			return
		}
		s.renderError(c, err, nil)
		return
	}
	actor := models.OrderActor{Email: tok.Recipient}
	var u models.User
	if err := s.db.WithContext(ctx).Where("email = ?", tok.Recipient).Take(&u).Error; err == nil {
		actor.Roles, actor.Company = u.PlatformRoles, u.Company
	}
	acc := models.OrderAccess{See: true, Act: true, As: models.AsDelegate, Delegation: d.ID}
	if _, err := models.PlanAssignment(st.Order, st.Lines, acc, req); err != nil {
		formError(StatusOf(err), asDomainError(err).Message)
		return
	}
	res, err := s.orders.Assign(ctx, st, process.AssignInput{RequestID: "link-" + tok.ID, Actor: actor, Via: process.ViaEmail,
		DelegationID: d.ID, Request: req}, true)
	if err != nil {
		if fresh, ferr := models.FindDelegation(ctx, s.db, d.ID); ferr == nil && delegationClosed(fresh) != nil {
			err = delegationClosed(fresh)
		}
		if models.ErrorCode(err) == models.CodeInvalid || models.ErrorCode(err) == models.CodeRefused {
			formError(StatusOf(err), asDomainError(err).Message)
			return
		}
		s.renderError(c, err, nil)
		return
	}
	outcome := fmt.Sprintf("Assigned. Order %s now goes to the Smart Account %s, virtual account %s; %s was told by mail.",
		st.Order.ID, req.Products.SmartAccountName, req.Products.VirtualAccount, d.Delegator)
	if req.Services != nil {
		outcome += fmt.Sprintf(" Its Cisco services lines go to %s, virtual account %s.", req.Services.SmartAccountName, req.Services.VirtualAccount)
	}
	for _, n := range res.Notes {
		outcome += " Note: " + n + "."
	}
	if err := s.db.WithContext(ctx).Model(&models.ActionToken{}).Where("id = ? AND used_at IS NULL", tok.ID).
		Updates(map[string]any{"used_at": time.Now().UTC(), "outcome": outcome}).Error; err != nil {
		s.log.ErrorContext(ctx, "mark token used", "tokenId", tok.ID, "error", err)
	}
	s.log.InfoContext(ctx, "order assigned through a delegation", "orderId", st.Order.ID, "delegationId", d.ID,
		"by", tok.Recipient, "smartAccountId", req.Products.SmartAccountID)
	s.renderMessage(c, http.StatusOK, pageData{Title: "Thank you", Message: outcome})
}

// pageTarget resolves what the delegate typed: a domain identifier first when it looks like one,
// then an exact (or, for unrestricted accounts, unique partial) name.
func (s *Server) pageTarget(ctx context.Context, account, va, field string) (models.AssignTarget, error) {
	sel := models.AccountSelector{Name: account}
	if !strings.ContainsAny(account, " \t") && strings.Contains(account, ".") {
		if t, err := s.resolveTarget(ctx, targetBody{SmartAccount: &models.AccountSelector{Domain: account}, VirtualAccount: va}, field); models.ErrorCode(err) != models.CodeNotFound {
			return t, err
		}
	}
	return s.resolveTarget(ctx, targetBody{SmartAccount: &sel, VirtualAccount: va}, field)
}

func (s *Server) delegationView(ctx context.Context, tok models.ActionToken, d models.OrderDelegation, st models.OrderState) delegationView {
	var saIDs []string
	for _, l := range st.Lines {
		if l.SmartAccountID != "" {
			saIDs = append(saIDs, l.SmartAccountID)
		}
	}
	names, _ := models.AccountNames(ctx, s.db, saIDs, nil)
	v := delegationView{Title: "Assign order " + st.Order.ID + " to a Smart Account", Delegator: d.Delegator, Note: d.Note,
		Recipient: tok.Recipient, Order: st.Order, Deadline: d.ExpiresAt}
	for _, l := range st.Lines {
		v.Lines = append(v.Lines, delegationLine{ID: l.ID, SKU: l.SKU, Kind: l.Kind, Quantity: l.Quantity, Account: names[l.SmartAccountID]})
		v.HasServices = v.HasServices || l.Kind == models.LineCiscoService
	}
	return v
}

// renderDelegation renders the delegate's page with the headers every emailed-link page has.
func (s *Server) renderDelegation(c *gin.Context, status int, v delegationView) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Robots-Tag", "noindex")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := delegationPage.ExecuteTemplate(c.Writer, "layout", v); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render page", "error", err)
	}
}
