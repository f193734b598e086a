package models

import "fmt"

// RequestRules are the facts the creation rules decide a request on, beyond DecideActivation's.
type RequestRules struct {
	// Requester is whose email domain counts: the requester, or for a request made on a customer's
	// behalf, the contact who accepted it.
	Requester    string
	Domain       string
	ActiveForTLD []string
	// OnBehalf requests wait for a customer contact's acceptance before any other rule applies.
	OnBehalf bool
	// ModifiedDomain is set when the requester went on with an edited domain identifier after finding
	// the TLD taken (FEATURES SA6): Cisco approves such a domain first, even under the requester's TLD.
	ModifiedDomain bool
}

// DecideRequest applies the creation rules (DecideActivation) with the branches of requests made on a
// customer's behalf and of modified domain identifiers.
func DecideRequest(r RequestRules) Activation {
	if r.OnBehalf {
		return Activation{Status: SAPendingCustomerAcceptance,
			Why: "requested on the customer's behalf: one of the customer contacts accepts it first"}
	}
	act := DecideActivation(r.Requester, r.Domain, r.ActiveForTLD)
	if r.ModifiedDomain && !act.SMB && act.Status != SAPendingDomainApproval {
		return Activation{Status: SAPendingDomainApproval,
			Why: fmt.Sprintf("modified domain identifier %s: Cisco approves it first", r.Domain)}
	}
	return act
}

// SameTLD reports whether an email address belongs to a domain's registrable domain (TLD).
func SameTLD(email, domain string) bool {
	a, err := TLD(EmailDomain(email))
	if err != nil {
		return false
	}
	b, err := TLD(domain)
	return err == nil && a == b
}
