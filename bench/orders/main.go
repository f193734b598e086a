// Command orders measures the order inventory and bulk assignment against a running stack whose
// database bench/orderload filled: p50/p99 of an inventory page (50 rows, unassigned filter), of the
// summary cards, and of a free-text search, for three people (an OFM of the largest reseller, whom the
// bench registers and designates through the partner API first; a colleague of the largest customer's
// contacts; and Cisco support, who sees every order); and the time
// from the POST of a 1,000-order assignment to every one of those orders recorded in the database.
// Latencies are measured by one client, request after request, over HTTP (JSON included).
//
//	go run ./cmd/clc-dev -data /tmp/bench -database-url 'postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable' &
//	go run ./bench/orderload -database-url 'postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable'
//	go run ./bench/orders -url http://127.0.0.1:8080 -secret-file /tmp/bench/dev-secret \
//	    -database-url 'postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

func main() {
	var (
		base       = flag.String("url", "http://127.0.0.1:8080", "API base URL")
		secretFile = flag.String("secret-file", "data/dev-secret", "HS256 secret the stack verifies tokens with")
		issuer     = flag.String("issuer", "clc-dev", "token issuer the stack expects")
		dbURL      = flag.String("database-url", "postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable", "the stack's database, to pick orders and watch the assignment land")
		samples    = flag.Int("n", 300, "requests per measurement")
		bulk       = flag.Int("bulk", 1000, "orders in the bulk assignment (0 skips it)")
		onlyBulk   = flag.Bool("only-bulk", false, "time the bulk assignment alone")
		fresh      = flag.Bool("fresh", false, "also time a bulk assignment of orders sent through POST /orders first, whose processes already run")
	)
	flag.Parse()
	secret, err := os.ReadFile(*secretFile)
	if err != nil {
		log.Fatalf("read secret: %v", err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)
	b := &bench{base: strings.TrimRight(*base, "/"), rnd: rand.New(rand.NewPCG(7, 7)),
		signer: auth.Signer{Secret: []byte(strings.TrimSpace(string(secret))), Issuer: *issuer, TTL: 2 * time.Hour},
		http:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 5 * time.Minute}}
	var total int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders").Scan(&total); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d orders in the database; %d requests per measurement\n\n", total, *samples)

	ofm := b.designate("partner000.net", "ofm@partner000.net")
	people := []struct {
		name  string
		token string
		scope string
	}{
		{"OFM of partner000.net", ofm, "reseller_domain = 'partner000.net' OR distributor_domain = 'partner000.net'"},
		{"colleague at cust00000.com", b.token(auth.Identity{Email: "buyer@cust00000.com"}), "fc_domain = 'cust00000.com'"},
		{"Cisco support (every order)", b.token(auth.Identity{Email: "tac@cisco.com", Roles: []string{models.RoleCiscoSupport}}), "TRUE"},
	}
	if *onlyBulk {
		people = nil
	} else {
		fmt.Printf("%-30s %-34s %9s %9s %9s %9s\n", "who", "what", "orders", "p50", "p99", "max")
	}
	for _, p := range people {
		var inScope, unassigned int
		if err := conn.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE assignment_status = 'UNASSIGNED') FROM orders WHERE "+p.scope).Scan(&inScope, &unassigned); err != nil {
			log.Fatal(err)
		}
		scope := fmt.Sprintf("%d/%d", unassigned, inScope)
		b.measure(p.name, "page 1, unassigned, 50 rows", scope, *samples, p.token, func() string {
			return "/api/v1/orders?assignmentStatus=UNASSIGNED&limit=50"
		})
		b.measure(p.name, "page at a random date, unassigned", scope, *samples, p.token, func() string {
			at := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(b.rnd.Int64N(int64(3 * 365 * 24 * time.Hour))))
			return "/api/v1/orders?assignmentStatus=UNASSIGNED&limit=50&after=" + models.Cursor{BookedAt: at, ID: "~"}.Encode()
		})
		b.measure(p.name, "summary cards", fmt.Sprint(inScope), *samples, p.token, func() string { return "/api/v1/orders/summary" })
		i := 0
		b.measure(p.name, "search: order id, PO, SKU family", fmt.Sprint(inScope), *samples, p.token, func() string {
			i++
			var q string
			switch i % 3 {
			case 0:
				q = fmt.Sprintf("BO-%07d", b.rnd.IntN(total))
			case 1:
				q = fmt.Sprintf("PO-%05d-", b.rnd.IntN(5000))
			default:
				q = fmt.Sprintf("C9%03d-DNA", b.rnd.IntN(40))
			}
			return "/api/v1/orders?limit=50&q=" + url.QueryEscape(q)
		})
	}
	if *bulk > 0 {
		ids, domain := b.loaded(ctx, conn, *bulk)
		b.bulk(ctx, conn, ids, domain, "loaded in bulk, no process yet: each assignment starts the order's process")
		if *fresh {
			ids = b.ingest(domain, *bulk)
			b.bulk(ctx, conn, ids, domain, "sent through POST /orders first, processes running")
		}
	}
}

