// Command inventory measures the portal's order inventory page (FEATURES OR1, X7, issue 12): over a
// PostgreSQL database that bench/orderload filled (1,000,000 orders by default), it serves the real API
// with the dev sign-in in this process, signs three people in (an Order Fulfillment Manager of the
// largest reseller, whom it designates first; a colleague at the largest customer; Cisco support, who
// sees every order) and times, request after request from one client, GET /app/orders: the default page,
// the unassigned filter, the page after it (the cursor of the first), and a search (an order id, a
// purchase order prefix, a SKU family, in turn). It reports the server's time (the handler, from the
// request read to the last byte written, without the client) p50, p99 and max, and the bytes of a page.
//
//	createdb -h 127.0.0.1 -U postgres clcbench
//	go run ./bench/orderload -database-url 'postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable'
//	go run ./bench/inventory -database-url 'postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable' -n 300
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/models"
)

func main() {
	var (
		dbURL   = flag.String("database-url", "postgres://postgres@127.0.0.1:5432/clcbench?sslmode=disable", "database bench/orderload filled")
		samples = flag.Int("n", 300, "requests per measurement")
	)
	flag.Parse()
	ctx := context.Background()
	db, err := models.Open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	// The indexes and roll-ups of the migrations newer than the load are part of what is measured
	// (00015 fills the per-domain roll-ups from the orders: its time is printed).
	t0 := time.Now()
	if err := models.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}
	log.Printf("migrated in %s", time.Since(t0).Round(time.Millisecond))
	var total int64
	if err := db.Model(&models.Order{}).Count(&total).Error; err != nil {
		log.Fatal(err)
	}
	if total == 0 {
		log.Fatal("no orders: fill the database with bench/orderload first")
	}
	// The OFM of the largest reseller, designated as its administrator would (a repeat changes nothing).
	const partner, ofm = "partner000.net", "ofm@partner000.net"
	if _, _, err := models.RegisterPartner(ctx, db, "tac@cisco.com", models.PartnerInput{Domain: partner,
		Name: "Partner " + partner, Administrators: []string{"admin@" + partner}, DistributorOf: []string{}}); err != nil {
		log.Fatalf("register %s: %v", partner, err)
	}
	if _, err := models.SetPartnerOFMs(ctx, db, "admin@"+partner, partner, []string{ofm}); err != nil {
		log.Fatalf("designate %s: %v", ofm, err)
	}

	signIn, err := web.New(ctx, web.Config{PublicURL: "http://127.0.0.1", DevLogin: true, DB: db,
		SessionKey: []byte("bench-session-key-bench-session-key-1234"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	h := api.New(api.Options{DB: db, SignIn: signIn, Log: slog.New(slog.DiscardHandler),
		ProvisionSLA: models.DefaultProvisionSLA}).Handler()
	timer := &serverTimes{}
	srv := httptest.NewServer(timer.wrap(h))
	defer srv.Close()

	people := []struct{ name, email, roles, scope string }{
		{"OFM of partner000.net", ofm, "", "reseller_domain = 'partner000.net' OR distributor_domain = 'partner000.net'"},
		{"colleague at cust00000.com", "buyer@cust00000.com", "", "fc_domain = 'cust00000.com'"},
		{"Cisco support (every order)", "tac@cisco.com", models.RoleCiscoSupport, "TRUE"},
	}
	fmt.Printf("%d orders in the database; %d requests per measurement, one client; server time\n\n", total, *samples)
	fmt.Println("| who (orders in scope) | page | p50 | p99 | max | bytes |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	rnd := rand.New(rand.NewPCG(7, 7))
	for _, p := range people {
		var inScope int64
		if err := db.Raw("SELECT count(*) FROM orders WHERE " + p.scope).Scan(&inScope).Error; err != nil {
			log.Fatal(err)
		}
		client := signedIn(srv.URL, p.email, p.roles)
		who := fmt.Sprintf("%s (%d)", p.name, inScope)
		_, first := get(client, srv.URL+"/app/orders?assignmentStatus=UNASSIGNED")
		next := nextLink(first)
		i := 0
		for _, c := range []struct {
			what string
			path func() string
		}{
			{"default (page 1)", func() string { return "/app/orders" }},
			{"unassigned", func() string { return "/app/orders?assignmentStatus=UNASSIGNED" }},
			{"unassigned, page 2", func() string { return next }},
			{"search: order id, PO, SKU family", func() string {
				i++
				var q string
				switch i % 3 {
				case 0:
					q = fmt.Sprintf("BO-%07d", rnd.IntN(int(total)))
				case 1:
					q = fmt.Sprintf("PO-%05d-", rnd.IntN(5000))
				default:
					q = fmt.Sprintf("C9%03d-DNA", rnd.IntN(40))
				}
				return "/app/orders?q=" + url.QueryEscape(q)
			}},
		} {
			if c.what == "unassigned, page 2" && next == "" {
				continue
			}
			for range 5 { // connections, caches
				get(client, srv.URL+c.path())
			}
			timer.reset()
			size := 0
			for range *samples {
				n, _ := get(client, srv.URL+c.path())
				size = max(size, n)
			}
			d := timer.sorted()
			fmt.Printf("| %s | %s | %s | %s | %s | %d |\n", who, c.what, ms(d[len(d)/2]), ms(d[len(d)*99/100]), ms(d[len(d)-1]), size)
		}
	}
}

// serverTimes records how long the handler took for each request: the server's time, without the
// client's reading and the loopback.
type serverTimes struct {
	mu    sync.Mutex
	times []time.Duration
}

func (t *serverTimes) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(t0)
		t.mu.Lock()
		t.times = append(t.times, d)
		t.mu.Unlock()
	})
}

func (t *serverTimes) reset() {
	t.mu.Lock()
	t.times = nil
	t.mu.Unlock()
}

func (t *serverTimes) sorted() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := slices.Clone(t.times)
	slices.Sort(out)
	return out
}

// signedIn is a client with the dev sign-in's session of email (and the platform roles).
func signedIn(base, email, roles string) *http.Client {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/dev/login", url.Values{"email": {email}, "roles": {roles}, "next": {"/app"}})
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	return client
}

// get fetches a page of the inventory; anything but the page ends the run.
func get(client *http.Client, u string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `<table id="orders">`) {
		log.Fatalf("%s: status %d: %.500s", u, resp.StatusCode, b)
	}
	return len(b), string(b)
}

var nextHref = regexp.MustCompile(`<a href="([^"]+)" id="next">`)

// nextLink is the page's link to the next page, unescaped.
func nextLink(page string) string {
	m := nextHref.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
