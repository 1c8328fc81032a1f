package features

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/lessons"
)

// fakeRuns is a selftest runner that returns prepared results, one set per
// run, so repeat's comparison is tested without an engine.
func fakeRuns(runs ...[]*SelftestResult) func(context.Context, int) ([]*SelftestResult, error) {
	return func(_ context.Context, i int) ([]*SelftestResult, error) {
		return runs[i], nil
	}
}

func TestRepeatSelftest(t *testing.T) {
	lesson := &lessons.Lesson{ID: "drills"}
	steady := &lessons.Step{ID: "steady", Lesson: lesson}
	flaky := &lessons.Step{ID: "flaky", Lesson: lesson}
	pass := Phase{Name: "solved", OK: true, Observed: "passed"}
	fail := Phase{Name: "solved", Codes: []string{"restart-loop"}, Observed: `container "drill-web" keeps restarting`,
		Detail: "check failed after the reference solution: ..."}
	unsolved := Phase{Name: "unsolved", OK: true, Codes: []string{"not-running"}, Observed: `container "drill-web" is not running`}
	run := func(solved Phase) []*SelftestResult {
		return []*SelftestResult{
			{Step: steady, Phases: []Phase{unsolved, pass}},
			{Step: flaky, Phases: []Phase{unsolved, solved}},
		}
	}

	tests := []struct {
		name string
		runs [][]*SelftestResult
		want []string // "step phase" of each flaky proof
	}{
		{"the same verdicts", [][]*SelftestResult{run(pass), run(pass)}, nil},
		{"one run", [][]*SelftestResult{run(fail)}, nil},
		{"failing every time is not flaky", [][]*SelftestResult{run(fail), run(fail), run(fail)}, nil},
		{"passed, then failed", [][]*SelftestResult{run(pass), run(fail)}, []string{"drills/flaky solved"}},
		{"failed once of three", [][]*SelftestResult{run(pass), run(pass), run(fail)}, []string{"drills/flaky solved"}},
		{"a proof a run did not make", [][]*SelftestResult{run(pass), {{Step: steady, Phases: []Phase{unsolved}}, {Step: flaky, Phases: []Phase{unsolved, pass}}}},
			[]string{"drills/steady solved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, flakes, err := RepeatSelftest(context.Background(), len(tt.runs), fakeRuns(tt.runs...))
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != len(tt.runs) {
				t.Errorf("got %d runs, want %d", len(runs), len(tt.runs))
			}
			var got []string
			for _, f := range flakes {
				for _, p := range f.Phases {
					got = append(got, f.Step.Key()+" "+p.Name)
					if len(p.Runs) != len(tt.runs) {
						t.Errorf("%s %s: got %d observations, want one per run (%d)", f.Step.Key(), p.Name, len(p.Runs), len(tt.runs))
					}
				}
			}
			if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("got flaky %q, want %q", got, tt.want)
			}
		})
	}

	// The report of a flaky proof shows each run's verdict, codes and
	// first line of what was observed.
	_, flakes, _ := RepeatSelftest(context.Background(), 2, fakeRuns(run(pass), run(fail)))
	got := flakes[0].Phases[0].String()
	want := "solved:\n  run 1: ok [no code] passed\n  run 2: FAIL [restart-loop] container \"drill-web\" keeps restarting"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRepeatSelftestStops(t *testing.T) {
	if _, _, err := RepeatSelftest(context.Background(), 0, nil); err == nil {
		t.Error("0 runs: got no error, want one")
	}
	calls := 0
	boom := errors.New("no engine")
	runs, _, err := RepeatSelftest(context.Background(), 3, func(context.Context, int) ([]*SelftestResult, error) {
		calls++
		return nil, boom
	})
	if !errors.Is(err, boom) || calls != 1 || len(runs) != 1 {
		t.Errorf("got err %v after %d calls and %d runs, want %v after 1", err, calls, len(runs), boom)
	}
}
