package main

import (
	"fmt"
	"log"
	"time"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

// licensesPage loads n license rows into the bench account (20 SKUs over its DEFAULT VA and four others)
// and times the licenses page a member reads: the first page, a SKU's, a VA's.
func (r *run) licensesPage(n, samples int) {
	var def string
	if err := r.db.QueryRow(`SELECT id FROM virtual_accounts WHERE smart_account_id = $1 AND is_default`, r.saID).Scan(&def); err != nil {
		log.Fatal(err)
	}
	_, err := r.db.Exec(`INSERT INTO licenses (id, smart_account_id, virtual_account_id, order_id, line_id, sku,
		description, quantity, status, starts_at, ends_at, created_at, updated_at)
		SELECT 'bench-' || $1 || '-' || g, $2, CASE WHEN g % 5 = 0 THEN $3 ELSE 'bench-va-' || (g % 5) END,
			'BL-' || $1 || '-' || (g / 5), (g % 5)::text, 'BENCH-SKU-' || (g % 20), 'bench license', 1 + g % 7,
			'ACTIVE', now(), now() + interval '3 years', now(), now()
		FROM generate_series(1, $4::int) g`, r.c.Run, r.saID, def, n)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := r.db.Exec(`ANALYZE licenses`); err != nil {
		log.Fatal(err)
	}
	base := "/api/v1/smart-accounts/" + r.saID + "/licenses"
	for _, p := range []struct{ name, path string }{{"first page", base}, {"one SKU", base + "?sku=BENCH-SKU-7"},
		{"one VA", base + "?virtualAccountId=" + def}} {
		fmt.Printf("licenses page, %d rows in the account, %s:\n", n, p.name)
		loadtest.Report(loadtest.Parallel(1, samples, func(int) (time.Duration, error) {
			return r.expect(200, "GET", p.path, r.admin, nil)
		}))
	}
}
