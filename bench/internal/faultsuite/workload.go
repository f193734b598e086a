package faultsuite

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/models"
)

// want is one effect an answered request must have had exactly n times, counted in the database (or,
// for deposits, by the fulfillment simulator): fewer is a loss, more a duplicate.
type want struct {
	what  string
	query string
	args  []any
	n     int
	count func() int
}

// trial is one business scenario of the workload and the effects its answered requests promise.
type trial struct {
	kind  string
	label string
	// tld is the scenario's own domain; ids of its orders contain it without the ".com".
	tld   string
	wants []want
	err   error
	done  time.Time
}

func (t *trial) expect(what, query string, args ...any) {
	t.wants = append(t.wants, want{what: t.label + ": " + what, query: query, args: args, n: 1})
}

// kinds are the scenarios, run in turn.
var kinds = []string{"sa-auto", "sa-approve-api", "sa-approve-link", "access", "orders", "delegation"}

// workload runs trials against the stack.
type workload struct {
	c        *caller
	mail     *mailcatch.Server
	db       *sql.DB
	sim      deposits
	run      string
	commerce string
}

type deposits interface {
	Deposits(orderID, lineID string) int
}

// shipped is when commerce reports the workload's lines shipped.
const shipped = "2026-11-05T08:00:00Z"

func (w *workload) trial(ctx context.Context, i int) *trial {
	t := &trial{kind: kinds[i%len(kinds)], label: fmt.Sprintf("%s#%d", kinds[i%len(kinds)], i)}
	tld := fmt.Sprintf("f%s-%d.com", w.run, i)
	t.tld = strings.TrimSuffix(tld, ".com")
	switch t.kind {
	case "sa-auto":
		_, _, t.err = w.activeAccount(ctx, t, tld)
	case "sa-approve-api", "sa-approve-link":
		t.err = w.approval(ctx, t, tld, t.kind == "sa-approve-link")
	case "access":
		t.err = w.access(ctx, t, tld)
	case "orders":
		t.err = w.orders(ctx, t, tld)
	case "delegation":
		t.err = w.delegation(ctx, t, tld)
	}
	t.done = time.Now()
	return t
}

func account(name string) map[string]any {
	return map[string]any{"name": name, "headquarters": map[string]any{"company": name, "line1": "1 Main St",
		"city": "San Jose", "region": "CA", "postalCode": "95134", "country": "US"}}
}

// activeAccount creates the first account of a new TLD, active at once.
func (w *workload) activeAccount(ctx context.Context, t *trial, tld string) (id, admin string, err error) {
	admin = "admin@" + tld
	r, err := w.c.do(ctx, t.label+" create", http.MethodPost, "/api/v1/smart-accounts", w.c.token(admin), "create-"+tld,
		account("Corp "+tld), nil)
	if err != nil {
		return "", "", err
	}
	if r.status != http.StatusAccepted || r.body["status"] != "ACTIVE" {
		return "", "", fmt.Errorf("create %s: %d %v", tld, r.status, r.body)
	}
	id, _ = r.body["id"].(string)
	t.expect("account active", "SELECT count(*) FROM smart_accounts WHERE id = $1 AND status = 'ACTIVE'", id)
	t.expect("one account of the TLD", "SELECT count(*) FROM smart_accounts WHERE domain = $1", tld)
	t.expect("creator is administrator", "SELECT count(*) FROM account_roles WHERE smart_account_id = $1 AND user_email = $2 AND role = $3",
		id, admin, models.RoleSAAdmin)
	t.expect("requested event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", id, models.EventSARequested)
	t.expect("activated event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", id, models.EventSAActivated)
	return id, admin, nil
}

