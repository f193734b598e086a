package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// portalClient is a browser's session on the portal: signed in through the dev sign-in as email.
func portalClient(t *testing.T, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(sys.app.Config.PublicURL+"/dev/login", url.Values{"email": {email}, "next": {"/app"}})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: %d", email, resp.StatusCode)
	}
	return c
}

// follow opens a mailed link in the signed-in browser and answers the status and the page.
func follow(t *testing.T, c *http.Client, link string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("open %s: %v", link, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Every mail links to the page that shows what it talks about (issue 12): the account's activation
// mail to its page, the order's assignment by a delegate (to the contact who delegated) to the order's
// page; followed by their recipient, signed in, each answers 200 with what the mail talks about. The
// delegate's copy has no page: their delegation is closed and the order is no longer theirs to see.
func TestMailsLinkToTheirPages(t *testing.T) {
	base := sys.app.Config.PublicURL
	tld := domainOf("mailpage")
	owner := "owner@" + tld
	st, body := as(t, owner).post("/api/v1/smart-accounts", account("Mailpage Works", ""))
	if st != http.StatusAccepted || body["status"] != "ACTIVE" {
		t.Fatalf("create: %d %v", st, body)
	}
	saID := str(body["id"])
	m := mailTo(t, owner, "is active")
	accountPage := base + "/app/smart-accounts/" + saID
	if !slices.Contains(m.Links, accountPage) || !strings.Contains(m.Text, accountPage) {
		t.Fatalf("the activation mail links to %v, want %s", m.Links, accountPage)
	}
	if code, html := follow(t, portalClient(t, owner), accountPage); code != http.StatusOK || !strings.Contains(html, "Mailpage Works") {
		t.Fatalf("the account's page from the mail: %d %.400s", code, html)
	}

	fc, helper := "fc@"+tld, "helper@"+tld
	id := "WM-" + strings.ToUpper(uniq())
	ingest(t, orderBody(id, "STANDARD", fc, ""))
	if st, body := as(t, fc).post("/api/v1/orders/"+id+"/delegations", map[string]any{"email": helper}); st != http.StatusCreated {
		t.Fatalf("delegate: %d %v", st, body)
	}
	link := actionLink(t, mailTo(t, helper, "asks you to assign order "+id))
	if code, html := page(t, link, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tld}, "virtualAccount": {"DEFAULT"}}); code != http.StatusOK {
		t.Fatalf("the delegate's assignment: %d %.400s", code, html)
	}
	orderPage := base + "/app/orders/" + id
	done := mailTo(t, fc, "Order "+id+" was assigned")
	if !slices.Contains(done.Links, orderPage) {
		t.Fatalf("the outcome mail to the contact links to %v, want %s", done.Links, orderPage)
	}
	if code, html := follow(t, portalClient(t, fc), orderPage); code != http.StatusOK || !strings.Contains(html, id) ||
		!strings.Contains(html, "Mailpage Works") && !strings.Contains(html, tld) {
		t.Fatalf("the order's page from the mail: %d %.400s", code, html)
	}
	if m := mailTo(t, helper, "Order "+id+" was assigned"); slices.Contains(m.Links, orderPage) {
		t.Errorf("the delegate's outcome mail links to the order they no longer see: %v", m.Links)
	}
}
