package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// assignBody is the body of POST /orders/assignments.
type assignBody struct {
	Orders     []string    `json:"orders"`
	Lines      []string    `json:"lines"`
	ProductsTo *targetBody `json:"productsTo"`
	ServicesTo *targetBody `json:"servicesTo"`
	Reason     string      `json:"reason"`
}

// targetBody names a Smart Account (by domain, name or a customer's email) and one of its virtual
// accounts (by name or id; the default one when empty).
type targetBody struct {
	SmartAccount   *models.AccountSelector `json:"smartAccount"`
	VirtualAccount string                  `json:"virtualAccount"`
}

// assignResult answers one order of an assignment request.
type assignResult struct {
	Order  string        `json:"order"`
	Status string        `json:"status"`
	Error  *models.Error `json:"error,omitempty"`
	Notes  []string      `json:"notes,omitempty"`
}

// Per-order outcomes of an assignment request.
const (
	resultRequested = "REQUESTED"
	resultRefused   = "REFUSED"
)

// assignConcurrency bounds the order processes asked at once by one request.
const assignConcurrency = 64

// assignedOrderIDs checks the order ids of an assignment (the API's body, the portal's wizard) and
// answers them trimmed, each once, in the order given.
func assignedOrderIDs(orders []string) ([]string, error) {
	if len(orders) == 0 || len(orders) > models.MaxOrdersPerAssignment {
		return nil, models.Invalid("orders", "orders lists 1 to %d order ids", models.MaxOrdersPerAssignment)
	}
	ids := make([]string, 0, len(orders))
	seen := map[string]bool{}
	for i, id := range orders {
		id = strings.TrimSpace(id)
		if !orderIDPattern.MatchString(id) {
			return nil, models.Invalid(fmt.Sprintf("orders[%d]", i), "%q is not an order id", orders[i])
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// assignReason checks an assignment's reason: support must give one, recorded with the assignment.
func assignReason(a models.OrderActor, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if a.Support() && reason == "" {
		return "", models.Invalid("reason", "internal support needs a reason for an assignment; it is recorded with it")
	}
	if len(reason) > 2000 {
		return "", models.Invalid("reason", "reason is longer than 2000 characters")
	}
	if models.HasControl(reason, true) {
		return "", models.Invalid("reason", "reason holds control characters")
	}
	return reason, nil
}

func (b *assignBody) validate(a models.OrderActor) ([]string, error) {
	ids, err := assignedOrderIDs(b.Orders)
	if err != nil {
		return nil, err
	}
	if len(b.Lines) > 0 && len(ids) != 1 {
		return nil, models.Invalid("lines", "lines may be chosen when one order is assigned")
	}
	if b.ProductsTo == nil || b.ProductsTo.SmartAccount == nil {
		return nil, models.Invalid("productsTo.smartAccount", "productsTo.smartAccount is required: {domain|name|email}")
	}
	if err := b.ProductsTo.SmartAccount.Validate("productsTo.smartAccount"); err != nil {
		return nil, err
	}
	if b.ServicesTo != nil {
		if b.ServicesTo.SmartAccount == nil {
			return nil, models.Invalid("servicesTo.smartAccount", "servicesTo.smartAccount is required when servicesTo is given")
		}
		if err := b.ServicesTo.SmartAccount.Validate("servicesTo.smartAccount"); err != nil {
			return nil, err
		}
	}
	if b.Reason, err = assignReason(a, b.Reason); err != nil {
		return nil, err
	}
	return ids, nil
}

// resolveTarget finds the account and virtual account a target names.
func (s *Server) resolveTarget(ctx context.Context, t targetBody, field string) (models.AssignTarget, error) {
	sa, err := models.ResolveAccount(ctx, s.db, *t.SmartAccount, field+".smartAccount")
	if err != nil {
		return models.AssignTarget{}, err
	}
	va, err := models.ResolveVirtualAccount(ctx, s.db, sa.ID, t.VirtualAccount, field+".virtualAccount")
	if err != nil {
		return models.AssignTarget{}, err
	}
	return models.Target(sa, va), nil
}

// partners finds each reseller's own account once per request.
type partners struct {
	s     *Server
	found map[string]*models.AssignTarget
}

func (p *partners) of(ctx context.Context, domain string) (*models.AssignTarget, error) {
	if domain == "" {
		return nil, nil
	}
	if t, ok := p.found[domain]; ok {
		return t, nil
	}
	t, err := models.PartnerAccount(ctx, p.s.db, domain)
	if err != nil {
		return nil, err
	}
	p.found[domain] = t
	return t, nil
}

// assignOrders assigns one order or many (FEATURES OR2–OR7, OR9, X3). The target accounts are resolved
// once; each order is checked on its own and, when its rules allow, handed to its process, whose
// acceptance is the "assignment requested" each order is answered with. One bad order never sinks
// the others.
func (s *Server) assignOrders(c *gin.Context) {
	ctx := c.Request.Context()
	var body assignBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.orderActor(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ids, err := body.validate(a)
	if err != nil {
		s.writeError(c, err)
		return
	}
	req := models.AssignRequest{Lines: body.Lines, Reason: body.Reason}
	if req.Products, err = s.resolveTarget(ctx, *body.ProductsTo, "productsTo"); err != nil {
		s.writeError(c, err)
		return
	}
	if body.ServicesTo != nil {
		t, err := s.resolveTarget(ctx, *body.ServicesTo, "servicesTo")
		if err != nil {
			s.writeError(c, err)
			return
		}
		req.Services = &t
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 {
		s.writeError(c, models.Invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters"))
		return
	}
	results, err := s.assignEach(ctx, a, ids, req, key)
	if err != nil {
		s.writeError(c, err)
		return
	}
	requested := 0
	for _, r := range results {
		if r.Status == resultRequested {
			requested++
		}
	}
	s.log.InfoContext(ctx, "assignment requested", "user", a.Email, "orders", len(ids), "requested", requested,
		"smartAccountId", req.Products.SmartAccountID)
	if requested > 0 {
		c.JSON(http.StatusAccepted, gin.H{"results": results})
		return
	}
	// Nothing was requested: the status is the refusals' own when they agree, 422 otherwise.
	first := results[0].Error
	for _, r := range results {
		if r.Error.Code != first.Code {
			first = &models.Error{Code: models.CodeRefused, Message: "no order could be assigned; each result says why"}
			break
		}
	}
	c.JSON(StatusOf(first), gin.H{"results": results, "error": first})
}

// assignEach checks and hands each order to its process, in the request's order.
func (s *Server) assignEach(ctx context.Context, a models.OrderActor, ids []string, req models.AssignRequest, key string) ([]assignResult, error) {
	orders, lines, err := models.OrdersByID(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	delegations, err := models.PendingDelegations(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	var member []string
	memberRead := false
	ps := &partners{s: s, found: map[string]*models.AssignTarget{}}
	now := time.Now()
	results := make([]assignResult, len(ids))
	type job struct {
		i  int
		st models.OrderState
		in process.AssignInput
	}
	var jobs []job
	for i, id := range ids {
		results[i] = assignResult{Order: id, Status: resultRefused}
		o, ok := orders[id]
		if !ok {
			results[i].Error = models.Errorf(models.CodeNotFound, "no order %s", id)
			continue
		}
		st := models.OrderState{Order: o, Lines: lines[id], Delegations: orEmptyDelegations(delegations[id])}
		acc := models.AccessTo(a, o, st.Delegations, false, now)
		if !acc.See {
			if !memberRead {
				if member, err = models.MemberAccountIDs(ctx, s.db, a.Email); err != nil {
					return nil, err
				}
				memberRead = true
			}
			acc = models.AccessTo(a, o, st.Delegations, models.HeldBy(st.Lines, member), now)
		}
		r := req
		if r.Partner, err = ps.of(ctx, o.ResellerDomain); err != nil {
			return nil, err
		}
		plan, err := models.PlanAssignment(o, st.Lines, acc, r)
		if err != nil {
			results[i].Error = asDomainError(err)
			continue
		}
		results[i].Notes = plan.Notes
		if len(plan.Changes) == 0 && acc.Delegation == "" {
			// Already where the request puts it: nothing for the process to do.
			results[i].Status = resultRequested
			results[i].Notes = append(results[i].Notes, "nothing to change: the order is already there")
			continue
		}
		jobs = append(jobs, job{i: i, st: st, in: process.AssignInput{RequestID: assignmentID(a.Email, key, id),
			Actor: a, Via: process.ViaAPI, Request: r}})
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, assignConcurrency)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := s.orders.Assign(ctx, j.st, j.in, false); err != nil {
				if StatusOf(err) >= 500 {
					s.log.ErrorContext(ctx, "assignment not handed over", "orderId", j.st.Order.ID, "error", err)
				}
				results[j.i].Error = asDomainError(err)
				return
			}
			results[j.i].Status = resultRequested
		}()
	}
	wg.Wait()
	return results, nil
}

func orEmptyDelegations(ds []models.OrderDelegation) []models.OrderDelegation {
	if ds == nil {
		return []models.OrderDelegation{}
	}
	return ds
}

// assignmentID is the update id of one order's assignment: from the Idempotency-Key (per caller and
// order), so a repeated request is the same update and not a second one; fresh otherwise.
func assignmentID(actor, key, orderID string) string {
	if key == "" {
		return models.NewID()
	}
	sum := sha256.Sum256([]byte(actor + "\n" + key + "\n" + orderID))
	return "assign-" + hex.EncodeToString(sum[:16])
}
