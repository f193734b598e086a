package models_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/licensecentral/clc/models"
)

func TestLinkTokenIsTheKeysHMAC(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key := "sa-create/req-1/approval/alice@acme.com"
	raw, hash := models.LinkToken(secret, key)

	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(key))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); raw != want {
		t.Errorf("token %q, want base64url(HMAC-SHA256(secret, key)) %q", raw, want)
	}
	if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != 32 {
		t.Errorf("token %q is not 32 bytes of unpadded base64url: %v", raw, err)
	}
	if hash != models.HashToken(raw) {
		t.Errorf("hash %s, want HashToken(token) %s", hash, models.HashToken(raw))
	}

	if again, _ := models.LinkToken(secret, key); again != raw {
		t.Errorf("the same key gave %q, then %q", raw, again)
	}
	if other, _ := models.LinkToken(secret, key+"x"); other == raw {
		t.Errorf("two mail keys gave the same token %q", raw)
	}
	if other, _ := models.LinkToken([]byte("another secret, also of 32 bytes"), key); other == raw {
		t.Errorf("two secrets gave the same token %q", raw)
	}
}
