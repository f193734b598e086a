package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/common/testing/freeport"

	"github.com/licensecentral/clc/internal/devstack"
)

// checkTemporalUI: the dev stack serves the Temporal Web UI (its page, 200) and the UI reaches the
// embedded server (its API answers the namespace the stack uses).
func checkTemporalUI(t *testing.T, s *devstack.Stack) {
	t.Helper()
	if s.TemporalUI == nil {
		t.Fatal("no Temporal Web UI")
	}
	for _, c := range []struct{ path, want string }{
		{"/", "<html"},
		{"/namespaces/default/workflows", "<html"},
		{"/api/v1/namespaces/default", `"namespaceInfo"`},
	} {
		resp, err := http.Get(s.TemporalUI.URL() + c.path)
		if err != nil {
			t.Fatalf("Temporal UI %s: %v", c.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), c.want) {
			t.Fatalf("Temporal UI %s: %d, want 200 with %q: %.300s", c.path, resp.StatusCode, c.want, body)
		}
	}
}

// TestDevStackSurvivesRestart drives the dev stack as a person would: a token from /dev/token, a
// request that waits for the demo administrator, her mail in /dev/mail.json, a restart of the whole
// stack on the same data folder, and the approval through the mailed link afterwards.
func TestDevStackSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	// Shown only when the package fails: the embedded server exits the process on a fatal error, and its
	// own log (temporal.log) stays in this folder.
	fmt.Fprintln(os.Stderr, "dev stack data folder:", dir)
	tport := freePort(t)
	start := func() *devstack.Stack {
		s, err := devstack.Start(context.Background(), devstack.Options{DataDir: dir, Listen: "127.0.0.1:0",
			SMTPAddr: "127.0.0.1:0", TemporalPort: tport, Log: quiet})
		if err != nil {
			t.Fatalf("start dev stack: %v", err)
		}
		return s
	}
	s := start()
	checkTemporalUI(t, s)
	bob := token(t, s.URL, `{"email":"bob@acme.com","name":"Bob"}`)
	var me map[string]any
	call(t, http.MethodGet, s.URL+"/api/v1/me", bob, "", http.StatusOK, &me)
	if me["email"] != "bob@acme.com" {
		t.Fatalf("me: %v", me)
	}
	// Olivia is Partner X's OFM by its rows, so the demo orders it resold are hers to assign.
	olivia := token(t, s.URL, `{"email":"olivia@partnerx.com"}`)
	var order map[string]any
	call(t, http.MethodGet, s.URL+"/api/v1/orders/WO-1001", olivia, "", http.StatusOK, &order)
	if a := order["myAccess"].(map[string]any); a["canAssign"] != true || a["as"] != "ORDER_FULFILLMENT_MANAGER" {
		t.Fatalf("Olivia's access to WO-1001: %v", a)
	}
	var created map[string]any
	call(t, http.MethodPost, s.URL+"/api/v1/smart-accounts", bob, `{"name":"Acme Labs","domain":"labs.acme.com",
		"headquarters":{"company":"Acme","line1":"1 Main St","city":"San Jose","country":"US"}}`, http.StatusAccepted, &created)
	if created["status"] != "PENDING_APPROVAL" {
		t.Fatalf("create: %v", created)
	}
	id := created["id"].(string)

	link := waitForMail(t, s.URL, "alice@acme.com", "Acme Labs")
	var inbox []map[string]any
	call(t, http.MethodGet, s.URL+"/dev/mail.json", "", "", http.StatusOK, &inbox)
	for _, k := range []string{"id", "to", "subject", "text", "html", "links", "receivedAt"} {
		if _, ok := inbox[len(inbox)-1][k]; !ok {
			t.Errorf("mail.json entries lack %q: %v", k, inbox[len(inbox)-1])
		}
	}
	resp, err := http.Get(s.URL + "/dev/mail")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `href="`+link+`"`) {
		t.Fatalf("the inbox page does not show the link %s as a link", link)
	}

	linkSecret := s.App.Config.LinkSecret
	s.Close()
	s = start()
	defer s.Close()
	// A mail step retried after the restart derives its link from the same secret, so it mails the link
	// it may have mailed before; the secret is its own, not the token-signing one.
	if s.App.Config.LinkSecret != linkSecret || len(linkSecret) < 32 || linkSecret == string(s.Signer.Secret) {
		t.Errorf("the link secret (%d bytes) changed across the restart or is the token-signing secret",
			len(linkSecret))
	}

	// Same token path on the restarted stack (its API port is new).
	u, _ := url.Parse(link)
	link = s.URL + u.Path
	resp, err = http.PostForm(link, url.Values{"decision": {"APPROVE"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Approved") {
		t.Fatalf("approve after restart: %d %s", resp.StatusCode, body)
	}
	var sa map[string]any
	call(t, http.MethodGet, s.URL+"/api/v1/smart-accounts/"+id, token(t, s.URL, `{"email":"bob@acme.com"}`), "", http.StatusOK, &sa)
	if sa["status"] != "ACTIVE" {
		t.Fatalf("after restart and approval: %v", sa)
	}
	waitForMail(t, s.URL, "bob@acme.com", "Acme Labs is active")
	// The restart's seed found Partner X as it left it: registered once, Olivia still its OFM.
	var partner, events map[string]any
	olivia = token(t, s.URL, `{"email":"olivia@partnerx.com"}`)
	call(t, http.MethodGet, s.URL+"/api/v1/partners/partnerx.com", olivia, "", http.StatusOK, &partner)
	call(t, http.MethodGet, s.URL+"/api/v1/partners/partnerx.com/events", olivia, "", http.StatusOK, &events)
	if ofms, _ := partner["ofms"].([]any); len(ofms) != 1 || ofms[0] != "olivia@partnerx.com" || len(events["events"].([]any)) != 2 {
		t.Fatalf("Partner X after the restart: %v, events %v", partner, events)
	}
}

func TestDevTokenRefusesBadEmail(t *testing.T) {
	s, err := devstack.Start(context.Background(), devstack.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0",
		SMTPAddr: "127.0.0.1:0", TemporalPort: freePort(t), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out map[string]any
	call(t, http.MethodPost, s.URL+"/dev/token", "", `{"email":"not-an-address"}`, http.StatusBadRequest, &out)
	if e := out["error"].(map[string]any); e["field"] != "email" {
		t.Fatalf("error: %v", out)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func token(t *testing.T, base, body string) string {
	t.Helper()
	var out map[string]string
	call(t, http.MethodPost, base+"/dev/token", "", body, http.StatusOK, &out)
	return out["token"]
}

func call(t *testing.T, method, u, tok, body string, want int, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewBufferString(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, u, resp.StatusCode, want, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, u, err, raw)
	}
}

// waitForMail polls /dev/mail.json for a mail to addr whose subject contains part and returns its
// first /a/ link (or its first link, or "" for a mail without links, as every informational one is).
func waitForMail(t *testing.T, base, addr, part string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var inbox []struct {
			To      []string `json:"to"`
			Subject string   `json:"subject"`
			Links   []string `json:"links"`
		}
		call(t, http.MethodGet, base+"/dev/mail.json", "", "", http.StatusOK, &inbox)
		for _, m := range inbox {
			if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, part) {
				for _, l := range m.Links {
					if strings.Contains(l, "/a/") {
						return l
					}
				}
				if len(m.Links) > 0 {
					return m.Links[0]
				}
				return ""
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no mail to %s about %q", addr, part)
	return ""
}

// freePort is a port for the embedded Temporal frontend, kept out of the kernel's free pool for a while
// so that parallel test packages do not take it first.
func freePort(t *testing.T) int {
	t.Helper()
	return freeport.MustGetFreePort()
}
