package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// OrderProcesses is what the order handlers ask of the order processes; workflows.Orders in production.
type OrderProcesses interface {
	Ingest(ctx context.Context, in process.IngestInput) (process.IngestResult, error)
	Assign(ctx context.Context, st models.OrderState, in process.AssignInput, wait bool) (process.AssignResult, error)
	Delegate(ctx context.Context, st models.OrderState, in process.DelegateInput) (process.DelegateResult, error)
	Revoke(ctx context.Context, st models.OrderState, in process.RevokeInput) (process.RevokeResult, error)
	Transfer(ctx context.Context, st models.OrderState, in process.TransferInput) (process.TransferResult, error)
	// StartAssignments hands the accepted orders of a bulk assignment to its process, once recorded.
	StartAssignments(ctx context.Context, in process.AssignmentBatchInput) (process.AssignmentBatchCreated, error)
	ProvisioningProcesses
}

// ingestRequest is the body of POST /orders: an order as commerce booked it.
type ingestRequest struct {
	ID                 string        `json:"id"`
	Type               string        `json:"type"`
	PurchaseOrder      string        `json:"purchaseOrder"`
	EndCustomer        *models.Party `json:"endCustomer"`
	Reseller           *models.Party `json:"reseller"`
	Distributor        *models.Party `json:"distributor"`
	FulfillmentContact string        `json:"fulfillmentContact"`
	BookedAt           string        `json:"bookedAt"`
	ShippedAt          string        `json:"shippedAt"`
	Lines              []ingestLine  `json:"lines"`
	// HoldingAccount is the Partner Holding Account chosen at the point of sale (FEATURES HA1).
	HoldingAccount *models.HoldingSelector `json:"holdingAccount"`
}

type ingestLine struct {
	ID           string `json:"id"`
	SKU          string `json:"sku"`
	Description  string `json:"description" text:"multiline"`
	Kind         string `json:"kind"`
	Quantity     int    `json:"quantity"`
	SmartLicense bool   `json:"smartLicense"`
	SAMandatory  bool   `json:"saMandatory"`
	TermMonths   int    `json:"termMonths"`
}

// orderIDPattern keeps order ids fit for workflow ids, URLs and CSV cells.
var orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

const maxOrderLines = 1000

