// Command holding measures the transfer of orders out of a Partner Holding Account on a running dev
// stack (FEATURES HA3): orders deposited in one holding account at ingest and shipped (their licenses
// HELD there), then moved through POST /api/v1/orders/{id}/transfer by 32 clients, timed from the first
// POST to the last license ACTIVE in the customer's account; the mailed transfer page's latency under 32
// concurrent clients; and, against the same Temporal server in the same run, a bare workflow of the
// transfer's shape. See bench/README.md for the command.
package main

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/licensecentral/clc/bench/internal/loadtest"
)

func main() {
	stack := loadtest.Flags()
	temporal, ns := loadtest.TemporalFlags()
	latency := loadtest.LatencyFlag()
	var (
		dbURL   = flag.String("database-url", "", "the stack's database, to watch the licenses (required)")
		orders  = flag.Int("orders", 1000, "orders moved out of the holding account")
		clients = flag.Int("clients", 32, "concurrent clients")
		samples = flag.Int("samples", 600, "transfer page requests")
	)
	flag.Parse()
	db := loadtest.StackDB(*dbURL)
	defer db.Close()
	r := &run{c: stack(), db: db, clients: *clients}
	r.setup()
	r.c.SetFulfillment(r.admin, map[string]any{"latencyMs": int(*latency / time.Millisecond), "down": false})
	b, err := startBare(*temporal, *ns, *latency)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	fmt.Printf("%d orders of one 10-license line, %d clients, fulfillment latency %s\n", *orders, *clients, *latency)
	r.deposit(*orders)
	r.page(*samples, *orders)
	bt := r.bareRound(b, *orders)
	fmt.Printf("bare workflow of the same shape: %d transfers in %s (%.1f/s)\n", *orders, bt.Round(time.Millisecond),
		float64(*orders)/bt.Seconds())
	ft := r.transfer(*orders)
	fmt.Printf("transfer through License Central: first POST to the last license ACTIVE in the customer's account %s (%.1f/s); ratio %.2f\n",
		ft.Round(time.Millisecond), float64(*orders)/ft.Seconds(), bt.Seconds()/ft.Seconds())
}

// run is one benchmark's partner, accounts and database.
type run struct {
	c                          *loadtest.Client
	db                         *sql.DB
	clients                    int
	partner, customer          string
	ofm, admin, commerce       string
	holdingID, holdingName, id string
	customerID                 string
}

func (r *run) must(want int, method, path, tok string, body any) map[string]any {
	st, resp, err := r.c.Do(method, path, tok, body)
	if err != nil || st != want {
		log.Fatalf("%s %s: %d %v %v", method, path, st, resp, err)
	}
	return resp
}

// setup registers a partner, has its administrator create its holding account, and creates the
// customer's ACTIVE account.
func (r *run) setup() {
	r.partner, r.customer = "hpx-"+r.c.Run+".com", "hcust-"+r.c.Run+".com"
	support := r.c.Token("tac@cisco.com", "cisco-support")
	r.must(201, "POST", "/api/v1/partners", support, map[string]any{"domain": r.partner, "name": "Partner " + r.c.Run,
		"administrators": []string{"admin@" + r.partner}, "distributorOf": []string{}})
	r.ofm = r.c.Token("admin@" + r.partner)
	r.holdingName = "Holding " + r.c.Run
	h := loadtest.Account(r.holdingName, r.partner)
	h["type"] = "HOLDING"
	body := r.must(202, "POST", "/api/v1/smart-accounts", r.ofm, h)
	if body["status"] != "ACTIVE" {
		log.Fatalf("holding account: %v", body)
	}
	r.holdingID, _ = body["id"].(string)
	r.admin = r.c.Token("admin@" + r.customer)
	body = r.must(202, "POST", "/api/v1/smart-accounts", r.admin, loadtest.Account("Customer "+r.c.Run, ""))
	r.customerID, _ = body["id"].(string)
	r.commerce = r.c.Token("orders@commerce.cisco.com", "commerce")
}

func (r *run) orderID(i int) string { return fmt.Sprintf("BH-%s-%d", r.c.Run, i) }

