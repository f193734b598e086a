package main

import (
	"runtime/debug"
	"testing"
)

// The dev stack bounds its heap unless the operator's GOMEMLIMIT says otherwise.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	got := limitMemory(func(string) string { return "" })
	if got != devMemoryLimit || debug.SetMemoryLimit(-1) != devMemoryLimit {
		t.Fatalf("without GOMEMLIMIT: limit %d, in force %d, want %d", got, debug.SetMemoryLimit(-1), devMemoryLimit)
	}
	debug.SetMemoryLimit(1 << 30) // as the runtime would have read GOMEMLIMIT=1GiB
	env := func(k string) string { return map[string]string{"GOMEMLIMIT": "1GiB"}[k] }
	if got := limitMemory(env); got != 1<<30 || debug.SetMemoryLimit(-1) != 1<<30 {
		t.Fatalf("with GOMEMLIMIT=1GiB: limit %d, in force %d, want it left at 1 GiB", got, debug.SetMemoryLimit(-1))
	}
}
