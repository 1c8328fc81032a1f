package features

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lab-workshop/lab/lessons"
)

// testCourse builds a one-lesson course whose steps each have the given
// scenario body and tags.
func testCourse(t *testing.T, scenarios map[string]string, disruptive map[string]bool) *lessons.Course {
	t.Helper()
	content := fstest.MapFS{
		"course.yaml": {Data: []byte("id: t\ntitle: T\nlessons: [l]\n")},
		"l/lesson.md": {Data: []byte("---\nid: l\ntitle: L\n---\nIntro.\n")},
	}
	feature := "Feature: L\n"
	i := 0
	for _, id := range sortedIDs(scenarios) {
		i++
		d := "false"
		tags := "@" + id
		if disruptive[id] {
			d, tags = "true", tags+" @disruptive"
		}
		content["l/"+string(rune('0'+i))+"-"+id+".md"] = &fstest.MapFile{Data: []byte("---\nid: " + id + "\ntitle: " + id +
			"\ndisruptive: " + d + "\nhints: [h]\nsolution: [\"true\"]\nwrong: [{name: w, description: d, expect: e}]\n---\nDo it.\n")}
		feature += "\n  " + tags + "\n  Scenario: " + id + "\n" + scenarios[id] + "\n"
	}
	course, err := lessons.Load(content, fstest.MapFS{"l.feature": {Data: []byte(feature)}})
	if err != nil {
		t.Fatalf("loading test course: %v", err)
	}
	return course
}

func sortedIDs(m map[string]string) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			if ids[j] < ids[i] {
				ids[i], ids[j] = ids[j], ids[i]
			}
		}
	}
	return ids
}

// fakeDocker puts a docker script printing version on a PATH of its own.
func fakeDocker(t *testing.T, version string) []string {
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"Docker version " + version + ", build abc\"\n"
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{"PATH=" + dir + ":/usr/bin:/bin", "DOCKER_HOST=unix://" + filepath.Join(dir, "no-engine.sock")}
}

// dockerNewEnough and dockerTooOld are scenarios whose one check passes and
// fails against fakeDocker(t, "28.2.2").
const (
	dockerNewEnough = "    Then the docker CLI reports version 20.10 or newer"
	dockerTooOld    = "    Then the docker CLI reports version 99.0 or newer"
)

