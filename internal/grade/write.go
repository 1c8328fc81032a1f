package grade

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lab-workshop/lab/internal/receipt"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/internal/safetext"
)

// Formats lists the formats Write renders; the first is the default.
var Formats = []string{"table", "csv", "html", "junit"}

// Write renders the class in the named format.
func Write(w io.Writer, format string, c *Class) error {
	switch format {
	case "table":
		return Table(w, c)
	case "csv":
		return CSV(w, c)
	case "html":
		return HTML(w, c)
	case "junit":
		return JUnit(w, c)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

// symbol is a status as one character, so the matrix reads without colour.
func symbol(status string) string {
	switch status {
	case receipt.StatusPassed:
		return "✓"
	case receipt.StatusFailed:
		return "✗"
	case receipt.StatusError:
		return "!"
	case receipt.StatusSkipped:
		return "-"
	}
	return "·"
}

// word is a status in words, for CSV cells and tooltips.
func word(status string) string {
	switch status {
	case "":
		return "not checked"
	case receipt.StatusError:
		return "could not run"
	}
	return status
}

const legend = "✓ passed   ✗ failed   ! could not run   - skipped   · not checked"

func (c *Class) summary() string {
	sig := "signatures not checked (no --key)"
	if c.Signed {
		sig = "signatures checked"
	}
	course := c.Course.ID
	if c.Course.Hash != "" {
		course += fmt.Sprintf(" (version %.12s)", c.Course.Hash)
	}
	if c.Origin != "" {
		return fmt.Sprintf("%s: %d student(s), %d step(s); %s", course, len(c.Students), len(c.Columns), c.Origin)
	}
	return fmt.Sprintf("%s: %d student(s), %d step(s), %d receipt(s) rejected; %s",
		course, len(c.Students), len(c.Columns), len(c.Rejected), sig)
}

// Table writes the matrix as aligned text: one row per student, one column
// per step (numbered; the step list follows), then the notes.
func Table(w io.Writer, c *Class) error {
	fmt.Fprintln(w, c.summary())
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "student")
	for _, col := range c.Columns {
		fmt.Fprintf(tw, "\t%s", col.Label)
	}
	fmt.Fprintln(tw, "\ttotal")
	for _, s := range c.Students {
		name := s.Name
		if s.Flag != "" {
			name += " (*)"
		}
		fmt.Fprint(tw, name)
		for _, cell := range s.Cells {
			fmt.Fprintf(tw, "\t%s", symbol(cell.Status))
		}
		fmt.Fprintf(tw, "\t%d/%d\n", s.Passed, c.Total())
	}
	fmt.Fprint(tw, "pass rate")
	for i := range c.Columns {
		fmt.Fprintf(tw, "\t%s", percent(c.Rate(i)))
	}
	fmt.Fprintf(tw, "\t%s\n", percent(c.Overall()))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n\nsteps:\n", legend)
	for _, col := range c.Columns {
		if col.Extra {
			fmt.Fprintf(w, "  %-5s %s (not in this course: from a receipt for another version)\n", col.Label, col.Key)
			continue
		}
		fmt.Fprintf(w, "  %-5s %s — %s\n", col.Label, col.Key, col.Title)
	}
	if c.Mistakes() {
		fmt.Fprintln(w, "\ntypical mistakes (failure code, students who got it):")
		for _, col := range c.Columns {
			if len(col.Mistakes) > 0 {
				fmt.Fprintf(w, "  %-5s %s\n", col.Label, col.MistakeText())
			}
		}
	}
	writeNotes(w, c)
	return nil
}

// writeNotes lists flagged, rejected and superseded receipts in text.
func writeNotes(w io.Writer, c *Class) {
	if c.Flagged() > 0 {
		fmt.Fprintln(w, "\n(*) marked receipts:")
		for _, s := range c.Students {
			if s.Flag != "" {
				fmt.Fprintf(w, "  %s (%s): %s\n", s.Name, s.File, s.Flag)
			}
		}
	}
	if len(c.Rejected) > 0 {
		fmt.Fprintln(w, "\nrejected receipts (not graded):")
		for _, r := range c.Rejected {
			fmt.Fprintf(w, "  %s: %s\n", rejectedName(r), r.Reason)
		}
	}
	if len(c.Superseded) > 0 {
		fmt.Fprintln(w, "\nolder receipts replaced by a newer one:")
		for _, s := range c.Superseded {
			fmt.Fprintf(w, "  %s (%s): graded %s instead\n", s.File, s.Student, s.By)
		}
	}
}

func rejectedName(r Rejection) string {
	if r.Student != "" {
		return fmt.Sprintf("%s (%s)", r.File, r.Student)
	}
	return r.File
}

// CSV writes one row per graded student (status words per step, passed,
// total), one per rejected receipt (the reason in the note column, no
// verdicts), a row with each step's pass rate and, when any step has them,
// a last row with each step's typical mistakes. Every cell that holds text
// from a receipt, a file name or the course goes through safetext.CSVCell.
func CSV(w io.Writer, c *Class) error {
	cw := csv.NewWriter(w)
	header := []string{"student", "receipt", "time", "note"}
	for _, col := range c.Columns {
		header = append(header, cell(col.Key))
	}
	header = append(header, "passed", "total")
	rows := [][]string{header}
	for _, s := range c.Students {
		row := []string{cell(s.Name), cell(s.File), s.Receipt.Time.UTC().Format(time.RFC3339), cell(s.Flag)}
		for _, cell := range s.Cells {
			row = append(row, word(cell.Status))
		}
		rows = append(rows, append(row, strconv.Itoa(s.Passed), strconv.Itoa(c.Total())))
	}
	for _, r := range c.Rejected {
		row := []string{cell(r.Student), cell(r.File), "", cell("rejected: " + r.Reason)}
		rows = append(rows, append(row, make([]string, len(c.Columns)+2)...))
	}
	rate := []string{"(pass rate)", "", "", ""}
	for i := range c.Columns {
		rate = append(rate, percent(c.Rate(i)))
	}
	rows = append(rows, append(rate, percent(c.Overall()), ""))
	if c.Mistakes() {
		mistakes := []string{"(typical mistakes)", "", "", ""}
		for _, col := range c.Columns {
			mistakes = append(mistakes, cell(col.MistakeText()))
		}
		rows = append(rows, append(mistakes, "", ""))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// cell keeps a text a student or an author chose (a name, a file name, a
// step key) from being read as a formula by the spreadsheet the CSV is
// opened in, or from carrying control characters into it.
func cell(text string) string { return safetext.CSVCell(text) }

// JUnit writes the class as JUnit XML for an LMS or CI: one testsuite per
// student, one testcase per step; a rejected receipt is a testsuite with
// one errored case that says why.
func JUnit(w io.Writer, c *Class) error {
	doc := report.JUnitSuites{Name: "lab grade: " + c.Course.ID}
	for _, s := range c.Students {
		suite := report.JUnitSuite{
			Name:      s.Name,
			Timestamp: report.Timestamp(s.Receipt.Time),
			Properties: &report.JUnitProperties{Property: []report.JUnitProperty{
				{Name: "receipt", Value: s.File},
				{Name: "course", Value: s.Receipt.Course.ID},
				{Name: "course_hash", Value: s.Receipt.Course.Hash},
				{Name: "lab", Value: s.Receipt.Lab},
			}},
		}
		if s.Flag != "" {
			suite.Properties.Property = append(suite.Properties.Property, report.JUnitProperty{Name: "flag", Value: s.Flag})
		}
		for i, col := range c.Columns {
			cell := s.Cells[i]
			lesson, _, _ := strings.Cut(col.Key, "/")
			tc := report.JUnitCase{Name: col.Key, Classname: "lab." + lesson, Time: report.Seconds(cell.Duration)}
			if col.Title != "" {
				tc.Name += ": " + col.Title
			}
			first, text := "", strings.Join(cell.Failures, "\n")
			if len(cell.Failures) > 0 {
				first, _, _ = strings.Cut(cell.Failures[0], "\n")
			}
			switch cell.Status {
			case receipt.StatusFailed:
				tc.Failure = &report.JUnitProblem{Message: first, Type: "failed", Text: text}
			case receipt.StatusError:
				tc.Error = &report.JUnitProblem{Message: first, Type: "error", Text: text}
			case receipt.StatusSkipped:
				tc.Skipped = &report.JUnitSkipped{Message: cell.Reason}
			case "":
				tc.Skipped = &report.JUnitSkipped{Message: "not checked: the receipt does not hold this step"}
			}
			suite.Add(tc, cell.Duration)
		}
		doc.Suites = append(doc.Suites, suite)
	}
	for _, r := range c.Rejected {
		suite := report.JUnitSuite{Name: rejectedName(r)}
		suite.Add(report.JUnitCase{Name: "receipt", Classname: "lab.receipt", Time: report.Seconds(0),
			Error: &report.JUnitProblem{Message: "rejected: " + r.Reason, Type: "rejected", Text: r.Reason}}, 0)
		doc.Suites = append(doc.Suites, suite)
	}
	return report.WriteJUnit(w, &doc)
}
