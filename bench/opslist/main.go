// Command opslist measures the ops list (GET /api/v1/ops/provisioning, FEATURES PR3) at scale: it
// creates a PostgreSQL database, fills it with orders whose lines are pending for every delay reason
// (100,000 by default, beside as many provisioned ones the partial indexes leave out), serves the real
// API over HTTP in this process, and times, request after request from one client, the first page, a
// page filtered by reason and age, one account's lines, the stuck lines, and a page deep in the list
// (each with its counts per reason): p50, p99 and max. -explain prints PostgreSQL's plans of the
// list's queries at that size.
//
//	go run ./bench/opslist -pending 100000 -n 300
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/models"
)

func main() {
	scratch := loadtest.ScratchFlag("benchops")
	var (
		pending  = flag.Int("pending", 100000, "pending lines (as many provisioned lines are added)")
		accounts = flag.Int("accounts", 1000, "Smart Accounts the lines are spread over (the first holds a tenth)")
		samples  = flag.Int("n", 300, "requests per measurement")
		explain  = flag.Bool("explain", false, "print the plans of the list's queries")
	)
	flag.Parse()
	ctx := context.Background()
	pg, drop := scratch(ctx)
	defer drop()
	log.Printf("database %s", pg.Name)
	start := time.Now()
	if err := load(ctx, pg.DB, *pending, *accounts); err != nil {
		log.Fatal(err)
	}
	log.Printf("loaded %d pending and %d provisioned lines over %d accounts in %s", *pending, *pending, *accounts,
		time.Since(start).Round(time.Second))

	srv, stop := loadtest.ServeAPI(ctx, pg.DB)
	defer stop()
	tok := srv.Token("ops@cisco.com", models.RoleLicensingOps)
	deep, err := deepCursor(ctx, pg.DB, *pending)
	if err != nil {
		log.Fatal(err)
	}
	cases := []struct{ name, query string }{
		{"first page (50, all reasons)", ""},
		{"FULFILLMENT_ERROR, older than 24h", "?delayReason=FULFILLMENT_ERROR&olderThan=24h"},
		{"one account (the largest)", "?smartAccountId=bench-sa-0"},
		{"one account (a small one)", "?smartAccountId=bench-sa-500"},
		{"stuck", "?stuck=true"},
		{"a page in the middle", "?after=" + url.QueryEscape(deep)},
	}
	fmt.Printf("| list (%d pending lines) | rows | p50 | p99 | max |\n| --- | --- | --- | --- | --- |\n", *pending)
	for _, c := range cases {
		lat, rows, err := measure(srv.Base+"/api/v1/ops/provisioning"+c.query, tok, *samples)
		if err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		fmt.Printf("| %s | %d | %s | %s | %s |\n", c.name, rows, pct(lat, 50), pct(lat, 99), lat[len(lat)-1].Round(10*time.Microsecond))
	}
	if *explain {
		if err := plans(ctx, pg.DB, deep); err != nil {
			log.Fatal(err)
		}
	}
}