// validate checks an ingested order and builds its rows; the hash is of the validated content, so
// the same order sent again (even with other spacing or case in emails) is recognized.
func (r *ingestRequest) validate() (models.Order, []models.OrderLine, error) {
	o := models.Order{ID: strings.TrimSpace(r.ID), Type: models.OrderType(strings.ToUpper(strings.TrimSpace(r.Type))),
		PurchaseOrder: strings.TrimSpace(r.PurchaseOrder), FulfillmentContact: models.NormalizeEmail(r.FulfillmentContact)}
	switch {
	case o.ID == "":
		return o, nil, models.Invalid("id", "id is required")
	case !orderIDPattern.MatchString(o.ID):
		return o, nil, models.Invalid("id", "id must be 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
	case !o.Type.Valid():
		return o, nil, models.Invalid("type", "type must be STANDARD, STOCKING or EA")
	case len(o.PurchaseOrder) > 100:
		return o, nil, models.Invalid("purchaseOrder", "purchaseOrder is longer than 100 characters")
	case models.HasControl(o.PurchaseOrder, false):
		return o, nil, models.Invalid("purchaseOrder", "purchaseOrder holds control characters")
	case r.EndCustomer == nil || strings.TrimSpace(r.EndCustomer.Name) == "":
		return o, nil, models.Invalid("endCustomer.name", "endCustomer.name is required")
	case o.FulfillmentContact != "" && !models.ValidEmail(o.FulfillmentContact):
		return o, nil, models.Invalid("fulfillmentContact", "%q is not an email address", r.FulfillmentContact)
	}
	var err error
	if o.EndCustomer, err = party("endCustomer", *r.EndCustomer, false); err != nil {
		return o, nil, err
	}
	if r.Reseller != nil {
		if o.Reseller, err = party("reseller", *r.Reseller, true); err != nil {
			return o, nil, err
		}
	}
	if r.Distributor != nil {
		if r.Reseller == nil {
			return o, nil, models.Invalid("distributor", "a distributor (2-tier) comes with the reseller it sold through")
		}
		if o.Distributor, err = party("distributor", *r.Distributor, true); err != nil {
			return o, nil, err
		}
	}
	if o.BookedAt, err = instant("bookedAt", r.BookedAt); err != nil {
		return o, nil, err
	}
	if r.ShippedAt != "" {
		t, err := instant("shippedAt", r.ShippedAt)
		if err != nil {
			return o, nil, err
		}
		o.ShippedAt = &t
	}
	if len(r.Lines) == 0 || len(r.Lines) > maxOrderLines {
		return o, nil, models.Invalid("lines", "an order has 1 to %d lines", maxOrderLines)
	}
	lines := make([]models.OrderLine, 0, len(r.Lines))
	for i, l := range r.Lines {
		line, err := l.validate(fmt.Sprintf("lines[%d]", i), o)
		if err != nil {
			return o, nil, err
		}
		if slices.ContainsFunc(lines, func(x models.OrderLine) bool { return x.ID == line.ID }) {
			return o, nil, models.Invalid(fmt.Sprintf("lines[%d].id", i), "line id %q appears twice", line.ID)
		}
		lines = append(lines, line)
	}
	canonical, _ := json.Marshal(struct {
		O models.Order
		L []models.OrderLine
	}{o, lines})
	if r.HoldingAccount != nil {
		// Orders without a holding account keep the hash they always had.
		canonical, _ = json.Marshal(struct {
			O models.Order
			L []models.OrderLine
			H models.HoldingSelector
		}{o, lines, *r.HoldingAccount})
	}
	sum := sha256.Sum256(canonical)
	o.PayloadHash = hex.EncodeToString(sum[:])
	return o, lines, nil
}

func (l ingestLine) validate(field string, o models.Order) (models.OrderLine, error) {
	out := models.OrderLine{ID: strings.TrimSpace(l.ID), SKU: strings.ToUpper(strings.TrimSpace(l.SKU)),
		Description: strings.TrimSpace(l.Description), Kind: models.LineKind(strings.ToUpper(strings.TrimSpace(l.Kind))),
		Quantity: l.Quantity, SmartLicense: l.SmartLicense, SAMandatory: l.SAMandatory, TermMonths: l.TermMonths}
	switch {
	case out.ID == "" || len(out.ID) > 20:
		return out, models.Invalid(field+".id", "%s.id is required (at most 20 characters)", field)
	case models.HasControl(out.ID, false):
		return out, models.Invalid(field+".id", "%s.id holds control characters", field)
	case out.SKU == "" || len(out.SKU) > 64:
		return out, models.Invalid(field+".sku", "%s.sku is required (at most 64 characters)", field)
	case models.HasControl(out.SKU, false):
		return out, models.Invalid(field+".sku", "%s.sku holds control characters", field)
	case len(out.Description) > 500:
		return out, models.Invalid(field+".description", "%s.description is longer than 500 characters", field)
	case models.HasControl(out.Description, true):
		return out, models.Invalid(field+".description", "%s.description holds control characters", field)
	case !out.Kind.Valid():
		return out, models.Invalid(field+".kind", "%s.kind must be PRODUCT, CISCO_SERVICE or PARTNER_SERVICE", field)
	case out.Kind == models.LinePartnerService && o.Reseller.IsZero():
		return out, models.Invalid(field+".kind", "%s is a PARTNER_SERVICE line, but the order names no reseller", field)
	case out.Quantity < 1 || out.Quantity > 1_000_000:
		return out, models.Invalid(field+".quantity", "%s.quantity must be between 1 and 1000000", field)
	case out.TermMonths < 0 || out.TermMonths > 120:
		return out, models.Invalid(field+".termMonths", "%s.termMonths must be between 0 and 120", field)
	}
	return out, nil
}

func party(field string, p models.Party, partner bool) (models.Party, error) {
	out := models.Party{Name: strings.TrimSpace(p.Name), Email: models.NormalizeEmail(p.Email)}
	switch {
	case out.Name == "" || len(out.Name) > 200:
		return out, models.Invalid(field+".name", "%s.name is required (at most 200 characters)", field)
	case models.HasControl(out.Name, false):
		return out, models.Invalid(field+".name", "%s.name holds control characters", field)
	case out.Email != "" && !models.ValidEmail(out.Email):
		return out, models.Invalid(field+".email", "%q is not an email address", p.Email)
	}
	if !partner {
		if p.Domain != "" {
			return out, models.Invalid(field+".domain", "%s has no domain; partners have", field)
		}
		return out, nil
	}
	d, err := models.NormalizeDomain(p.Domain)
	if err != nil {
		return out, models.Invalid(field+".domain", "%s.domain is required: the partner's domain (%v)", field, err)
	}
	out.Domain = d
	return out, nil
}

func instant(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return t, models.Invalid(field, "%s must be an RFC 3339 time such as 2026-11-01T10:00:00Z", field)
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// ingestOrder takes an order from commerce (FEATURES X4: idempotent on the order id). The first time it
// starts the order's process, which records it; the same order again is answered 200 with the order;
// changed content is a 409.
func (s *Server) ingestOrder(c *gin.Context) error {
	ctx := c.Request.Context()
	if !identity(c).HasRole(models.RoleCommerce) {
		return models.Errorf(models.CodeForbidden, "only commerce's service identity (platform role %s) may send orders", models.RoleCommerce)
	}
	var body ingestRequest
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	o, lines, err := body.validate()
	if err != nil {
		return err
	}
	if st, err := models.LoadOrderState(ctx, s.db, o.ID); err == nil {
		if st.Order.PayloadHash != o.PayloadHash {
			return ingestConflict(st, o, lines)
		}
		return s.answerOrder(c, http.StatusOK, st, models.OrderAccess{See: true, As: models.RoleCommerce})
	} else if models.ErrorCode(err) != models.CodeNotFound {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	o.WorkflowID = process.OrderWorkflowID(o.ID)
	models.PrepareOrder(&o, lines, now)
	if body.HoldingAccount != nil {
		if err := s.depositAtSale(ctx, &o, lines, *body.HoldingAccount, now); err != nil {
			return err
		}
	}
	res, err := s.orders.Ingest(ctx, process.IngestInput{Order: o, Lines: lines})
	if models.ErrorCode(err) == models.CodeConflict {
		if st, lerr := models.LoadOrderState(ctx, s.db, o.ID); lerr == nil {
			err = ingestConflict(st, o, lines)
		}
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "order ingested", "orderId", o.ID, "lines", len(lines))
	c.Header("Location", "/api/v1/orders/"+o.ID)
	return s.answerOrder(c, http.StatusCreated, res.State, models.OrderAccess{See: true, As: models.RoleCommerce})
}

// ingestConflict says which parts of a resubmitted order differ from the recorded one.
func ingestConflict(st models.OrderState, o models.Order, lines []models.OrderLine) error {
	had := st.Order
	var diff []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"type", had.Type == o.Type}, {"purchaseOrder", had.PurchaseOrder == o.PurchaseOrder},
		{"endCustomer", had.EndCustomer == o.EndCustomer}, {"reseller", had.Reseller == o.Reseller},
		{"distributor", had.Distributor == o.Distributor}, {"fulfillmentContact", had.FulfillmentContact == o.FulfillmentContact},
		{"bookedAt", had.BookedAt.Equal(o.BookedAt)}, {"shippedAt", sameTime(had.ShippedAt, o.ShippedAt)},
		{"lines", sameLines(st.Lines, lines)},
	} {
		if !f.same {
			diff = append(diff, f.name)
		}
	}
	return &models.Error{Code: models.CodeConflict, Field: "id",
		Message: fmt.Sprintf("order %s was received before with other content; a changed order cannot be sent again", o.ID),
		Details: gin.H{"differs": diff, "receivedAt": had.CreatedAt}}
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func sameLines(a, b []models.OrderLine) bool {
	return slices.EqualFunc(a, b, func(x, y models.OrderLine) bool {
		return x.ID == y.ID && x.SKU == y.SKU && x.Description == y.Description && x.Kind == y.Kind && x.Quantity == y.Quantity &&
			x.SmartLicense == y.SmartLicense && x.SAMandatory == y.SAMandatory && x.TermMonths == y.TermMonths
	})
}

// orderActorKey keeps the caller's order actor on the request, looked up once.
const orderActorKey = "clc.orderActor"

// orderActor is the caller as the order rules see them: the verified address, the platform roles, and
// the partner rights the partner rows give the address (never the token's company claim). It is looked
// up once per request, so a right removed is gone on the next one.
func (s *Server) orderActor(c *gin.Context) (models.OrderActor, error) {
	if a, ok := c.Get(orderActorKey); ok {
		return a.(models.OrderActor), nil
	}
	id := identity(c)
	a, err := models.OrderActorOf(c.Request.Context(), s.db, id.Email, id.Roles)
	if err != nil {
		return a, err
	}
	c.Set(orderActorKey, a)
	return a, nil
}

// loadOrder reads an order the caller may see, and what they may do with it; others are 404.
func (s *Server) loadOrder(c *gin.Context, orderID string) (models.OrderState, models.OrderAccess, error) {
	ctx := c.Request.Context()
	if !orderIDPattern.MatchString(orderID) {
		// No order has such an id; PostgreSQL would not even take some of them as a parameter.
		return models.OrderState{}, models.OrderAccess{}, models.Errorf(models.CodeNotFound, "no order %s", orderID)
	}
	st, err := models.LoadOrderState(ctx, s.db, orderID)
	if err != nil {
		return st, models.OrderAccess{}, err
	}
	a, err := s.orderActor(c)
	if err != nil {
		return st, models.OrderAccess{}, err
	}
	acc := models.AccessTo(a, st.Order, st.Delegations, false, time.Now())
	if !acc.See {
		member, err := models.MemberAccountIDs(ctx, s.db, a.Email)
		if err != nil {
			return st, acc, err
		}
		acc = models.AccessTo(a, st.Order, st.Delegations, models.HeldBy(st.Lines, member), time.Now())
	}
	if !acc.See {
		return st, acc, models.Errorf(models.CodeNotFound, "no order %s", orderID)
	}
	return st, acc, nil
}

// routeOrder is loadOrder for the route's order (:id) with the caller as the order rules see them: the
// steps every handler on one order starts with.
func (s *Server) routeOrder(c *gin.Context) (models.OrderState, models.OrderAccess, models.OrderActor, error) {
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		return st, acc, models.OrderActor{}, err
	}
	a, err := s.orderActor(c) // loadOrder looked it up: the request keeps it
	return st, acc, a, err
}

func (s *Server) getOrder(c *gin.Context) error {
	st, acc, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.answerOrder(c, http.StatusOK, st, acc)
}

// orderEvents is an order's history: its ingest, each line's assignments (with who, as what, and
// support's reason) and its delegations, oldest first.
func (s *Server) orderEvents(c *gin.Context) error {
	st, _, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		return err
	}
	evs, err := s.orderHistory(c, st)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"events": evs})
	return nil
}

