package models

import (
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// personalMailDomains are the registrable domains of free mail providers: an account asked for one of
// them becomes an SMB account. The list is kept here, in one place, and extended as providers appear.
var personalMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"msn.com": true, "yahoo.com": true, "yahoo.co.uk": true, "yahoo.co.in": true, "yahoo.fr": true,
	"ymail.com": true, "aol.com": true, "icloud.com": true, "me.com": true, "mac.com": true,
	"protonmail.com": true, "proton.me": true, "gmx.com": true, "gmx.de": true, "gmx.net": true,
	"web.de": true, "mail.com": true, "zoho.com": true, "yandex.com": true, "yandex.ru": true,
	"mail.ru": true, "qq.com": true, "163.com": true, "126.com": true, "sina.com": true,
	"naver.com": true, "rediffmail.com": true, "fastmail.com": true, "tutanota.com": true,
	"hey.com": true, "comcast.net": true, "verizon.net": true, "att.net": true, "orange.fr": true,
	"free.fr": true, "laposte.net": true, "libero.it": true, "t-online.de": true, "seznam.cz": true,
	"wp.pl": true, "o2.pl": true, "interia.pl": true, "bigpond.com": true, "btinternet.com": true,
}

// IsPersonalMailDomain reports whether a domain belongs to a free mail provider.
func IsPersonalMailDomain(domain string) bool {
	tld, err := TLD(domain)
	return err == nil && personalMailDomains[tld]
}

// TLD is what CLC calls the top-level domain: the registrable domain (eTLD+1), so eng.acme.co.uk
// belongs to acme.co.uk.
func TLD(domain string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if strings.HasSuffix(d, ".smb") {
		// SMB identifiers are ours, not DNS names: each is its own registrable domain.
		return d, nil
	}
	tld, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return "", fmt.Errorf("domain %q has no registrable part: %w", domain, err)
	}
	return tld, nil
}

// NormalizeDomain lowercases a domain and checks that it is a hostname with a registrable part.
func NormalizeDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if !isHostname(d) {
		return "", fmt.Errorf("%q is not a hostname", domain)
	}
	if _, icann := publicsuffix.PublicSuffix(d); !icann {
		// Unknown suffixes (acme.local, acme.invalid) are not real domains an account can prove.
		return "", fmt.Errorf("%q does not end in a known public suffix", domain)
	}
	if _, err := TLD(d); err != nil {
		return "", fmt.Errorf("%q is a public suffix, not a domain", domain)
	}
	return d, nil
}

func isHostname(d string) bool {
	if len(d) == 0 || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// EmailDomain is the part of an address after the @, lowercased.
func EmailDomain(email string) string {
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return ""
	}
	return strings.ToLower(email[at+1:])
}

// ValidEmail reports whether s is a bare address (no display name) with a dotted domain.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != strings.TrimSpace(s) || a.Name != "" {
		return false
	}
	return isHostname(EmailDomain(a.Address))
}

// Activation is what the rules decide for a new Smart Account request.
type Activation struct {
	Status SAStatus
	SMB    bool
	// Approvers are the accounts whose administrators decide a PENDING_APPROVAL request.
	ApproverAccounts []string
	Why              string
}

// DecideActivation applies the creation rules (FEATURES SA2, SA4, SA8): a personal mail domain gives
// an SMB account, active at once; a domain outside the requester's own TLD needs Cisco's domain
// approval; an ACTIVE account for the TLD makes its administrators the approvers; otherwise the account
// activates at once. activeForTLD are the ids of the ACTIVE, non-SMB accounts of the domain's TLD.
func DecideActivation(requesterEmail, domain string, activeForTLD []string) Activation {
	if IsPersonalMailDomain(domain) {
		return Activation{Status: SAActive, SMB: true, Why: "personal mail domain: SMB account"}
	}
	reqTLD, _ := TLD(EmailDomain(requesterEmail))
	tld, _ := TLD(domain)
	if reqTLD != tld {
		return Activation{Status: SAPendingDomainApproval,
			Why: fmt.Sprintf("domain %s is not under the requester's domain %s: Cisco approves it", domain, reqTLD)}
	}
	if len(activeForTLD) > 0 {
		return Activation{Status: SAPendingApproval, ApproverAccounts: activeForTLD,
			Why: fmt.Sprintf("an active Smart Account exists for %s: its administrators approve", tld)}
	}
	return Activation{Status: SAActive, Why: fmt.Sprintf("no active Smart Account for %s: activated at once", tld)}
}
