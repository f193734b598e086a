package ratelimit

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestParse(t *testing.T) {
	cases := []struct {
		spec  string
		rate  rate.Limit
		burst int
	}{
		{"5/s,20", 5, 20},
		{" 20/s , 100 ", 20, 100},
		{"30/m,10", 0.5, 10},
		{"0.5/s,3", 0.5, 3},
		{"36/h,1", 0.01, 1},
		{"0", 0, 0},
		{" 0 ", 0, 0},
	}
	for _, tc := range cases {
		c, err := Parse(tc.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.spec, err)
			continue
		}
		if c.Rate != tc.rate || c.Burst != tc.burst {
			t.Errorf("Parse(%q) = %v/s burst %d, want %v/s burst %d", tc.spec, c.Rate, c.Burst, tc.rate, tc.burst)
		}
		if (tc.rate == 0) == c.Enabled() {
			t.Errorf("Parse(%q).Enabled() = %v", tc.spec, c.Enabled())
		}
	}
	for _, bad := range []string{"", "5", "5/s", "5,20", "5/d,20", "5/sec,20", "-1/s,2", "0/s,2", "5/s,0",
		"5/s,-1", "5/s,x", "5/s,1.5", "abc/s,2", "NaN/s,1", "Inf/s,1", "5/s,20,1", "off"} {
		if c, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", bad, c)
		}
	}
}

func TestConfigString(t *testing.T) {
	for spec, want := range map[string]string{"5/s,20": "5/s,20", "30/m,10": "0.5/s,10", "0": "0"} {
		c, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", spec, got, want)
		}
		if again, err := Parse(c.String()); err != nil || again.Rate != c.Rate || again.Burst != c.Burst {
			t.Errorf("%q does not read back: %+v, %v", c.String(), again, err)
		}
	}
	if got := (Config{Rate: rate.Every(time.Second), Burst: 2}).String(); got != "1/s,2" {
		t.Errorf("String = %q", got)
	}
}
