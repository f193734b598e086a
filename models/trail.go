package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// The trail of an order's lines (FEATURES OR11, "where did my licenses go"): each line's history read
// from the event rows the order's process writes with every change, in time order.

// Trail steps: what happened to a line.
const (
	StepIngested      = "INGESTED"
	StepAssigned      = "ASSIGNED"
	StepReassigned    = "REASSIGNED"
	StepShipped       = "SHIPPED"
	StepProvisioning  = "PROVISIONING_CHANGED"
	StepAttempt       = "DEPOSIT_ATTEMPT"
	StepLicensesMade  = "LICENSES_MADE"
	StepLicensesMoved = "LICENSES_MOVED"
	StepOps           = "OPS_ACTION"
	StepStuck         = "STUCK"
)

// Outcomes of a deposit attempt: the licenses deposited, or the kind of failure (Deposit…).
const OutcomeDeposited = "DEPOSITED"

// TrailPlace is where licenses were or went: an account and a virtual account, with their names.
type TrailPlace struct {
	SmartAccountID     string `json:"smartAccountId"`
	SmartAccountName   string `json:"smartAccountName,omitempty"`
	VirtualAccountID   string `json:"virtualAccountId"`
	VirtualAccountName string `json:"virtualAccountName,omitempty"`
}

// TrailStep is one thing that happened to a line: when, what, by whom (empty for the system), and what
// the step is about: the account it went to, an attempt's number and outcome, licenses made or moved,
// the line's provisioning after it, the reason a person gave.
type TrailStep struct {
	At          time.Time          `json:"at"`
	Step        string             `json:"step"`
	Action      string             `json:"action"`
	By          string             `json:"by,omitempty"`
	As          string             `json:"as,omitempty"`
	Via         string             `json:"via,omitempty"`
	From        *TrailPlace        `json:"from,omitempty"`
	To          *TrailPlace        `json:"to,omitempty"`
	Attempt     int                `json:"attempt,omitempty"`
	Outcome     string             `json:"outcome,omitempty"`
	Error       string             `json:"error,omitempty"`
	Quantity    int                `json:"quantity,omitempty"`
	LicenseID   string             `json:"licenseId,omitempty"`
	Status      ProvisioningStatus `json:"status,omitempty"`
	DelayReason DelayReason        `json:"delayReason,omitempty"`
	Why         string             `json:"why,omitempty"`
	Reason      string             `json:"reason,omitempty"`
	ShippedAt   string             `json:"shippedAt,omitempty"`
	EventID     string             `json:"eventId"`
}

// LineTrail is one line's steps, oldest first, with where the line stands now.
type LineTrail struct {
	OrderID            string             `json:"-"`
	LineID             string             `json:"lineId"`
	SKU                string             `json:"sku"`
	Quantity           int                `json:"quantity"`
	ProvisioningStatus ProvisioningStatus `json:"provisioningStatus"`
	DelayReason        DelayReason        `json:"delayReason,omitempty"`
	Steps              []TrailStep        `json:"steps"`
}

// maxTrailEvents bounds the events a trail reads; an order past it is told its trail is cut.
const maxTrailEvents = 20000

// OrderTrail reads the trail of every line of the order, and whether it was cut at maxTrailEvents.
// The order's ingest opens each line's trail.
func OrderTrail(ctx context.Context, db *gorm.DB, st OrderState) ([]LineTrail, bool, error) {
	return LineTrails(ctx, db, st.Lines)
}

// LineTrails reads the trails of lines of any orders (a page of the ops list) in one query, in the
// lines' order, and whether they were cut at maxTrailEvents.
func LineTrails(ctx context.Context, db *gorm.DB, lines []OrderLine) ([]LineTrail, bool, error) {
	out := make([]LineTrail, len(lines))
	if len(lines) == 0 {
		return out, false, nil
	}
	index := make(map[string]int, len(lines))
	var orders, targets []string
	for i, l := range lines {
		out[i] = LineTrail{OrderID: l.OrderID, LineID: l.ID, SKU: l.SKU, Quantity: l.Quantity,
			ProvisioningStatus: l.ProvisioningStatus, DelayReason: l.DelayReason, Steps: []TrailStep{}}
		index[l.OrderID+"/"+l.ID] = i
		targets = append(targets, l.OrderID+"/"+l.ID)
		if !slices.Contains(orders, l.OrderID) {
			orders = append(orders, l.OrderID)
		}
	}
	var evs []Event
	// By the events' target index: the orders' own events, then their lines' by their exact ids.
	err := db.WithContext(ctx).Where("(target_type = ? AND target_id IN ?) OR (target_type = ? AND target_id IN ?)",
		TargetOrder, orders, TargetOrderLine, targets).Order("created_at, id").Limit(maxTrailEvents + 1).Find(&evs).Error
	if err != nil {
		return nil, false, fmt.Errorf("read the trails of %d lines: %w", len(lines), err)
	}
	cut := len(evs) > maxTrailEvents
	if cut {
		evs = evs[:maxTrailEvents]
	}
	for _, e := range evs {
		if e.TargetType == TargetOrder {
			for i := range out {
				if out[i].OrderID == e.TargetID {
					out[i].Steps = append(out[i].Steps, trailSteps(e)...)
				}
			}
		} else if i, ok := index[e.TargetID]; ok {
			out[i].Steps = append(out[i].Steps, trailSteps(e)...)
		}
	}
	if err := nameTrailPlaces(ctx, db, out); err != nil {
		return nil, false, err
	}
	return out, cut, nil
}

