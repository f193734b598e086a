package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Category is a kind of notification a person may choose how to receive (FEATURES NO1).
type Category string

// The categories of notification mails.
const (
	CategoryAccessRequests     Category = "ACCESS_REQUESTS"
	CategoryOrdersToAssign     Category = "ORDERS_TO_ASSIGN"
	CategoryProvisioningDelays Category = "PROVISIONING_DELAYS"
	CategoryAccountChanges     Category = "ACCOUNT_CHANGES"
)

// Categories lists every category in the order pages and answers show them.
var Categories = []Category{CategoryAccessRequests, CategoryOrdersToAssign, CategoryProvisioningDelays, CategoryAccountChanges}

var categoryTitles = map[Category]string{
	CategoryAccessRequests:     "access requests",
	CategoryOrdersToAssign:     "orders to assign",
	CategoryProvisioningDelays: "provisioning delays",
	CategoryAccountChanges:     "account changes",
}

// Title is the category as a sentence names it.
func (c Category) Title() string { return categoryTitles[c] }

// Valid reports whether c is a known category.
func (c Category) Valid() bool { _, ok := categoryTitles[c]; return ok }

// Delivery is how a person receives a category's mails.
type Delivery string

// The ways of receiving notifications: each mail at once, in a daily or weekly digest, or not at all.
const (
	DeliveryImmediate Delivery = "IMMEDIATE"
	DeliveryDaily     Delivery = "DAILY"
	DeliveryWeekly    Delivery = "WEEKLY"
	DeliveryOff       Delivery = "OFF"
)

// Deliveries lists every delivery.
var Deliveries = []Delivery{DeliveryImmediate, DeliveryDaily, DeliveryWeekly, DeliveryOff}

// DefaultDelivery is a category's delivery until the person chooses: every mail as it happens.
const DefaultDelivery = DeliveryImmediate

// Valid reports whether d is a known delivery.
func (d Delivery) Valid() bool { return slices.Contains(Deliveries, d) }

// Digest reports whether d defers mails to a digest.
func (d Delivery) Digest() bool { return d == DeliveryDaily || d == DeliveryWeekly }

// NotificationPreference is one person's choice for one category, on one account or (” ) by default.
type NotificationPreference struct {
	UserEmail      string   `gorm:"primaryKey"`
	SmartAccountID string   `gorm:"primaryKey"`
	Category       Category `gorm:"primaryKey"`
	Delivery       Delivery
	UpdatedAt      time.Time
}

// Event actions and target of preference changes.
const (
	EventNotificationsChanged = "NOTIFICATION_PREFERENCES_CHANGED"
	TargetNotifications       = "NOTIFICATION_PREFERENCES"
)

// DeliveryFor is how email receives the category's mails about the account: the account's own setting,
// else the person's default, else DefaultDelivery. One query: the mail step asks it of every recipient.
func DeliveryFor(ctx context.Context, db *gorm.DB, email, accountID string, c Category) (Delivery, error) {
	var prefs []NotificationPreference
	err := db.WithContext(ctx).Where("user_email = ? AND smart_account_id IN ? AND category = ?",
		NormalizeEmail(email), []string{accountID, ""}, c).Find(&prefs).Error
	if err != nil {
		return "", fmt.Errorf("notification preference of %s: %w", email, err)
	}
	return resolveDelivery(prefs, accountID, c), nil
}

func resolveDelivery(prefs []NotificationPreference, accountID string, c Category) Delivery {
	out := DefaultDelivery
	for _, p := range prefs {
		if p.Category != c {
			continue
		}
		if p.SmartAccountID == accountID && accountID != "" {
			return p.Delivery
		}
		if p.SmartAccountID == "" {
			out = p.Delivery
		}
	}
	return out
}

// NotificationAccount is an account a person's preferences are shown for, with the effective delivery of
// each category.
type NotificationAccount struct {
	SmartAccountID string                `json:"smartAccountId"`
	Name           string                `json:"name"`
	Categories     map[Category]Delivery `json:"categories"`
}