// orderHistory is the events of an order, its lines and its delegations, oldest first.
func (s *Server) orderHistory(c *gin.Context, st models.OrderState) ([]models.Event, error) {
	ids := []string{st.Order.ID}
	all, err := models.OrderDelegations(c.Request.Context(), s.db, st.Order.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	evs := []models.Event{}
	if err := s.db.WithContext(c.Request.Context()).Where("target_id IN ? OR (target_type = ? AND target_id LIKE ? ESCAPE '\\')",
		ids, models.TargetOrderLine, escapeLikePrefix(st.Order.ID)+"/%").Order("id").Limit(1000).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("history of order %s: %w", st.Order.ID, err)
	}
	return evs, nil
}

// orderTrail is where each line's licenses went (FEATURES OR11): per line, in time order, the ingest,
// each assignment and by whom, the shipment, each deposit attempt and its outcome, the license rows
// made or moved; for whoever may see the order.
func (s *Server) orderTrail(c *gin.Context) error {
	st, _, err := s.loadOrder(c, c.Param("id"))
	if err != nil {
		return err
	}
	lines, cut, err := models.OrderTrail(c.Request.Context(), s.db, st)
	return jsonOr(c, http.StatusOK, gin.H{"orderId": st.Order.ID, "lines": lines, "cut": cut}, err)
}