// designate registers the partner (Cisco support) and makes its administrator designate the OFM, as
// people do through the API (a repeat changes nothing), and returns the OFM's token.
func (b *bench) designate(domain, ofm string) string {
	admin := "admin@" + domain
	support := b.token(auth.Identity{Email: "tac@cisco.com", Roles: []string{models.RoleCiscoSupport}})
	st, raw, err := b.do(http.MethodPost, "/api/v1/partners", support, map[string]any{"domain": domain,
		"name": "Partner " + domain, "administrators": []string{admin}, "distributorOf": []string{}})
	if err != nil || (st != http.StatusCreated && st != http.StatusOK) {
		log.Fatalf("register partner %s: %d %v %s", domain, st, err, raw)
	}
	st, raw, err = b.do(http.MethodPut, "/api/v1/partners/"+domain+"/ofms", b.token(auth.Identity{Email: admin}),
		map[string]any{"emails": []string{ofm}})
	if err != nil || st != http.StatusOK {
		log.Fatalf("designate %s: %d %v %s", ofm, st, err, raw)
	}
	return b.token(auth.Identity{Email: ofm})
}

// ingest sends n new orders of the customer through the API, as commerce does, 32 at a time.
func (b *bench) ingest(domain string, n int) []string {
	token := b.token(auth.Identity{Email: "orders@commerce.cisco.com", Roles: []string{models.RoleCommerce}})
	run := time.Now().UTC().Format("150405")
	ids := make([]string, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range ids {
		ids[i] = fmt.Sprintf("BF-%s-%04d", run, i)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := map[string]any{"id": ids[i], "type": "STANDARD", "purchaseOrder": "PF-" + ids[i],
				"endCustomer": map[string]any{"name": "Bench " + domain}, "fulfillmentContact": "fc1@" + domain,
				"bookedAt": time.Now().UTC().Format(time.RFC3339),
				"lines": []any{
					map[string]any{"id": "1", "sku": "C9001-DNA-E-3Y", "kind": "PRODUCT", "quantity": 5, "smartLicense": true},
					map[string]any{"id": "2", "sku": "C9001-DNA-A-3Y", "kind": "PRODUCT", "quantity": 5, "smartLicense": true},
					map[string]any{"id": "3", "sku": "C9001-48P-HW", "kind": "PRODUCT", "quantity": 1},
					map[string]any{"id": "4", "sku": "CON-SNT-C9001", "kind": "CISCO_SERVICE", "quantity": 1},
					map[string]any{"id": "5", "sku": "C9001-ADDON", "kind": "PRODUCT", "quantity": 1},
				}}
			if st, raw, err := b.do(http.MethodPost, "/api/v1/orders", token, body); err != nil || st != http.StatusCreated {
				log.Fatalf("ingest %s: %d %v %s", ids[i], st, err, raw)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("\n%d orders sent through POST /orders in %s (32 at a time)\n", n, time.Since(start).Round(time.Millisecond))
	return ids
}

type bench struct {
	base   string
	signer auth.Signer
	http   *http.Client
	rnd    *rand.Rand
}

func (b *bench) token(id auth.Identity) string {
	if id.Roles == nil {
		id.Roles = []string{}
	}
	tok, err := b.signer.Sign(id)
	if err != nil {
		log.Fatal(err)
	}
	return tok
}

func (b *bench) do(method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// measure times n GETs of the paths next gives, after a few unmeasured ones (connections, caches).
func (b *bench) measure(who, what, orders string, n int, token string, next func() string) {
	for i := 0; i < 10; i++ {
		if st, raw, err := b.do(http.MethodGet, next(), token, nil); err != nil || st != http.StatusOK {
			log.Fatalf("%s / %s: %d %v %s", who, what, st, err, raw)
		}
	}
	lat := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		path := next()
		start := time.Now()
		st, raw, err := b.do(http.MethodGet, path, token, nil)
		lat = append(lat, time.Since(start))
		if err != nil || st != http.StatusOK {
			log.Fatalf("%s / %s %s: %d %v %s", who, what, path, st, err, raw)
		}
	}
	slices.Sort(lat)
	fmt.Printf("%-30s %-34s %9s %9s %9s %9s\n", who, what, orders, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(lat[len(lat)-1]))
}

// loaded picks n unassigned orders of the big customer with the most still to assign (each run
// assigns some).
func (b *bench) loaded(ctx context.Context, conn *pgx.Conn, n int) ([]string, string) {
	var domain string
	err := conn.QueryRow(ctx, `SELECT fc_domain FROM orders WHERE fc_domain IN (SELECT 'cust0000' || g || '.com' FROM generate_series(0, 9) g)
		AND type = 'STANDARD' AND assignment_status = 'UNASSIGNED' GROUP BY fc_domain ORDER BY count(*) DESC LIMIT 1`).Scan(&domain)
	if err != nil {
		log.Fatalf("no big customer with unassigned orders: %v", err)
	}
	rows, err := conn.Query(ctx, `SELECT id FROM orders WHERE fc_domain = $1 AND type = 'STANDARD' AND id LIKE 'BO-%'
		AND assignment_status = 'UNASSIGNED' ORDER BY booked_at DESC LIMIT $2`, domain, n)
	if err != nil {
		log.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		log.Fatal(err)
	}
	if len(ids) < n {
		log.Fatalf("only %d unassigned orders of %s left; load again (-reset)", len(ids), domain)
	}
	return ids, domain
}

// bulk assigns the orders to their customer's account, as a colleague of their contacts, and times
// the POST and the wait until every one of them is recorded.
func (b *bench) bulk(ctx context.Context, conn *pgx.Conn, ids []string, domain, what string) {
	n := len(ids)
	actor := "buyer@" + domain
	token := b.token(auth.Identity{Email: actor})
	body := map[string]any{"orders": ids, "productsTo": map[string]any{"smartAccount": map[string]any{"domain": domain}, "virtualAccount": "DEFAULT"}}
	start := time.Now()
	st, raw, err := b.do(http.MethodPost, "/api/v1/orders/assignments", token, body)
	posted := time.Since(start)
	if err != nil || st != http.StatusAccepted {
		log.Fatalf("bulk assignment: %d %v %s", st, err, raw)
	}
	var res struct {
		Results []struct{ Status string } `json:"results"`
	}
	_ = json.Unmarshal(raw, &res)
	requested := 0
	for _, r := range res.Results {
		if r.Status == "REQUESTED" {
			requested++
		}
	}
	var recorded, lines int
	for {
		err := conn.QueryRow(ctx, `SELECT count(DISTINCT o.id), count(l.id) FROM orders o JOIN order_lines l ON l.order_id = o.id
			WHERE o.id = ANY($1) AND o.assignment_status = 'ASSIGNED' AND l.assigned_by = $2`, ids, actor).Scan(&recorded, &lines)
		if err != nil {
			log.Fatal(err)
		}
		if recorded == requested || time.Since(start) > 5*time.Minute {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("\nbulk assignment of %d orders of %s by %s (%s):\n  POST answered 202 in %s (%d REQUESTED); all %d orders (%d lines) recorded %s after the POST began\n",
		n, domain, actor, what, posted.Round(time.Millisecond), requested, recorded, lines, time.Since(start).Round(time.Millisecond))
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
