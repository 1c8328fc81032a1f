package class

import (
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/internal/grade"
	"github.com/lab-workshop/lab/internal/receipt"
)

// An export holds one entry per person: each step's latest result, the
// instructor's verdict winning, a learner who joined twice as one, and a
// learner with no result listed with no step.
func TestReceiptsLatestPerStepVerifiedWins(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	r := func(who, step string, idx int, verdict string, min int, verified bool) Result {
		rec := learner.Record{Step: step, Index: idx, Verdict: verdict, At: t0.Add(time.Duration(min) * time.Minute),
			Course: "c", CourseHash: "h2", Lab: "v1"}
		if verdict == "failed" {
			rec.Codes, rec.Summary = []string{"not-ready"}, "3 pods expected"
		}
		return Result{Learner: who, Verified: verified, Record: rec}
	}
	ls := []*Learner{{ID: "a1", Name: "Ana"}, {ID: "b", Name: "Bo"}, {ID: "a2", Name: "ana"}, {ID: "c", Name: "Cy", Joined: t0}}
	rs := []Result{
		r("a1", "k/two", 2, "failed", 1, false),
		r("a1", "k/one", 1, "passed", 2, false),
		r("a2", "k/two", 2, "passed", 5, false), // Ana again, after joining a second time
		r("b", "k/one", 1, "failed", 1, true),
		r("b", "k/one", 1, "passed", 9, false), // the instructor's failure stands
		r("b", "k/two", 2, "passed", 3, false),
	}
	course := receipt.Course{ID: "c", Hash: "h1"}
	entries := Receipts(&Class{Name: "Docker 101"}, course, ls, rs)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3 (Ana once, Bo, Cy)", len(entries))
	}
	steps := func(rc *receipt.Receipt) string {
		var out []string
		for _, s := range rc.Steps {
			out = append(out, s.Key+"="+s.Status+"/"+s.Reason)
		}
		return strings.Join(out, " ")
	}
	for i, want := range []struct{ name, file, steps string }{
		{"Ana", `class "Docker 101": self-reported`, "k/one=passed/ k/two=passed/"},
		{"Bo", `class "Docker 101": 1 step(s) verified by the instructor, the rest self-reported`, "k/one=failed/verified by the instructor k/two=passed/"},
		{"Cy", `class "Docker 101": self-reported`, ""},
	} {
		e := entries[i]
		if e.Receipt.Student != want.name || e.File != want.file || steps(e.Receipt) != want.steps {
			t.Errorf("entry %d: %q from %q with %q; want %q from %q with %q", i, e.Receipt.Student, e.File, steps(e.Receipt), want.name, want.file, want.steps)
		}
	}
	if bo := entries[1].Receipt; !bo.Time.Equal(t0.Add(9*time.Minute)) || bo.Course.Hash != "h2" || bo.Lab != "v1" ||
		strings.Join(bo.Steps[0].Failures, "|") != "3 pods expected" || strings.Join(bo.Steps[0].Codes, ",") != "not-ready" {
		t.Errorf("Bo's entry %+v: want the time, course and lab of his latest result and the verified failure's summary and code", bo)
	}
	if cy := entries[2].Receipt; cy.Course != course || !cy.Time.Equal(t0) {
		t.Errorf("Cy's entry: course %v at %v; want the export's course, at the time Cy joined", cy.Course, cy.Time)
	}

	// Rolled up as lab grade does, Bo passed one step, and the verified
	// failure is the step's typical mistake.
	roll := grade.Roll(entries, grade.Options{Course: grade.Course{ID: "c", Hash: "h2"}, Origin: Origin})
	if got := roll.Columns[0].MistakeText(); got != "not-ready (1)" {
		t.Errorf("k/one's typical mistakes %q, want not-ready (1)", got)
	}
	for _, s := range roll.Students {
		if want := map[string]int{"Ana": 2, "Bo": 1, "Cy": 0}[s.Name]; s.Passed != want {
			t.Errorf("%s passed %d, want %d", s.Name, s.Passed, want)
		}
	}
}
