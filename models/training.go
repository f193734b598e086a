package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// TrainingTopic is what a training or demo request is about (FEATURES TR1).
type TrainingTopic string

// The topics a person may ask training on, or a demo of a portal.
const (
	TopicSmartAccounts TrainingTopic = "SMART_ACCOUNTS"
	TopicOrders        TrainingTopic = "ORDERS"
	TopicLicenses      TrainingTopic = "LICENSES"
	TopicPortalDemo    TrainingTopic = "PORTAL_DEMO"
)

// TrainingTopics lists every topic.
var TrainingTopics = []TrainingTopic{TopicSmartAccounts, TopicOrders, TopicLicenses, TopicPortalDemo}

// TrainingPortals are the portals training is given on (seed 002: CLC, CSSM, and Software Licensing in SCM).
var TrainingPortals = []string{"CLC", "CSSM", "SCM"}

// TrainingStatus is where a case is.
type TrainingStatus string

// A case is OPEN until ops schedule it, SCHEDULED (it may be moved), then CLOSED with an outcome.
const (
	TrainingOpen      TrainingStatus = "OPEN"
	TrainingScheduled TrainingStatus = "SCHEDULED"
	TrainingClosed    TrainingStatus = "CLOSED"
)

// The outcomes of a closed case: given, cancelled by ops, or never scheduled before the case's expiry.
const (
	OutcomeCompleted = "COMPLETED"
	OutcomeCancelled = "CANCELLED"
	OutcomeExpired   = "EXPIRED"
)

// Event actions and target of training cases.
const (
	TargetTrainingRequest  = "TRAINING_REQUEST"
	EventTrainingOpened    = "TRAINING_REQUEST_OPENED"
	EventTrainingScheduled = "TRAINING_REQUEST_SCHEDULED"
	EventTrainingClosed    = "TRAINING_REQUEST_CLOSED"
)

// Limits of a training request.
const (
	MaxTrainingAttendees  = 50
	MaxTrainingDates      = 5
	MaxTrainingMessageLen = 4000
)

