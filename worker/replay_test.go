package worker_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/licensecentral/clc/process"
	clcworker "github.com/licensecentral/clc/worker"
)

// TestRecordedHistoriesReplay replays the histories the end-to-end suite recorded (testdata/histories,
// refreshed with CLC_RECORD_HISTORIES=1, see the README) against today's workflow code: a change that
// would make a running process take another path than it took fails here, before it ships, instead of
// failing that process with a non-determinism error after the deploy.
func TestRecordedHistoriesReplay(t *testing.T) {
	// kept/ holds histories of paths the code no longer takes but processes still open may be on.
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := filepath.Glob(filepath.Join("testdata", "histories", "kept", "*.json"))
	files = append(files, kept...)
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	types := map[string]int{}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			clcworker.RegisterWorkflows(r)
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			h, err := client.HistoryFromJSON(fh, client.HistoryJSONOptions{})
			if err != nil {
				t.Fatalf("read %s: %v", f, err)
			}
			if err := r.ReplayWorkflowHistory(nil, h); err != nil {
				t.Fatalf("%s no longer replays: %v", f, err)
			}
		})
		types[strings.SplitN(filepath.Base(f), "-", 2)[0]]++
	}
	// Every workflow type the worker runs has recorded paths.
	for _, name := range workflowNames() {
		if types[name] == 0 {
			t.Errorf("no recorded history of %s", name)
		}
	}
}

func workflowNames() []string {
	return []string{process.WorkflowSACreate, process.WorkflowDomainApproval, process.WorkflowAccessRequest,
		process.WorkflowSMBUpgrade, process.WorkflowOrder, process.WorkflowDelegation}
}
