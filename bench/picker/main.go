// Command picker measures the portal's account picker (FEATURES OR3, X7): it creates a PostgreSQL
// database with many Smart Accounts (100,000 by default, one in ten restricted, each with its default
// virtual account), serves the real API with the dev sign-in over HTTP in this process, signs in, and
// times, request after request from one client, the assign wizard's search step
// (GET /app/orders/assign with by and q: the page with the list of matches) by a partial domain, a
// partial name, an exact restricted domain and a customer's email: p50, p99 and max; then, with
// -compare (the default), drops the trigram indexes of migration 00013 and times the same searches
// again. It prints the bytes of each of the wizard's pages.
//
//	go run ./bench/picker -accounts 100000 -n 300
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/models"
)

func main() {
	scratch := loadtest.ScratchFlag("benchpick")
	var (
		accounts = flag.Int("accounts", 100000, "Smart Accounts")
		samples  = flag.Int("n", 300, "requests per measurement")
		compare  = flag.Bool("compare", true, "then drop the trigram indexes and measure the searches again")
	)
	flag.Parse()
	ctx := context.Background()
	pg, drop := scratch(ctx)
	defer drop()
	start := time.Now()
	if err := load(ctx, pg.DB, *accounts); err != nil {
		log.Fatal(err)
	}
	// The planner's statistics of the freshly loaded table, as autovacuum would have them by now.
	if err := pg.DB.Exec("ANALYZE smart_accounts, virtual_accounts, account_roles").Error; err != nil {
		log.Fatal(err)
	}
	log.Printf("database %s: %d accounts in %s", pg.Name, *accounts, time.Since(start).Round(time.Second))

	signIn, err := web.New(ctx, web.Config{PublicURL: "http://127.0.0.1", DevLogin: true, DB: pg.DB,
		SessionKey: []byte("bench-session-key-bench-session-key-1234"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{DB: pg.DB, SignIn: signIn, Log: slog.New(slog.DiscardHandler),
		ProvisionSLA: models.DefaultProvisionSLA}).Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(srv.URL+"/dev/login", url.Values{"email": {"fc@partner0.com"}, "next": {"/app"}})
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()

	base := url.Values{"order": {"WB-1", "WB-2"}}
	with := func(kv ...string) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return "/app/orders/assign?" + q.Encode()
	}
	cases := []struct{ name, path string }{
		{"partial domain (acct12)", with("by", "domain", "q", "acct12")},
		{"partial name (Company 4711)", with("by", "name", "q", "Company 4711")},
		{"exact restricted domain", with("by", "domain", "q", "acct10.customer10.com")},
		{"customer email", with("by", "email", "q", "admin@acct7.customer7.com")},
	}
	measure := func(title string) {
		fmt.Printf("%s: %d accounts, %d requests each, one client\n\n", title, *accounts, *samples)
		fmt.Println("| search | p50 | p99 | max | bytes |")
		fmt.Println("| --- | --- | --- | --- | --- |")
		for _, c := range cases {
			var times []time.Duration
			size := 0
			for range *samples {
				t0 := time.Now()
				n, err := get(client, srv.URL+c.path)
				if err != nil {
					log.Fatalf("%s: %v", c.name, err)
				}
				times = append(times, time.Since(t0))
				size = n
			}
			slices.Sort(times)
			fmt.Printf("| %s | %s | %s | %s | %d |\n", c.name, ms(times[len(times)/2]), ms(times[len(times)*99/100]),
				ms(times[len(times)-1]), size)
		}
		fmt.Println()
	}
	measure("with the trigram indexes (migration 00013)")
	if *compare {
		// The same searches without the indexes, in the same run and the same database: the scan the
		// migration replaced.
		for _, ix := range []string{"smart_accounts_domain_trgm", "smart_accounts_name_trgm"} {
			if err := pg.DB.Exec("DROP INDEX " + ix).Error; err != nil {
				log.Fatal(err)
			}
		}
		measure("without them (before migration 00013)")
	}
	var sa models.SmartAccount
	if err := pg.DB.Where("domain = ?", "acct12.customer12.com").Take(&sa).Error; err != nil {
		log.Fatal(err)
	}
	var va models.VirtualAccount
	if err := pg.DB.Where("smart_account_id = ?", sa.ID).Take(&va).Error; err != nil {
		log.Fatal(err)
	}
	fmt.Println("| wizard page | bytes |")
	fmt.Println("| --- | --- |")
	for _, p := range []struct{ name, path string }{
		{"step 1 (search form)", with()},
		{"step 1 with matches", cases[0].path},
		{"virtual account step", with("q", sa.Domain, "account", sa.ID)},
		{"review", with("q", sa.Domain, "account", sa.ID, "virtualAccount", va.ID)},
	} {
		n, err := get(client, srv.URL+p.path)
		if err != nil {
			log.Fatalf("%s: %v", p.name, err)
		}
		fmt.Printf("| %s | %d |\n", p.name, n)
	}
}

func get(client *http.Client, u string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if !strings.Contains(string(b), "Assign to Smart Account") {
		return 0, fmt.Errorf("not the wizard: %s", b)
	}
	return len(b), err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// load writes the accounts and their default virtual accounts, and an administrator role on each.
func load(ctx context.Context, db *gorm.DB, n int) error {
	now := time.Now().UTC()
	const batch = 2000
	for from := 0; from < n; from += batch {
		var sas []models.SmartAccount
		var vas []models.VirtualAccount
		var roles []models.AccountRole
		for i := from; i < min(n, from+batch); i++ {
			vis := models.VisibilityUnrestricted
			if i%10 == 0 {
				vis = models.VisibilityRestricted
			}
			tld := fmt.Sprintf("customer%d.com", i)
			id := fmt.Sprintf("sa-%07d", i)
			sas = append(sas, models.SmartAccount{ID: id, RequestID: "req-" + id, WorkflowID: "sa/" + id,
				Name: fmt.Sprintf("Company %d", i), Domain: fmt.Sprintf("acct%d.%s", i, tld), TLD: tld, Type: models.SATypeCustomer,
				Visibility: vis, Status: models.SAActive, RequestedBy: "admin@" + tld, NominatedAdmins: []string{},
				CustomerContacts: []string{}, WaitingOn: []models.Waiting{}, ActivatedAt: &now, CreatedAt: now, UpdatedAt: now})
			vas = append(vas, models.VirtualAccount{ID: "va-" + id, SmartAccountID: id, Name: models.DefaultVAName, IsDefault: true,
				CreatedAt: now, UpdatedAt: now})
			roles = append(roles, models.AccountRole{ID: "role-" + id, SmartAccountID: id, GrantedBy: "bench", CreatedAt: now, UserEmail: fmt.Sprintf("admin@acct%d.%s", i, tld),
				Role: models.RoleSAAdmin})
		}
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(sas, 500).Error; err != nil {
				return err
			}
			if err := tx.CreateInBatches(vas, 500).Error; err != nil {
				return err
			}
			return tx.CreateInBatches(roles, 500).Error
		})
		if err != nil {
			return err
		}
	}
	return nil
}
