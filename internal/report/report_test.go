package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/report/junitcheck"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

// sampleReport has one result of every status, across two lessons, with
// text that needs escaping.
func sampleReport() *result.Report {
	setup := &lessons.Lesson{ID: "docker-setup", Index: 1}
	cont := &lessons.Lesson{ID: "containers", Index: 2}
	step := func(l *lessons.Lesson, id, title string) *lessons.Step {
		s := &lessons.Step{ID: id, Title: title, Lesson: l}
		l.Steps = append(l.Steps, s)
		return s
	}
	return &result.Report{
		Started:  time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
		Duration: 1500 * time.Millisecond,
		Results: []*result.Result{
			{Step: step(setup, "cli", "The docker CLI"), Status: result.StatusPassed, Duration: 12 * time.Millisecond,
				Notes: []string{"docker CLI 28.2.2"}},
			{Step: step(setup, "engine", "The engine <answers> & \"works\""), Status: result.StatusFailed, Duration: 340 * time.Millisecond,
				Checks: []result.CheckResult{{Text: "the engine answers", Status: result.StatusFailed,
					Err: "the engine does not answer\n  expected: an engine\n  observed: \x1b[31mno socket\x1b[0m"}}},
			{Step: step(cont, "run", "Run it"), Status: result.StatusError, Duration: time.Millisecond,
				Reason: "no scenario ran for containers/run"},
			{Step: step(cont, "kill", "Kill it"), Status: result.StatusSkipped,
				Reason: "disruptive step skipped (--no-disruptive)"},
		},
	}
}

// schema is the JUnit schema the output must validate against.
var schema = filepath.Join("testdata", "junit-10.xsd")

var sampleInfo = Info{Student: "Ana Lima", Course: "docker-workshop", CourseHash: "abc123", Lab: "v1.0.0"}

func TestJUnitShape(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sampleReport(), sampleInfo); err != nil {
		t.Fatal(err)
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, buf.String())
	}
	tests := []struct {
		what      string
		got, want any
	}{
		{"root name", doc.Name, "lab verify: Ana Lima"},
		{"root tests", doc.Tests, 4},
		{"root failures", doc.Failures, 1},
		{"root errors", doc.Errors, 1},
		{"suites", len(doc.Suites), 2},
		{"suite 1 name", doc.Suites[0].Name, "docker-setup"},
		{"suite 1 tests", doc.Suites[0].Tests, 2},
		{"suite 1 time", doc.Suites[0].Time, "0.352"},
		{"suite 1 timestamp", doc.Suites[0].Timestamp, "2025-03-14T09:26:53"},
		{"suite 2 skipped", doc.Suites[1].Skipped, 1},
		{"suite 2 errors", doc.Suites[1].Errors, 1},
		{"case name", doc.Suites[0].Cases[0].Name, "docker-setup/cli: The docker CLI"},
		{"case classname", doc.Suites[0].Cases[0].Classname, "lab.docker-setup"},
		{"case system-out", doc.Suites[0].Cases[0].SystemOut, "docker CLI 28.2.2"},
		{"failure message", doc.Suites[0].Cases[1].Failure.Message, "the engine does not answer"},
		{"error type", doc.Suites[1].Cases[0].Error.Type, "error"},
		{"skipped message", doc.Suites[1].Cases[1].Skipped.Message, "disruptive step skipped (--no-disruptive)"},
		{"student property", fmt.Sprint(doc.Suites[0].Properties.Property[0]), "{student Ana Lima}"},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	if !strings.Contains(doc.Suites[0].Cases[1].Failure.Text, "observed: \uFFFD[31mno socket") {
		t.Errorf("failure text: got %q, want the control character replaced", doc.Suites[0].Cases[1].Failure.Text)
	}
}

// TestJUnitValidatesAgainstSchema checks lab's JUnit XML against the
// schema, structurally in Go always, and with xmllint where it is
// installed (Debian: libxml2-utils). LAB_REQUIRE_XMLLINT makes a missing
// xmllint a failure.
func TestJUnitValidatesAgainstSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sampleReport(), sampleInfo); err != nil {
		t.Fatal(err)
	}
	if err := junitcheck.Check(buf.Bytes()); err != nil {
		t.Errorf("structural check: %v\n%s", err, buf.String())
	}
	xmllint(t, buf.Bytes(), schema)
}

// TestSchemaChecksHaveTeeth proves both checks reject what the schema
// rejects: the skipped count on testsuites that earlier versions wrote,
// a testcase without a name, a testsuite without its counts.
func TestSchemaChecksHaveTeeth(t *testing.T) {
	bad := []struct {
		name, doc, want string
	}{
		{"skipped on testsuites", `<testsuites skipped="1"><testsuite name="a" tests="0" failures="0" errors="0"/></testsuites>`, `attribute "skipped"`},
		{"testcase without name", `<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase classname="x"/></testsuite></testsuites>`, `needs attribute "name"`},
		{"testsuite without counts", `<testsuites><testsuite name="a"/></testsuites>`, `needs attribute "errors"`},
		{"bad time", `<testsuites time="1.5s"/>`, `time "1.5s"`},
		{"unknown element", `<testsuites><testsuite name="a" tests="0" failures="0" errors="0"><result/></testsuite></testsuites>`, `<result>`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			err := junitcheck.Check([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("structural check: got %v, want an error containing %q", err, tt.want)
			}
			if out, valid, _ := lint(t, []byte(tt.doc), schema); valid {
				t.Errorf("xmllint accepted it: %s", out)
			}
		})
	}
}

func TestJSONCarriesInfo(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sampleReport(), sampleInfo); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Student, Course string
		CourseHash      string `json:"course_hash"`
		Counts          map[string]int
		Steps           []struct{ Step, Status string }
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Student != "Ana Lima" || got.Course != "docker-workshop" || got.CourseHash != "abc123" {
		t.Errorf("got student %q course %q hash %q, want Ana Lima, docker-workshop, abc123", got.Student, got.Course, got.CourseHash)
	}
	if len(got.Steps) != 4 || got.Steps[3].Status != "skipped" {
		t.Errorf("got steps %+v, want 4 with the last skipped", got.Steps)
	}
}

// xmllint validates doc against the schema file with xmllint, skipping
// with a logged reason when xmllint is missing, unless LAB_REQUIRE_XMLLINT
// is set.
func xmllint(t *testing.T, doc []byte, schema string) {
	t.Helper()
	out, valid, ran := lint(t, doc, schema)
	if ran && !valid {
		t.Errorf("xmllint --schema %s rejects the document:\n%s\n%s", schema, out, doc)
	}
}

// lint runs xmllint --schema on doc: what it printed, whether the document
// validates, and whether xmllint ran at all.
func lint(t *testing.T, doc []byte, schema string) (out string, valid, ran bool) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("LAB_REQUIRE_XMLLINT") != "" {
			t.Fatalf("LAB_REQUIRE_XMLLINT is set but xmllint is not installed (apt-get install -y libxml2-utils)")
		}
		t.Logf("skipping the xmllint schema check: xmllint is not installed (apt-get install -y libxml2-utils)")
		return "", false, false
	}
	f := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(bin, "--noout", "--nonet", "--schema", schema, f).CombinedOutput()
	return string(b), err == nil && strings.Contains(string(b), " validates"), true
}
