// Command orderload fills a License Central database with a synthetic order book for the inventory and
// assignment benchmark (bench/orders): by default 1,000,000 orders of 5 lines each, with the customers'
// Smart Accounts, straight into PostgreSQL with COPY. The orders are what commerce would have sent
// (models.PrepareOrder makes the same rows ingest does); about two thirds are assigned to their
// customer's account, as if assigned long ago. No order process is started: the first action on an
// order starts its process from the database, as for any order loaded in bulk.
//
// The book, fixed by -seed: 5,000 customers (cust00000.com to cust00009.com have 2% of the orders each,
// the rest share the other 80%),
// 500 resellers (partner000.net resold 10% of the orders; 15% are direct) and 10 distributors (a
// quarter of the resold orders), 10 fulfillment contacts per customer (3% of orders have none),
// 92% STANDARD / 5% STOCKING / 3% EA, booked over three years, 70% of the older ones shipped.
//
//	go run ./bench/orderload -database-url 'postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable' -orders 1000000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

const (
	customers = 5000
	// bigCustomers each have 2% of the orders (the bulk assignment takes its orders from them).
	bigCustomers = 10
	partners     = 500
	distributors = 10
	// partnerAccounts is how many resellers have their own Smart Account (for their services lines): all.
	partnerAccounts = partners
)

var bookStart = time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)

func main() {
	var (
		dbURL  = flag.String("database-url", "postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable", "app database (PostgreSQL)")
		orders = flag.Int("orders", 1_000_000, "orders to load")
		batch  = flag.Int("batch", 20_000, "orders per COPY batch")
		seed   = flag.Uint64("seed", 1, "random seed: the same seed loads the same book")
		reset  = flag.Bool("reset", false, "delete every order (and the bench accounts) first")
	)
	flag.Parse()
	ctx := context.Background()
	db, err := models.Open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	if err := models.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)
	if *reset {
		for _, q := range []string{"DELETE FROM order_delegations", "DELETE FROM order_keys", "DELETE FROM order_accounts",
			"DELETE FROM order_lines", "DELETE FROM order_rollups", "DELETE FROM orders", "DELETE FROM events WHERE target_type IN ('ORDER','ORDER_LINE','ORDER_DELEGATION')"} {
			if _, err := conn.Exec(ctx, q); err != nil {
				log.Fatalf("%s: %v", q, err)
			}
		}
	}
	var existing int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE id LIKE 'BO-%'").Scan(&existing); err != nil {
		log.Fatal(err)
	}
	if existing > 0 {
		log.Fatalf("%d bench orders are loaded already; -reset to load again", existing)
	}
	start := time.Now()
	accts, err := loadAccounts(ctx, conn)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("accounts ready in %s", time.Since(start).Round(time.Millisecond))
	g := &gen{rnd: rand.New(rand.NewPCG(*seed, 0x0c15c0)), accts: accts, now: time.Now().UTC().Truncate(time.Microsecond)}
	for from := 0; from < *orders; from += *batch {
		n := min(*batch, *orders-from)
		if err := g.copyBatch(ctx, conn, from, n); err != nil {
			log.Fatalf("batch at %d: %v", from, err)
		}
		done := from + n
		rate := float64(done) / time.Since(start).Seconds()
		log.Printf("%d orders (%.0f/s)", done, rate)
	}
	// The daily roll-ups are rebuilt from every order, as the writes of the processes keep them.
	if _, err := conn.Exec(ctx, `INSERT INTO order_rollups (booked_day, assignment_status, type, orders, lines_not_started,
		lines_pending, lines_provisioned, lines_failed)
		SELECT to_char(booked_at, 'YYYY-MM-DD'), assignment_status, type, count(*), sum(lines_not_started), sum(lines_pending),
		sum(lines_provisioned), sum(lines_failed) FROM orders GROUP BY 1, 2, 3
		ON CONFLICT (booked_day, assignment_status, type) DO UPDATE SET orders = excluded.orders,
		lines_not_started = excluded.lines_not_started, lines_pending = excluded.lines_pending,
		lines_provisioned = excluded.lines_provisioned, lines_failed = excluded.lines_failed`); err != nil {
		log.Fatalf("roll-ups: %v", err)
	}
	if err := models.RebuildScopeRollups(ctx, db); err != nil {
		log.Fatal(err)
	}
	// VACUUM sets the visibility map the index-only scans rely on (autovacuum would, later).
	for _, t := range []string{"orders", "order_lines", "order_keys", "order_accounts", "order_rollups", "order_scope_rollups",
		"smart_accounts", "virtual_accounts", "account_roles"} {
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("loaded %d orders in %s", *orders, time.Since(start).Round(time.Second))
}

