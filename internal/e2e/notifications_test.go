package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Notification preferences and digests end to end (FEATURES NO1): the real access process mails its
// outcomes through the mail step, which follows each person's preference; the digest process mails the
// deferred ones; the mail's one-click unsubscribe link turns a category off.

// approvedAccess asks for an account role that the account's rule approves at once, and waits until the
// request's process has ended (its mails sent, deferred or dropped).
func approvedAccess(t *testing.T, u *user, saID, role string) {
	t.Helper()
	st, ar := u.post("/api/v1/smart-accounts/"+saID+"/access-requests", map[string]any{"role": role, "reason": "notify test"})
	if st != http.StatusAccepted || ar["status"] != "APPROVED" {
		t.Fatalf("request %s: %d %v", role, st, ar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sys.tc.GetWorkflow(ctx, "access-request/"+str(ar["id"]), "").Get(ctx, nil); err != nil {
		t.Fatalf("access request %s: %v", ar["id"], err)
	}
}

func setNotifications(t *testing.T, u *user, body map[string]any) response {
	t.Helper()
	st, out := u.do(http.MethodPut, "/api/v1/me/notifications", body)
	if st != http.StatusOK {
		t.Fatalf("preferences of %s: %d %v", u.email, st, out)
	}
	return out
}

func TestDigestAndUnsubscribe(t *testing.T) {
	tld, admin, saID := activeAccount(t, "digests")
	if st, body := admin.do(http.MethodPut, "/api/v1/smart-accounts/"+saID+"/access-rules", map[string]any{"rules": []map[string]any{
		{"action": "APPROVE", "requesterDomain": "OWN"}}}); st != http.StatusOK {
		t.Fatalf("rules: %d %v", st, body)
	}
	daily, off, now := as(t, "daily@"+tld), as(t, "off@"+tld), as(t, "now@"+tld)
	setNotifications(t, daily, map[string]any{"categories": map[string]string{"ACCESS_REQUESTS": "DAILY"}})
	setNotifications(t, off, map[string]any{"categories": map[string]string{"ACCESS_REQUESTS": "OFF", "ACCOUNT_CHANGES": "DAILY"}})

	// Two events for the person on a daily digest, one for the person who turned the category off.
	approvedAccess(t, daily, saID, "SMART_ACCOUNT_VIEWER")
	approvedAccess(t, daily, saID, "SMART_ACCOUNT_USER")
	approvedAccess(t, off, saID, "SMART_ACCOUNT_VIEWER")
	if n := len(sys.mail.To(daily.email)) + len(sys.mail.To(off.email)); n != 0 {
		t.Fatalf("%d mails before the digest", n)
	}

	res, err := sys.app.Processes().RunDigest(context.Background(), models.DeliveryDaily, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent < 1 || res.Items < 2 {
		t.Errorf("digest run %+v", res)
	}
	d := mailTo(t, daily.email, "Your daily License Central summary")
	if d.Subject != "Your daily License Central summary: 2 notification(s)" ||
		strings.Count(d.Text, "Access to the Smart Account digests Corp approved") != 2 ||
		!strings.Contains(d.Text, "\ndigests Corp\n") {
		t.Errorf("digest %q:\n%s", d.Subject, d.Text)
	}
	if d.ListUnsubscribe == "" || d.ListUnsubscribePost != "List-Unsubscribe=One-Click" {
		t.Errorf("the digest has no one-click unsubscribe: %q %q", d.ListUnsubscribe, d.ListUnsubscribePost)
	}
	// A second run finds nothing left: no second digest; nobody on OFF ever got one.
	if _, err := sys.app.Processes().RunDigest(context.Background(), models.DeliveryDaily, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := len(mailsTo(daily.email, "summary")); n != 1 {
		t.Errorf("%d digests to %s, want 1", n, daily.email)
	}
	if n := len(sys.mail.To(off.email)); n != 0 {
		t.Errorf("%d mails to %s, whose category is off", n, off.email)
	}

	// At once, with the one-click link; the mail client's POST turns the category off on this account.
	approvedAccess(t, now, saID, "SMART_ACCOUNT_VIEWER")
	m := mailTo(t, now.email, "Access to the Smart Account digests Corp approved")
	link := strings.Trim(m.ListUnsubscribe, "<>")
	if m.ListUnsubscribePost != "List-Unsubscribe=One-Click" || !strings.Contains(m.Text, link) {
		t.Fatalf("unsubscribe headers %q %q", m.ListUnsubscribe, m.ListUnsubscribePost)
	}
	if code, html := page(t, link, nil); code != http.StatusOK || !strings.Contains(html, "access requests") {
		t.Fatalf("GET of the unsubscribe link: %d %s", code, html)
	}
	if code, html := page(t, link, url.Values{"List-Unsubscribe": {"One-Click"}}); code != http.StatusOK ||
		!strings.Contains(html, "no more mails about access requests") {
		t.Fatalf("one-click POST: %d %s", code, html)
	}
	_, prefs := now.get("/api/v1/me/notifications")
	var acct map[string]any
	for _, a := range prefs["accounts"].([]any) {
		if a.(map[string]any)["smartAccountId"] == saID {
			acct = a.(map[string]any)
		}
	}
	if acct == nil || acct["categories"].(map[string]any)["ACCESS_REQUESTS"] != "OFF" ||
		prefs["defaults"].(map[string]any)["ACCESS_REQUESTS"] != "IMMEDIATE" {
		t.Fatalf("preferences after the POST: %v", prefs)
	}
	approvedAccess(t, now, saID, "SMART_ACCOUNT_USER")
	if n := len(mailsTo(now.email, "approved")); n != 1 {
		t.Errorf("%d access mails to %s after unsubscribing, want the first only", n, now.email)
	}
}

// Every worker makes the digests' Temporal Schedules: daily and weekly, starting the digest process.
func TestDigestSchedules(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		p     models.Delivery
		every time.Duration
	}{{models.DeliveryDaily, 24 * time.Hour}, {models.DeliveryWeekly, 7 * 24 * time.Hour}} {
		desc, err := sys.tc.ScheduleClient().GetHandle(ctx, process.DigestScheduleID(tc.p)).Describe(ctx)
		if err != nil {
			t.Fatalf("schedule of %s: %v", tc.p, err)
		}
		iv := desc.Schedule.Spec.Intervals
		if len(iv) != 1 || iv[0].Every != tc.every || iv[0].Offset != 6*time.Hour {
			t.Errorf("%s intervals %+v", tc.p, iv)
		}
		if len(desc.Schedule.Spec.Intervals) > 0 && desc.Schedule.Action == nil {
			t.Errorf("%s has no action", tc.p)
		}
	}
}
