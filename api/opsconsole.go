package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/models"
)

// The ops console (FEATURES PR3): a server-rendered page for licensing ops, signed in through the
// browser sign-in. It reads the ops list as GET /api/v1/ops/provisioning does, shows each line's trail
// (OR11), and its retry, manual-review and resolve forms go through opsAct, as the API's actions do.
// It works without JavaScript: the filters are a GET form, the actions POST forms with the session's
// CSRF token and a required reason.

var opsPage = pageTemplate("ops")

// consoleActions are the console's action paths and the ops actions they are.
var consoleActions = map[string]models.OpsAction{"retry": models.OpsRetry, "manual-review": models.OpsManualReview,
	"resolve": models.OpsResolve}

func (s *Server) consoleRoutes(r *gin.Engine) {
	r.GET("/ops", s.signedIn, s.opsConsole)
	r.GET("/ops/orders/:id", s.signedIn, s.opsOrder)
	r.POST("/ops/provisioning/:order/:action", s.signedIn, s.opsConsoleAct)
}

// consoleView is what the console shows: the list (with its cards and filters) or one order's lines.
type consoleView struct {
	Title, User, CSRF string
	Status            int
	Error, Notice     string
	// The list: its filter as asked, the cards, the rows, the next page.
	Filter     consoleFilter
	Reasons    []reasonCard
	Stuck      reasonCard
	Depositing int
	Total      int
	Next       string
	// OrderID is set on an order's page, whose rows are all its lines.
	OrderID string
	Rows    []consoleRow
	// Back is the list's query as it was, for the links and forms that return to it; BackLink the list.
	Back, BackLink string
}

type consoleFilter struct {
	Reason, OlderThan, SmartAccountID string
	Stuck                             bool
	Reasons                           []models.DelayReason
}

// reasonCard is a count that links to the list narrowed to it.
type reasonCard struct {
	Reason models.DelayReason
	Count  int
	Link   string
	Active bool
}

// consoleRow is a line with what the console says of it, its trail and the actions it allows.
type consoleRow struct {
	pendingView
	Status  models.ProvisioningStatus
	Key     string
	Link    string
	Since   string
	Trail   []trailRow
	Actions []consoleAction
}

type trailRow struct{ At, Step, By, What string }

type consoleAction struct {
	Name, Label, Path string
	Resolve           bool
}

// consoleActor is the signed-in person as the order rules see them; only licensing ops use the console.
func (s *Server) consoleActor(c *gin.Context) (models.OrderActor, error) {
	a, err := s.orderActor(c)
	if err != nil {
		return a, err
	}
	return a, mayWatchProvisioning(a)
}

// opsConsole is GET /ops: the counts per reason, the filters, and the pending lines oldest first.
func (s *Server) opsConsole(c *gin.Context) {
	v := consoleView{Title: "Provisioning", CSRF: web.CSRFToken(c), User: identity(c).Email, Status: http.StatusOK,
		Notice: noticeOf(c.Query("done"))}
	v.Filter = consoleFilter{Reason: strings.ToUpper(strings.TrimSpace(c.Query("delayReason"))),
		OlderThan: strings.TrimSpace(c.Query("olderThan")), SmartAccountID: strings.TrimSpace(c.Query("smartAccountId")),
		Stuck: c.Query("stuck") == "true", Reasons: models.DelayReasons}
	v.Back = listQuery(v.Filter, "").Encode()
	if _, err := s.consoleActor(c); err != nil {
		s.renderConsole(c, v, err)
		return
	}
	q, err := parseOpsQuery(c, time.Now())
	if err != nil {
		s.renderConsole(c, v, err)
		return
	}
	ctx := c.Request.Context()
	page, lines, err := s.pending(ctx, q)
	if err != nil {
		s.renderConsole(c, v, err)
		return
	}
	for _, r := range models.DelayReasons {
		f := v.Filter
		f.Reason = string(r)
		v.Reasons = append(v.Reasons, reasonCard{Reason: r, Count: page.Counts.ByReason[r],
			Link: "/ops?" + listQuery(f, "").Encode(), Active: v.Filter.Reason == string(r)})
	}
	stuck := v.Filter
	stuck.Stuck = true
	v.Stuck = reasonCard{Count: page.Counts.Stuck, Link: "/ops?" + listQuery(stuck, "").Encode(), Active: v.Filter.Stuck}
	v.Depositing, v.Total = page.Counts.Depositing, page.Counts.Total
	if page.Next != "" {
		v.Next = "/ops?" + listQuery(v.Filter, page.Next).Encode()
	}
	if v.Rows, err = s.consoleRows(ctx, lines, page.Lines); err != nil {
		s.renderConsole(c, v, err)
		return
	}
	s.renderConsole(c, v, nil)
}