// NotificationSettings is what a person sees of their preferences: their defaults, and every account they
// hold a role on or set a preference for.
type NotificationSettings struct {
	Defaults map[Category]Delivery `json:"defaults"`
	Accounts []NotificationAccount `json:"accounts"`
}

// ReadNotificationSettings reads a person's preferences with the accounts they apply to.
func ReadNotificationSettings(ctx context.Context, db *gorm.DB, email string) (NotificationSettings, error) {
	email = NormalizeEmail(email)
	var prefs []NotificationPreference
	if err := db.WithContext(ctx).Where("user_email = ?", email).Find(&prefs).Error; err != nil {
		return NotificationSettings{}, fmt.Errorf("notification preferences of %s: %w", email, err)
	}
	var accounts []struct{ ID, Name string }
	err := db.WithContext(ctx).Table("smart_accounts").Select("id, name").
		Where("id IN (?) OR id IN (?)",
			db.Table("account_roles").Select("smart_account_id").Where("user_email = ?", email),
			db.Table("notification_preferences").Select("smart_account_id").Where("user_email = ?", email)).
		Order("lower(name), id").Scan(&accounts).Error
	if err != nil {
		return NotificationSettings{}, fmt.Errorf("accounts of %s: %w", email, err)
	}
	out := NotificationSettings{Defaults: map[Category]Delivery{}, Accounts: []NotificationAccount{}}
	for _, c := range Categories {
		out.Defaults[c] = resolveDelivery(prefs, "", c)
	}
	for _, a := range accounts {
		na := NotificationAccount{SmartAccountID: a.ID, Name: a.Name, Categories: map[Category]Delivery{}}
		for _, c := range Categories {
			na.Categories[c] = resolveDelivery(prefs, a.ID, c)
		}
		out.Accounts = append(out.Accounts, na)
	}
	return out, nil
}

// SetNotificationPreferences records a person's choices for an account (” for their defaults), the
// categories not named keeping theirs, with the change's event in the same transaction. via says how it
// was asked: "api", or "unsubscribe" for a mail's one-click link.
func SetNotificationPreferences(ctx context.Context, db *gorm.DB, email, accountID string, set map[Category]Delivery,
	via string) error {
	email = NormalizeEmail(email)
	if len(set) == 0 {
		return nil
	}
	now := Now()
	rows := make([]NotificationPreference, 0, len(set))
	changes := map[string]any{}
	for _, c := range Categories {
		if d, ok := set[c]; ok {
			rows = append(rows, NotificationPreference{UserEmail: email, SmartAccountID: accountID, Category: c, Delivery: d, UpdatedAt: now})
			changes[string(c)] = string(d)
		}
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "user_email"}, {Name: "smart_account_id"}, {Name: "category"}},
			DoUpdates: clause.AssignmentColumns([]string{"delivery", "updated_at"}),
		}).Create(&rows).Error
		if err != nil {
			return fmt.Errorf("store notification preferences of %s: %w", email, err)
		}
		return WriteEvents(tx, now, NewEvent(accountID, TargetNotifications, email, email, EventNotificationsChanged,
			map[string]any{"categories": changes, "via": via}))
	})
}

// DigestItem is a notification deferred to a digest: what happened, for whom, about which account.
type DigestItem struct {
	ID             string `gorm:"primaryKey"`
	MailKey        string
	Recipient      string
	SmartAccountID string
	AccountName    string
	Category       Category
	Period         Delivery
	Summary        string
	CreatedAt      time.Time
	// DigestKey is the mail key of the digest that carried the item; nil while it waits.
	DigestKey *string
}

