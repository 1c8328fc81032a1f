package features

import (
	"testing"

	"github.com/lab-workshop/lab/lessons"
)

// Options.Skip reports the steps it names as skipped with its reason and
// checks the others.
func TestRunSkipsWhatSkipNames(t *testing.T) {
	course := testCourse(t, map[string]string{
		"a-checked": dockerNewEnough,
		"b-skipped": dockerTooOld,
	}, nil)
	skip := func(s *lessons.Step) string {
		if s.ID == "b-skipped" {
			return "not here"
		}
		return ""
	}
	rep := runFaked(t, course.Steps(), Options{Skip: skip})
	if got := rep.Results[0].Status; got != StatusPassed {
		t.Errorf("a-checked: %s, want passed", got)
	}
	if got := rep.Results[1]; got.Status != StatusSkipped || got.Reason != "not here" || len(got.Checks) != 0 {
		t.Errorf("b-skipped: %s %q with %d checks, want skipped \"not here\" and no check run", got.Status, got.Reason, len(got.Checks))
	}
	if err := rep.Err(); err != nil {
		t.Errorf("a run with a pass and a skip: %v", err)
	}
}