// escapeLikePrefix keeps LIKE's wildcards literal in an order id (ids may hold '_').
func escapeLikePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderView is an order as the API shows it: the order, its lines with their assignment and
// provisioning, whom it waits for, and what the caller may do.
type orderView struct {
	ID                 string                   `json:"id"`
	Type               models.OrderType         `json:"type"`
	PurchaseOrder      string                   `json:"purchaseOrder"`
	EndCustomer        models.Party             `json:"endCustomer"`
	Reseller           models.Party             `json:"reseller,omitzero"`
	Distributor        models.Party             `json:"distributor,omitzero"`
	FulfillmentContact string                   `json:"fulfillmentContact"`
	BookedAt           time.Time                `json:"bookedAt"`
	ShippedAt          *time.Time               `json:"shippedAt,omitempty"`
	AssignmentStatus   models.AssignmentStatus  `json:"assignmentStatus"`
	Lines              []lineView               `json:"lines"`
	WaitingOn          []models.Waiting         `json:"waitingOn"`
	Delegations        []models.OrderDelegation `json:"delegations,omitempty"`
	MyAccess           accessView               `json:"myAccess"`
	CreatedAt          time.Time                `json:"createdAt"`
	UpdatedAt          time.Time                `json:"updatedAt"`
}

type accessView struct {
	CanAssign bool   `json:"canAssign"`
	As        string `json:"as,omitempty"`
}

