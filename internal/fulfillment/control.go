package fulfillment

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// maxLatencyMs keeps a typo in the control from wedging every caller for hours.
const maxLatencyMs = 60_000

// Control is how the simulator misbehaves: Down answers 503 UNAVAILABLE to every call, RejectSKUs
// answers 422 SKU_REJECTED to deposits of those SKUs (any case), LatencyMs delays every answer.
type Control struct {
	Down       bool     `json:"down"`
	RejectSKUs []string `json:"rejectSkus"`
	LatencyMs  int      `json:"latencyMs"`
}

// Set replaces the whole control; a call already waiting out a latency finishes that wait, then
// answers by the new control.
func (s *Simulator) Set(c Control) {
	c.RejectSKUs = slices.Clone(c.RejectSKUs)
	s.mu.Lock()
	s.ctl = c
	s.mu.Unlock()
	s.log.Info("fulfillment simulator: control set", "down", c.Down, "rejectSkus", c.RejectSKUs,
		"latencyMs", c.LatencyMs)
}

// Control returns a copy of the current control.
func (s *Simulator) Control() Control {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.controlLocked()
}

func (s *Simulator) controlLocked() Control {
	c := s.ctl
	c.RejectSKUs = slices.Clone(c.RejectSKUs)
	if c.RejectSKUs == nil {
		c.RejectSKUs = []string{} // answered as [] rather than null, which reads as "not set"
	}
	return c
}

// controlChange is a PUT body: a field left out (or null) keeps its value.
type controlChange struct {
	Down       *bool     `json:"down"`
	RejectSKUs *[]string `json:"rejectSkus"`
	LatencyMs  *int      `json:"latencyMs"`
}

// controlState is what GET and PUT answer: the control and every line's counts.
type controlState struct {
	Control Control     `json:"control"`
	Lines   []lineCount `json:"lines"`
}

type lineCount struct {
	OrderID       string `json:"orderId"`
	LineID        string `json:"lineId"`
	Attempts      int    `json:"attempts"`
	Deposits      int    `json:"deposits"`
	EntitlementID string `json:"entitlementId,omitempty"`
}

// ControlHandler serves the control on whatever path it is mounted at (the dev stack uses
// /dev/fulfillment): GET answers the control and the counts per line; PUT changes the fields its
// body names ({"down","rejectSkus","latencyMs"}) and answers as GET. It is never down nor slow
// itself, so a test can always bring the simulator back.
func (s *Simulator) ControlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPut:
			if bad := s.change(r); bad != nil {
				writeError(w, bad)
				return
			}
		default:
			w.Header().Set("Allow", "GET, PUT")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "METHOD_NOT_ALLOWED",
				Message: r.Method + " is not allowed here; use GET or PUT"}})
			return
		}
		writeJSON(w, http.StatusOK, s.state())
	})
}

// change applies a PUT body in one step, so two concurrent PUTs of different fields both take effect.
func (s *Simulator) change(r *http.Request) *errorDetail {
	body, bad := readBody(r)
	if bad != nil {
		return bad
	}
	var c controlChange
	if bad := decodeStrict(body, &c); bad != nil {
		return bad
	}
	if c.LatencyMs != nil && (*c.LatencyMs < 0 || *c.LatencyMs > maxLatencyMs) {
		return invalid("latencyMs", fmt.Sprintf("latencyMs must be between 0 and %d", maxLatencyMs))
	}
	if c.RejectSKUs != nil && slices.ContainsFunc(*c.RejectSKUs, func(sku string) bool {
		return strings.TrimSpace(sku) == ""
	}) {
		return invalid("rejectSkus", "rejectSkus must not hold an empty SKU")
	}
	s.mu.Lock()
	if c.Down != nil {
		s.ctl.Down = *c.Down
	}
	if c.RejectSKUs != nil {
		s.ctl.RejectSKUs = slices.Clone(*c.RejectSKUs)
	}
	if c.LatencyMs != nil {
		s.ctl.LatencyMs = *c.LatencyMs
	}
	now := s.controlLocked()
	s.mu.Unlock()
	s.log.Info("fulfillment simulator: control changed", "down", now.Down, "rejectSkus", now.RejectSKUs,
		"latencyMs", now.LatencyMs)
	return nil
}

// state lists lines by order id and line id so the answer reads the same each time.
func (s *Simulator) state() controlState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := controlState{Control: s.controlLocked(), Lines: make([]lineCount, 0, len(s.lines))}
	for k, st := range s.lines {
		lc := lineCount{OrderID: k.orderID, LineID: k.lineID, Attempts: st.attempts, Deposits: st.deposits}
		if st.ent != nil {
			lc.EntitlementID = st.ent.EntitlementID
		}
		out.Lines = append(out.Lines, lc)
	}
	slices.SortFunc(out.Lines, func(a, b lineCount) int {
		return strings.Compare(a.OrderID+"\x00"+a.LineID, b.OrderID+"\x00"+b.LineID)
	})
	return out
}
