package activities

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/licensecentral/clc/models"
)

// DigestMail is what a digest lists: what happened since the last one, grouped by account.
type DigestMail struct {
	// Period is "daily" or "weekly"; Until is the digest's time.
	Period   string
	Until    time.Time
	Count    int
	Accounts []DigestAccount
}

// DigestAccount is one account's part of a digest ("" Name: the mails about no single account).
type DigestAccount struct {
	Name  string
	Items []DigestEntry
}

// DigestEntry is one deferred notification: its category, what it said, when, and the recipient's link
// that turns its category off on its account.
type DigestEntry struct {
	Category       string
	Summary        string
	At             time.Time
	UnsubscribeURL string
	// PageURL and PageLabel link to the portal page that shows what the item is about (digestPage).
	PageURL, PageLabel string
}

// DigestBatchInput is one batch of a digest run: the people, in address order after After, with items of
// the period waiting since before Before.
type DigestBatchInput struct {
	Period models.Delivery `json:"period"`
	Before time.Time       `json:"before"`
	After  string          `json:"after"`
	Limit  int             `json:"limit"`
}

// DigestBatchResult says what a batch did; Next is the last address it served when more may follow.
type DigestBatchResult struct {
	People int    `json:"people"`
	Sent   int    `json:"sent"`
	Items  int    `json:"items"`
	Next   string `json:"next,omitempty"`
}

// DigestKey is the mail key of a person's digest of a period at a time.
func DigestKey(period models.Delivery, at time.Time, recipient string) string {
	return "digest/" + string(period) + "/" + at.UTC().Format(time.RFC3339Nano) + "/" + models.NormalizeEmail(recipient)
}

// SendDigests mails one digest to each person of the batch who has something to be told, and marks what
// it listed; a person with nothing left to say (their categories turned off meanwhile) gets no mail. A
// retry sends no digest twice (the mail log) and lists no item twice (each is marked with its digest).
func (m *Mailer) SendDigests(ctx context.Context, in DigestBatchInput) (DigestBatchResult, error) {
	if in.Limit <= 0 {
		in.Limit = 200
	}
	people, err := models.DigestRecipients(ctx, m.DB, in.Period, in.Before, in.After, in.Limit)
	if err != nil {
		return DigestBatchResult{}, err
	}
	res := DigestBatchResult{People: len(people)}
	for _, r := range people {
		items, sent, err := m.sendDigest(ctx, in, r)
		if err != nil {
			return res, err
		}
		res.Items += items
		if sent {
			res.Sent++
		}
	}
	if len(people) == in.Limit {
		res.Next = people[len(people)-1]
	}
	return res, nil
}

func (m *Mailer) sendDigest(ctx context.Context, in DigestBatchInput, to string) (int, bool, error) {
	key := DigestKey(in.Period, in.Before, to)
	items, err := models.WaitingDigestItems(ctx, m.DB, to, in.Period, in.Before)
	if err != nil {
		return 0, false, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	kept, err := m.stillWanted(ctx, to, items)
	if err != nil {
		return 0, false, err
	}
	sent, err := m.sent(ctx, key)
	if err != nil {
		return 0, false, err
	}
	if len(kept) > 0 && !sent {
		data, err := m.digestData(ctx, in, to, kept)
		if err != nil {
			return 0, false, err
		}
		if err := m.send(ctx, key, []string{to}, "digest", data); err != nil {
			return 0, false, err
		}
	}
	return len(kept), len(kept) > 0 && !sent, models.MarkDigested(ctx, m.DB, ids, key)
}

// stillWanted drops the items whose category the person turned off since they were deferred.
func (m *Mailer) stillWanted(ctx context.Context, to string, items []models.DigestItem) ([]models.DigestItem, error) {
	type group struct {
		account  string
		category models.Category
	}
	off := map[group]bool{}
	var kept []models.DigestItem
	for _, it := range items {
		g := group{it.SmartAccountID, it.Category}
		isOff, known := off[g]
		if !known {
			d, err := models.DeliveryFor(ctx, m.DB, to, it.SmartAccountID, it.Category)
			if err != nil {
				return nil, err
			}
			isOff = d == models.DeliveryOff
			off[g] = isOff
		}
		if !isOff {
			kept = append(kept, it)
		}
	}
	return kept, nil
}

// digestData groups the items by account (by the account's name now; the mails about no account last),
// each with its unsubscribe link.
func (m *Mailer) digestData(ctx context.Context, in DigestBatchInput, to string, items []models.DigestItem) (MailData, error) {
	names := map[string]string{}
	var ids []string
	for _, it := range items {
		if it.SmartAccountID != "" {
			ids = append(ids, it.SmartAccountID)
		}
	}
	if len(ids) > 0 {
		var rows []struct{ ID, Name string }
		if err := m.DB.WithContext(ctx).Table("smart_accounts").Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
			return MailData{}, fmt.Errorf("account names for the digest of %s: %w", to, err)
		}
		for _, r := range rows {
			names[r.ID] = r.Name
		}
	}
	groups := map[string]*DigestAccount{}
	var order []string
	links := map[string]string{}
	for _, it := range items {
		g, ok := groups[it.SmartAccountID]
		if !ok {
			name := cmp.Or(names[it.SmartAccountID], it.AccountName)
			g = &DigestAccount{Name: name}
			groups[it.SmartAccountID] = g
			order = append(order, it.SmartAccountID)
		}
		lk := it.SmartAccountID + "/" + string(it.Category)
		if _, ok := links[lk]; !ok {
			u, err := m.unsubscribeURL(ctx, to, it.SmartAccountID, it.Category)
			if err != nil {
				return MailData{}, err
			}
			links[lk] = u
		}
		e := DigestEntry{Category: it.Category.Title(), Summary: it.Summary, At: it.CreatedAt, UnsubscribeURL: links[lk]}
		e.PageURL, e.PageLabel = m.digestLink(it.Category, it.SmartAccountID)
		g.Items = append(g.Items, e)
	}
	slices.SortStableFunc(order, func(a, b string) int {
		if (a == "") != (b == "") {
			return cmp.Compare(b, a) // the mails about no account last
		}
		return cmp.Compare(groups[a].Name, groups[b].Name)
	})
	d := DigestMail{Period: map[models.Delivery]string{models.DeliveryDaily: "daily", models.DeliveryWeekly: "weekly"}[in.Period],
		Until: in.Before, Count: len(items)}
	for _, id := range order {
		d.Accounts = append(d.Accounts, *groups[id])
	}
	// The header's one-click link turns off the category of the digest's first item; each item's own
	// link is in the body.
	return MailData{Digest: d, Category: items[0].Category.Title(), UnsubscribeURL: links[items[0].SmartAccountID+"/"+string(items[0].Category)]}, nil
}
