package features

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRunWritesCucumberJSON checks that Options.Cucumber receives godog's
// own cucumber JSON for the scenarios that ran, while the verdict still
// comes from the collected results.
func TestRunWritesCucumberJSON(t *testing.T) {
	course := testCourse(t, map[string]string{
		"a-pass":    dockerNewEnough,
		"b-fail":    dockerTooOld,
		"c-disrupt": dockerNewEnough,
	}, map[string]bool{"c-disrupt": true})

	var cuke bytes.Buffer
	rep := runFaked(t, course.Steps(), Options{NoDisruptive: true, Cucumber: &cuke})
	var features []struct {
		URI      string `json:"uri"`
		Elements []struct {
			Name  string `json:"name"`
			Steps []struct {
				Result struct {
					Status string `json:"status"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(cuke.Bytes(), &features); err != nil {
		t.Fatalf("cucumber output is not a JSON array of features: %v\n%s", err, cuke.String())
	}
	if len(features) != 1 || features[0].URI != "l.feature" {
		t.Fatalf("got features %+v, want l.feature only", features)
	}
	got := map[string]string{}
	for _, e := range features[0].Elements {
		if len(e.Steps) != 1 {
			t.Fatalf("scenario %s: got %d steps, want 1", e.Name, len(e.Steps))
		}
		got[e.Name] = e.Steps[0].Result.Status
	}
	want := map[string]string{"a-pass": "passed", "b-fail": "failed"}
	if len(got) != len(want) || got["a-pass"] != want["a-pass"] || got["b-fail"] != want["b-fail"] {
		t.Errorf("cucumber scenarios: got %v, want %v (the skipped disruptive step is not run)", got, want)
	}
	statuses := []Status{StatusPassed, StatusFailed, StatusSkipped}
	for i, res := range rep.Results {
		if res.Status != statuses[i] {
			t.Errorf("%s: got %s, want %s", res.Step.Key(), res.Status, statuses[i])
		}
	}
}

// TestRunCucumberJoinsLessons runs two lessons, two godog suites, and
// expects one array holding both features.
func TestRunCucumberJoinsLessons(t *testing.T) {
	course := testCourse(t, map[string]string{"a-pass": dockerNewEnough}, nil)
	other := testCourse(t, map[string]string{"b-pass": dockerNewEnough}, nil)
	steps := append(course.Steps(), other.Steps()...)
	steps[1].Lesson.ID = "m" // a lesson of its own, so the runner starts a second suite
	var cuke bytes.Buffer
	runFaked(t, steps, Options{Cucumber: &cuke})
	var features []json.RawMessage
	if err := json.Unmarshal(cuke.Bytes(), &features); err != nil {
		t.Fatal(err)
	}
	if len(features) != 2 {
		t.Errorf("got %d features, want 2:\n%s", len(features), cuke.String())
	}
}
