package main

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Phase is one turn of a process: an Update arrives (the first one with the start), its handler runs
// Local local activities and answers, then the process runs Activities activities at once (mails,
// signals to other processes), and Upserts search-attribute upserts.
type Phase struct {
	Local      int `json:"local"`
	Activities int `json:"activities"`
	Upserts    int `json:"upserts"`
}

// BareInput is the shape of a flow: its phases, and how long it stays open after the last one (an
// order's process stays while its lines wait).
type BareInput struct {
	Phases []Phase       `json:"phases"`
	Open   time.Duration `json:"open"`
}

// updateStep is the name of every bare Update: one per phase.
const updateStep = "step"

// bareKeyword is the search attribute the bare workflow upserts (one the stack registers).
var bareKeyword = temporal.NewSearchAttributeKeyKeyword("ClcState")

// Bare is a workflow with nothing in it but the flow's shape: no-op local activities, no-op activities,
// upserts, in the order the real process has them.
func Bare(ctx workflow.Context, in BareInput) error {
	next := 0
	answered := -1
	err := workflow.SetUpdateHandler(ctx, updateStep, func(ctx workflow.Context) (int, error) {
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
