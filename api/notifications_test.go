package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// A person's preferences: every category IMMEDIATE until they choose, per account and by default, the
// categories left out keeping theirs; bad names and values are 400s naming the field; an account that is
// not theirs is refused; each change writes its event.
func TestNotificationPreferences(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	alice := h.token("alice@acme.com")

	body := jsonOf(t, h.do(http.MethodGet, "/api/v1/me/notifications", alice, nil), http.StatusOK)
	if got := strs(t, body["categories"], "categories"); strings.Join(got, ",") != "ACCESS_REQUESTS,ORDERS_TO_ASSIGN,PROVISIONING_DELAYS,ACCOUNT_CHANGES" {
		t.Errorf("categories %v", got)
	}
	accounts := list(t, body["accounts"], "accounts")
	if len(accounts) != 1 || accounts[0]["smartAccountId"] != acme.ID || accounts[0]["name"] != "Acme" {
		t.Fatalf("accounts %v", accounts)
	}
	if c := accounts[0]["categories"].(map[string]any); c["ACCOUNT_CHANGES"] != "IMMEDIATE" || len(c) != 4 {
		t.Errorf("first categories %v", c)
	}

	put := func(body any) map[string]any {
		t.Helper()
		return jsonOf(t, h.do(http.MethodPut, "/api/v1/me/notifications", alice, body), http.StatusOK)
	}
	put(map[string]any{"categories": map[string]string{"ACCESS_REQUESTS": "WEEKLY", "ACCOUNT_CHANGES": "OFF"}})
	body = put(map[string]any{"smartAccountId": acme.ID, "categories": map[string]string{"ACCOUNT_CHANGES": "DAILY"}})
	if d := body["defaults"].(map[string]any); d["ACCESS_REQUESTS"] != "WEEKLY" || d["ACCOUNT_CHANGES"] != "OFF" || d["ORDERS_TO_ASSIGN"] != "IMMEDIATE" {
		t.Errorf("defaults %v", d)
	}
	c := list(t, body["accounts"], "accounts")[0]["categories"].(map[string]any)
	if c["ACCOUNT_CHANGES"] != "DAILY" || c["ACCESS_REQUESTS"] != "WEEKLY" || c["PROVISIONING_DELAYS"] != "IMMEDIATE" {
		t.Errorf("Acme's categories %v: the account's own setting, else the default", c)
	}
	// What the mail step asks gives the same.
	ctx := context.Background()
	if d, err := models.DeliveryFor(ctx, h.db, "Alice@Acme.com", acme.ID, models.CategoryAccountChanges); err != nil || d != models.DeliveryDaily {
		t.Errorf("DeliveryFor = %s, %v", d, err)
	}
	if d, _ := models.DeliveryFor(ctx, h.db, "alice@acme.com", "other", models.CategoryAccountChanges); d != models.DeliveryOff {
		t.Errorf("another account: %s, want the default OFF", d)
	}
	var events []models.Event
	h.db.Where("action = ? AND target_id = ?", models.EventNotificationsChanged, "alice@acme.com").Order("id").Find(&events)
	if len(events) != 2 || events[1].SmartAccountID != acme.ID || events[1].Details["via"] != "api" {
		t.Errorf("events %+v", events)
	}

	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"categories": map[string]string{"SPAM": "OFF"}}, "categories.SPAM"},
		{map[string]any{"categories": map[string]string{"ACCESS_REQUESTS": "HOURLY"}}, "categories.ACCESS_REQUESTS"},
		{map[string]any{"categories": map[string]string{}}, "categories"},
		{map[string]any{"smartAccountId": "nope", "categories": map[string]string{"ACCESS_REQUESTS": "OFF"}}, "smartAccountId"},
		{map[string]any{"categories": map[string]string{"ACCESS_REQUESTS": "OFF"}, "extra": 1}, "extra"},
	} {
		if e := errorOf(t, h.do(http.MethodPut, "/api/v1/me/notifications", alice, deliberatelyBad(tc.body)), http.StatusBadRequest); e.Field != tc.field {
			t.Errorf("%v: field %q, want %q", tc.body, e.Field, tc.field)
		}
	}
	// Someone with no role on Acme may not set preferences there.
	dave := h.token("dave@elsewhere.com")
	errorOf(t, h.do(http.MethodPut, "/api/v1/me/notifications", dave, map[string]any{"smartAccountId": acme.ID,
		"categories": map[string]string{"ACCESS_REQUESTS": "OFF"}}), http.StatusBadRequest)
}

// The unsubscribe link: GET shows what it turns off and changes nothing; the one-click POST of a mail
// client turns the category off on the link's account, again and again with the same answer; a forged
// link is a 404 page; another site's form is refused.
func TestUnsubscribeLink(t *testing.T) {
	h := newHarness(t)
	acme := h.acme()
	raw, hash := models.LinkToken([]byte("api-test-link-secret-32-bytes-long!"), models.UnsubscribeKey("bob@acme.com", acme.ID,
		models.CategoryAccessRequests))
	if err := models.StoreUnsubscribeLink(context.Background(), h.db, models.UnsubscribeLink{Hash: hash, Recipient: "bob@acme.com",
		SmartAccountID: acme.ID, Category: models.CategoryAccessRequests}); err != nil {
		t.Fatal(err)
	}
	delivery := func() models.Delivery {
		d, err := models.DeliveryFor(context.Background(), h.db, "bob@acme.com", acme.ID, models.CategoryAccessRequests)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	rec := h.do(http.MethodGet, "/u/"+raw, "", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "access requests") ||
		!strings.Contains(rec.Body.String(), "Acme") || !strings.Contains(rec.Body.String(), `<form method="post">`) {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	if d := delivery(); d != models.DeliveryImmediate {
		t.Fatalf("GET changed the preference to %s", d)
	}
	if rec := h.form("/u/"+raw, url.Values{"List-Unsubscribe": {"One-Click"}}, "Origin", "https://evil.example",
		"Sec-Fetch-Site", "cross-site"); rec.Code != http.StatusForbidden || delivery() != models.DeliveryImmediate {
		t.Fatalf("another site's form: %d, preference %s", rec.Code, delivery())
	}
	for range 2 {
		rec := h.form("/u/"+raw, url.Values{"List-Unsubscribe": {"One-Click"}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "no more mails about access requests") {
			t.Fatalf("one-click POST: %d %s", rec.Code, rec.Body)
		}
		if d := delivery(); d != models.DeliveryOff {
			t.Fatalf("after the POST: %s", d)
		}
	}
	n := h.count(&models.Event{}, "action = ? AND details LIKE ?", models.EventNotificationsChanged, `%unsubscribe%`)
	if n != 2 {
		t.Errorf("%d unsubscribe events, want one per POST", n)
	}
	if rec := h.do(http.MethodGet, "/u/forged", "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("forged link: %d", rec.Code)
	}
	if rec := h.form("/u/forged", url.Values{"List-Unsubscribe": {"One-Click"}}); rec.Code != http.StatusNotFound {
		t.Errorf("forged link POST: %d", rec.Code)
	}
}
