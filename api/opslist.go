package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// The ops list (FEATURES PR3): the lines still pending, oldest first, with the counts per delay reason,
// for licensing ops. The JSON API and the ops console read it the same way.

// opsQuery is an ops list request: its filter, its page and its size.
type opsQuery struct {
	Filter models.PendingFilter
	After  *models.PendingCursor
	Limit  int
	// OlderThan is the age asked for, as given, so a page can show it again.
	OlderThan string
}

// maxOlderThan bounds olderThan: nothing has been pending for ten years.
const maxOlderThan = 10 * 365 * 24 * time.Hour

// parseOpsQuery reads delayReason (one reason), olderThan (a duration such as 24h or 90m, or days: 3d),
// smartAccountId, stuck (true or false), after (a cursor from next) and limit (1 to 200, 50 by default);
// each mistake names its field.
func parseOpsQuery(c *gin.Context, now time.Time) (opsQuery, error) {
	var q opsQuery
	var err error
	if v := strings.TrimSpace(c.Query("delayReason")); v != "" {
		r := models.DelayReason(strings.ToUpper(v))
		if !r.Valid() {
			return q, models.Invalid("delayReason", "delayReason is one of %s", reasonNames())
		}
		q.Filter.Reason = r
	}
	if q.OlderThan = strings.TrimSpace(c.Query("olderThan")); q.OlderThan != "" {
		age, err := parseAge(q.OlderThan)
		if err != nil {
			return q, err
		}
		before := now.Add(-age).UTC()
		q.Filter.Before = &before
	}
	if sa := strings.TrimSpace(c.Query("smartAccountId")); sa != "" {
		if models.HasControl(sa, false) || len(sa) > 100 {
			return q, models.Invalid("smartAccountId", "smartAccountId is not an account id")
		}
		q.Filter.SmartAccountID = sa
	}
	if v := strings.TrimSpace(c.Query("stuck")); v != "" {
		if q.Filter.Stuck, err = strconv.ParseBool(v); err != nil {
			return q, models.Invalid("stuck", "stuck is true or false")
		}
	}
	if q.After, err = afterCursor(c, models.DecodePendingCursor); err != nil {
		return q, err
	}
	q.Limit, err = pageLimit(c, 50, 200)
	return q, err
}

// parseAge reads olderThan: a Go duration (24h, 90m) or whole days (3d), positive and under ten years.
func parseAge(v string) (time.Duration, error) {
	bad := models.Invalid("olderThan", "olderThan is a positive duration such as 24h, 90m or 3d")
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > int(maxOlderThan/(24*time.Hour)) {
			return 0, bad
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, bad
		}
	}
	if d <= 0 || d > maxOlderThan {
		return 0, bad
	}
	return d, nil
}

// pendingView is a pending line in the ops list: where it is, why it waits and since when, how its
// deposits went, and whether it is stuck past its SLA.
type pendingView struct {
	OrderID            string                  `json:"orderId"`
	LineID             string                  `json:"lineId"`
	SKU                string                  `json:"sku"`
	Description        string                  `json:"description"`
	Quantity           int                     `json:"quantity"`
	SmartAccountID     string                  `json:"smartAccountId"`
	SmartAccountName   string                  `json:"smartAccountName,omitempty"`
	VirtualAccountID   string                  `json:"virtualAccountId"`
	VirtualAccountName string                  `json:"virtualAccountName,omitempty"`
	AssignmentStatus   models.AssignmentStatus `json:"assignmentStatus"`
	// DelayReason is empty while the licenses are being deposited.
	DelayReason models.DelayReason `json:"delayReason"`
	Since       *time.Time         `json:"since"`
	ReasonSince *time.Time         `json:"reasonSince,omitempty"`
	ShippedAt   *time.Time         `json:"shippedAt,omitempty"`
	Deadline    *time.Time         `json:"deadline,omitempty"`
	Attempts    int                `json:"attempts"`
	LastError   string             `json:"lastError,omitempty"`
	Stuck       bool               `json:"stuck"`
	StuckAt     *time.Time         `json:"stuckAt,omitempty"`
}