// runFaked runs steps with opts, against a docker CLI that reports 28.2.2
// and no engine unless opts.Env says otherwise, and fails the test when
// the run cannot start.
func runFaked(t *testing.T, steps []*lessons.Step, opts Options) *Report {
	t.Helper()
	if opts.Env == nil {
		opts.Env = fakeDocker(t, "28.2.2")
	}
	rep, err := Run(context.Background(), steps, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunCollectsResults(t *testing.T) {
	course := testCourse(t, map[string]string{
		"a-pass":      dockerNewEnough,
		"b-fail":      dockerTooOld,
		"c-undefined": "    Then the moon is made of cheese",
		"d-env":       "    Then the engine API version is 1.41 or newer",
		"e-disrupt":   dockerNewEnough,
		"f-skipped":   dockerTooOld + "\n    And the docker CLI reports version 20.10 or newer",
	}, map[string]bool{"e-disrupt": true})

	rep := runFaked(t, course.Steps(), Options{NoDisruptive: true})
	tests := []struct {
		step    string
		status  Status
		message string
	}{
		{"l/a-pass", StatusPassed, ""},
		{"l/b-fail", StatusFailed, "the docker CLI 28.2.2 is older than 99.0"},
		{"l/c-undefined", StatusError, `undefined Gherkin step "the moon is made of cheese"`},
		{"l/d-env", StatusError, "no-engine.sock"},
		{"l/e-disrupt", StatusSkipped, ""},
		{"l/f-skipped", StatusFailed, "older than 99.0"},
	}
	if len(rep.Results) != len(tests) {
		t.Fatalf("got %d results, want %d", len(rep.Results), len(tests))
	}
	for i, tt := range tests {
		res := rep.Results[i]
		if res.Step.Key() != tt.step {
			t.Errorf("result %d is %s, want %s", i, res.Step.Key(), tt.step)
			continue
		}
		if res.Status != tt.status {
			t.Errorf("%s: got status %s, want %s (%s)", tt.step, res.Status, tt.status, res.Message())
		}
		if !strings.Contains(res.Message(), tt.message) {
			t.Errorf("%s: got message %q, want it to contain %q", tt.step, res.Message(), tt.message)
		}
	}
	if got := rep.Results[0].Notes; len(got) != 1 || got[0] != "docker CLI 28.2.2" {
		t.Errorf("notes of a-pass: got %q, want [docker CLI 28.2.2]", got)
	}
	if got := rep.Results[4].Reason; !strings.Contains(got, "--no-disruptive") {
		t.Errorf("reason of skipped step: got %q", got)
	}
	// A failed check skips the rest of its scenario, and that never passes.
	if got := rep.Results[5].Checks; len(got) != 2 || got[1].Status != StatusSkipped {
		t.Errorf("checks of f-skipped: got %+v, want a failure then a skip", got)
	}
	// The environment error decides the report's error kind.
	if err := rep.Err(); !IsEnvError(err) {
		t.Errorf("report error: got %v, want an EnvError", err)
	}
}

// resultStep is the step of the results that TestReportErr and
// TestFinishNeedsARunCheck judge: only the checks and statuses differ.
var resultStep = &lessons.Step{ID: "s", Lesson: &lessons.Lesson{ID: "l"}}

func TestReportErr(t *testing.T) {
	tests := []struct {
		name     string
		statuses []Status
		want     func(error) bool
	}{
		{"all passed", []Status{StatusPassed, StatusPassed}, func(err error) bool { return err == nil }},
		{"skipped is not a failure", []Status{StatusPassed, StatusSkipped}, func(err error) bool { return err == nil }},
		{"a failure", []Status{StatusPassed, StatusFailed}, func(err error) bool { return errors.Is(err, ErrNotPassed) }},
		{"an error beats a failure", []Status{StatusFailed, StatusError}, IsEnvError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &Report{}
			for _, st := range tt.statuses {
				rep.Results = append(rep.Results, &Result{Step: resultStep, Status: st})
			}
			if err := rep.Err(); !tt.want(err) {
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestFinishNeedsARunCheck(t *testing.T) {
	tests := []struct {
		name   string
		checks []CheckResult
		want   Status
	}{
		{"no scenario ran", nil, StatusError},
		{"only skipped checks", []CheckResult{{Status: StatusSkipped}}, StatusError},
		{"passed", []CheckResult{{Status: StatusPassed}}, StatusPassed},
		{"failed", []CheckResult{{Status: StatusPassed}, {Status: StatusFailed}}, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &Result{Step: resultStep, Checks: tt.checks}
			finish(res)
			if res.Status != tt.want {
				t.Errorf("got %s, want %s", res.Status, tt.want)
			}
		})
	}
}

func TestRunRefusesEmptySelection(t *testing.T) {
	if _, err := Run(context.Background(), nil, Options{}); err == nil {
		t.Fatal("got no error for an empty selection")
	}
}

func TestBuiltInCourseLints(t *testing.T) {
	course, err := lessons.Load(lessons.Content(), Files())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Lint(course, true) {
		t.Error(p)
	}
}

func TestSupersededStepIsSkippedOnlyWhenTheLaterStepPassed(t *testing.T) {
	course := testCourse(t, map[string]string{
		"a-made":  dockerTooOld,
		"b-tidy":  dockerNewEnough,
		"c-other": dockerTooOld,
	}, nil)
	course.Steps()[0].SupersededBy = []string{"l/b-tidy"}
	env := fakeDocker(t, "28.2.2")

	rep := runFaked(t, course.Steps(), Options{Env: env})
	if got := rep.Results[0]; got.Status != StatusSkipped || !strings.Contains(got.Reason, "undone on purpose by l/b-tidy") {
		t.Errorf("superseded step: got %s (%q), want skipped because l/b-tidy passed", got.Status, got.Reason)
	}
	if got := rep.Results[2].Status; got != StatusFailed {
		t.Errorf("step without superseder: got %s, want failed", got)
	}

	// Checked on its own, the step stays strict.
	rep = runFaked(t, course.Steps()[:1], Options{Env: env})
	if got := rep.Results[0].Status; got != StatusFailed {
		t.Errorf("superseded step checked alone: got %s, want failed", got)
	}
}

func TestSupersededStepThatCannotRunIsSkippedWhenTheLaterStepPassed(t *testing.T) {
	course := testCourse(t, map[string]string{
		"a-runs-in-it": "    Then the engine API version is 1.41 or newer",
		"b-removes-it": dockerNewEnough,
	}, nil)
	course.Steps()[0].SupersededBy = []string{"l/b-removes-it"}
	env := append(fakeDocker(t, "28.2.2"), "DOCKER_HOST=unix://"+t.TempDir()+"/gone.sock")

	rep := runFaked(t, course.Steps(), Options{Env: env})
	if got := rep.Results[0]; got.Status != StatusSkipped || !strings.Contains(got.Reason, "undone on purpose by l/b-removes-it") {
		t.Errorf("superseded step that could not run: got %s (%q), want skipped", got.Status, got.Reason)
	}
	rep = runFaked(t, course.Steps()[:1], Options{Env: env})
	if got := rep.Results[0].Status; got != StatusError {
		t.Errorf("checked alone it stays an environment error: got %s", got)
	}
}
