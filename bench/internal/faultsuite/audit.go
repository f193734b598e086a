package faultsuite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// auditor reads what the run left behind.
type auditor struct {
	s    *stack
	o    Options
	mail *mailcatch.Server
}

// effects polls every promised effect until each is there exactly as often as promised, or Settle
// passes; it returns when the last one appeared.
func (a auditor) effects(ctx context.Context, trials []*trial, res *Result, deadline time.Time) time.Time {
	var wants []want
	for _, t := range trials {
		wants = append(wants, t.wants...)
	}
	for {
		var missing []want
		var counts []int
		for _, w := range wants {
			n, err := a.count(ctx, w)
			if err != nil {
				res.Failures = append(res.Failures, w.what+": "+err.Error())
				continue
			}
			if n != w.n {
				missing, counts = append(missing, w), append(counts, n)
			}
		}
		done := len(missing) == 0
		// A duplicate will not go away: stop waiting once only duplicates are left.
		onlyDup := true
		for i, w := range missing {
			if counts[i] < w.n {
				onlyDup = false
			}
		}
		if done || onlyDup || time.Now().After(deadline) {
			for i, w := range missing {
				if counts[i] < w.n {
					res.Lost = append(res.Lost, fmt.Sprintf("%s: %d of %d", w.what, counts[i], w.n))
				} else {
					res.Duplicated = append(res.Duplicated, fmt.Sprintf("%s: %d, want %d", w.what, counts[i], w.n))
				}
			}
			return time.Now()
		}
		time.Sleep(time.Second)
	}
}

func (a auditor) count(ctx context.Context, w want) (int, error) {
	if w.count != nil {
		return w.count(), nil
	}
	var n int
	err := a.s.db.QueryRowContext(ctx, w.query, w.args...).Scan(&n)
	return n, err
}

// onceActions happen at most once per target, whatever the process went through.
var onceActions = []string{models.EventSARequested, models.EventSAActivated, models.EventSAApproved,
	models.EventAccessRequested, models.EventAccessApproved, models.EventOrderIngested, models.EventLineAssigned,
	models.EventLineShipped, models.EventLineProvisioned, models.EventDelegationCreated, models.EventDelegationUsed,
	models.EventVACreated}

// duplicates looks across the whole database for rows that must be unique but are not.
func (a auditor) duplicates(ctx context.Context, res *Result) {
	quoted := make([]string, len(onceActions))
	for i, act := range onceActions {
		quoted[i] = "'" + act + "'"
	}
	for what, q := range map[string]string{
		"role granted twice": `SELECT user_email || ' ' || role || ' on ' || smart_account_id || '/' || coalesce(virtual_account_id, ''), count(*)
			FROM account_roles GROUP BY user_email, role, smart_account_id, coalesce(virtual_account_id, '') HAVING count(*) > 1`,
		"license row twice": `SELECT order_id || '/' || line_id || ' in ' || coalesce(virtual_account_id, ''), count(*)
			FROM licenses GROUP BY order_id, line_id, coalesce(virtual_account_id, '') HAVING count(*) > 1`,
		"event twice": `SELECT action || ' ' || target_id, count(*) FROM events WHERE action IN (` + strings.Join(quoted, ",") + `)
			GROUP BY action, target_id HAVING count(*) > 1`,
	} {
		rows, err := a.s.db.QueryContext(ctx, q)
		if err != nil {
			res.Failures = append(res.Failures, what+": "+err.Error())
			continue
		}
		for rows.Next() {
			var key string
			var n int
			if err := rows.Scan(&key, &n); err == nil {
				res.Duplicated = append(res.Duplicated, fmt.Sprintf("%s: %s (%d)", what, key, n))
			}
		}
		_ = rows.Close()
	}
}

// resendWindow is how soon after a mail arrived a worker kill explains its one resend: the killed
// attempt had handed the mail to SMTP and not yet written its mail log row.
const resendWindow = 2 * time.Second