type lineView struct {
	ID           string           `json:"id"`
	SKU          string           `json:"sku"`
	Description  string           `json:"description"`
	Kind         models.LineKind  `json:"kind"`
	Quantity     int              `json:"quantity"`
	SmartLicense bool             `json:"smartLicense"`
	SAMandatory  bool             `json:"saMandatory"`
	TermMonths   int              `json:"termMonths"`
	Assignment   assignmentView   `json:"assignment"`
	Provisioning provisioningView `json:"provisioning"`
}

type assignmentView struct {
	Status             models.AssignmentStatus `json:"status"`
	SmartAccountID     string                  `json:"smartAccountId"`
	SmartAccountName   string                  `json:"smartAccountName,omitempty"`
	VirtualAccountID   string                  `json:"virtualAccountId"`
	VirtualAccountName string                  `json:"virtualAccountName,omitempty"`
	Held               bool                    `json:"held"`
	AssignedBy         string                  `json:"assignedBy,omitempty"`
	AssignedAt         *time.Time              `json:"assignedAt,omitempty"`
}

// provisioningView is where a line's licenses stand (FEATURES PR1, PR2, X1): the delay reason that
// holds it and since when, the failed deposits, and whom it waits for.
type provisioningView struct {
	Status        models.ProvisioningStatus `json:"status"`
	DelayReason   models.DelayReason        `json:"delayReason,omitempty"`
	Since         *time.Time                `json:"since,omitempty"`
	Attempts      int                       `json:"attempts"`
	LastError     string                    `json:"lastError,omitempty"`
	ShippedAt     *time.Time                `json:"shippedAt,omitempty"`
	TermEndsAt    *time.Time                `json:"termEndsAt,omitempty"`
	ProvisionedAt *time.Time                `json:"provisionedAt,omitempty"`
	StuckAt       *time.Time                `json:"stuckAt,omitempty"`
	WaitingOn     []models.Waiting          `json:"waitingOn"`
}

// answerOrder answers the order as the caller may see it, for handle to answer an error.
func (s *Server) answerOrder(c *gin.Context, status int, st models.OrderState, acc models.OrderAccess) error {
	v, err := s.orderView(c.Request.Context(), st, acc)
	return jsonOr(c, status, v, err)
}