// opsOrder is GET /ops/orders/{id}: every line of one order with its trail and the actions it allows;
// where an action leads.
func (s *Server) opsOrder(c *gin.Context) {
	v := consoleView{Title: "Order " + c.Param("id"), OrderID: c.Param("id"), CSRF: web.CSRFToken(c), User: identity(c).Email,
		Status: http.StatusOK, Notice: noticeOf(c.Query("done")), Back: backQuery(c.Query("back"))}
	if _, err := s.consoleActor(c); err != nil {
		s.renderConsole(c, v, err)
		return
	}
	s.renderOrder(c, v, nil)
}

// renderOrder shows one order's lines on v, with err (what an action's form was refused for) above.
func (s *Server) renderOrder(c *gin.Context, v consoleView, err error) {
	ctx := c.Request.Context()
	st, lerr := s.orderState(c, v.OrderID)
	if lerr != nil {
		s.renderConsole(c, v, lerr)
		return
	}
	names, lerr := s.lineAccountNames(ctx, st.Lines)
	if lerr != nil {
		s.renderConsole(c, v, lerr)
		return
	}
	views := make([]pendingView, len(st.Lines))
	for i, l := range st.Lines {
		views[i] = s.pendingViewOf(l, names)
	}
	if v.Rows, lerr = s.consoleRows(ctx, st.Lines, views); lerr != nil {
		s.renderConsole(c, v, lerr)
		return
	}
	s.renderConsole(c, v, err)
}

// opsConsoleAct is a console form's action on a line: the same opsAct as the API's, then the order's
// page saying what was done. A refusal (no reason, nothing to act on) shows the page again with why.
func (s *Server) opsConsoleAct(c *gin.Context) {
	orderID := c.Param("order")
	v := consoleView{Title: "Order " + orderID, OrderID: orderID, CSRF: web.CSRFToken(c), User: identity(c).Email,
		Status: http.StatusOK, Back: backQuery(c.PostForm("back"))}
	action, ok := consoleActions[c.Param("action")]
	if !ok {
		s.renderConsole(c, v, models.Errorf(models.CodeNotFound, "no ops action %q", c.Param("action")))
		return
	}
	a, err := s.consoleActor(c)
	if err != nil {
		s.renderConsole(c, v, err)
		return
	}
	var lines []string
	if l := strings.TrimSpace(c.PostForm("line")); l != "" {
		lines = []string{l}
	}
	res, err := s.opsAct(c.Request.Context(), a, orderID, action, lines, c.PostForm("reason"), c.PostForm("outcome"))
	if err != nil {
		s.renderOrder(c, v, err)
		return
	}
	done := url.Values{"done": {string(action) + ":" + strings.Join(res.Changed, ",")}}
	if v.Back != "" {
		done.Set("back", v.Back)
	}
	c.Redirect(http.StatusSeeOther, "/ops/orders/"+url.PathEscape(res.OrderID)+"?"+done.Encode())
}

// consoleRows are the lines as the console shows them, each with its trail (one query for all) and
// the actions it allows.
func (s *Server) consoleRows(ctx context.Context, lines []models.OrderLine, views []pendingView) ([]consoleRow, error) {
	trails, _, err := models.LineTrails(ctx, s.db, lines)
	if err != nil {
		return nil, err
	}
	rows := make([]consoleRow, len(lines))
	for i, l := range lines {
		r := consoleRow{pendingView: views[i], Status: l.ProvisioningStatus, Key: fmt.Sprintf("%d", i), Since: when(l.PendingSince)}
		// A line is stuck while it is pending; once provisioned or closed, its trail says it was.
		r.Stuck = r.Stuck && l.ProvisioningStatus == models.ProvisionPending
		for _, st := range trails[i].Steps {
			r.Trail = append(r.Trail, trailRow{At: st.At.Format(pageTime), Step: st.Step, By: st.By, What: stepText(st)})
		}
		for _, name := range []string{"retry", "manual-review", "resolve"} {
			act := consoleActions[name]
			if models.OpsApplies(act, l) {
				r.Actions = append(r.Actions, consoleAction{Name: name, Label: actionLabels[act], Resolve: act == models.OpsResolve,
					Path: "/ops/provisioning/" + url.PathEscape(l.OrderID) + "/" + name})
			}
		}
		rows[i] = r
	}
	return rows, nil
}