// account is a bench Smart Account and its default virtual account.
type account struct{ sa, va string }

type accounts struct {
	customer []account
	partner  []account
}

// loadAccounts makes (or finds) an ACTIVE account per customer and per partner that has one, each with
// its default virtual account and an administrator admin@<domain>.
func loadAccounts(ctx context.Context, conn *pgx.Conn) (accounts, error) {
	var out accounts
	make1 := func(domain string) (account, error) {
		var a account
		err := conn.QueryRow(ctx, `SELECT s.id, v.id FROM smart_accounts s JOIN virtual_accounts v ON v.smart_account_id = s.id AND v.is_default
			WHERE s.domain = $1 AND s.status = 'ACTIVE'`, domain).Scan(&a.sa, &a.va)
		if err == nil {
			return a, nil
		}
		if err != pgx.ErrNoRows {
			return a, err
		}
		now := time.Now().UTC()
		a = account{sa: models.NewID(), va: models.NewID()}
		batch := &pgx.Batch{}
		batch.Queue(`INSERT INTO smart_accounts (id, request_id, workflow_id, name, domain, tld, type, visibility, status, requested_by,
			decided_by, decided_at, activated_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5, 'CUSTOMER', 'UNRESTRICTED', 'ACTIVE', $6, 'system', $7, $7, $7, $7)`,
			a.sa, "bench-"+domain, "bench/"+domain, "Bench "+domain, domain, "admin@"+domain, now)
		batch.Queue(`INSERT INTO virtual_accounts (id, smart_account_id, name, is_default, created_at, updated_at) VALUES ($1, $2, 'DEFAULT', TRUE, $3, $3)`,
			a.va, a.sa, now)
		batch.Queue(`INSERT INTO account_roles (id, user_email, smart_account_id, role, granted_by, created_at)
			VALUES ($1, $2, $3, 'SMART_ACCOUNT_ADMINISTRATOR', 'system', $4)`, models.NewID(), "admin@"+domain, a.sa, now)
		return a, conn.SendBatch(ctx, batch).Close()
	}
	for c := 0; c < customers; c++ {
		a, err := make1(customerDomain(c))
		if err != nil {
			return out, fmt.Errorf("account of %s: %w", customerDomain(c), err)
		}
		out.customer = append(out.customer, a)
	}
	for p := 0; p < partnerAccounts; p++ {
		a, err := make1(partnerDomain(p))
		if err != nil {
			return out, fmt.Errorf("account of %s: %w", partnerDomain(p), err)
		}
		out.partner = append(out.partner, a)
	}
	return out, nil
}

func customerDomain(c int) string { return fmt.Sprintf("cust%05d.com", c) }
func partnerDomain(p int) string  { return fmt.Sprintf("partner%03d.net", p) }

// gen draws the order book.
type gen struct {
	rnd   *rand.Rand
	accts accounts
	now   time.Time
}

