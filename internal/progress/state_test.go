package progress

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestStateStep(t *testing.T) {
	var st State
	st.Course("c").Step("intro/hello").Attempts++
	st.Course("c").Step("intro/hello").Attempts++
	if got, want := st.Courses["c"].Steps["intro/hello"].Attempts, 2; got != want {
		t.Errorf("got %d attempts, want %d", got, want)
	}
}

func TestStatePassed(t *testing.T) {
	st := CourseState{Steps: map[string]*StepState{
		"a/passed":  {Passed: true},
		"a/tried":   {Attempts: 3},
		"a/nilstep": nil,
	}}
	tests := []struct {
		key  string
		want bool
	}{
		{"a/passed", true},
		{"a/tried", false},
		{"a/nilstep", false},
		{"a/unknown", false},
	}
	for _, tt := range tests {
		if got := st.Passed(tt.key); got != tt.want {
			t.Errorf("Passed(%q): got %v, want %v", tt.key, got, tt.want)
		}
	}
	if _, ok := st.Steps["a/unknown"]; ok {
		t.Errorf("got an entry for a/unknown after Passed, want none")
	}
}

func TestStatePass(t *testing.T) {
	first := time.Date(2025, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	later := first.Add(time.Hour)
	var st CourseState
	st.Step("a/b").Skipped = true
	st.Pass("a/b", "h1", first)
	st.Pass("a/b", "h2", later)
	step := st.Step("a/b")
	if !step.Passed || step.Skipped {
		t.Errorf("got passed=%v skipped=%v, want passed=true skipped=false", step.Passed, step.Skipped)
	}
	if step.Hash != "h2" {
		t.Errorf("got hash %q, want the last pass's %q", step.Hash, "h2")
	}
	if !step.PassedAt.Equal(first) || step.PassedAt.Location() != time.UTC {
		t.Errorf("got PassedAt %v, want %v in UTC", step.PassedAt, first.UTC())
	}
}

func TestCourseStateChanged(t *testing.T) {
	st := CourseState{Steps: map[string]*StepState{
		"a/same":    {Passed: true, Hash: "h"},
		"a/other":   {Passed: true, Hash: "old"},
		"a/nohash":  {Passed: true},
		"a/skipped": {Skipped: true, Hash: "old"},
	}}
	tests := []struct {
		key  string
		want bool
	}{
		{"a/same", false},
		{"a/other", true},
		{"a/nohash", false},
		{"a/skipped", false},
		{"a/unknown", false},
	}
	for _, tt := range tests {
		if got := st.Changed(tt.key, "h"); got != tt.want {
			t.Errorf("Changed(%q): got %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestCourseStateMoveOn(t *testing.T) {
	tests := []struct {
		name, current, from, next, want string
	}{
		{"still on the checked step", "a/1", "a/1", "a/2", "a/2"},
		{"no step in particular", "", "a/1", "a/2", "a/2"},
		{"went elsewhere meanwhile", "b/7", "a/1", "a/2", "b/7"},
		{"last step", "a/9", "a/9", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CourseState{Current: tt.current}
			c.MoveOn(tt.from, tt.next)
			if c.Current != tt.want {
				t.Errorf("got current %q, want %q", c.Current, tt.want)
			}
		})
	}
}

func TestCourseStateSetupDone(t *testing.T) {
	tests := []struct {
		name         string
		current, ran string
		key          string
		want         bool
	}{
		{"ran for the current step", "drills/a", "drills/a", "drills/a", true},
		{"never ran", "drills/a", "", "drills/a", false},
		{"ran for a step left since", "drills/b", "drills/a", "drills/a", false},
		{"ran for another step", "drills/a", "drills/b", "drills/a", false},
	}
	for _, tt := range tests {
		c := &CourseState{Current: tt.current, SetupRan: tt.ran}
		if got := c.SetupDone(tt.key); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestStateBegin(t *testing.T) {
	first := time.Date(2026, 12, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	var st CourseState
	if got := st.StartedAt("a/b"); !got.IsZero() {
		t.Errorf("StartedAt of a step never reached = %v, want zero", got)
	}
	if len(st.Steps) != 0 {
		t.Errorf("StartedAt added an entry: %v", st.Steps)
	}
	st.Begin("a/b", first)
	st.Begin("a/b", first.Add(time.Hour)) // coming back later
	st.Begin("", first)
	if got := st.StartedAt("a/b"); !got.Equal(first) || got.Location() != time.UTC {
		t.Errorf("StartedAt = %v, want the first time %v in UTC", got, first.UTC())
	}
	if len(st.Steps) != 1 {
		t.Errorf("Begin with no key added an entry: %v", st.Steps)
	}
}

// Progress written before lab kept start times loads, and a start time
// round-trips.
func TestStartedAtJSON(t *testing.T) {
	var old StepState
	if err := json.Unmarshal([]byte(`{"passed":true,"attempts":2}`), &old); err != nil || !old.StartedAt.IsZero() {
		t.Errorf("old step state: %+v, %v; want it read with no start time", old, err)
	}
	at := time.Date(2026, 12, 2, 10, 0, 0, 5, time.UTC)
	data, err := json.Marshal(StepState{StartedAt: at})
	if err != nil || string(data) != `{"started_at":"2026-12-02T10:00:00.000000005Z"}` {
		t.Errorf("got %s, %v", data, err)
	}
	if data, _ := json.Marshal(StepState{Attempts: 1}); strings.Contains(string(data), "started_at") {
		t.Errorf("a step never reached writes %s, want no started_at", data)
	}
}
