package faultsuite

import (
	"testing"
	"time"
)

// A second copy of a mail is explained only by a worker killed just after the first copy arrived: the
// killed attempt had sent it and not logged it. A resend with no kill near it stays a duplicate.
func TestResentAfterKill(t *testing.T) {
	first := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		kills []time.Duration
		want  bool
	}{
		{"no kill", nil, false},
		{"killed 5 ms after the mail arrived", []time.Duration{5 * time.Millisecond}, true},
		{"killed 1.9 s after", []time.Duration{1900 * time.Millisecond}, true},
		{"the kill stamped a moment before the arrival", []time.Duration{-50 * time.Millisecond}, true},
		{"killed 3 s after: the log row was written by then", []time.Duration{3 * time.Second}, false},
		{"killed a second before the mail was sent", []time.Duration{-time.Second}, false},
		{"one of several kills near it", []time.Duration{-30 * time.Second, 20 * time.Millisecond, time.Minute}, true},
	} {
		var kills []time.Time
		for _, d := range c.kills {
			kills = append(kills, first.Add(d))
		}
		if got := resentAfterKill(first, kills); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
