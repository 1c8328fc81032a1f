package app

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/internal/result"
	cluster "github.com/lab-workshop/lab/sandbox/classcluster"
)

// In shared mode what follows the cluster (lab watch) sees the learner's
// context and namespace; outside it, the environment as it is.
func TestSharedModeGetenv(t *testing.T) {
	base := func(k string) string { return map[string]string{"HOME": "/h", "LAB_KUBE_CONTEXT": "kind-lab"}[k] }
	var none *sharedMode
	if got := none.getenv(base)("LAB_KUBE_CONTEXT"); got != "kind-lab" {
		t.Errorf("no shared mode: %q", got)
	}
	m := &sharedMode{file: "/state/class-cluster.kubeconfig", ClassContext: cluster.ClassContext{Context: "lab-ana", Marker: cluster.Marker{Namespace: "lab-ana"}}}
	get := m.getenv(base)
	for k, want := range map[string]string{"LAB_KUBE_CONTEXT": "lab-ana", "LAB_KUBE_NAMESPACE": "lab-ana", "KUBECONFIG": "/state/class-cluster.kubeconfig", "HOME": "/h"} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestSharedModeSkipsOwnClusterLessons(t *testing.T) {
	course, err := loadCourse("")
	if err != nil {
		t.Fatal(err)
	}
	m := &sharedMode{ClassContext: cluster.ClassContext{Marker: cluster.Marker{Namespace: "lab-ana"}}}
	var none *sharedMode
	for _, s := range course.Steps() {
		own := s.Lesson.ID == "kind"
		if got := m.skipReason(s) != ""; got != own {
			t.Errorf("%s skipped in shared mode: %v", s.Key(), got)
		}
		if none.skipReason(s) != "" {
			t.Errorf("%s skipped without shared mode", s.Key())
		}
	}
}

// lab class verify --class records the passed and failed steps of the
// learner named in the class as verified, leaves out what could not be
// checked, and refuses an unknown learner or class before any check runs.
func TestClassVerifyRecordsVerifiedResults(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "class.db")
	st, err := class.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, _, err := st.CreateClass(ctx, "Docker 101")
	if err != nil {
		t.Fatal(err)
	}
	// Joins come one after another, as they do in a class: the store keeps
	// join times to the millisecond and lists learners in that order.
	join := func(name string) *class.Learner {
		time.Sleep(3 * time.Millisecond)
		l, _, err := st.AddLearner(ctx, c.ID, name, learner.Readiness{})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	join("Bo Chen")
	first := join("Ana Lima")
	again := join("Ana Lima") // left and joined again
	s := &IOStreams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Getenv: func(string) string { return "" }}

	if _, err := openClassRecorder(ctx, s, dsn, "Docker 102", "Ana Lima"); err == nil || !strings.Contains(err.Error(), `no class named "Docker 102"`) {
		t.Errorf("an unknown class: %v", err)
	}
	_, err = openClassRecorder(ctx, s, dsn, "Docker 101", "Cy")
	var usage *usageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), `no learner named "Cy" in the class "Docker 101" (its learners: "Bo Chen", "Ana Lima", "Ana Lima"); lab class export --class "Docker 101" lists them`) {
		t.Errorf("an unknown learner: %v", err)
	}

	rec, err := openClassRecorder(ctx, s, dsn, "Docker 101", "ana lima")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.store.Close()
	if rec.learner.ID != again.ID || rec.learner.ID == first.ID {
		t.Errorf("found learner %s, want the latest to join under that name (%s)", rec.learner.ID, again.ID)
	}
	course, err := loadCourse("")
	if err != nil {
		t.Fatal(err)
	}
	steps, err := course.Select("kubernetes")
	if err != nil || len(steps) < 4 {
		t.Fatalf("kubernetes steps: %v, %v", steps, err)
	}
	rep := &result.Report{Results: []*result.Result{
		{Step: steps[0], Status: result.StatusPassed},
		{Step: steps[1], Status: result.StatusFailed, Checks: []result.CheckResult{{Status: result.StatusFailed, Err: "3 replicas expected\nobserved 1", Code: "replicas-mismatch"}}},
		{Step: steps[2], Status: result.StatusError, Reason: "the cluster did not answer"},
		{Step: steps[3], Status: result.StatusSkipped},
	}}
	if err := rec.record(ctx, s, course, rep); err != nil {
		t.Fatal(err)
	}
	if msg := s.Err.(*bytes.Buffer).String(); !strings.Contains(msg, `recorded 2 result(s) of "Ana Lima" in the class "Docker 101", marked verified by the instructor; 2 step(s) skipped or not checked are not recorded`) {
		t.Errorf("stderr: %q", msg)
	}
	rs, err := rec.store.Results(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d results stored, want 2: %+v", len(rs), rs)
	}
	for i, want := range []struct{ step, verdict, codes string }{
		{steps[0].Key(), "passed", ""}, {steps[1].Key(), "failed", "replicas-mismatch"},
	} {
		r := rs[i]
		if !r.Verified || r.Learner != again.ID || r.Record.Step != want.step || r.Record.Verdict != want.verdict ||
			strings.Join(r.Record.Codes, ",") != want.codes || r.Record.Index == 0 || r.Record.CourseHash != course.Hash {
			t.Errorf("result %d: %+v, verified %v; want %s %s %q, verified, of the latest Ana Lima", i, r.Record, r.Verified, want.step, want.verdict, want.codes)
		}
	}
	if rs[1].Record.Summary != "3 replicas expected" {
		t.Errorf("summary %q, want the failure's first line", rs[1].Record.Summary)
	}
}
