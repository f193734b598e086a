package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// historiesDir is where the replay test (worker/replay_test.go) reads the recorded histories from.
const historiesDir = "../../worker/testdata/histories"

// maxPerType bounds how many histories of one workflow type are kept: the first of each distinct shape
// (the sequence of commands and the messages it received) in workflow-id order, so a refresh of an
// unchanged suite mostly rewrites the same files.
const maxPerType = 12

// recordHistories writes, when CLC_RECORD_HISTORIES=1, the history of each distinct path the suite's
// workflows took into historiesDir, replacing what was there. Running workflows are kept too: a
// process waiting for a person is the state a deploy meets most often. CLC_RECORD_HISTORIES set to
// workflow types (comma-separated: Digest,TrainingRequest) records and replaces only theirs, so the
// tests that run them (-run) are enough and the other types' files are left as they were.
func recordHistories(ctx context.Context, c client.Client, namespace string) error {
	only, all := recordTypes(os.Getenv("CLC_RECORD_HISTORIES"))
	if !all && len(only) == 0 {
		return nil
	}
	execs, err := listExecutions(ctx, c, namespace)
	if err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(historiesDir, "*.json"))
	for _, f := range old {
		if !all && !only[strings.SplitN(filepath.Base(f), "-", 2)[0]] {
			continue
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(historiesDir, 0o755); err != nil {
		return err
	}
	seen, perType := map[string]bool{}, map[string]int{}
	for _, ex := range execs {
		if !all && !only[ex.typ] {
			continue
		}
		h, err := history(ctx, c, ex.id, ex.run)
		if err != nil {
			return fmt.Errorf("history of %s: %w", ex.id, err)
		}
		sig := shape(h)
		key := ex.typ + "\n" + sig
		if seen[key] || perType[ex.typ] >= maxPerType {
			continue
		}
		seen[key] = true
		perType[ex.typ]++
		sum := sha256.Sum256([]byte(sig))
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(h)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%s-%s.json", ex.typ, hex.EncodeToString(sum[:])[:10])
		if err := os.WriteFile(filepath.Join(historiesDir, name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "recorded histories of %d workflows (%v) in %s\n", len(seen), perType, historiesDir)
	return nil
}

// recordTypes reads CLC_RECORD_HISTORIES: "1" records every type, a list of types only those.
func recordTypes(v string) (map[string]bool, bool) {
	if v == "1" {
		return nil, true
	}
	only := map[string]bool{}
	for _, typ := range strings.Split(v, ",") {
		if typ = strings.TrimSpace(typ); typ != "" {
			only[typ] = true
		}
	}
	return only, false
}

type execution struct{ id, run, typ string }

func listExecutions(ctx context.Context, c client.Client, namespace string) ([]execution, error) {
	var out []execution
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: namespace, PageSize: 1000, NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, e := range resp.Executions {
			out = append(out, execution{id: e.Execution.WorkflowId, run: e.Execution.RunId, typ: e.Type.Name})
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id+out[i].run < out[j].id+out[j].run })
	return out, nil
}

func history(ctx context.Context, c client.Client, id, run string) (*historypb.History, error) {
	it := c.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}

// shape names the path a history took: the events that the workflow's code decides or reacts to, with
// the activity, timer-free signal and update names, leaving out the workflow-task bookkeeping.
func shape(h *historypb.History) string {
	var parts []string
	for _, ev := range h.Events {
		t := ev.EventType
		switch t {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
			enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
			enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			continue
		}
		p := strings.TrimPrefix(t.String(), "EVENT_TYPE_")
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			p += ":" + a.ActivityType.GetName()
		}
		if a := ev.GetWorkflowExecutionSignaledEventAttributes(); a != nil {
			p += ":" + a.SignalName
		}
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			p += ":" + a.AcceptedRequest.GetInput().GetName()
		}
		if len(parts) > 0 && parts[len(parts)-1] == p {
			continue
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}