var actionLabels = map[models.OpsAction]string{models.OpsRetry: "Retry now", models.OpsManualReview: "Hold for manual review",
	models.OpsResolve: "Resolve the review"}

// renderConsole writes the console page; err is shown above it, with its status.
func (s *Server) renderConsole(c *gin.Context, v consoleView, err error) {
	v.BackLink = "/ops"
	if v.Back != "" {
		v.BackLink += "?" + v.Back
	}
	for i := range v.Rows {
		r := &v.Rows[i]
		r.Link = "/ops/orders/" + url.PathEscape(r.OrderID)
		if v.Back != "" {
			r.Link += "?" + url.Values{"back": {v.Back}}.Encode()
		}
	}
	if err != nil {
		v.Status = StatusOf(err)
		v.Error = asDomainError(err).Message
		if v.Status >= 500 {
			s.log.ErrorContext(c.Request.Context(), "ops console failed", "path", c.FullPath(), "error", err)
		}
	}
	s.writePage(c, v.Status, opsPage, v)
}

// listQuery is the console's URL query for a filter, and a page's cursor.
func listQuery(f consoleFilter, after string) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"delayReason": f.Reason, "olderThan": f.OlderThan, "smartAccountId": f.SmartAccountID,
		"after": after} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Stuck {
		q.Set("stuck", "true")
	}
	return q
}

// backQuery keeps of a returned list query only the list's own parameters.
func backQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	f := consoleFilter{Reason: q.Get("delayReason"), OlderThan: q.Get("olderThan"), SmartAccountID: q.Get("smartAccountId"),
		Stuck: q.Get("stuck") == "true"}
	return listQuery(f, "").Encode()
}

// noticeOf says what an action did, from the done parameter its redirect carries ("RETRY:1,2").
func noticeOf(done string) string {
	action, lines, ok := strings.Cut(done, ":")
	label, known := actionLabels[models.OpsAction(action)]
	if !ok || !known {
		return ""
	}
	if lines == "" {
		return label + ": no line changed."
	}
	return label + ": recorded for line " + strings.ReplaceAll(lines, ",", ", ") + "."
}

func when(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format(pageTime)
}

// stepText is a trail step as a sentence.
func stepText(s models.TrailStep) string {
	place := func(p *models.TrailPlace) string {
		if p == nil {
			return "nowhere"
		}
		sa, va := p.SmartAccountName, p.VirtualAccountName
		if sa == "" {
			sa = p.SmartAccountID
		}
		if va == "" {
			va = p.VirtualAccountID
		}
		return sa + " / " + va
	}
	var out string
	switch s.Step {
	case models.StepIngested:
		out = "Order received from commerce"
	case models.StepAssigned:
		out = "Assigned to " + place(s.To)
	case models.StepReassigned:
		out = "Moved from " + place(s.From) + " to " + place(s.To)
	case models.StepShipped:
		out = "Shipped " + s.ShippedAt
	case models.StepProvisioning:
		out = "Now " + string(s.Status)
	case models.StepAttempt:
		out = fmt.Sprintf("Deposit attempt %d: %s", s.Attempt, s.Outcome)
		if s.Error != "" {
			out += " (" + s.Error + ")"
		}
	case models.StepLicensesMade:
		out = fmt.Sprintf("%d licenses put in %s", s.Quantity, place(s.To))
		if s.Outcome != "" {
			out += " (" + s.Outcome + ")"
		}
	case models.StepLicensesMoved:
		out = fmt.Sprintf("%d licenses moved from %s to %s", s.Quantity, place(s.From), place(s.To))
	case models.StepOps:
		out = strings.ReplaceAll(strings.TrimPrefix(s.Action, "ORDER_LINE_"), "_", " ") + " by ops"
	case models.StepStuck:
		out = "Stuck: still pending at its SLA"
	default:
		out = s.Action
	}
	if s.DelayReason != "" && s.Step != models.StepStuck {
		out += ", " + string(s.DelayReason)
	}
	if s.As != "" {
		out += " as " + s.As
	}
	if s.Why != "" {
		out += " (" + s.Why + ")"
	}
	if s.Reason != "" {
		out += `: "` + s.Reason + `"`
	}
	return out
}