// order draws order i: its rows as ingest would make them, assigned as the draw says.
func (g *gen) order(i int) (models.Order, []models.OrderLine) {
	r := g.rnd
	c := bigCustomers + r.IntN(customers-bigCustomers)
	if r.Float64() < 0.02*bigCustomers {
		c = r.IntN(bigCustomers)
	}
	o := models.Order{ID: fmt.Sprintf("BO-%07d", i), Type: models.OrderStandard, PurchaseOrder: fmt.Sprintf("PO-%05d-%07d", c, i),
		EndCustomer: models.Party{Name: fmt.Sprintf("Customer %05d", c), Email: "it@" + customerDomain(c)}, PayloadHash: fmt.Sprintf("bench-%d", i)}
	o.WorkflowID = process.OrderWorkflowID(o.ID)
	if x := r.Float64(); x < 0.05 {
		o.Type = models.OrderStocking
	} else if x < 0.08 {
		o.Type = models.OrderEA
	}
	p := -1
	if x := r.Float64(); x >= 0.15 {
		p = 1 + r.IntN(partners-1)
		if x < 0.25 {
			p = 0
		}
		o.Reseller = models.Party{Name: fmt.Sprintf("Partner %03d", p), Domain: partnerDomain(p)}
		if r.Float64() < 0.25 {
			d := r.IntN(distributors)
			o.Distributor = models.Party{Name: fmt.Sprintf("Distributor %02d", d), Domain: fmt.Sprintf("dist%02d.net", d)}
		}
	}
	if r.Float64() >= 0.03 {
		o.FulfillmentContact = fmt.Sprintf("fc%d@%s", r.IntN(10), customerDomain(c))
	}
	o.BookedAt = bookStart.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour)))).Truncate(time.Second)
	if o.BookedAt.Before(g.now.AddDate(0, 0, -30)) && r.Float64() < 0.7 {
		shipped := o.BookedAt.Add(time.Duration(1+r.IntN(20)) * 24 * time.Hour)
		o.ShippedAt = &shipped
	}
	fam := r.IntN(40)
	lines := []models.OrderLine{
		{ID: "1", SKU: fmt.Sprintf("C9%03d-DNA-E-%dY", fam, 1+r.IntN(5)), Kind: models.LineProduct, Quantity: 1 + r.IntN(50), SmartLicense: true, SAMandatory: true, TermMonths: 36},
		{ID: "2", SKU: fmt.Sprintf("C9%03d-DNA-A-%dY", fam, 1+r.IntN(5)), Kind: models.LineProduct, Quantity: 1 + r.IntN(50), SmartLicense: true, TermMonths: 36},
		{ID: "3", SKU: fmt.Sprintf("C9%03d-48P-HW", fam), Kind: models.LineProduct, Quantity: 1 + r.IntN(10)},
		{ID: "4", SKU: fmt.Sprintf("CON-SNT-C9%03d", fam), Kind: models.LineCiscoService, Quantity: 1, TermMonths: 36},
		{ID: "5", SKU: fmt.Sprintf("C9%03d-ADDON", fam), Kind: models.LineProduct, Quantity: 1},
	}
	if p >= 0 {
		lines[4] = models.OrderLine{ID: "5", SKU: fmt.Sprintf("PSS-%03d", r.IntN(100)), Kind: models.LinePartnerService, Quantity: 1}
	}
	models.PrepareOrder(&o, lines, g.now)
	o.CreatedAt, o.UpdatedAt = o.BookedAt, o.BookedAt
	if !o.Type.Assignable() || o.FulfillmentContact == "" {
		return o, lines
	}
	switch x := r.Float64(); {
	case x < 0.65:
		g.assign(&o, lines, c, p, false)
	case x < 0.70:
		g.assign(&o, lines, c, p, true)
	}
	return o, lines
}