// mails matches the mail log's keys to the messages received, by the Message-ID each key gives: every
// key logged as sent arrived, and none arrived twice. A mail whose worker was killed between its send and
// its log row is sent again by the retried step under the same Message-ID, which a mail client shows as
// one message: that one resend, its first copy received just before a worker kill, is counted in
// MailResent, not as a finding. While a received mail is not in the log yet the log is read again until
// the deadline: the step's retry comes only after the killed attempt's timeout.
func (a auditor) mails(ctx context.Context, res *Result, kills []time.Time, deadline time.Time) {
	for {
		m, err := a.matchMails(ctx, kills)
		if err != nil {
			res.Failures = append(res.Failures, "mail log: "+err.Error())
			return
		}
		if m.unlogged == 0 || !time.Now().Before(deadline) {
			res.MailKeys, res.MailsReceived, res.MailResent = m.keys, m.received, m.resent
			res.MailLost, res.MailDuplicated = m.lost, m.duplicated
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// mailMatch is one reading of the mail log against the messages received.
type mailMatch struct {
	keys, received, resent, unlogged int
	lost, duplicated                 []string
}

func (a auditor) matchMails(ctx context.Context, kills []time.Time) (mailMatch, error) {
	var out mailMatch
	arrivals := map[string][]time.Time{}
	subjects := map[string]string{}
	msgs := a.mail.Messages()
	for _, m := range msgs {
		id := strings.Trim(m.MessageID, "<>")
		arrivals[id] = append(arrivals[id], m.ReceivedAt)
		subjects[id] = m.Subject
	}
	out.received = len(msgs)
	rows, err := a.s.db.QueryContext(ctx, "SELECT key, subject FROM mail_log ORDER BY key")
	if err != nil {
		return out, err
	}
	defer rows.Close()
	logged := map[string]bool{}
	for rows.Next() {
		var key, subject string
		if err := rows.Scan(&key, &subject); err != nil {
			return out, err
		}
		out.keys++
		id := activities.MessageID(key, mailFrom)
		logged[id] = true
		switch got := arrivals[id]; {
		case len(got) == 0:
			out.lost = append(out.lost, key+" ("+subject+")")
		case len(got) == 2 && resentAfterKill(got[0], kills):
			out.resent++
		case len(got) > 1:
			out.duplicated = append(out.duplicated, fmt.Sprintf("%s (%s) ×%d", key, subject, len(got)))
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	for id := range arrivals {
		if !logged[id] {
			out.unlogged++
			out.lost = append(out.lost, "received but never logged as sent: "+subjects[id])
		}
	}
	return out, nil
}

// resentAfterKill says whether a worker was killed within resendWindow after a mail's first copy arrived
// (the suite's clock stamps both), which explains a second copy under the same Message-ID.
func resentAfterKill(first time.Time, kills []time.Time) bool {
	for _, k := range kills {
		if d := k.Sub(first); d >= -100*time.Millisecond && d <= resendWindow {
			return true
		}
	}
	return false
}

// stuck lists the open processes that wait for nobody: every process still running must be waiting
// for a person (its ClcWaitingOn), or it will never move again. A process between two steps (an
// activity retried after its worker was killed) waits for nobody for a while, so the list is read
// again until it is empty or the deadline passes. Processes of scenarios that failed half-way (already
// reported) are left out when their id names the scenario.
func (a auditor) stuck(ctx context.Context, res *Result, failed []string, deadline time.Time) {
	c, err := client.DialContext(ctx, client.Options{HostPort: a.s.temporalHP, Logger: quietLogger{}})
	if err != nil {
		res.Failures = append(res.Failures, "temporal: "+err.Error())
		return
	}
	defer c.Close()
	for {
		stuck, err := openWaitingForNobody(ctx, c, failed)
		if err != nil {
			res.Failures = append(res.Failures, "list open processes: "+err.Error())
			return
		}
		if len(stuck) == 0 || time.Now().After(deadline) {
			res.Stuck = stuck
			return
		}
		time.Sleep(2 * time.Second)
	}
}

func openWaitingForNobody(ctx context.Context, c client.Client, failed []string) ([]string, error) {
	var out []string
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "ExecutionStatus = 'Running'", PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, err
		}
	next:
		for _, e := range resp.Executions {
			for _, f := range failed {
				if strings.Contains(e.Execution.WorkflowId+"-", f+"-") {
					continue next
				}
			}
			var who []string
			if p := e.GetSearchAttributes().GetIndexedFields()[process.SearchWaitingOn.GetName()]; p != nil {
				_ = converter.GetDefaultDataConverter().FromPayload(p, &who)
			}
			if len(who) == 0 {
				out = append(out, e.Execution.WorkflowId+" ("+e.Type.Name+") waits for nobody")
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return out, nil
		}
	}
}
