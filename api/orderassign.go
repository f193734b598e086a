package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
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

// assignOrders assigns one order or many (FEATURES OR2–OR7, OR9, X3; issue 10). The target accounts
// are resolved once; each order is checked against its rules from the database and answered REQUESTED
// or REFUSED at once, the accepted ones handed together to a bulk assignment's process (one start,
// whatever the count), which has each order's own process apply it and records the outcome for
// GET /orders/assignments/{batch}. One bad order never sinks the others.
func (s *Server) assignOrders(c *gin.Context) error {
	ctx := c.Request.Context()
	var body assignBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	a, err := s.orderActor(c)
	if err != nil {
		return err
	}
	ids, err := body.validate(a)
	if err != nil {
		return err
	}
	req := models.AssignRequest{Lines: body.Lines, Reason: body.Reason}
	if req.Products, err = s.resolveTarget(ctx, *body.ProductsTo, "productsTo"); err != nil {
		return err
	}
	if body.ServicesTo != nil {
		t, err := s.resolveTarget(ctx, *body.ServicesTo, "servicesTo")
		if err != nil {
			return err
		}
		req.Services = &t
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 {
		return models.Invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters")
	}
	if err := s.sameBatch(ctx, a, key, ids); err != nil {
		return err
	}
	batch, results, err := s.assignEach(ctx, a, ids, req, key)
	if err != nil {
		return err
	}
	requested := 0
	for _, r := range results {
		if r.Status == resultRequested {
			requested++
		}
	}
	s.log.InfoContext(ctx, "assignment requested", "user", a.Email, "orders", len(ids), "requested", requested,
		"smartAccountId", req.Products.SmartAccountID, "batchId", batch)
	if requested > 0 {
		c.Header("Location", "/api/v1/orders/assignments/"+batch)
		c.JSON(http.StatusAccepted, gin.H{"batchId": batch, "results": results})
		return nil
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
	return nil
}

// assignEach checks each order against the rules from the database (a few queries for them all), in
// the request's order, and hands the accepted ones to the batch's process.
func (s *Server) assignEach(ctx context.Context, a models.OrderActor, ids []string, req models.AssignRequest,
	key string) (string, []assignResult, error) {
	orders, lines, err := models.OrdersByID(ctx, s.db, ids)
	if err != nil {
		return "", nil, err
	}
	delegations, err := models.PendingDelegations(ctx, s.db, ids)
	if err != nil {
		return "", nil, err
	}
	var member []string
	memberRead := false
	partners := &models.PartnerAccounts{DB: s.db}
	now := time.Now()
	batch := models.AssignmentBatch{ID: batchID(a.Email, key), Actor: models.NormalizeEmail(a.Email), Via: process.ViaAPI,
		SmartAccountID: req.Products.SmartAccountID, VirtualAccountID: req.Products.VirtualAccountID, Reason: req.Reason,
		CreatedAt: now.UTC()}
	results := make([]assignResult, len(ids))
	handed := make([]process.BatchOrder, len(ids))
	requested := 0
	for i, id := range ids {
		results[i] = assignResult{Order: id, Status: resultRefused}
		handed[i] = process.BatchOrder{OrderID: id, Status: models.BatchRefused}
		o, ok := orders[id]
		if !ok {
			results[i].Error = models.Errorf(models.CodeNotFound, "no order %s", id)
			handed[i].Refusal = results[i].Error
			continue
		}
		ds := orEmptyDelegations(delegations[id])
		acc := models.AccessTo(a, o, ds, false, now)
		if !acc.See {
			if !memberRead {
				if member, err = models.MemberAccountIDs(ctx, s.db, a.Email); err != nil {
					return "", nil, err
				}
				memberRead = true
			}
			acc = models.AccessTo(a, o, ds, models.HeldBy(lines[id], member), now)
		}
		r := req
		if r.Partner, err = partners.Of(ctx, o.ResellerDomain); err != nil {
			return "", nil, err
		}
		plan, err := models.PlanAssignment(o, lines[id], acc, r)
		if err != nil {
			results[i].Error = asDomainError(err)
			handed[i].Refusal = results[i].Error
			continue
		}
		results[i].Status, results[i].Notes = resultRequested, plan.Notes
		requested++
		if len(plan.Changes) == 0 && acc.Delegation == "" {
			// Already where the request puts it: nothing for the process to do.
			results[i].Notes = append(results[i].Notes, "nothing to change: the order is already there")
			handed[i].Status = models.BatchApplied
			continue
		}
		handed[i].Status, handed[i].UpdateID = models.BatchPending, updateID(batch.ID, id)
	}
	if requested == 0 {
		return "", results, nil
	}
	in := process.AssignmentBatchInput{Batch: batch, Actor: a, Request: req, Orders: handed}
	if _, err := s.orders.StartAssignments(ctx, in); err != nil && !process.IsAlreadyStarted(err) {
		// Nothing was handed over: the request as a whole is answered with the engine's error.
		return "", nil, err
	}
	return batch.ID, results, nil
}

func orEmptyDelegations(ds []models.OrderDelegation) []models.OrderDelegation {
	if ds == nil {
		return []models.OrderDelegation{}
	}
	return ds
}

// batchID is the id of a bulk assignment: from the Idempotency-Key (per caller), so a repeated request
// joins the same batch and its orders' updates; fresh otherwise.
func batchID(actor, key string) string {
	if key == "" {
		return models.NewID()
	}
	sum := sha256.Sum256([]byte(models.NormalizeEmail(actor) + "\n" + key))
	return "key-" + hex.EncodeToString(sum[:16])
}

// updateID is the update id of one order's assignment in a batch: a retry of the batch's step is the
// same update, not a second one.
func updateID(batchID, orderID string) string {
	sum := sha256.Sum256([]byte(batchID + "\n" + orderID))
	return "assign-" + hex.EncodeToString(sum[:16])
}

// sameBatch refuses an Idempotency-Key already used by the caller for other orders.
func (s *Server) sameBatch(ctx context.Context, a models.OrderActor, key string, ids []string) error {
	if key == "" {
		return nil
	}
	_, rows, err := models.FindAssignmentBatch(ctx, s.db, batchID(a.Email, key))
	if models.ErrorCode(err) == models.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	had := make([]string, len(rows))
	for i, r := range rows {
		had[i] = r.OrderID
	}
	if !slices.Equal(had, ids) {
		return &models.Error{Code: models.CodeConflict, Field: "Idempotency-Key",
			Message: "this Idempotency-Key was already used for another assignment"}
	}
	return nil
}

// assignmentBatch answers GET /orders/assignments/{batch}: the batch's progress (how many orders are
// applied, refused, pending) and each order's outcome, to the person who made it and to support.
func (s *Server) assignmentBatch(c *gin.Context) error {
	ctx := c.Request.Context()
	a, err := s.orderActor(c)
	if err != nil {
		return err
	}
	id := c.Param("batch")
	b, rows, err := models.FindAssignmentBatch(ctx, s.db, id)
	if err == nil && !a.Support() && b.Actor != models.NormalizeEmail(a.Email) {
		err = models.Errorf(models.CodeNotFound, "no assignment batch %s", id)
	}
	if err != nil {
		return err
	}
	counts := map[models.BatchOrderStatus]int{}
	out := make([]gin.H, len(rows))
	for i, r := range rows {
		counts[r.Status]++
		out[i] = gin.H{"order": r.OrderID, "status": r.Status, "updatedAt": r.UpdatedAt}
		if e := r.Refusal(); e != nil {
			out[i]["error"] = e
		}
	}
	c.JSON(http.StatusOK, gin.H{"batchId": b.ID, "createdAt": b.CreatedAt, "finishedAt": b.FinishedAt,
		"smartAccountId": b.SmartAccountID, "virtualAccountId": b.VirtualAccountID, "total": len(rows),
		"applied": counts[models.BatchApplied], "refused": counts[models.BatchRefused], "pending": counts[models.BatchPending],
		"orders": out})
	return nil
}

// assignmentID is the update id of one order's action from the Idempotency-Key (per caller and order),
// so a repeated request is the same update and not a second one; fresh otherwise.
func assignmentID(actor, key, orderID string) string {
	if key == "" {
		return models.NewID()
	}
	sum := sha256.Sum256([]byte(actor + "\n" + key + "\n" + orderID))
	return "assign-" + hex.EncodeToString(sum[:16])
}
