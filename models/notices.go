package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// NoticeKind names a notice a Smart Account's administrators acknowledge (FEATURES SA11, seed 002).
type NoticeKind string

// The account notices: licensing operations on an account wait until each was acknowledged by one of
// its administrators.
const (
	NoticeSmartLicensing NoticeKind = "SMART_LICENSING"
	NoticeAccountAdmin   NoticeKind = "SMART_ACCOUNT_ADMIN"
)

// Notices are the kinds, in the order they are shown and asked for.
var Notices = []NoticeKind{NoticeSmartLicensing, NoticeAccountAdmin}

var noticeTitles = map[NoticeKind]string{
	NoticeSmartLicensing: "Smart Licensing Notice",
	NoticeAccountAdmin:   "Smart Account Admin Notice",
}

// Title is the notice's name as CLC shows it.
func (k NoticeKind) Title() string { return noticeTitles[k] }

// Event actions of account properties and notices.
const (
	EventNoticeAcknowledged  = "NOTICE_ACKNOWLEDGED"
	EventSARenamed           = "SA_RENAMED"
	EventSAHeadquartersMoved = "SA_HEADQUARTERS_CHANGED"
	EventSAVisibilityChanged = "SA_VISIBILITY_CHANGED"
)

// NoticeAck is one administrator's acknowledgement of a notice.
type NoticeAck struct {
	SmartAccountID string     `json:"-"`
	Kind           NoticeKind `json:"-"`
	Email          string     `json:"email"`
	AcknowledgedAt time.Time  `json:"at"`
}

// TableName keeps the migration's table name.
func (NoticeAck) TableName() string { return "notice_acknowledgements" }

// NoticeState is a notice of an account: whether someone acknowledged it, who, and whether the asker did.
type NoticeState struct {
	Kind           NoticeKind  `json:"kind"`
	Title          string      `json:"title"`
	Acknowledged   bool        `json:"acknowledged"`
	AcknowledgedBy []NoticeAck `json:"acknowledgedBy"`
	Mine           bool        `json:"acknowledgedByMe"`
}

// AccountNotices reads the account's notices as email sees them.
func AccountNotices(ctx context.Context, db *gorm.DB, saID, email string) ([]NoticeState, error) {
	var acks []NoticeAck
	if err := db.WithContext(ctx).Where("smart_account_id = ?", saID).Order("acknowledged_at, email").Find(&acks).Error; err != nil {
		return nil, fmt.Errorf("notices of %s: %w", saID, err)
	}
	out := make([]NoticeState, 0, len(Notices))
	for _, k := range Notices {
		n := NoticeState{Kind: k, Title: k.Title(), AcknowledgedBy: []NoticeAck{}}
		for _, a := range acks {
			if a.Kind == k {
				n.AcknowledgedBy = append(n.AcknowledgedBy, a)
				n.Mine = n.Mine || a.Email == NormalizeEmail(email)
			}
		}
		n.Acknowledged = len(n.AcknowledgedBy) > 0
		out = append(out, n)
	}
	return out, nil
}

// ParseNoticeKind reads a notice kind from a path, any case.
func ParseNoticeKind(s string) (NoticeKind, error) {
	k := NoticeKind(strings.ToUpper(strings.TrimSpace(s)))
	if !slices.Contains(Notices, k) {
		return k, Invalid("kind", "the notices are SMART_LICENSING and SMART_ACCOUNT_ADMIN")
	}
	return k, nil
}

// AcknowledgeNotice records that an administrator acknowledged a notice, with its event; a repeat
// changes nothing and answers the first acknowledgement's time.
func AcknowledgeNotice(ctx context.Context, db *gorm.DB, saID string, kind NoticeKind, email string) (NoticeAck, error) {
	ack := NoticeAck{SmartAccountID: saID, Kind: kind, Email: NormalizeEmail(email), AcknowledgedAt: Now()}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ack)
		if res.Error != nil {
			return fmt.Errorf("acknowledge %s: %w", kind, res.Error)
		}
		if res.RowsAffected == 0 {
			return tx.Where("smart_account_id = ? AND kind = ? AND email = ?", saID, kind, ack.Email).Take(&ack).Error
		}
		return WriteEvents(tx, ack.AcknowledgedAt, NewEvent(saID, TargetSmartAccount, saID, ack.Email, EventNoticeAcknowledged,
			map[string]any{"notice": kind, "title": kind.Title()}))
	})
	return ack, err
}

// requireNotices refuses a licensing operation (409) while a notice of the account waits for its first
// acknowledgement, naming the notice to acknowledge.
func requireNotices(tx *gorm.DB, saID string) error {
	var kinds []NoticeKind
	if err := tx.Model(&NoticeAck{}).Distinct("kind").Where("smart_account_id = ?", saID).Pluck("kind", &kinds).Error; err != nil {
		return fmt.Errorf("notices of %s: %w", saID, err)
	}
	missing := []NoticeKind{}
	for _, k := range Notices {
		if !slices.Contains(kinds, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &Error{Code: CodeConflict, Field: "notice", Message: fmt.Sprintf(
		"an administrator of the account must acknowledge the %s first (POST …/notices/%s/acknowledgement)",
		missing[0].Title(), missing[0]), Details: map[string]any{"notice": missing[0], "unacknowledged": missing}}
}