// TrainingRequest is one case.
type TrainingRequest struct {
	ID             string         `gorm:"primaryKey" json:"id"`
	WorkflowID     string         `json:"-"`
	RequestedBy    string         `json:"requestedBy"`
	RequesterName  string         `json:"requesterName"`
	Topic          TrainingTopic  `json:"topic"`
	Portal         string         `json:"portal"`
	Message        string         `json:"message"`
	PreferredDates []string       `gorm:"serializer:json" json:"preferredDates"`
	Attendees      []string       `gorm:"serializer:json" json:"attendees"`
	Country        string         `json:"country,omitempty"`
	Region         string         `json:"region"`
	Queue          string         `json:"queue"`
	Status         TrainingStatus `json:"status"`
	ScheduledAt    *time.Time     `json:"scheduledAt,omitempty"`
	ScheduleNote   string         `json:"scheduleNote,omitempty"`
	ScheduledBy    string         `json:"scheduledBy,omitempty"`
	Outcome        string         `json:"outcome,omitempty"`
	CloseReason    string         `json:"closeReason,omitempty"`
	ClosedBy       string         `json:"closedBy,omitempty"`
	ClosedAt       *time.Time     `json:"closedAt,omitempty"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// The regions cases are routed by; a country not listed is routed as having none.
const (
	RegionAmericas = "AMERICAS"
	RegionEMEA     = "EMEA"
	RegionAPJC     = "APJC"
	RegionUnknown  = "UNKNOWN"
)

var regionCountries = map[string][]string{
	RegionAmericas: {"US", "CA", "MX", "BR", "AR", "CL", "CO", "PE", "VE", "EC", "UY", "PY", "BO", "CR", "PA", "GT", "DO", "PR"},
	RegionEMEA: {"GB", "IE", "FR", "DE", "NL", "BE", "LU", "ES", "PT", "IT", "CH", "AT", "DK", "SE", "NO", "FI", "IS", "PL",
		"CZ", "SK", "HU", "RO", "BG", "GR", "HR", "SI", "RS", "UA", "TR", "IL", "AE", "SA", "QA", "KW", "BH", "OM", "EG", "MA",
		"ZA", "NG", "KE", "GH", "EE", "LV", "LT"},
	RegionAPJC: {"JP", "CN", "HK", "TW", "KR", "IN", "SG", "MY", "TH", "VN", "PH", "ID", "AU", "NZ", "PK", "BD", "LK"},
}

// RegionOf is the region of an ISO 3166 country code.
func RegionOf(country string) string {
	for r, cs := range regionCountries {
		if slices.Contains(cs, country) {
			return r
		}
	}
	return RegionUnknown
}

// TrainingRoute sends the cases of a topic ("" any) from a region ("" any) to a queue.
type TrainingRoute struct {
	Topic  TrainingTopic
	Region string
	Queue  string
}

// TrainingRoutes are the routing rules, first match wins: demos go to the demo team, training to the
// region's licensing team, and a requester of no known region to the global queue.
var TrainingRoutes = []TrainingRoute{
	{Topic: TopicPortalDemo, Queue: "LEA-DEMOS"},
	{Region: RegionAmericas, Queue: "LEA-TRAINING-AMERICAS"},
	{Region: RegionEMEA, Queue: "LEA-TRAINING-EMEA"},
	{Region: RegionAPJC, Queue: "LEA-TRAINING-APJC"},
	{Queue: "LEA-TRAINING-GLOBAL"},
}

// RouteTraining is the queue of a case by the routing rules.
func RouteTraining(topic TrainingTopic, region string) string {
	for _, r := range TrainingRoutes {
		if (r.Topic == "" || r.Topic == topic) && (r.Region == "" || r.Region == region) {
			return r.Queue
		}
	}
	return TrainingRoutes[len(TrainingRoutes)-1].Queue
}

// RequesterCountry is where a requester is: their own address's country, else the headquarters of the
// first account they hold a role on ("" when neither says).
func RequesterCountry(ctx context.Context, db *gorm.DB, email string) (string, error) {
	email = NormalizeEmail(email)
	var u User
	err := db.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", fmt.Errorf("read user %s: %w", email, err)
	}
	if u.Address.Country != "" {
		return u.Address.Country, nil
	}
	var accounts []SmartAccount
	err = db.WithContext(ctx).Where("id IN (?)", db.Table("account_roles").Select("smart_account_id").
		Where("user_email = ?", email)).Order("created_at, id").Limit(5).Find(&accounts).Error
	if err != nil {
		return "", fmt.Errorf("accounts of %s: %w", email, err)
	}
	for _, a := range accounts {
		if a.Headquarters.Country != "" {
			return a.Headquarters.Country, nil
		}
	}
	return "", nil
}

// FindTrainingRequest reads a case.
func FindTrainingRequest(ctx context.Context, db *gorm.DB, id string) (TrainingRequest, error) {
	return findByID[TrainingRequest](ctx, db, id, "training request")
}

// TrainingFilter selects cases: of a requester (everyone's when empty), a queue, a status; keyset pages
// newest first.
type TrainingFilter struct {
	RequestedBy, Queue string
	Status             TrainingStatus
	After              string
	Limit              int
}

// TrainingRequests lists the cases of the filter.
func TrainingRequests(ctx context.Context, db *gorm.DB, f TrainingFilter) ([]TrainingRequest, error) {
	q := db.WithContext(ctx).Model(&TrainingRequest{})
	if f.RequestedBy != "" {
		q = q.Where("requested_by = ?", NormalizeEmail(f.RequestedBy))
	}
	if f.Queue != "" {
		q = q.Where("queue = ?", f.Queue)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.After != "" {
		q = q.Where("id < ?", f.After)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	out := []TrainingRequest{}
	if err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list training requests: %w", err)
	}
	return out, nil
}
