package api

import (
	"context"
	"net/url"
	"slices"

	"github.com/licensecentral/clc/models"
)

// The account picker (FEATURES OR3, SA10, seed 000's "Domain / Name / Email" selector): the portal's
// assign wizard and the delegate's emailed page find the Smart Account an order goes to with the
// search of GET /api/v1/smart-accounts (models.SearchSmartAccounts, so a restricted account appears
// only on its exact name or domain), then pick one of the matches and one of its virtual accounts.
// The pages carry no script (the Content-Security-Policy allows none): a search is a GET round trip.

// pickerLimit bounds the matches a search shows.
const pickerLimit = 20

// pickerWays are the ways of naming the account, in the selector's order.
var pickerWays = []string{"domain", "name", "email"}

// accountPicker is one picker's state as the page's query or form carries it: the way and words
// searched, the account picked among the matches and its virtual account. Prefix names its fields
// ("" for the products' account, "services." for the Cisco services' one).
type accountPicker struct {
	Prefix, Legend string
	By, Q          string
	Searched       bool
	Matches        []accountSummary
	Picked         *models.SmartAccount
	VAs            []models.VirtualAccount
	VA             *models.VirtualAccount
}

// readPicker reads a picker's fields: it searches when words are given and checks that the account
// picked is among that search's matches, so a page never finds more than the search would, and reads
// the picked account's virtual accounts and the one chosen.
func (s *Server) readPicker(ctx context.Context, values url.Values, prefix, legend string) (accountPicker, error) {
	p := accountPicker{Prefix: prefix, Legend: legend, By: text(values, prefix+"by"), Q: text(values, prefix+"q")}
	if p.By == "" {
		p.By = "domain"
	}
	if !slices.Contains(pickerWays, p.By) {
		return p, models.Invalid(prefix+"by", "find the Smart Account by domain, name or email")
	}
	if p.Q == "" {
		return p, nil
	}
	if models.HasControl(p.Q, false) || len(p.Q) > 320 {
		return p, models.Invalid(prefix+"q", "the words to find the Smart Account by hold control characters or are too long")
	}
	sas, err := s.searchAccounts(ctx, p.By, p.Q)
	if err != nil {
		return p, err
	}
	p.Searched = true
	for _, sa := range sas {
		p.Matches = append(p.Matches, summary(sa))
	}
	id := text(values, prefix+"account")
	if id == "" {
		return p, nil
	}
	i := slices.IndexFunc(sas, func(sa models.SmartAccount) bool { return sa.ID == id })
	if i < 0 {
		return p, models.Invalid(prefix+"account", "pick one of the Smart Accounts found")
	}
	p.Picked = &sas[i]
	if p.VAs, err = models.VirtualAccounts(ctx, s.db, id); err != nil {
		return p, err
	}
	if va := text(values, prefix+"virtualAccount"); va != "" {
		v, err := models.ResolveVirtualAccount(ctx, s.db, id, va, prefix+"virtualAccount")
		if err != nil {
			return p, err
		}
		p.VA = &v
	}
	return p, nil
}

// searchAccounts is the picker's search: GET /api/v1/smart-accounts's, by one way of naming an account.
func (s *Server) searchAccounts(ctx context.Context, by, q string) ([]models.SmartAccount, error) {
	f := models.SearchFilter{Limit: pickerLimit}
	switch by {
	case "name":
		f.Name = q
	case "email":
		f.Email = q
	default:
		f.Domain = q
	}
	return models.SearchSmartAccounts(ctx, s.db, f)
}

// target is the assignment target the picker names, once an account and a virtual account are picked.
func (p accountPicker) target() (models.AssignTarget, bool) {
	if p.Picked == nil || p.VA == nil {
		return models.AssignTarget{}, false
	}
	return models.Target(*p.Picked, *p.VA), true
}

// hidden is the picker's state as hidden fields, for the steps after it.
func (p accountPicker) hidden() []field {
	out := []field{{p.Prefix + "by", p.By}, {p.Prefix + "q", p.Q}}
	if p.Picked != nil {
		out = append(out, field{p.Prefix + "account", p.Picked.ID})
	}
	if p.VA != nil {
		out = append(out, field{p.Prefix + "virtualAccount", p.VA.ID})
	}
	return out
}

// field is a hidden form field.
type field struct{ Name, Value string }
