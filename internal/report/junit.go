package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// The JUnit XML document, in the shape of the schema CI servers and LMS
// importers validate against (Jenkins' junit-10.xsd, a superset of Ant's):
// testsuites > testsuite > testcase with at most one failure, error or
// skipped child. Only attributes that schema declares are written; it has
// no skipped count on testsuites, for instance, only on testsuite.
// testdata/junit-10.xsd holds the schema the tests validate against.

// JUnitSuites is the document's root.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one group of test cases: a lesson for `lab verify`, a
// student for `lab grade`.
type JUnitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Properties *JUnitProperties `xml:"properties,omitempty"`
	Cases      []JUnitCase      `xml:"testcase"`
	SystemOut  string           `xml:"system-out,omitempty"`

	duration time.Duration
}

// JUnitProperties are name/value facts about a suite.
type JUnitProperties struct {
	Property []JUnitProperty `xml:"property"`
}

// JUnitProperty is one fact: student, course, course hash.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitCase is one checked step. At most one of Skipped, Error, Failure is
// set.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *JUnitSkipped `xml:"skipped,omitempty"`
	Error     *JUnitProblem `xml:"error,omitempty"`
	Failure   *JUnitProblem `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitProblem is a failure (the check ran and did not pass) or an error
// (the check could not run): a one-line message and the full text.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnitSkipped marks a case that did not run, and why.
type JUnitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// Add appends a case to the suite and counts it.
func (s *JUnitSuite) Add(c JUnitCase, d time.Duration) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.duration += d
	s.Time = Seconds(s.duration)
	s.Cases = append(s.Cases, c)
}

// Seconds formats a duration as JUnit's time attribute: seconds with three
// decimals, the form the schema's time pattern accepts.
func Seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// Timestamp formats a time as JUnit's timestamp attribute (ISO 8601, UTC,
// no zone suffix, as Ant writes it).
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// WriteJUnit totals the suites into the root and writes the document.
func WriteJUnit(w io.Writer, doc *JUnitSuites) error {
	doc.Tests, doc.Failures, doc.Errors = 0, 0, 0
	for i := range doc.Suites {
		s := &doc.Suites[i]
		if s.Time == "" {
			s.Time = Seconds(0)
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if doc.Time == "" {
		doc.Time = Seconds(0)
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