// assign puts the lines in the customer's account (partner services in the partner's, when it has
// one), products only when partial.
func (g *gen) assign(o *models.Order, lines []models.OrderLine, c, p int, partial bool) {
	for i := range lines {
		l := &lines[i]
		a := g.accts.customer[c]
		switch {
		case partial && l.Kind != models.LineProduct:
			continue
		case l.Kind == models.LinePartnerService && p >= partnerAccounts:
			continue
		case l.Kind == models.LinePartnerService:
			a = g.accts.partner[p]
		}
		at := o.BookedAt.Add(time.Hour)
		l.SmartAccountID, l.VirtualAccountID, l.AssignmentStatus = a.sa, a.va, models.AssignAssigned
		l.AssignedBy, l.AssignedAt = o.FulfillmentContact, &at
		l.Reprovision(&models.AccountFacts{Status: models.SAActive, Type: models.SATypeCustomer}, at)
		if l.Ready() { // a synthetic past: shipped lines of active accounts were provisioned long ago
			l.SetProvisioning(models.ProvisionProvisioned, "", at)
		}
	}
	o.ApplyRollUp(lines)
}

var (
	orderCols   = []string{"id", "type", "purchase_order", "end_customer", "reseller", "distributor", "reseller_domain", "distributor_domain", "fulfillment_contact", "fc_domain", "fc_tld", "booked_at", "shipped_at", "assignment_status", "line_count", "lines_not_started", "lines_pending", "lines_provisioned", "lines_failed", "lines_no_account", "lines_account_pending", "lines_in_holding", "lines_awaiting_shipment", "lines_fulfillment_error", "lines_manual_review", "payload_hash", "workflow_id", "created_at", "updated_at"}
	lineCols    = []string{"order_id", "id", "position", "sku", "description", "kind", "quantity", "smart_license", "sa_mandatory", "term_months", "assignment_status", "smart_account_id", "virtual_account_id", "provisioning_status", "delay_reason", "assigned_by", "assigned_at", "shipped_at", "pending_since", "reason_since", "updated_at"}
	keyCols     = []string{"order_id", "key"}
	accountCols = []string{"smart_account_id", "order_id", "booked_at"}
)

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

// copyBatch draws n orders from index from and copies them, their lines, keys and holders in one
// transaction.
func (g *gen) copyBatch(ctx context.Context, conn *pgx.Conn, from, n int) error {
	var orders, lines, keys, holders [][]any
	for i := from; i < from+n; i++ {
		o, ls := g.order(i)
		orders = append(orders, []any{o.ID, string(o.Type), o.PurchaseOrder, js(o.EndCustomer), js(o.Reseller), js(o.Distributor),
			o.ResellerDomain, o.DistributorDomain, o.FulfillmentContact, o.FCDomain, o.FCTLD, o.BookedAt, o.ShippedAt,
			string(o.AssignmentStatus), o.LineCount, o.LinesNotStarted, o.LinesPending, o.LinesProvisioned, o.LinesFailed,
			o.LinesNoAccount, o.LinesAccountPending, o.LinesInHolding, o.LinesAwaitingShipment, o.LinesFulfillmentError,
			o.LinesManualReview, o.PayloadHash, o.WorkflowID, o.CreatedAt, o.UpdatedAt})
		seen := map[string]bool{}
		for _, l := range ls {
			lines = append(lines, []any{o.ID, l.ID, l.Position, l.SKU, l.Description, string(l.Kind), l.Quantity, l.SmartLicense,
				l.SAMandatory, l.TermMonths, string(l.AssignmentStatus), l.SmartAccountID, l.VirtualAccountID,
				string(l.ProvisioningStatus), string(l.DelayReason), l.AssignedBy, l.AssignedAt, l.ShippedAt, l.PendingSince,
				l.ReasonSince, l.UpdatedAt})
			if l.SmartAccountID != "" && !seen[l.SmartAccountID] {
				seen[l.SmartAccountID] = true
				holders = append(holders, []any{l.SmartAccountID, o.ID, o.BookedAt})
			}
		}
		for _, k := range models.SearchKeys(o, ls) {
			keys = append(keys, []any{k.OrderID, k.Key})
		}
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"orders", orderCols, orders}, {"order_lines", lineCols, lines}, {"order_keys", keyCols, keys}, {"order_accounts", accountCols, holders}} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return tx.Commit(ctx)
}
