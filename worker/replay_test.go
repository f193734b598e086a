package worker_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

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
	// Every workflow type the worker runs has recorded paths: a type registered without any fails here
	// until the end-to-end test that runs it is recorded (CLC_RECORD_HISTORIES=TypeName, see the README).
	for _, name := range registeredWorkflows() {
		_, pending := notYetRecorded[name]
		switch {
		case types[name] == 0 && !pending:
			t.Errorf("no recorded history of %s", name)
		case types[name] > 0 && pending:
			t.Errorf("%s has recorded histories now: remove it from notYetRecorded", name)
		}
	}
}

// notYetRecorded are registered types whose histories are being recorded on another branch, each with
// why; an entry goes once its histories land (the test above says when).
var notYetRecorded = map[string]string{}

// names is a WorkflowRegistry that keeps only the names registered on it.
type names []string

func (n *names) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	*n = append(*n, o.Name)
}

// registeredWorkflows are the workflow types RegisterWorkflows gives the worker, sorted.
func registeredWorkflows() []string {
	var n names
	clcworker.RegisterWorkflows(&n)
	slices.Sort(n)
	return n
}
