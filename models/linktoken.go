package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// MinLinkSecretLen is the shortest secret LinkToken may be given: the links are only as hard to guess as
// the secret, since their mail keys are not secret.
const MinLinkSecretLen = 32

// LinkToken returns the token of the link mailed under mailKey (HMAC-SHA256 with the server's secret,
// base64url) and the hash that is stored. It is derived rather than random so that a mail step retried
// after a crash mails the link it may already have mailed, not a second one that works as well.
func LinkToken(secret []byte, mailKey string) (raw, hash string) {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(mailKey))
	raw = base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	return raw, HashToken(raw)
}

// HashToken is the stored form of a token.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