// approval: a colleague asks for a second account of the TLD; the administrator approves it through
// the API or the mailed link.
func (w *workload) approval(ctx context.Context, t *trial, tld string, link bool) error {
	_, admin, err := w.activeAccount(ctx, t, tld)
	if err != nil {
		return err
	}
	// A second account of the TLD, for a subdomain: the TLD's administrators decide.
	bob, name := "bob@"+tld, "Labs "+tld
	body := account(name)
	body["domain"] = "labs." + tld
	r, err := w.c.do(ctx, t.label+" request", http.MethodPost, "/api/v1/smart-accounts", w.c.token(bob), "second-"+tld, body, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusAccepted || r.body["status"] != "PENDING_APPROVAL" {
		return fmt.Errorf("request %s: %d %v", name, r.status, r.body)
	}
	id, _ := r.body["id"].(string)
	if link {
		l, err := w.link(ctx, admin, "Approve or decline the Smart Account request "+name)
		if err != nil {
			return err
		}
		r, err = w.c.do(ctx, t.label+" approve by link", http.MethodPost, l, "", "", nil, url.Values{"decision": {"APPROVE"}})
		if err != nil {
			return err
		}
	} else {
		r, err = w.c.do(ctx, t.label+" approve", http.MethodPost, "/api/v1/smart-accounts/"+id+"/decision", w.c.token(admin), "",
			map[string]any{"decision": "APPROVE"}, nil)
		if err != nil {
			return err
		}
	}
	if err := decided(r); err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	t.expect("approved account active", "SELECT count(*) FROM smart_accounts WHERE id = $1 AND status = 'ACTIVE'", id)
	t.expect("approved event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", id, models.EventSAApproved)
	t.expect("second activated event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", id, models.EventSAActivated)
	t.expect("requester is administrator", "SELECT count(*) FROM account_roles WHERE smart_account_id = $1 AND user_email = $2 AND role = $3",
		id, bob, models.RoleSAAdmin)
	return nil
}

// decided accepts a decision's 2xx, and the 409/410 a retry gets when its first attempt took effect.
func decided(r reply) error {
	if r.status >= 200 && r.status < 300 {
		return nil
	}
	if r.retried && (r.status == http.StatusConflict || r.status == http.StatusGone) {
		return nil
	}
	return fmt.Errorf("%d %v", r.status, truncate(r.page, 300))
}

// access: a colleague asks for a role on the default virtual account; the administrator approves.
func (w *workload) access(ctx context.Context, t *trial, tld string) error {
	id, admin, err := w.activeAccount(ctx, t, tld)
	if err != nil {
		return err
	}
	var va string
	if err := w.db.QueryRowContext(ctx, "SELECT id FROM virtual_accounts WHERE smart_account_id = $1 AND is_default", id).Scan(&va); err != nil {
		return fmt.Errorf("default VA of %s: %w", id, err)
	}
	dev := "dev@" + tld
	r, err := w.c.do(ctx, t.label+" ask", http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests", w.c.token(dev), "access-"+tld,
		map[string]any{"role": models.RoleVAUser, "virtualAccounts": []string{va}, "reason": "fault suite"}, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusAccepted {
		return fmt.Errorf("access request: %d %v", r.status, r.body)
	}
	ar, _ := r.body["id"].(string)
	r, err = w.c.do(ctx, t.label+" approve", http.MethodPost, "/api/v1/smart-accounts/"+id+"/access-requests/"+ar+"/decision",
		w.c.token(admin), "", map[string]any{"decision": "APPROVE"}, nil)
	if err != nil {
		return err
	}
	if err := decided(r); err != nil {
		return fmt.Errorf("approve access %s: %w", ar, err)
	}
	t.expect("role granted", "SELECT count(*) FROM account_roles WHERE smart_account_id = $1 AND virtual_account_id = $2 AND user_email = $3 AND role = $4",
		id, va, dev, models.RoleVAUser)
	t.expect("request approved", "SELECT count(*) FROM access_requests WHERE id = $1 AND status = $2", ar, models.AccessApproved)
	t.expect("access approved event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", ar, models.EventAccessApproved)
	return nil
}

func orderBody(id, fc string) map[string]any {
	return map[string]any{"id": id, "type": "STANDARD", "purchaseOrder": "PO-" + id, "fulfillmentContact": fc,
		"endCustomer": map[string]any{"name": "Customer of " + id, "email": fc}, "bookedAt": "2026-11-01T10:00:00Z",
		"lines": []any{
			map[string]any{"id": "1", "sku": "C9300-DNA-E-3Y", "kind": "PRODUCT", "quantity": 10, "smartLicense": true, "saMandatory": true, "termMonths": 36},
			map[string]any{"id": "2", "sku": "CON-SNT-C9300", "kind": "CISCO_SERVICE", "quantity": 1},
		}}
}

func (w *workload) ingest(ctx context.Context, t *trial, id, fc string) error {
	r, err := w.c.do(ctx, t.label+" ingest", http.MethodPost, "/api/v1/orders", w.commerce, "", orderBody(id, fc), nil)
	if err != nil {
		return err
	}
	// 200 is the answer to a retry whose first attempt stored the order.
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		return fmt.Errorf("ingest %s: %d %v", id, r.status, r.body)
	}
	t.expect("order "+id+" ingested once", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", id, models.EventOrderIngested)
	return nil
}

func (w *workload) ship(ctx context.Context, t *trial, id, sa string) error {
	r, err := w.c.do(ctx, t.label+" ship", http.MethodPost, "/api/v1/orders/"+id+"/shipments", w.commerce, "",
		map[string]any{"lines": []string{"1", "2"}, "shippedAt": shipped}, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("ship %s: %d %v", id, r.status, r.body)
	}
	line := id + "/1"
	t.expect(line+" assigned and provisioned", "SELECT count(*) FROM order_lines WHERE order_id = $1 AND id = '1' AND smart_account_id = $2 AND provisioning_status = $3",
		id, sa, models.ProvisionProvisioned)
	t.expect(line+" one license row", "SELECT count(*) FROM licenses WHERE order_id = $1 AND line_id = '1'", id)
	t.expect(line+" assigned event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", line, models.EventLineAssigned)
	t.expect(line+" shipped event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", line, models.EventLineShipped)
	t.expect(line+" provisioned event", "SELECT count(*) FROM events WHERE target_id = $1 AND action = $2", line, models.EventLineProvisioned)
	t.wants = append(t.wants, want{what: t.label + ": " + line + " deposited once", n: 1,
		count: func() int { return w.sim.Deposits(id, "1") }})
	return nil
}

// orders: commerce books three orders, the customer's administrator assigns them in one request, commerce
// ships them and the worker deposits the licenses with the fulfillment service.
func (w *workload) orders(ctx context.Context, t *trial, tld string) error {
	sa, admin, err := w.activeAccount(ctx, t, tld)
	if err != nil {
		return err
	}
	var ids []string
	for k := 0; k < 3; k++ {
		id := fmt.Sprintf("WF-%s-%s", strings.TrimSuffix(tld, ".com"), string(rune('A'+k)))
		if err := w.ingest(ctx, t, id, "fc@"+tld); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := w.assign(ctx, t, admin, tld, ids); err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.ship(ctx, t, id, sa); err != nil {
			return err
		}
	}
	return nil
}

// assign asks for the orders' assignment to the TLD's account in one request. Orders the answer says
// could not be handed over for an outage (UNAVAILABLE, or INTERNAL, which the audit counts as a 5xx)
// are asked again with the same Idempotency-Key, as a client would.
func (w *workload) assign(ctx context.Context, t *trial, admin, tld string, ids []string) error {
	for {
		r, err := w.c.do(ctx, t.label+" assign", http.MethodPost, "/api/v1/orders/assignments", w.c.token(admin), "assign-"+tld,
			map[string]any{"orders": ids, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": tld}}}, nil)
		if err != nil {
			return err
		}
		if r.status != http.StatusAccepted {
			return fmt.Errorf("assign: %d %v", r.status, r.body)
		}
		rs, _ := r.body["results"].([]any)
		if len(rs) != len(ids) {
			return fmt.Errorf("assign results: %v", r.body)
		}
		again := false
		for _, x := range rs {
			res, _ := x.(map[string]any)
			if res["status"] == "REQUESTED" {
				continue
			}
			e, _ := res["error"].(map[string]any)
			status := map[any]int{models.CodeUnavailable: http.StatusServiceUnavailable, models.CodeInternal: http.StatusInternalServerError}[e["code"]]
			if status == 0 {
				return fmt.Errorf("assign result: %v", res)
			}
			a := answer{at: time.Now(), status: status, what: fmt.Sprintf("%s assign result %v", t.label, res)}
			w.c.rec.add(func(r *recorder) { r.fivexx = append(r.fivexx, a) })
			again = true
		}
		if !again {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("assign: orders still refused at the deadline: %v", r.body)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// delegation: the fulfillment contact delegates the assignment by mail; the delegate assigns through
// the link; commerce ships and the licenses are deposited.
func (w *workload) delegation(ctx context.Context, t *trial, tld string) error {
	sa, _, err := w.activeAccount(ctx, t, tld)
	if err != nil {
		return err
	}
	id, fc, helper := "WD-"+strings.TrimSuffix(tld, ".com"), "fc@"+tld, "helper@integrator-"+tld
	if err := w.ingest(ctx, t, id, fc); err != nil {
		return err
	}
	r, err := w.c.do(ctx, t.label+" delegate", http.MethodPost, "/api/v1/orders/"+id+"/delegations", w.c.token(fc), "delegate-"+id,
		map[string]any{"email": helper, "note": "fault suite"}, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		return fmt.Errorf("delegate %s: %d %v", id, r.status, r.body)
	}
	l, err := w.link(ctx, helper, "asks you to assign order "+id)
	if err != nil {
		return err
	}
	r, err = w.c.do(ctx, t.label+" assign by link", http.MethodPost, l, "", "", nil,
		url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}, "virtualAccount": {"DEFAULT"}})
	if err != nil {
		return err
	}
	if err := decided(r); err != nil {
		return fmt.Errorf("assign %s by link: %w", id, err)
	}
	t.expect("delegation used", "SELECT count(*) FROM order_delegations WHERE order_id = $1 AND status = $2", id, models.DelegationUsed)
	t.expect("delegation used event", `SELECT count(*) FROM events e JOIN order_delegations d ON d.id = e.target_id
		WHERE d.order_id = $1 AND e.action = $2`, id, models.EventDelegationUsed)
	return w.ship(ctx, t, id, sa)
}

// link waits for the mail to addr whose subject has part and returns its emailed link.
func (w *workload) link(ctx context.Context, addr, part string) (string, error) {
	m, err := w.mail.WaitFor(ctx, func(m mailcatch.Message) bool {
		return strings.Contains(m.Subject, part) && contains(m.To, addr)
	})
	if err != nil {
		return "", fmt.Errorf("mail to %s about %q: %w", addr, part, err)
	}
	for _, l := range m.Links {
		if strings.Contains(l, "/a/") {
			return l, nil
		}
	}
	return "", fmt.Errorf("mail %q has no link", m.Subject)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
