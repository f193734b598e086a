package loadtest

import (
	"reflect"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
)

// The histories are those of a dev stack's processes (issue 10): a bulk assignment's records its end
// after its answer and its activity, an access request's answers after its one local activity.
func TestShapeCountsLocalActivitiesAfterTheAnswerApart(t *testing.T) {
	const (
		started   = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
		scheduled = enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
		begun     = enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED
		completed = enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
		accepted  = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
		answered  = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
		marker    = enumspb.EVENT_TYPE_MARKER_RECORDED
		activity  = enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
		actBegun  = enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED
		actDone   = enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
		upsert    = enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
		timer     = enumspb.EVENT_TYPE_TIMER_STARTED
		closed    = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
	)
	for _, tc := range []struct {
		name    string
		history []enumspb.EventType
		want    []Phase
		events  int
	}{
		{"assignment batch", []enumspb.EventType{started, scheduled, begun, completed, accepted, marker, activity, answered,
			actBegun, actDone, scheduled, begun, completed, marker, closed}, []Phase{{Local: 1, Activities: 1, After: 1}}, 15},
		{"access request", []enumspb.EventType{started, scheduled, begun, completed, accepted, marker, upsert, activity, timer,
			answered, actBegun, actDone, scheduled, begun, completed}, []Phase{{Local: 1, Activities: 1, Upserts: 1}}, 15},
		{"second update", []enumspb.EventType{started, scheduled, begun, completed, accepted, marker, answered, scheduled, begun,
			completed, accepted, marker, answered, marker}, []Phase{{Local: 1}, {Local: 1, After: 1}}, 14},
	} {
		var sc shapeCounter
		for _, e := range tc.history {
			sc.add(e)
		}
		if !reflect.DeepEqual(sc.shape.Phases, tc.want) || sc.counts["events"] != tc.events {
			t.Errorf("%s: phases %+v, %d events; want %+v, %d", tc.name, sc.shape.Phases, sc.counts["events"], tc.want, tc.events)
		}
	}
}
