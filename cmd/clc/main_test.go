package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The worker mails the links, so it must not start without the secret they are derived from; the API
// does not need it.
func TestWorkerRefusesToStartWithoutALinkSecret(t *testing.T) {
	t.Setenv("CLC_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "clc.db"))
	// Nothing listens there: should the check be skipped, the worker fails at once instead of waiting.
	t.Setenv("CLC_TEMPORAL_ADDRESS", "127.0.0.1:1")
	t.Setenv("CLC_LOG_LEVEL", "error")
	for _, secret := range []string{"", "too-short"} {
		t.Setenv("CLC_LINK_SECRET", secret)
		err := run([]string{"worker"})
		if err == nil || !strings.Contains(err.Error(), "CLC_LINK_SECRET") {
			t.Errorf("CLC_LINK_SECRET=%q: worker error %v, want one naming CLC_LINK_SECRET", secret, err)
		}
	}
}
