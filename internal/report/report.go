// Package report writes check results for people (pretty), programs (JSON)
// and CI systems and LMS importers (JUnit XML).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/internal/safetext"
)

// Formats lists the formats Write renders.
var Formats = []string{"pretty", "json", "junit"}

// Info says whose run a report is and against which course, for the
// formats that carry it (JSON fields, JUnit properties).
type Info struct {
	Student    string
	Course     string
	CourseHash string
	Lab        string // lab's version
}

func (i Info) properties() *JUnitProperties {
	var ps []JUnitProperty
	for _, p := range []JUnitProperty{
		{"student", i.Student}, {"course", i.Course}, {"course_hash", i.CourseHash}, {"lab", i.Lab},
	} {
		if p.Value != "" {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &JUnitProperties{Property: ps}
}

// Write renders rep in the named format.
func Write(w io.Writer, format string, rep *result.Report, info Info, color bool) error {
	switch format {
	case "pretty":
		Pretty(w, rep, color)
		return nil
	case "json":
		return JSON(w, rep, info)
	case "junit":
		return JUnit(w, rep, info)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	amber = "\x1b[33m"
	reset = "\x1b[0m"
)

func mark(st result.Status, color bool) string {
	m, c := "?", ""
	switch st {
	case result.StatusPassed:
		m, c = "✓", green
	case result.StatusFailed:
		m, c = "✗", red
	case result.StatusError:
		m, c = "!", amber
	case result.StatusSkipped:
		m, c = "-", ""
	}
	if color && c != "" {
		return c + m + reset
	}
	return m
}

// PrettyResult writes one step's verdict with every failed expectation.
func PrettyResult(w io.Writer, res *result.Result, color bool) {
	fmt.Fprintf(w, "%s %s — %s: %s", mark(res.Status, color), res.Step.Key(), res.Step.Title, res.Status)
	if res.Status == result.StatusSkipped && res.Reason != "" {
		fmt.Fprintf(w, " (%s)", safetext.Line(res.Reason))
	}
	fmt.Fprintln(w)
	// Notes, failure text and reasons carry what the engine and the
	// learner's files said: shown with their escapes made visible.
	for _, n := range res.Notes {
		fmt.Fprintf(w, "    %s\n", safetext.Line(n))
	}
	for _, c := range res.Checks {
		if c.Status == result.StatusPassed || c.Status == result.StatusSkipped {
			continue
		}
		fmt.Fprintf(w, "  %s %s\n", mark(c.Status, color), safetext.Line(c.Text))
		for _, line := range strings.Split(c.Err, "\n") {
			fmt.Fprintf(w, "    %s\n", safetext.Line(strings.TrimLeft(line, " ")))
		}
	}
	if res.Reason != "" && res.Status == result.StatusError {
		fmt.Fprintf(w, "    %s\n", safetext.Terminal(res.Reason))
	}
}

// Pretty writes every step's verdict and a summary line.
func Pretty(w io.Writer, rep *result.Report, color bool) {
	for _, res := range rep.Results {
		PrettyResult(w, res, color)
	}
	n := rep.Counts()
	fmt.Fprintf(w, "\n%d passed, %d failed, %d errors, %d skipped (%s)\n",
		n[result.StatusPassed], n[result.StatusFailed], n[result.StatusError], n[result.StatusSkipped],
		rep.Duration.Round(time.Millisecond))
}

type jsonStep struct {
	Step       string   `json:"step"`
	Lesson     string   `json:"lesson"`
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	DurationMS int64    `json:"duration_ms"`
	Failures   []string `json:"failures,omitempty"`
	Codes      []string `json:"codes,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

type jsonReport struct {
	Student    string         `json:"student,omitempty"`
	Course     string         `json:"course,omitempty"`
	CourseHash string         `json:"course_hash,omitempty"`
	Lab        string         `json:"lab,omitempty"`
	Started    time.Time      `json:"started"`
	DurationMS int64          `json:"duration_ms"`
	Counts     map[string]int `json:"counts"`
	Steps      []jsonStep     `json:"steps"`
}

// JSON writes the report as one JSON document.
func JSON(w io.Writer, rep *result.Report, info Info) error {
	out := jsonReport{
		Student: info.Student, Course: info.Course, CourseHash: info.CourseHash, Lab: info.Lab,
		Started: rep.Started.UTC(), DurationMS: rep.Duration.Milliseconds(), Counts: map[string]int{},
	}
	for st, n := range rep.Counts() {
		out.Counts[string(st)] = n
	}
	for _, r := range rep.Results {
		out.Steps = append(out.Steps, jsonStep{
			Step: r.Step.Key(), Lesson: r.Step.Lesson.ID, Title: r.Step.Title, Status: string(r.Status),
			DurationMS: r.Duration.Milliseconds(), Failures: r.Failures(), Codes: r.Codes(), Notes: r.Notes, Reason: r.Reason,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// JUnit writes the report as JUnit XML: one testsuite per lesson, one
// testcase per step, the student and course as suite properties.
func JUnit(w io.Writer, rep *result.Report, info Info) error {
	doc := JUnitSuites{Name: "lab verify", Time: Seconds(rep.Duration)}
	if info.Student != "" {
		doc.Name += ": " + info.Student
	}
	index := map[string]int{}
	for _, r := range rep.Results {
		lesson := r.Step.Lesson.ID
		i, ok := index[lesson]
		if !ok {
			i = len(doc.Suites)
			index[lesson] = i
			doc.Suites = append(doc.Suites, JUnitSuite{
				Name: lesson, Timestamp: Timestamp(rep.Started), Properties: info.properties(),
			})
		}
		c := JUnitCase{Name: r.Step.Key() + ": " + r.Step.Title, Classname: "lab." + lesson, Time: Seconds(r.Duration)}
		if len(r.Notes) > 0 {
			c.SystemOut = strings.Join(r.Notes, "\n")
		}
		first := ""
		if f := r.Failures(); len(f) > 0 {
			first = strings.SplitN(f[0], "\n", 2)[0]
		}
		switch r.Status {
		case result.StatusFailed:
			c.Failure = &JUnitProblem{Message: first, Type: "failed", Text: r.Message()}
		case result.StatusError:
			c.Error = &JUnitProblem{Message: first, Type: "error", Text: r.Message()}
		case result.StatusSkipped:
			c.Skipped = &JUnitSkipped{Message: r.Reason}
		}
		doc.Suites[i].Add(c, r.Duration)
	}
	return WriteJUnit(w, &doc)
}
