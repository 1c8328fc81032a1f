package class

import (
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/class/learner"
)

func TestBuildGridStatesAndTimes(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	r := func(who, step string, idx int, verdict string, min int, codes ...string) Result {
		return Result{Learner: who, Record: learner.Record{Step: step, Index: idx, Verdict: verdict, Codes: codes, At: at(min), Summary: "boom"}}
	}
	ls := []*Learner{{ID: "a", Name: "Ana"}, {ID: "b", Name: "Bo"}, {ID: "c", Name: "Cy"}, {ID: "d", Name: "Dee"}, {ID: "e", Name: "Eve"}}
	rs := []Result{
		r("a", "l/one", 1, "passed", 0),
		r("a", "l/two", 2, "failed", 10, "not-running"),
		r("a", "l/two", 2, "passed", 14),
		r("a", "l/two", 2, "passed", 40), // a later lab verify
		r("b", "l/one", 1, "failed", 50),
		r("b", "l/one", 1, "failed", 51),
		r("c", "l/one", 1, "passed", 0),
		r("c", "l/two", 2, "failed", 5, "port-mismatch"), // on it for 55 minutes by now
		r("e", "l/one", 1, "failed", 58),                 // a lab verify of everything
		r("e", "l/two", 2, "failed", 58),
	}
	g := BuildGrid(&Class{Name: "x"}, ls, rs, Stuck{After: 30 * time.Minute, Failures: 3}, at(60))

	if len(g.Steps) != 2 || g.Steps[0].Key != "l/one" || g.Steps[1].Key != "l/two" {
		t.Fatalf("steps %v, want l/one, l/two in course order", g.Steps)
	}
	states := map[string][2]string{}
	for _, row := range g.Rows {
		states[row.Learner.Name] = [2]string{row.Cells[0].State, row.Cells[1].State}
	}
	want := map[string][2]string{
		"Ana": {CellPassed, CellPassed},
		"Bo":  {CellCurrent, CellNone},   // two failures in a row, under three
		"Cy":  {CellPassed, CellStuck},   // 55 minutes on l/two, over 30
		"Dee": {CellNone, CellNone},      // joined, no result yet
		"Eve": {CellCurrent, CellFailed}, // on the first step that failed
	}
	for name, w := range want {
		if states[name] != w {
			t.Errorf("%s: cells %v, want %v", name, states[name], w)
		}
	}
	if spent := g.Rows[0].Cells[1].Spent; spent != 14*time.Minute {
		t.Errorf("Ana spent %v on l/two, want 14m (from passing l/one to passing l/two)", spent)
	}
	if g.Steps[1].Median != 14*time.Minute || g.Steps[1].Passed != 1 || g.Steps[1].Attempts != 5 {
		t.Errorf("l/two: median %v, %d passed, %d attempts; want 14m, 1, 5", g.Steps[1].Median, g.Steps[1].Passed, g.Steps[1].Attempts)
	}
	if g.Steps[0].TopFailure != "boom" || g.Steps[0].TopCount != 3 {
		t.Errorf("l/one's top failure %q ×%d, want the summary's first line (no codes) ×3", g.Steps[0].TopFailure, g.Steps[0].TopCount)
	}
	if g.Stuck() != 1 {
		t.Errorf("Stuck() = %d, want 1", g.Stuck())
	}
}

// The instructor's verdict on a step wins over the learner's own reports,
// before or after it, and a verified step is never the one they are on.
func TestBuildGridVerifiedWins(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	r := func(who, step string, idx int, verdict string, min int, verified bool, codes ...string) Result {
		return Result{Learner: who, Verified: verified, Record: learner.Record{
			Step: step, Index: idx, Verdict: verdict, Codes: codes, At: t0.Add(time.Duration(min) * time.Minute)}}
	}
	ls := []*Learner{{ID: "a", Name: "Ana"}, {ID: "b", Name: "Bo"}, {ID: "c", Name: "Cy"}}
	rs := []Result{
		r("a", "k/deploy", 1, "passed", 0, false),
		r("a", "k/deploy", 1, "failed", 5, true, "not-ready"), // the instructor found it broken
		r("a", "k/deploy", 1, "passed", 9, false),             // a later self-report does not undo that
		r("b", "k/deploy", 1, "failed", 1, false, "no-such-object"),
		r("b", "k/deploy", 1, "failed", 2, false, "no-such-object"),
		r("b", "k/deploy", 1, "failed", 3, false, "no-such-object"),
		r("b", "k/deploy", 1, "passed", 4, true), // stuck by their reports, passed when checked
		r("c", "k/service", 2, "failed", 1, true, "port-mismatch"),
		r("c", "k/service", 2, "passed", 2, true), // the latest verdict stands
	}
	g := BuildGrid(&Class{Name: "x"}, ls, rs, Stuck{Failures: 3}, t0.Add(time.Hour))
	type want struct {
		state, label string
		verified     bool
	}
	wants := map[string][]want{
		"Ana": {{CellFailed, "failed, verified", true}, {CellNone, "", false}},
		"Bo":  {{CellPassed, "passed, verified", true}, {CellNone, "", false}},
		"Cy":  {{CellNone, "", false}, {CellPassed, "passed, verified", true}},
	}
	for _, row := range g.Rows {
		for i, w := range wants[row.Learner.Name] {
			c := row.Cells[i]
			if c.State != w.state || c.Label() != w.label || c.Verified != w.verified {
				t.Errorf("%s, %s: state %q label %q verified %v; want %q %q %v",
					row.Learner.Name, g.Steps[i].Key, c.State, c.Label(), c.Verified, w.state, w.label, w.verified)
			}
		}
		if row.Current != "" {
			t.Errorf("%s is on %s, want on no step: every step they tried is verified", row.Learner.Name, row.Current)
		}
	}
	if g.Stuck() != 0 {
		t.Errorf("Stuck() = %d, want 0: Bo's step was verified passed", g.Stuck())
	}
	if g.Steps[0].Passed != 1 || g.Steps[1].Passed != 1 {
		t.Errorf("passed per step %d, %d; want 1, 1 (Ana's self-reported pass does not count against the verified failure)", g.Steps[0].Passed, g.Steps[1].Passed)
	}
	if got := g.Rows[0].Cells[0].Last; got != "not-ready" {
		t.Errorf("Ana's last failure %q, want the verified one, not-ready", got)
	}
}
