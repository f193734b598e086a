package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TemporalAddress != "127.0.0.1:7233" || c.TaskQueue != "clc" || c.ListenAddr != ":8080" || c.SMTP.Port != 587 ||
		c.SMTP.TLS != "mandatory" || c.Timing.Expiry != 30*24*time.Hour || len(c.Timing.Reminders) != 2 ||
		c.Auth.MaxLifetime != 24*time.Hour || c.MaxBodyBytes != 1<<20 || c.DBMaxConns != 20 {
		t.Fatalf("defaults: %+v", c)
	}
	if c.RateLinks.Rate != 5 || c.RateLinks.Burst != 20 || c.RateAPI.Rate != 20 || c.RateAPI.Burst != 100 {
		t.Fatalf("default rate limits: links %v, api %v", c.RateLinks, c.RateAPI)
	}
	if err := c.Check(true, false); err == nil || !strings.Contains(err.Error(), "CLC_DATABASE_URL") {
		t.Fatalf("missing database URL not reported: %v", err)
	}
	if err := c.Check(false, true); err == nil || !strings.Contains(err.Error(), "CLC_AUTH_OIDC_ISSUER") {
		t.Fatalf("missing auth not reported: %v", err)
	}
}

func TestOverrides(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"CLC_DATABASE_URL": "postgres://x", "CLC_SMTP_PORT": "2525", "CLC_SMTP_TLS": "none",
		"CLC_SA_REMINDERS": "1h, 2h30m", "CLC_SA_EXPIRY": "48h", "CLC_CISCO_APPROVERS": "a@cisco.com, b@cisco.com",
		"CLC_PUBLIC_URL": "https://clc.example.com/", "CLC_AUTH_OIDC_ISSUER": "https://idp.example.com",
		"CLC_AUTH_AUDIENCE": "clc-api", "CLC_AUTH_MAX_TOKEN_LIFETIME": "8h",
		"CLC_RATE_LINKS": "30/m, 10", "CLC_RATE_API": "0", "CLC_MAX_BODY_BYTES": "65536",
		"CLC_DB_MAX_CONNS": "8",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Port != 2525 || c.SMTP.TLS != "none" || c.Timing.Expiry != 48*time.Hour ||
		c.Timing.Reminders[1] != 150*time.Minute || len(c.CiscoApprovers) != 2 || c.PublicURL != "https://clc.example.com" ||
		c.Auth.MaxLifetime != 8*time.Hour || c.MaxBodyBytes != 64<<10 || c.DBMaxConns != 8 {
		t.Fatalf("overrides: %+v", c)
	}
	if c.RateLinks.Rate != 0.5 || c.RateLinks.Burst != 10 || c.RateAPI.Enabled() {
		t.Fatalf("rate limits: links %v, api %v (want disabled)", c.RateLinks, c.RateAPI)
	}
	if err := c.Check(true, true); err != nil {
		t.Fatal(err)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for name, value := range map[string]string{"CLC_SMTP_PORT": "x", "CLC_SA_EXPIRY": "30 days", "CLC_SMTP_TLS": "maybe",
		"CLC_SA_REMINDERS": "1h,soon", "CLC_AUTH_MAX_TOKEN_LIFETIME": "0",
		"CLC_RATE_LINKS": "5/s", "CLC_RATE_API": "lots", "CLC_MAX_BODY_BYTES": "1MiB",
		"CLC_DB_MAX_CONNS": "0", "CLC_PUBLIC_URL": "licensing.example.com"} {
		if _, err := config.Load(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: %v", name, value, err)
		}
	}
}

func TestOIDCWithoutAudienceRefused(t *testing.T) {
	c, err := config.Load(env(map[string]string{"CLC_AUTH_OIDC_ISSUER": "https://idp.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(false, true); err == nil || !strings.Contains(err.Error(), "CLC_AUTH_AUDIENCE") {
		t.Fatalf("OIDC without an audience: %v", err)
	}
	// HS256 (dev, tests) keeps its optional audience.
	c, err = config.Load(env(map[string]string{"CLC_AUTH_HS256_SECRET": "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(false, true); err != nil {
		t.Fatalf("HS256 without an audience: %v", err)
	}
}

func TestWorkerNeedsALinkSecret(t *testing.T) {
	for name, secret := range map[string]string{"missing": "", "blank": "   ", "short": strings.Repeat("s", 31)} {
		c, err := config.Load(env(map[string]string{"CLC_DATABASE_URL": "postgres://x", "CLC_LINK_SECRET": secret}))
		if err != nil {
			t.Fatalf("%s: Load refused what the API can run with: %v", name, err)
		}
		if err := c.CheckWorker(); err == nil || !strings.Contains(err.Error(), "CLC_LINK_SECRET") {
			t.Errorf("%s secret: the worker was not refused with a message naming CLC_LINK_SECRET: %v", name, err)
		}
		if err := c.Check(true, false); err != nil {
			t.Errorf("%s secret: the API side was refused: %v", name, err)
		}
	}
	secret := strings.Repeat("s", 32)
	c, err := config.Load(env(map[string]string{"CLC_LINK_SECRET": " " + secret + "\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LinkSecret != secret {
		t.Errorf("LinkSecret = %q, want %q", c.LinkSecret, secret)
	}
	if err := c.CheckWorker(); err == nil || !strings.Contains(err.Error(), "CLC_FULFILLMENT_URL") {
		t.Errorf("a worker without the fulfillment service: %v, want CLC_FULFILLMENT_URL named", err)
	}
	c, err = config.Load(env(map[string]string{"CLC_LINK_SECRET": secret, "CLC_FULFILLMENT_URL": "http://f.example/",
		"CLC_PROVISION_SLA": "10m"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckWorker(); err != nil {
		t.Errorf("a %d-byte secret and a fulfillment URL were refused: %v", len(secret), err)
	}
	if c.FulfillmentURL != "http://f.example" || c.Provision.SLA != 10*time.Minute || c.Provision.Rejects != 3 {
		t.Errorf("fulfillment %q, provisioning %+v", c.FulfillmentURL, c.Provision)
	}
}

func TestBrowserSignIn(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Web.Enabled() || c.Web.SessionTTL != 8*time.Hour {
		t.Fatalf("default browser sign-in: %+v", c.Web)
	}
	key := strings.Repeat("k", 32)
	c, err = config.Load(env(map[string]string{"CLC_AUTH_OIDC_ISSUER": "https://idp.example.com",
		"CLC_OIDC_CLIENT_ID": "clc-web", "CLC_OIDC_CLIENT_SECRET": "s", "CLC_SESSION_KEY": key, "CLC_SESSION_TTL": "1h"}))
	if err != nil {
		t.Fatal(err)
	}
	// The pages sign in with the provider the bearer tokens come from unless told otherwise.
	want := config.Web{OIDCIssuer: "https://idp.example.com", ClientID: "clc-web", ClientSecret: "s", SessionKey: key,
		SessionTTL: time.Hour}
	if c.Web != want || !c.Web.Enabled() {
		t.Fatalf("browser sign-in: %+v, want %+v", c.Web, want)
	}
	for name, e := range map[string]map[string]string{
		"CLC_SESSION_KEY": {"CLC_OIDC_ISSUER": "https://idp.example.com", "CLC_OIDC_CLIENT_ID": "clc-web",
			"CLC_SESSION_KEY": "short"},
		"CLC_OIDC_ISSUER": {"CLC_OIDC_CLIENT_ID": "clc-web", "CLC_SESSION_KEY": key},
		"CLC_SESSION_TTL": {"CLC_SESSION_TTL": "0s"},
	} {
		if _, err := config.Load(env(e)); err == nil || !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: error %v does not name it", name, err)
		}
	}
}
