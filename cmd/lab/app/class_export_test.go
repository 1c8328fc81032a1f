package app_test

import (
	"context"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/lessons"
)

// classStoreCmd fills the class store FILE with the class "Docker 101" on
// the built-in course, for scripts: classstore FILE. Ana passed the first
// two steps (the second after a failure); Bo failed the first by his own
// lab and passed it when the instructor checked; Cy has no result yet; two
// learners' names are a spreadsheet formula and a terminal escape. A
// second class, "Other", is empty.
func classStoreCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: classstore FILE")
	}
	ctx := context.Background()
	course, err := lessons.Load(lessons.Content(), features.Files())
	ts.Check(err)
	st, err := class.Open(ctx, ts.MkAbs(args[0]))
	ts.Check(err)
	defer st.Close()
	c, _, err := st.CreateClass(ctx, "Docker 101")
	ts.Check(err)
	time.Sleep(2 * time.Millisecond) // classes are listed in the order they were made, to the millisecond
	_, _, err = st.CreateClass(ctx, "Other")
	ts.Check(err)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	rec := func(step string, index int, verdict, code string) learner.Record {
		n++
		r := learner.Record{Key: learner.NewKey(), Seq: int64(n), Step: step, Index: index, Verdict: verdict,
			DurationMS: 1500, Lab: "test", Course: course.ID, CourseHash: course.Hash, At: t0.Add(time.Duration(n) * time.Minute)}
		if code != "" {
			r.Codes, r.Summary = []string{code}, "the check of "+step+" failed"
		}
		return r
	}
	add := func(name string) *class.Learner {
		l, _, err := st.AddLearner(ctx, c.ID, name, learner.Readiness{})
		ts.Check(err)
		return l
	}
	post := func(l *class.Learner, recs ...learner.Record) {
		for _, r := range recs {
			_, err := st.AddResult(ctx, l, r, r.At)
			ts.Check(err)
		}
	}
	ana, bo := add("Ana"), add("Bo")
	add("Cy")
	post(ana, rec("docker-setup/cli", 1, "passed", ""), rec("docker-setup/engine", 2, "failed", "engine-down"), rec("docker-setup/engine", 2, "passed", ""))
	post(bo, rec("docker-setup/cli", 1, "failed", "cli-missing"))
	ts.Check(st.AddVerified(ctx, bo, rec("docker-setup/cli", 1, "passed", ""), t0.Add(time.Hour)))
	post(bo, rec("docker-setup/cli", 1, "failed", "cli-missing")) // later, by his own lab: the verdict stands
	post(add(`=HYPERLINK("http://evil","x")`), rec("docker-setup/cli", 1, "failed", "cli-missing"))
	post(add("Eve\x1b[31m"), rec("docker-setup/cli", 1, "passed", ""))
}
