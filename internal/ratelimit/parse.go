package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Parse reads a limit written "RATE/UNIT,BURST": RATE requests (a positive number) per UNIT (s, m or
// h), and up to BURST (a positive integer) at once; "5/s,20", "30/m,10", "0.5/s,3". "0" disables the
// limit. Spaces around the parts are ignored. Idle, MaxKeys and Now are left for New to default.
func Parse(spec string) (Config, error) {
	spec = strings.TrimSpace(spec)
	if spec == "0" {
		return Config{}, nil
	}
	perUnit, burst, ok := strings.Cut(spec, ",")
	if !ok {
		return Config{}, fmt.Errorf("rate limit %q: want RATE/UNIT,BURST (e.g. 5/s,20) or 0", spec)
	}
	n, unit, ok := strings.Cut(perUnit, "/")
	if !ok {
		return Config{}, fmt.Errorf("rate limit %q: want RATE/UNIT before the comma (e.g. 5/s)", spec)
	}
	per, err := parseUnit(strings.TrimSpace(unit))
	if err != nil {
		return Config{}, fmt.Errorf("rate limit %q: %w", spec, err)
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	if err != nil || r <= 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return Config{}, fmt.Errorf("rate limit %q: rate must be a positive number, or the whole limit 0", spec)
	}
	b, err := strconv.Atoi(strings.TrimSpace(burst))
	if err != nil || b < 1 {
		return Config{}, fmt.Errorf("rate limit %q: burst must be a positive integer", spec)
	}
	return Config{Rate: rate.Limit(r / per.Seconds()), Burst: b}, nil
}

func parseUnit(u string) (time.Duration, error) {
	switch u {
	case "s":
		return time.Second, nil
	case "m":
		return time.Minute, nil
	case "h":
		return time.Hour, nil
	}
	return 0, errors.New("unit must be s, m or h")
}