// trailSteps reads one event as the steps it records: one, but for a deposit, which is an attempt and
// the licenses it made.
func trailSteps(e Event) []TrailStep {
	d := e.Details
	s := TrailStep{At: e.CreatedAt.UTC(), Action: e.Action, By: e.Actor, EventID: e.ID, Reason: detailString(d, "reason"),
		Why: detailString(d, "why")}
	switch e.Action {
	case EventOrderIngested:
		s.Step = StepIngested
	case EventLineAssigned, EventLineReassigned:
		s.Step = StepAssigned
		if e.Action == EventLineReassigned {
			s.Step = StepReassigned
			s.From = placeOf(detailMap(d, "from"))
		}
		s.To, s.As, s.Via = placeOf(detailMap(d, "to")), detailString(d, "as"), detailString(d, "via")
		s.provisioning(detailMap(d, "provisioning"))
	case EventLineShipped:
		s.Step, s.ShippedAt = StepShipped, detailString(d, "shippedAt")
	case EventLineDelayed:
		s.Step = StepProvisioning
		s.provisioning(detailMap(d, "to"))
	case EventProvisionAttempt:
		s.Step, s.Attempt, s.Outcome, s.Error = StepAttempt, detailInt(d, "attempt"), detailString(d, "kind"), detailString(d, "error")
		s.Status, s.DelayReason = ProvisionPending, DelayReason(detailString(d, "delayReason"))
	case EventLineProvisioned:
		// The attempt that deposited, then the license row it made.
		s.Step, s.Attempt, s.Outcome, s.Status = StepAttempt, detailInt(d, "attempt"), OutcomeDeposited, ProvisionProvisioned
		made := s
		made.Step, made.Attempt, made.Outcome = StepLicensesMade, 0, ""
		made.To, made.Quantity, made.LicenseID = placeOf(d), detailInt(d, "quantity"), detailString(d, "licenseId")
		return []TrailStep{s, made}
	case EventLicensesHeld:
		// Licenses deposited in a holding account: visible there, not usable.
		s.Step, s.Outcome = StepLicensesMade, string(LicenseHeld)
		s.To, s.Quantity, s.LicenseID = placeOf(d), detailInt(d, "quantity"), detailString(d, "licenseId")
	case EventLicensesMoved:
		s.Step, s.Quantity = StepLicensesMoved, detailInt(d, "quantity")
		s.From, s.To = placeOf(detailMap(d, "from")), placeOf(detailMap(d, "to"))
	case EventLineRetried, EventLineManualReview, EventLineResolved:
		s.Step, s.Outcome = StepOps, detailString(d, "outcome")
		s.provisioning(detailMap(d, "to"))
	case EventLineStuck:
		s.Step, s.Status, s.DelayReason = StepStuck, ProvisionPending, DelayReason(detailString(d, "delayReason"))
	default:
		s.Step = e.Action
	}
	return []TrailStep{s}
}

// provisioning records the line's provisioning after the step, as the event gives it.
func (s *TrailStep) provisioning(p map[string]any) {
	s.Status, s.DelayReason = ProvisioningStatus(detailString(p, "status")), DelayReason(detailString(p, "delayReason"))
}

// nameTrailPlaces fills in the names of the accounts and virtual accounts the steps name.
func nameTrailPlaces(ctx context.Context, db *gorm.DB, trails []LineTrail) error {
	var sas, vas []string
	for _, t := range trails {
		for _, s := range t.Steps {
			for _, p := range []*TrailPlace{s.From, s.To} {
				if p != nil {
					sas, vas = append(sas, p.SmartAccountID), append(vas, p.VirtualAccountID)
				}
			}
		}
	}
	names, err := AccountNames(ctx, db, nonEmpty(sas), nonEmpty(vas))
	if err != nil {
		return err
	}
	for _, t := range trails {
		for _, s := range t.Steps {
			for _, p := range []*TrailPlace{s.From, s.To} {
				if p != nil {
					p.SmartAccountName, p.VirtualAccountName = names[p.SmartAccountID], names[p.VirtualAccountID]
				}
			}
		}
	}
	return nil
}

func nonEmpty(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// placeOf reads an account and virtual account from an event's details; nil when it names none.
func placeOf(m map[string]any) *TrailPlace {
	p := TrailPlace{SmartAccountID: detailString(m, "smartAccountId"), VirtualAccountID: detailString(m, "virtualAccountId")}
	if p.SmartAccountID == "" && p.VirtualAccountID == "" {
		return nil
	}
	return &p
}

func detailMap(d map[string]any, k string) map[string]any {
	m, _ := d[k].(map[string]any)
	return m
}

func detailString(d map[string]any, k string) string {
	switch v := d[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func detailInt(d map[string]any, k string) int {
	switch v := d[k].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	}
	return 0
}