// load writes the accounts, the orders and their lines with set-based SQL: line g of the 2·pending is
// pending when g is even (a reason picked by a seeded random draw, pending since some time in the last
// 60 days, one in twenty stuck), provisioned otherwise; a tenth of the assigned lines are in the first
// account, the rest spread evenly. The orders' roll-ups are written from the lines.
func load(ctx context.Context, db *gorm.DB, pending, accounts int) error {
	lines := 2 * pending
	orders := (lines + 4) / 5
	now := time.Now().UTC()
	steps := []string{
		`SELECT setseed(0.42)`,
		fmt.Sprintf(`INSERT INTO smart_accounts (id, request_id, workflow_id, name, domain, tld, status, requested_by, created_at, updated_at)
			SELECT 'bench-sa-' || n, 'bench-req-' || n, 'sa-create/bench-' || n, 'Bench Account ' || n, 'bench' || n || '.com',
			'bench' || n || '.com', 'ACTIVE', 'admin@bench' || n || '.com', now(), now() FROM generate_series(0, %d) n`, accounts-1),
		fmt.Sprintf(`INSERT INTO virtual_accounts (id, smart_account_id, name, is_default, created_at, updated_at)
			SELECT 'bench-va-' || n, 'bench-sa-' || n, 'DEFAULT', TRUE, now(), now() FROM generate_series(0, %d) n`, accounts-1),
		fmt.Sprintf(`INSERT INTO orders (id, type, booked_at, assignment_status, line_count, payload_hash, workflow_id, created_at, updated_at)
			SELECT 'WO-B' || lpad(n::text, 7, '0'), 'STANDARD', now() - interval '90 days' - (n %% 365) * interval '1 day', 'ASSIGNED', 5, 'h',
			'order/WO-B' || n, now(), now() FROM generate_series(0, %d) n`, orders-1),
		fmt.Sprintf(`CREATE TEMP TABLE bench_lines AS SELECT g, random() AS r, random() AS age, random() AS s, random() AS a
			FROM generate_series(0, %d) g`, lines-1),
		fmt.Sprintf(`INSERT INTO order_lines (order_id, id, position, sku, kind, quantity, smart_license, assignment_status,
			smart_account_id, virtual_account_id, provisioning_status, delay_reason, pending_since, reason_since, stuck_at,
			prov_attempts, prov_error, shipped_at, updated_at)
			SELECT 'WO-B' || lpad((g / 5)::text, 7, '0'), (g %% 5 + 1)::text, g %% 5, 'C9300-DNA-E-3Y', 'PRODUCT', 10, TRUE,
				CASE WHEN reason = 'NO_SMART_ACCOUNT' THEN 'UNASSIGNED' ELSE 'ASSIGNED' END,
				CASE WHEN reason = 'NO_SMART_ACCOUNT' THEN '' ELSE acct END,
				CASE WHEN reason = 'NO_SMART_ACCOUNT' THEN '' ELSE replace(acct, '-sa-', '-va-') END,
				CASE WHEN g %% 2 = 0 THEN 'PENDING' ELSE 'PROVISIONED' END, reason,
				CASE WHEN g %% 2 = 0 THEN since END, CASE WHEN g %% 2 = 0 THEN since END,
				CASE WHEN g %% 2 = 0 AND s < 0.05 THEN since + interval '72 hours' END,
				CASE WHEN reason = 'FULFILLMENT_ERROR' THEN 3 ELSE 0 END,
				CASE WHEN reason = 'FULFILLMENT_ERROR' THEN 'fulfillment: 503 Service Unavailable' ELSE '' END,
				since, $1::timestamp
			FROM (SELECT g, s, $1::timestamp - age * interval '60 days' AS since,
				CASE WHEN a < 0.1 THEN 'bench-sa-0' ELSE 'bench-sa-' || (1 + g %% %d) END AS acct,
				CASE WHEN g %% 2 = 1 THEN ''
					WHEN r < 0.30 THEN 'NO_SMART_ACCOUNT' WHEN r < 0.45 THEN 'SMART_ACCOUNT_PENDING'
					WHEN r < 0.75 THEN 'AWAITING_SHIPMENT' WHEN r < 0.85 THEN 'FULFILLMENT_ERROR'
					WHEN r < 0.90 THEN 'MANUAL_REVIEW' WHEN r < 0.95 THEN 'IN_HOLDING_ACCOUNT' ELSE '' END AS reason
				FROM bench_lines) x`, max(accounts-1, 1)),
		`DROP TABLE bench_lines`,
		// The orders' roll-ups of their lines, as the store steps keep them.
		`UPDATE orders o SET lines_pending = x.p, lines_provisioned = x.d, lines_no_account = x.na, lines_account_pending = x.ap,
			lines_in_holding = x.ih, lines_awaiting_shipment = x.aw, lines_fulfillment_error = x.fe, lines_manual_review = x.mr
			FROM (SELECT order_id, COUNT(*) FILTER (WHERE provisioning_status = 'PENDING') p,
				COUNT(*) FILTER (WHERE provisioning_status = 'PROVISIONED') d,
				COUNT(*) FILTER (WHERE delay_reason = 'NO_SMART_ACCOUNT') na, COUNT(*) FILTER (WHERE delay_reason = 'SMART_ACCOUNT_PENDING') ap,
				COUNT(*) FILTER (WHERE delay_reason = 'IN_HOLDING_ACCOUNT') ih, COUNT(*) FILTER (WHERE delay_reason = 'AWAITING_SHIPMENT') aw,
				COUNT(*) FILTER (WHERE delay_reason = 'FULFILLMENT_ERROR') fe, COUNT(*) FILTER (WHERE delay_reason = 'MANUAL_REVIEW') mr
				FROM order_lines GROUP BY order_id) x WHERE x.order_id = o.id`,
		`INSERT INTO order_rollups (booked_day, assignment_status, type, orders, lines_pending, lines_provisioned, lines_no_account,
			lines_account_pending, lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review)
			SELECT to_char(booked_at, 'YYYY-MM-DD'), assignment_status, type, COUNT(*), SUM(lines_pending), SUM(lines_provisioned),
				SUM(lines_no_account), SUM(lines_account_pending), SUM(lines_in_holding), SUM(lines_awaiting_shipment),
				SUM(lines_fulfillment_error), SUM(lines_manual_review) FROM orders GROUP BY 1, 2, 3`,
		`VACUUM ANALYZE order_rollups`,
		`VACUUM ANALYZE smart_accounts`, `VACUUM ANALYZE orders`, `VACUUM ANALYZE order_lines`, `VACUUM ANALYZE events`,
	}
	for _, q := range steps {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		if err := db.WithContext(ctx).Exec(q, args...).Error; err != nil {
			return fmt.Errorf("%.60s…: %w", strings.Join(strings.Fields(q), " "), err)
		}
	}
	return nil
}

