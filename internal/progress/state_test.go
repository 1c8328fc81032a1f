package progress

import (
	"testing"
	"time"
)

func TestStateStep(t *testing.T) {
	var st State
	st.Step("intro/hello").Attempts++
	st.Step("intro/hello").Attempts++
	if got, want := st.Steps["intro/hello"].Attempts, 2; got != want {
		t.Errorf("got %d attempts, want %d", got, want)
	}
}

func TestStatePassed(t *testing.T) {
	st := State{Steps: map[string]*StepState{
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
	var st State
	st.Step("a/b").Skipped = true
	st.Pass("a/b", first)
	st.Pass("a/b", later)
	step := st.Step("a/b")
	if !step.Passed || step.Skipped {
		t.Errorf("got passed=%v skipped=%v, want passed=true skipped=false", step.Passed, step.Skipped)
	}
	if !step.PassedAt.Equal(first) || step.PassedAt.Location() != time.UTC {
		t.Errorf("got PassedAt %v, want %v in UTC", step.PassedAt, first.UTC())
	}
}
