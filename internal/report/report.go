// Package report writes check results for people (pretty), programs (JSON)
// and CI systems and LMS importers (JUnit XML).
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lab-workshop/lab/features"
)

// Formats lists the names --format accepts.
var Formats = []string{"pretty", "json", "junit"}

// Write renders rep in the named format.
func Write(w io.Writer, format string, rep *features.Report, color bool) error {
	switch format {
	case "pretty":
		Pretty(w, rep, color)
		return nil
	case "json":
		return JSON(w, rep)
	case "junit":
		return JUnit(w, rep)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	amber = "\x1b[33m"
	reset = "\x1b[0m"
)

func mark(st features.Status, color bool) string {
	m, c := "?", ""
	switch st {
	case features.StatusPassed:
		m, c = "✓", green
	case features.StatusFailed:
		m, c = "✗", red
	case features.StatusError:
		m, c = "!", amber
	case features.StatusSkipped:
		m, c = "-", ""
	}
	if color && c != "" {
		return c + m + reset
	}
	return m
}

// PrettyResult writes one step's verdict with every failed expectation.
func PrettyResult(w io.Writer, res *features.Result, color bool) {
	fmt.Fprintf(w, "%s %s — %s: %s", mark(res.Status, color), res.Step.Key(), res.Step.Title, res.Status)
	if res.Status == features.StatusSkipped && res.Reason != "" {
		fmt.Fprintf(w, " (%s)", res.Reason)
	}
	fmt.Fprintln(w)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "    %s\n", n)
	}
	for _, c := range res.Checks {
		if c.Status == features.StatusPassed || c.Status == features.StatusSkipped {
			continue
		}
		fmt.Fprintf(w, "  %s %s\n", mark(c.Status, color), c.Text)
		for _, line := range strings.Split(c.Err, "\n") {
			fmt.Fprintf(w, "    %s\n", strings.TrimLeft(line, " "))
		}
	}
	if res.Reason != "" && res.Status == features.StatusError {
		fmt.Fprintf(w, "    %s\n", res.Reason)
	}
}

// Pretty writes every step's verdict and a summary line.
func Pretty(w io.Writer, rep *features.Report, color bool) {
	for _, res := range rep.Results {
		PrettyResult(w, res, color)
	}
	n := rep.Counts()
	fmt.Fprintf(w, "\n%d passed, %d failed, %d errors, %d skipped (%s)\n",
		n[features.StatusPassed], n[features.StatusFailed], n[features.StatusError], n[features.StatusSkipped],
		rep.Duration.Round(time.Millisecond))
}

type jsonStep struct {
	Step       string   `json:"step"`
	Lesson     string   `json:"lesson"`
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	DurationMS int64    `json:"duration_ms"`
	Failures   []string `json:"failures,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

type jsonReport struct {
	Started    time.Time      `json:"started"`
	DurationMS int64          `json:"duration_ms"`
	Counts     map[string]int `json:"counts"`
	Steps      []jsonStep     `json:"steps"`
}

// JSON writes the report as one JSON document.
func JSON(w io.Writer, rep *features.Report) error {
	out := jsonReport{Started: rep.Started.UTC(), DurationMS: rep.Duration.Milliseconds(), Counts: map[string]int{}}
	for st, n := range rep.Counts() {
		out.Counts[string(st)] = n
	}
	for _, r := range rep.Results {
		out.Steps = append(out.Steps, jsonStep{
			Step: r.Step.Key(), Lesson: r.Step.Lesson.ID, Title: r.Step.Title, Status: string(r.Status),
			DurationMS: r.Duration.Milliseconds(), Failures: r.Failures(), Notes: r.Notes, Reason: r.Reason,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// The JUnit XML shape CI systems read: one testsuite per lesson, one
// testcase per step.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// JUnit writes the report as JUnit XML.
func JUnit(w io.Writer, rep *features.Report) error {
	doc := junitSuites{Name: "lab verify", Time: seconds(rep.Duration)}
	index := map[string]int{}
	for _, r := range rep.Results {
		lesson := r.Step.Lesson.ID
		i, ok := index[lesson]
		if !ok {
			i = len(doc.Suites)
			index[lesson] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: lesson, Timestamp: rep.Started.UTC().Format("2006-01-02T15:04:05")})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: r.Step.Key() + ": " + r.Step.Title, Classname: "lab." + lesson, Time: seconds(r.Duration)}
		if len(r.Notes) > 0 {
			c.SystemOut = strings.Join(r.Notes, "\n")
		}
		first := ""
		if f := r.Failures(); len(f) > 0 {
			first = strings.SplitN(f[0], "\n", 2)[0]
		}
		switch r.Status {
		case features.StatusFailed:
			c.Failure = &junitProblem{Message: first, Type: "failed", Text: r.Message()}
			s.Failures++
			doc.Failures++
		case features.StatusError:
			c.Error = &junitProblem{Message: first, Type: "error", Text: r.Message()}
			s.Errors++
			doc.Errors++
		case features.StatusSkipped:
			c.Skipped = &junitSkipped{Message: r.Reason}
			s.Skipped++
			doc.Skipped++
		}
		s.Tests++
		doc.Tests++
		s.Cases = append(s.Cases, c)
	}
	for i := range doc.Suites {
		var d time.Duration
		for _, r := range rep.Results {
			if r.Step.Lesson.ID == doc.Suites[i].Name {
				d += r.Duration
			}
		}
		doc.Suites[i].Time = seconds(d)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