// deepCursor is the cursor after the pending line halfway down the list.
func deepCursor(ctx context.Context, db *gorm.DB, pending int) (string, error) {
	var l models.OrderLine
	err := db.WithContext(ctx).Table("order_lines").Where("provisioning_status = 'PENDING'").
		Order("pending_since, order_id, id").Offset(pending / 2).Limit(1).Take(&l).Error
	if err != nil || l.PendingSince == nil {
		return "", fmt.Errorf("the middle of the list: %v", err)
	}
	return models.PendingCursor{Since: *l.PendingSince, OrderID: l.OrderID, LineID: l.ID}.Encode(), nil
}

// measure sends n GETs one after the other (after a few to warm up) and returns their sorted latencies
// and the rows of the last page.
func measure(u, tok string, n int) ([]time.Duration, int, error) {
	rows := 0
	one := func() (time.Duration, error) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		d := time.Since(t0)
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%d %s %v", resp.StatusCode, body, err)
		}
		var page struct {
			Lines []json.RawMessage `json:"lines"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return 0, err
		}
		rows = len(page.Lines)
		return d, nil
	}
	for range 10 {
		if _, err := one(); err != nil {
			return nil, 0, err
		}
	}
	lat := make([]time.Duration, 0, n)
	for range n {
		d, err := one()
		if err != nil {
			return nil, 0, err
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	return lat, rows, nil
}

func pct(lat []time.Duration, p int) string {
	i := min(len(lat)-1, len(lat)*p/100)
	return lat[i].Round(10 * time.Microsecond).String()
}

// plans prints EXPLAIN ANALYZE of the page and count queries of each filter.
func plans(ctx context.Context, db *gorm.DB, deep string) error {
	cur, err := models.DecodePendingCursor(deep)
	if err != nil {
		return err
	}
	before := time.Now().Add(-24 * time.Hour)
	for _, f := range []struct {
		name  string
		f     models.PendingFilter
		after *models.PendingCursor
	}{
		{"all", models.PendingFilter{}, nil},
		{"reason and age", models.PendingFilter{Reason: models.DelayFulfillmentError, Before: &before}, nil},
		{"account", models.PendingFilter{SmartAccountID: "bench-sa-0"}, nil},
		{"stuck", models.PendingFilter{Stuck: true}, nil},
		{"middle", models.PendingFilter{}, &cur},
	} {
		for _, q := range models.PendingQueries(db, f.f, f.after) {
			var plan []string
			if err := db.WithContext(ctx).Raw("EXPLAIN ANALYZE "+q.SQL, q.Args...).Scan(&plan).Error; err != nil {
				return err
			}
			fmt.Printf("\n-- %s (%s)\n%s\n", f.name, q.What, strings.Join(plan, "\n"))
		}
	}
	return nil
}
