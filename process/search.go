package process

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/licensecentral/clc/models"
)

// Search is what a process tells operations through its search attributes: its state, whom it waits
// for, and the Smart Account it concerns (FEATURES X1).
type Search struct {
	State          string
	WaitingOn      []string
	SmartAccountID string
	// Stuck is set on orders only: a line is pending past its SLA.
	Stuck bool
}

// SearchOf is the Search of a process in state that waits as waiting says.
func SearchOf(state string, waiting []models.Waiting, smartAccountID string) Search {
	s := Search{State: state, WaitingOn: make([]string, 0, len(waiting)), SmartAccountID: smartAccountID}
	for _, w := range waiting {
		s.WaitingOn = append(s.WaitingOn, w.Who)
	}
	return s
}

// Updates are the upserts that make the search attributes say s.
func (s Search) Updates() []temporal.SearchAttributeUpdate {
	waiting := s.WaitingOn
	if waiting == nil {
		waiting = []string{}
	}
	out := []temporal.SearchAttributeUpdate{SearchState.ValueSet(s.State), SearchWaitingOn.ValueSet(waiting),
		SearchSmartAccount.ValueSet(s.SmartAccountID)}
	if s.Stuck {
		out = append(out, SearchStuck.ValueSet(true))
	} else {
		out = append(out, SearchStuck.ValueUnset())
	}
	return out
}

// Equal reports whether s and o say the same, so a process upserts only what changed: each upsert is a
// visibility write of the engine.
func (s Search) Equal(o Search) bool {
	return s.State == o.State && s.SmartAccountID == o.SmartAccountID && s.Stuck == o.Stuck &&
		slices.Equal(s.WaitingOn, o.WaitingOn)
}

// OrderSearch is what an order's process says: its assignment status (RECEIVING until recorded), whom
// it waits for, and the account holding its first assigned line.
func OrderSearch(st models.OrderState, since time.Time, recorded bool) Search {
	state := string(st.Order.AssignmentStatus)
	if !recorded {
		state = "RECEIVING"
	}
	account, stuck := "", false
	for _, l := range st.Lines {
		if l.SmartAccountID != "" && account == "" {
			account = l.SmartAccountID
		}
		stuck = stuck || (l.StuckAt != nil && l.ProvisioningStatus == models.ProvisionPending)
	}
	s := SearchOf(state, models.OrderWaiting(st, since), account)
	s.Stuck = stuck
	return s
}

// OrderSearchAttributes are the search attributes an order's process starts with, so that starting it
// costs no upsert.
func OrderSearchAttributes(in OrderInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(OrderSearch(in.State, time.Time{}, in.Ingest == nil).Updates()...)
}