// DeferToDigest keeps a notification for the recipient's next digest of its period; the same mail key
// deferred again (a retried mail step) is kept once.
func DeferToDigest(ctx context.Context, db *gorm.DB, it DigestItem) error {
	it.ID, it.CreatedAt, it.Recipient = NewID(), Now(), NormalizeEmail(it.Recipient)
	err := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "mail_key"}}, DoNothing: true}).
		Create(&it).Error
	if err != nil {
		return fmt.Errorf("defer %s to a digest: %w", it.MailKey, err)
	}
	return nil
}

// DigestRecipients lists, in address order after after, up to limit people with items of the period
// waiting since before before.
func DigestRecipients(ctx context.Context, db *gorm.DB, period Delivery, before time.Time, after string, limit int) ([]string, error) {
	return pluckAll[string](db.WithContext(ctx).Model(&DigestItem{}).Distinct("recipient").
		Where("period = ? AND digest_key IS NULL AND created_at <= ? AND recipient > ?", period, before.UTC(), after).
		Order("recipient").Limit(limit), "recipient", "digest recipients of %s", period)
}

// WaitingDigestItems lists a person's items of the period waiting since before before, oldest first.
func WaitingDigestItems(ctx context.Context, db *gorm.DB, recipient string, period Delivery, before time.Time) ([]DigestItem, error) {
	q := db.WithContext(ctx).Where("recipient = ? AND period = ? AND digest_key IS NULL AND created_at <= ?",
		NormalizeEmail(recipient), period, before.UTC()).Order("created_at, id")
	return findAll[DigestItem](q, "digest items of %s", recipient)
}

// MarkDigested records that the digest under key carried the items (or dropped them: their category was
// turned off meanwhile), so no later digest lists them again.
func MarkDigested(ctx context.Context, db *gorm.DB, ids []string, key string) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.WithContext(ctx).Model(&DigestItem{}).Where("id IN ? AND digest_key IS NULL", ids).
		Update("digest_key", key).Error
	if err != nil {
		return fmt.Errorf("mark digest items of %s: %w", key, err)
	}
	return nil
}

// UnsubscribeLink is the server side of a mail's one-click unsubscribe link: only its hash, and what it
// turns off for whom.
type UnsubscribeLink struct {
	Hash           string `gorm:"primaryKey"`
	Recipient      string
	SmartAccountID string
	Category       Category
	CreatedAt      time.Time
}

// UnsubscribeKey is what a person's unsubscribe link for a category of an account is derived from.
func UnsubscribeKey(recipient, accountID string, c Category) string {
	return "unsubscribe/" + NormalizeEmail(recipient) + "/" + accountID + "/" + string(c)
}

// StoreUnsubscribeLink keeps the hash of an unsubscribe link; the same link stored again is kept once.
func StoreUnsubscribeLink(ctx context.Context, db *gorm.DB, l UnsubscribeLink) error {
	l.Recipient, l.CreatedAt = NormalizeEmail(l.Recipient), Now()
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&l).Error
	if err != nil {
		return fmt.Errorf("store unsubscribe link of %s: %w", l.Recipient, err)
	}
	return nil
}

// FindUnsubscribeLink reads the unsubscribe link of a token.
func FindUnsubscribeLink(ctx context.Context, db *gorm.DB, raw string) (UnsubscribeLink, error) {
	var l UnsubscribeLink
	err := db.WithContext(ctx).Where("hash = ?", HashToken(raw)).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return l, Errorf(CodeNotFound, "This unsubscribe link is not valid. Check that it was copied whole.")
	}
	if err != nil {
		return l, fmt.Errorf("read unsubscribe link: %w", err)
	}
	return l, nil
}

// AccountOfOrder is the account an order's lines went to (” when none has one yet): the account a
// notification about the order concerns.
func AccountOfOrder(ctx context.Context, db *gorm.DB, orderID string) (string, error) {
	var ids []string
	err := db.WithContext(ctx).Table("order_lines").Where("order_id = ? AND smart_account_id <> ''", orderID).
		Order("position").Limit(1).Pluck("smart_account_id", &ids).Error
	if err != nil {
		return "", fmt.Errorf("account of order %s: %w", orderID, err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}
