package app

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/progress"
)

// testSession is a session over the built-in course with progress in a
// fresh directory.
func testSession(t *testing.T) *session {
	t.Helper()
	course, err := loadCourse("")
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	return &session{
		s:      &IOStreams{Out: &bytes.Buffer{}, Err: &errOut, Getenv: func(string) string { return "" }},
		course: course,
		store:  progress.Open(t.TempDir()),
	}
}

func TestRecordCheckKeepsAGotoMadeMeanwhile(t *testing.T) {
	steps := testSession(t).course.Steps()
	checked, elsewhere := steps[0], steps[5]
	tests := []struct {
		name      string
		passed    bool
		goTo      bool // a lab goto runs while the check does
		want      string
		wantMoved bool
	}{
		{"pass, nobody moved", true, false, steps[1].Key(), true},
		{"fail, nobody moved", false, false, checked.Key(), true},
		{"pass, goto meanwhile", true, true, elsewhere.Key(), false},
		{"fail, goto meanwhile", false, true, elsewhere.Key(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := testSession(t)
			if err := ss.update(func(st *progress.State) error {
				ss.progress(st).Current = checked.Key()
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			// lab next loaded progress and now runs the check...
			if _, err := ss.load(); err != nil {
				t.Fatal(err)
			}
			if tt.goTo {
				if err := ss.update(func(st *progress.State) error {
					ss.progress(st).Current = elsewhere.Key()
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			moved, err := ss.recordCheck(checked, tt.passed, "/ws", false)
			if err != nil {
				t.Fatal(err)
			}
			st, err := ss.load()
			if err != nil {
				t.Fatal(err)
			}
			cs := ss.progress(st)
			if cs.Current != tt.want || moved != tt.wantMoved {
				t.Errorf("got current %q moved %v, want %q and %v", cs.Current, moved, tt.want, tt.wantMoved)
			}
			if got := cs.Passed(checked.Key()); got != tt.passed {
				t.Errorf("got passed %v, want %v", got, tt.passed)
			}
			if got := cs.Step(checked.Key()).Attempts; got != 1 {
				t.Errorf("got %d attempts, want 1", got)
			}
			if tt.passed && cs.Step(checked.Key()).Hash != checked.Hash {
				t.Errorf("got step hash %q, want the step's %q", cs.Step(checked.Key()).Hash, checked.Hash)
			}
		})
	}
}

func TestParallelSkipsSkipDifferentSteps(t *testing.T) {
	const n = 10
	ss := testSession(t)
	var wg sync.WaitGroup
	skipped := make(chan string, n)
	for range n {
		wg.Go(func() {
			step, _, err := ss.skipCurrent()
			if err != nil {
				t.Error(err)
				return
			}
			skipped <- step.Key()
		})
	}
	wg.Wait()
	close(skipped)
	seen := map[string]bool{}
	for k := range skipped {
		if seen[k] {
			t.Errorf("got %s skipped twice, want each skip to skip its own step", k)
		}
		seen[k] = true
	}
	st, err := ss.load()
	if err != nil {
		t.Fatal(err)
	}
	cs := ss.progress(st)
	steps := ss.course.Steps()
	for _, step := range steps[:n] {
		if !cs.Skipped(step.Key()) {
			t.Errorf("got %s not skipped, want the first %d steps skipped", step.Key(), n)
		}
	}
	if cs.Current != steps[n].Key() {
		t.Errorf("got current %q, want %q", cs.Current, steps[n].Key())
	}
}

func TestSkipAtTheEnd(t *testing.T) {
	ss := testSession(t)
	if err := ss.update(func(st *progress.State) error {
		for _, step := range ss.course.Steps() {
			ss.progress(st).Pass(step.Key(), step.Hash, time.Now())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err := ss.skipCurrent()
	var usage *usageError
	if !errors.As(err, &usage) {
		t.Errorf("got error %v, want a usage error", err)
	}
}