// deposit ingests the orders into the holding account and ships them, and waits for their held licenses.
func (r *run) deposit(n int) {
	start := time.Now()
	shipped := time.Now().UTC().Format(time.RFC3339)
	if _, _, failed := loadtest.Parallel(r.clients, n, func(i int) (time.Duration, error) {
		id := r.orderID(i)
		st, resp, err := r.c.Do("POST", "/api/v1/orders", r.commerce, map[string]any{"id": id, "type": "STANDARD",
			"purchaseOrder": "PO-" + id, "bookedAt": "2026-11-01T10:00:00Z", "fulfillmentContact": "fc@" + r.customer,
			"endCustomer": map[string]any{"name": "Customer " + r.c.Run}, "reseller": map[string]any{"name": "Partner", "domain": r.partner},
			"holdingAccount": map[string]any{"smartAccountId": r.holdingID},
			"lines": []any{map[string]any{"id": "1", "sku": "C9300-DNA-E-3Y", "kind": "PRODUCT", "quantity": 10,
				"smartLicense": true, "saMandatory": true, "termMonths": 36}}})
		if err == nil && st != 201 {
			err = fmt.Errorf("ingest %s: %d %v", id, st, resp)
		}
		if err == nil {
			st, resp, err = r.c.Do("POST", "/api/v1/orders/"+id+"/shipments", r.commerce, map[string]any{"lines": []string{"1"}, "shippedAt": shipped})
			if err == nil && st != 200 {
				err = fmt.Errorf("ship %s: %d %v", id, st, resp)
			}
		}
		return 0, err
	}); failed > 0 {
		log.Fatalf("%d orders not deposited", failed)
	}
	r.wait("HELD", r.holdingID, n)
	fmt.Printf("deposited and shipped %d orders into the holding account in %s\n", n, time.Since(start).Round(time.Millisecond))
}

// wait polls until n of the run's licenses are in the account with the status.
func (r *run) wait(status, saID string, n int) {
	deadline := time.Now().Add(time.Hour)
	for {
		var got int
		if err := r.db.QueryRow(`SELECT count(*) FROM licenses WHERE order_id LIKE $1 AND smart_account_id = $2 AND status = $3`,
			"BH-"+r.c.Run+"-%", saID, status).Scan(&got); err != nil {
			log.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			log.Fatalf("%d of %d licenses %s in %s after an hour", got, n, status, saID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// page reads the holding members' mailed transfer links from the dev stack's inbox and opens them
// (GET, which never acts) from the clients at once.
func (r *run) page(samples, orders int) {
	var links []string
	for deadline := time.Now().Add(2 * time.Minute); len(links) < orders && time.Now().Before(deadline); time.Sleep(time.Second) {
		links = r.links()
	}
	if len(links) == 0 {
		log.Fatal("no transfer link in the inbox")
	}
	lat, elapsed, failed := loadtest.Parallel(r.clients, samples, func(i int) (time.Duration, error) {
		t := time.Now()
		resp, err := http.Get(links[i%len(links)])
		if err != nil {
			return time.Since(t), err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			return time.Since(t), fmt.Errorf("transfer page: %d", resp.StatusCode)
		}
		return time.Since(t), nil
	})
	fmt.Printf("transfer page (GET /a/<token>), %d clients, %d links:\n", r.clients, len(links))
	loadtest.Report(lat, elapsed, failed)
}

// links are the run's transfer links in the dev stack's inbox.
func (r *run) links() []string {
	resp, err := http.Get(r.c.Base + "/dev/mail.json")
	if err != nil {
		log.Fatal(err)
	}
	var mails []struct {
		Subject string   `json:"subject"`
		Links   []string `json:"links"`
	}
	err = json.NewDecoder(resp.Body).Decode(&mails)
	_ = resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	var links []string
	for _, m := range mails {
		if !strings.Contains(m.Subject, "BH-"+r.c.Run+"-") {
			continue
		}
		for _, l := range m.Links {
			if strings.Contains(l, "/a/") {
				links = append(links, l)
			}
		}
	}
	return links
}

// transfer moves every order to the customer's account through the API and waits for the last license.
func (r *run) transfer(n int) time.Duration {
	var retried atomic.Int64
	start := time.Now()
	lat, elapsed, failed := loadtest.Parallel(r.clients, n, func(i int) (time.Duration, error) {
		t := time.Now()
		// A client that gave up waiting sends the transfer again, as a person would: a transfer already
		// made answers 409 (nothing left in holding), which is done.
		for try := 0; ; try++ {
			st, resp, err := r.c.Do("POST", "/api/v1/orders/"+r.orderID(i)+"/transfer", r.ofm,
				map[string]any{"to": map[string]any{"smartAccount": map[string]any{"domain": r.customer}}})
			if err == nil && (st == 200 || try > 0 && st == 409) {
				return time.Since(t), nil
			}
			if try == 5 {
				if err == nil {
					err = fmt.Errorf("transfer %s: %d %v", r.orderID(i), st, resp)
				}
				return time.Since(t), err
			}
			retried.Add(1)
		}
	})
	fmt.Printf("POST /orders/{id}/transfer (latency includes a client's repeats; %d repeats after a 60 s wait):\n", retried.Load())
	loadtest.Report(lat, elapsed, failed)
	if failed > 0 {
		log.Fatalf("%d transfers failed", failed)
	}
	r.wait("ACTIVE", r.customerID, n)
	total := time.Since(start)
	var held int
	if err := r.db.QueryRow(`SELECT count(*) FROM licenses WHERE order_id LIKE $1 AND smart_account_id = $2`,
		"BH-"+r.c.Run+"-%", r.holdingID).Scan(&held); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("licenses left in the holding account: %d\n", held)
	return total
}
