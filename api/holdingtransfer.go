package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The transfer of an order out of Partner Holding Accounts to the customer's account (FEATURES HA3),
// through the API and through the holding members' mailed link. Both read from rows who may transfer
// (the holding accounts' roles, the partner rights) and hand the transfer to the order's process, whose
// validator has the last word.

// transferBody is the body of POST /orders/{id}/transfer.
type transferBody struct {
	To     *targetBody `json:"to"`
	Lines  []string    `json:"lines"`
	Reason string      `json:"reason"`
}

// transferRequest resolves a transfer's target and reads the holding accounts the order is in, with
// those the address may move orders from as a member.
func (s *Server) transferRequest(ctx context.Context, st models.OrderState, email string, to models.AssignTarget,
	lines []string, reason string) (models.TransferRequest, error) {
	from, memberOf, err := models.HoldingFacts(ctx, s.db, st.Lines, email)
	return models.TransferRequest{To: to, Lines: lines, Reason: strings.TrimSpace(reason), From: from, MemberOf: memberOf}, err
}

// transferOrder moves an order's lines out of holding (all of them, or those named) to the customer's
// account and answers once it is recorded: the held licenses moved with them.
func (s *Server) transferOrder(c *gin.Context) error {
	ctx := c.Request.Context()
	var body transferBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	switch {
	case body.To == nil || body.To.SmartAccount == nil:
		return models.Invalid("to.smartAccount", "to.smartAccount is required: {domain|name|email}")
	case models.HasControl(body.Reason, true) || len(body.Reason) > 2000:
		return models.Invalid("reason", "reason holds control characters or is longer than 2000 characters")
	}
	if err := body.To.SmartAccount.Validate("to.smartAccount"); err != nil {
		return err
	}
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		return err
	}
	a, err := s.orderActor(c)
	if err != nil {
		return err
	}
	to, err := s.resolveTarget(ctx, *body.To, "to")
	if err != nil {
		return err
	}
	req, err := s.transferRequest(ctx, st, a.Email, to, body.Lines, body.Reason)
	if err == nil {
		_, _, err = models.PlanTransfer(st.Order, st.Lines, acc, req)
	}
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 {
		return models.Invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters")
	}
	res, err := s.orders.Transfer(ctx, st, process.TransferInput{RequestID: "transfer-" + assignmentID(a.Email, key, st.Order.ID),
		Actor: a, Via: process.ViaAPI, Request: req})
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "order transferred out of holding", "orderId", st.Order.ID, "user", a.Email, "as", res.As,
		"lines", len(res.Moved), "smartAccountId", to.SmartAccountID)
	c.JSON(http.StatusOK, gin.H{"orderId": res.OrderID, "assignmentStatus": res.Status, "moved": res.Moved,
		"inHolding": res.Holding, "as": res.As, "to": to})
	return nil
}

// The holding members' mailed task (FEATURES HA2, X6): its page names the customer's account (domain,
// exact name or a customer's email) and a virtual account, and moves the order there in one press.

func init() { purposes[models.PurposeHoldingTransfer] = holdingTask{} }

type holdingTask struct{}

type holdingView struct {
	orderForm
	Title string
}

func (holdingTask) open(ctx context.Context, s *Server, l link) (subject, error) {
	st, f, err := s.linkedOrder(ctx, l)
	if err != nil {
		return nil, err
	}
	f.Required, f.HasServices = true, false
	return &heldOrder{st: st, view: holdingView{orderForm: f, Title: "Move order " + st.Order.ID + " to the customer's Smart Account"}}, nil
}

type heldOrder struct {
	st   models.OrderState
	view holdingView
}

func (o *heldOrder) task() *taskView {
	return o.view.taskOf(o.view.Title,
		"Cisco order "+o.st.Order.ID+" waits in your Partner Holding Account for the customer's Smart Account.")
}

// closed says the order no longer waits once nothing that needs a Smart Account is left in holding.
func (o *heldOrder) closed() error {
	if len(models.InHolding(o.st.Lines)) > 0 {
		return nil
	}
	return models.Errorf(models.CodeConflict, "Order %s was moved out of its holding account.", o.st.Order.ID)
}

func (o *heldOrder) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	v := o.view
	v.fill(values, refusal)
	s.writePage(c, status, holdingPage, v)
}

func (o *heldOrder) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	ctx := c.Request.Context()
	if decision(values) != "ASSIGN" {
		return "", models.Invalid("decision", "Press Move to move the order.")
	}
	account := text(values, "smartAccount")
	var to models.AssignTarget
	var err error
	if strings.Contains(account, "@") {
		to, err = s.resolveTarget(ctx, targetBody{SmartAccount: &models.AccountSelector{Email: account},
			VirtualAccount: text(values, "virtualAccount")}, "")
		if e := asDomainError(err); err != nil && e != nil {
			e.Field = strings.TrimPrefix(e.Field, ".")
		}
	} else {
		to, err = s.pageTarget(ctx, account, text(values, "virtualAccount"), "smartAccount")
	}
	if err != nil {
		return "", err
	}
	actor, err := models.OrderActorOf(ctx, s.db, l.Recipient, l.Roles)
	if err != nil {
		return "", err
	}
	req, err := s.transferRequest(ctx, o.st, l.Recipient, to, nil, "")
	if err != nil {
		return "", err
	}
	res, err := s.orders.Transfer(ctx, o.st, process.TransferInput{RequestID: "link-" + l.ID, Actor: actor, Via: process.ViaEmail,
		TokenID: l.ID, Request: req})
	if err != nil {
		return "", err
	}
	out := models.TransferOutcome(o.st.Order.ID, len(res.Moved), to)
	if to.Status != models.SAActive {
		out += " The Smart Account " + to.SmartAccountName + " is " + string(to.Status) + ": the licenses wait there until it is active."
	}
	if slices.ContainsFunc(res.Lines, func(l models.OrderLine) bool { return l.AssignmentStatus == models.AssignInHolding }) {
		out += " The partner's own lines stay in the holding account."
	}
	return out, nil
}