// pendingPage is a page of the ops list with the counts of its filter.
type pendingPage struct {
	Lines  []pendingView        `json:"lines"`
	Counts models.PendingCounts `json:"counts"`
	Next   string               `json:"next,omitempty"`
}

// mayWatchProvisioning refuses anyone but licensing ops.
func mayWatchProvisioning(a models.OrderActor) error {
	if slices.Contains(a.Roles, models.RoleLicensingOps) {
		return nil
	}
	return models.Errorf(models.CodeForbidden, "only licensing ops (platform role %s) see the provisioning list", models.RoleLicensingOps)
}

// pending reads a page of the ops list: the lines, their accounts' names, and the counts; the lines as
// read come along for the console. A named account that does not exist is a 404.
func (s *Server) pending(ctx context.Context, q opsQuery) (pendingPage, []models.OrderLine, error) {
	if id := q.Filter.SmartAccountID; id != "" {
		if _, err := models.FindSmartAccount(ctx, s.db, id); err != nil {
			return pendingPage{}, nil, err
		}
	}
	lines, next, err := models.ListPending(ctx, s.db, q.Filter, q.After, q.Limit)
	if err != nil {
		return pendingPage{}, nil, err
	}
	counts, err := models.CountPending(ctx, s.db, q.Filter)
	if err != nil {
		return pendingPage{}, nil, err
	}
	names, err := s.lineAccountNames(ctx, lines)
	if err != nil {
		return pendingPage{}, nil, err
	}
	out := pendingPage{Lines: make([]pendingView, 0, len(lines)), Counts: counts}
	for _, l := range lines {
		out.Lines = append(out.Lines, s.pendingViewOf(l, names))
	}
	if next != nil {
		out.Next = next.Encode()
	}
	return out, lines, nil
}

// lineAccountNames are the names of the accounts and virtual accounts the lines are in.
func (s *Server) lineAccountNames(ctx context.Context, lines []models.OrderLine) (map[string]string, error) {
	var saIDs, vaIDs []string
	for _, l := range lines {
		if l.SmartAccountID != "" {
			saIDs, vaIDs = append(saIDs, l.SmartAccountID), append(vaIDs, l.VirtualAccountID)
		}
	}
	return models.AccountNames(ctx, s.db, saIDs, vaIDs)
}

func (s *Server) pendingViewOf(l models.OrderLine, names map[string]string) pendingView {
	return pendingView{OrderID: l.OrderID, LineID: l.ID, SKU: l.SKU, Description: l.Description,
		Quantity: l.Quantity, SmartAccountID: l.SmartAccountID, SmartAccountName: names[l.SmartAccountID],
		VirtualAccountID: l.VirtualAccountID, VirtualAccountName: names[l.VirtualAccountID],
		AssignmentStatus: l.AssignmentStatus, DelayReason: l.DelayReason, Since: l.PendingSince, ReasonSince: l.ReasonSince,
		ShippedAt: l.ShippedAt, Deadline: l.Deadline(s.provisionSLA), Attempts: l.ProvAttempts, LastError: l.ProvError,
		Stuck: l.StuckAt != nil, StuckAt: l.StuckAt}
}

// listPending is GET /ops/provisioning: a page of pending lines, oldest first, and the counts per
// reason of the same filter (the reason itself left out, so each reason's count shows what picking it
// would list).
func (s *Server) listPending(c *gin.Context) error {
	a, err := s.orderActor(c)
	if err != nil {
		return err
	}
	if err := mayWatchProvisioning(a); err != nil {
		return err
	}
	q, err := parseOpsQuery(c, time.Now())
	if err != nil {
		return err
	}
	page, _, err := s.pending(c.Request.Context(), q)
	return jsonOr(c, http.StatusOK, page, err)
}