func (s *Server) orderView(ctx context.Context, st models.OrderState, acc models.OrderAccess) (orderView, error) {
	o := st.Order
	var saIDs, vaIDs []string
	for _, l := range st.Lines {
		if l.SmartAccountID != "" {
			saIDs, vaIDs = append(saIDs, l.SmartAccountID), append(vaIDs, l.VirtualAccountID)
		}
	}
	names, err := models.AccountNames(ctx, s.db, saIDs, vaIDs)
	if err != nil {
		return orderView{}, err
	}
	var held []string
	for _, l := range st.Lines {
		if l.Held() {
			held = append(held, l.SmartAccountID)
		}
	}
	waits, err := models.AccountWaits(ctx, s.db, held)
	if err != nil {
		return orderView{}, err
	}
	v := orderView{ID: o.ID, Type: o.Type, PurchaseOrder: o.PurchaseOrder, EndCustomer: o.EndCustomer, Reseller: o.Reseller,
		Distributor: o.Distributor, FulfillmentContact: o.FulfillmentContact, BookedAt: o.BookedAt, ShippedAt: o.ShippedAt,
		AssignmentStatus: o.AssignmentStatus, Lines: make([]lineView, 0, len(st.Lines)),
		WaitingOn: models.OrderWaiting(st, o.UpdatedAt), MyAccess: accessView{CanAssign: acc.Act, As: acc.As},
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for _, l := range st.Lines {
		v.Lines = append(v.Lines, s.lineView(l, st, names, waits))
	}
	if acc.As == models.AsFulfillmentContact || acc.As == models.AsSupport {
		v.Delegations = st.Delegations
	}
	return v, nil
}

// lineView is a line as the API shows it; names are the accounts' names, waits whom the held lines'
// accounts wait for.
func (s *Server) lineView(l models.OrderLine, st models.OrderState, names map[string]string, waits map[string][]models.Waiting) lineView {
	return lineView{ID: l.ID, SKU: l.SKU, Description: l.Description, Kind: l.Kind, Quantity: l.Quantity,
		SmartLicense: l.SmartLicense, SAMandatory: l.SAMandatory, TermMonths: l.TermMonths,
		Assignment: assignmentView{Status: l.AssignmentStatus, SmartAccountID: l.SmartAccountID, SmartAccountName: names[l.SmartAccountID],
			VirtualAccountID: l.VirtualAccountID, VirtualAccountName: names[l.VirtualAccountID], Held: l.Held(),
			AssignedBy: l.AssignedBy, AssignedAt: l.AssignedAt},
		Provisioning: provisioningView{Status: l.ProvisioningStatus, DelayReason: l.DelayReason, Since: l.ReasonSince,
			Attempts: l.ProvAttempts, LastError: l.ProvError, ShippedAt: l.ShippedAt, TermEndsAt: l.TermEnd(),
			ProvisionedAt: l.ProvisionedAt, StuckAt: l.StuckAt, WaitingOn: models.LineWaiting(l, st, waits, s.provisionSLA)}}
}

// noOrders stands in when the server was built without the order processes: reads work, and every
// action answers 503.
type noOrders struct{}

var errNoOrders = &models.Error{Code: models.CodeUnavailable, Message: "the order processes are not available"}

func (noOrders) Ingest(context.Context, process.IngestInput) (process.IngestResult, error) {
	return process.IngestResult{}, errNoOrders
}

func (noOrders) Assign(context.Context, models.OrderState, process.AssignInput, bool) (process.AssignResult, error) {
	return process.AssignResult{}, errNoOrders
}

func (noOrders) StartAssignments(context.Context, process.AssignmentBatchInput) (process.AssignmentBatchCreated, error) {
	return process.AssignmentBatchCreated{}, errNoOrders
}

func (noOrders) Delegate(context.Context, models.OrderState, process.DelegateInput) (process.DelegateResult, error) {
	return process.DelegateResult{}, errNoOrders
}

func (noOrders) Revoke(context.Context, models.OrderState, process.RevokeInput) (process.RevokeResult, error) {
	return process.RevokeResult{}, errNoOrders
}

func (noOrders) Transfer(context.Context, models.OrderState, process.TransferInput) (process.TransferResult, error) {
	return process.TransferResult{}, errNoOrders
}

func (noOrders) Ship(context.Context, models.OrderState, process.ShipInput) (process.ShipResult, error) {
	return process.ShipResult{}, errNoOrders
}

func (noOrders) Provisioning(context.Context, models.OrderState, process.OpsInput) (process.OpsResult, error) {
	return process.OpsResult{}, errNoOrders
}
