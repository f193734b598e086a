package models

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Approvers lists who decides a request under a TLD (FEATURES SA2, SA8, AC2): the Smart Account
// Administrators and Approvers of the accounts named whose own address is of that TLD, less the people
// the request is by or for. Nobody approves their own request, and an outside administrator (a partner,
// a consultant, an address someone nominated) never decides who joins the company: without that rule an
// administrator could nominate an outsider into a new account and so make them an approver of the whole
// TLD. An SMB account's TLD is its own invention, so its administrators decide for it as they are. An
// empty answer means a Cisco approver decides.
func Approvers(ctx context.Context, db *gorm.DB, tld string, accountIDs []string, exclude ...string) ([]string, error) {
	emails, err := ApproverEmails(ctx, db, accountIDs)
	if err != nil {
		return nil, err
	}
	return OfTLD(emails, tld, exclude...), nil
}

// TLDApprovers lists who approves a new account (or an SMB upgrade) under a TLD: the Approvers of the
// TLD's ACTIVE accounts.
func TLDApprovers(ctx context.Context, db *gorm.DB, tld string, exclude ...string) ([]string, error) {
	active, err := ActiveAccountIDsForTLD(ctx, db, tld)
	if err != nil {
		return nil, err
	}
	return Approvers(ctx, db, tld, active, exclude...)
}

// OfTLD keeps the addresses of the TLD (any address for an SMB TLD), less the excluded people.
func OfTLD(emails []string, tld string, exclude ...string) []string {
	out := []string{}
	for _, e := range emails {
		e = NormalizeEmail(e)
		if slices.ContainsFunc(exclude, func(x string) bool { return NormalizeEmail(x) == e }) || slices.Contains(out, e) {
			continue
		}
		if IsSMBDomain(tld) || SameTLD(e, tld) {
			out = append(out, e)
		}
	}
	return out
}

// IsSMBDomain reports whether a domain identifier is an SMB account's invented one.
func IsSMBDomain(domain string) bool { return strings.HasSuffix(strings.ToLower(domain), ".smb") }
