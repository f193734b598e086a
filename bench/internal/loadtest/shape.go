package loadtest

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Phase is one turn of a process: an Update arrives (the first one with the start), its handler runs
// Local local activities and answers, then the process runs Activities activities at once (mails,
// signals to other processes), and Upserts search-attribute upserts, and last After local activities
// (a bulk assignment's process records its end once its orders are applied).
type Phase struct {
	Local      int `json:"local"`
	Activities int `json:"activities"`
	Upserts    int `json:"upserts"`
	After      int `json:"after,omitempty"`
}

// BareInput is the shape of a flow: its phases, and how long it stays open after the last one (an
// order's process stays while its lines wait).
type BareInput struct {
	Phases []Phase       `json:"phases"`
	Open   time.Duration `json:"open"`
}

// UpdateStep is the name of every bare Update: one per phase.
const UpdateStep = "step"

// bareKeyword is the search attribute the bare workflow upserts (one the stack registers).
var bareKeyword = temporal.NewSearchAttributeKeyKeyword("ClcState")

// StartShapeWorker dials the stack's Temporal frontend and runs a worker of ShapeWorkflow on queue, so
// a tool can time the bare shape of a flow on the flow's own server; the SDK logs only warnings. It
// exits the tool when either fails, and returns the client and a function that stops both.
func StartShapeWorker(address, namespace, queue string) (client.Client, func()) {
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: address, Namespace: namespace, Logger: quiet})
	if err != nil {
		log.Fatalf("dial Temporal %s: %v", address, err)
	}
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(ShapeWorkflow)
	w.RegisterActivity(Noop)
	if err := w.Start(); err != nil {
		c.Close()
		log.Fatal(err)
	}
	return c, func() {
		w.Stop()
		c.Close()
	}
}

// ShapeWorkflow is a workflow with nothing in it but the flow's shape: no-op local activities, no-op activities,
// upserts, in the order the real process has them.
func ShapeWorkflow(ctx workflow.Context, in BareInput) error {
	next := 0
	answered := -1
	err := workflow.SetUpdateHandler(ctx, UpdateStep, func(ctx workflow.Context) (int, error) {
		i := next
		next++
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		for range in.Phases[i].Local {
			if err := workflow.ExecuteLocalActivity(lctx, NoopLocal).Get(ctx, nil); err != nil {
				return 0, err
			}
		}
		answered = i
		return i, nil
	})
	if err != nil {
		return err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for i, p := range in.Phases {
		if err := workflow.Await(ctx, func() bool { return answered >= i }); err != nil {
			return err
		}
		var fs []workflow.Future
		for range p.Activities {
			fs = append(fs, workflow.ExecuteActivity(actx, Noop))
		}
		for u := range p.Upserts {
			_ = workflow.UpsertTypedSearchAttributes(ctx, bareKeyword.ValueSet("S"+string(rune('0'+u%10))))
		}
		for _, f := range fs {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		for range p.After {
			if err := workflow.ExecuteLocalActivity(lctx, NoopLocal).Get(ctx, nil); err != nil {
				return err
			}
		}
	}
	if in.Open > 0 {
		if err := workflow.Sleep(ctx, in.Open); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// NoopLocal stands in for a store step.
func NoopLocal(context.Context) error { return nil }

// Noop stands in for a mail, a signal or a call.
func Noop(context.Context) error { return nil }

// ShapeOf counts a real process's history by phase (each Update accepted begins one) and in total.
func ShapeOf(ctx context.Context, c client.Client, workflowID string) (BareInput, map[string]int) {
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var sc shapeCounter
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			log.Fatalf("history of %s: %v", workflowID, err)
		}
		sc.add(e.GetEventType())
	}
	shape, counts := sc.shape, sc.counts
	d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		// The real process stays open (an order's waits for its assignment): so does the bare one.
		shape.Open = 10 * time.Minute
	}
	return shape, counts
}

// shapeCounter is ShapeOf's count, event by event of a history.
type shapeCounter struct {
	shape  BareInput
	counts map[string]int
	// answered is set once the current phase's Update completed: a local activity after it is one the
	// process runs after its answer, not one the answer waits for.
	answered bool
}

func (sc *shapeCounter) cur() *Phase {
	if len(sc.shape.Phases) == 0 {
		sc.shape.Phases = append(sc.shape.Phases, Phase{})
	}
	return &sc.shape.Phases[len(sc.shape.Phases)-1]
}

func (sc *shapeCounter) add(t enumspb.EventType) {
	if sc.counts == nil {
		sc.counts = map[string]int{}
	}
	sc.counts["events"]++
	switch t {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
		sc.counts["updates"]++
		if sc.counts["updates"] > 1 || len(sc.shape.Phases) > 0 && *sc.cur() != (Phase{}) {
			sc.shape.Phases = append(sc.shape.Phases, Phase{})
		}
		sc.answered = false
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
		sc.answered = true
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		sc.counts["workflowTasks"]++
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		sc.counts["localActivities"]++
		if sc.answered {
			sc.cur().After++
		} else {
			sc.cur().Local++
		}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		sc.counts["activities"]++
		sc.cur().Activities++
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		sc.counts["upserts"]++
		sc.cur().Upserts++
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
		sc.counts["children"]++
	case enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
		sc.counts["signals"]++
	case enumspb.EVENT_TYPE_TIMER_STARTED:
		sc.counts["timers"]++
	}
}

// RunBare times n operations of the bare workflow: the timed phase's Update (with the start when it is
// the first), the phases before it run first, untimed. It returns each operation's latency, the wall
// time and the failures, as Parallel does.
func RunBare(ctx context.Context, c client.Client, queue string, shape BareInput, timed, clients, n int,
	run string) ([]time.Duration, time.Duration, int) {
	id := func(i int) string { return fmt.Sprintf("ceiling/%s/%d", run, i) }
	start := func(i int) error {
		op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: id(i), TaskQueue: queue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, ShapeWorkflow, shape)
		h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateName: UpdateStep, WaitForStage: client.WorkflowUpdateStageCompleted}})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		return err
	}
	step := func(i int) error {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id(i), UpdateName: UpdateStep,
			WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		return err
	}
	if timed > 0 {
		_, _, failed := Parallel(clients, n, func(i int) (time.Duration, error) {
			err := start(i)
			for p := 1; p < timed && err == nil; p++ {
				err = step(i)
			}
			return 0, err
		})
		if failed > 0 {
			log.Fatalf("%d bare setups failed", failed)
		}
	}
	lat, elapsed, failed := Parallel(clients, n, func(i int) (time.Duration, error) {
		t := time.Now()
		op := step
		if timed == 0 {
			op = start
		}
		err := op(i)
		return time.Since(t), err
	})
	if failed > 0 {
		log.Printf("%d bare operations failed", failed)
	}
	return lat, elapsed, failed
}
