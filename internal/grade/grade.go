// Package grade rolls students' receipts up into a class: a students ×
// steps matrix with each student's total and each step's pass rate. With
// the class key it accepts only receipts whose signature holds; every
// receipt it does not grade is listed with the reason, so an instructor
// never loses a student silently.
//
// Everything a receipt or a file name brings is untrusted text: Grade
// passes it through safetext as it builds the Class, so no writer prints an
// escape sequence, and the CSV writer also keeps cells from being formulas.
//
// The package is pure: receipt bytes in, a Class out, and writers for the
// formats an instructor reads (table, CSV, HTML, JUnit).
package grade

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/receipt"
	"github.com/lab-workshop/lab/internal/safetext"
)

// File is one receipt as read from disk: its name (for messages) and bytes.
type File struct {
	Name string
	Data []byte
}

// Options say what the receipts are graded against.
type Options struct {
	// Key is the class signing key; nil grades without checking signatures.
	Key []byte
	// Origin says where the results come from when they are not receipts
	// handed in (a live class's store); the reports say it in place of
	// whether signatures were checked.
	Origin string
	// Course is the course lab loaded: its steps are the matrix's columns,
	// and a receipt for another course or version is flagged.
	Course Course
}

// Course is the course receipts are expected to be for.
type Course struct {
	ID   string
	Hash string
	// Steps are the course's steps in course order.
	Steps []Column
}

// Column is one step of the matrix.
type Column struct {
	Key   string // lesson/step
	Label string // 1.2: lesson and step number; x1, x2 for extra steps
	Title string
	// Extra marks a step that is not in the course lab loaded: it came from
	// a receipt for another version of the course.
	Extra bool
	// Passed counts the graded students who passed the step.
	Passed int
	// Mistakes are the failure codes graded students got on the step, the
	// most common first: the class's typical mistakes.
	Mistakes []Mistake
}

// Mistake is one failure code and how many graded students got it.
type Mistake struct {
	Code     string
	Students int
}

// MaxMistakes is how many of a step's most common failure codes a report
// shows.
const MaxMistakes = 3

// Class is the graded class.
type Class struct {
	Course   Course
	Columns  []Column
	Students []*Student
	// Rejected lists every receipt not graded, and why.
	Rejected []Rejection
	// Superseded lists older receipts of a student who handed in a newer one.
	Superseded []Superseded
	// Signed says the receipts' signatures were checked with the class key.
	Signed bool
	// Origin is Options.Origin.
	Origin string
}

// Student is one graded receipt: the newest valid one of that student.
type Student struct {
	Name    string
	File    string
	Receipt *receipt.Receipt
	// Cells line up with Class.Columns.
	Cells  []Cell
	Passed int
	// Flag says why the receipt is marked (another course or version);
	// empty when it matches the course lab loaded.
	Flag string
}

// Cell is one student's verdict on one step.
type Cell struct {
	// Status is passed, failed, error or skipped; empty when the receipt
	// does not hold the step.
	Status   string
	Failures []string
	Reason   string
	Codes    []string
	Duration time.Duration
}

// Rejection is a receipt that was not graded.
type Rejection struct {
	File    string
	Student string // empty when the file could not be read as a receipt
	Reason  string
}

// Superseded is a receipt replaced by a newer one of the same student.
type Superseded struct {
	File    string
	Student string
	By      string // the file that was graded instead
}

// Grade parses, verifies and rolls up the receipts. A receipt that is not
// a lab receipt, is unsigned or badly signed (with a key), or was edited is
// rejected; the rest are graded. Of a student's receipts the newest (by the
// receipt's time; on a tie, the later file) is kept. Student names match
// without regard to case.
func Grade(files []File, opts Options) *Class {
	var entries []Entry
	var rejected []Rejection
	for _, f := range files {
		name := safetext.Line(f.Name)
		r, err := receipt.Parse(f.Data)
		if err != nil {
			rejected = append(rejected, Rejection{File: name, Reason: safetext.Line(err.Error())})
			continue
		}
		if opts.Key != nil {
			if err := r.Verify(opts.Key); err != nil {
				rejected = append(rejected, Rejection{File: name, Student: r.Student, Reason: safetext.Line(err.Error())})
				continue
			}
		}
		entries = append(entries, Entry{File: name, Receipt: r})
	}
	c := Roll(entries, opts)
	c.Rejected = rejected
	return c
}

// Entry is a receipt accepted for grading, or results gathered another way
// in a receipt's shape, with the file (or source) it came from.
type Entry struct {
	File    string
	Receipt *receipt.Receipt
}

// Roll rolls accepted results up into the class, as Grade does once the
// receipts are read and checked. Of a student's entries the newest (by the
// receipt's time; on a tie, the later entry) is kept; names match without
// regard to case.
func Roll(entries []Entry, opts Options) *Class {
	c := &Class{Course: opts.Course, Signed: opts.Key != nil, Origin: opts.Origin}

	type candidate struct {
		file string
		r    *receipt.Receipt
	}
	newest := map[string]candidate{}
	var order []string
	for _, e := range entries {
		r := e.Receipt
		who := strings.ToLower(r.Student)
		cand := candidate{file: e.File, r: r}
		prev, seen := newest[who]
		switch {
		case !seen:
			newest[who] = cand
			order = append(order, who)
		case r.Time.Before(prev.r.Time):
			c.Superseded = append(c.Superseded, Superseded{File: e.File, Student: r.Student, By: prev.file})
		default:
			c.Superseded = append(c.Superseded, Superseded{File: prev.file, Student: prev.r.Student, By: e.File})
			newest[who] = cand
		}
	}
	// A superseded entry may name a file that was itself superseded later;
	// point every one at the file finally graded.
	for i := range c.Superseded {
		c.Superseded[i].By = newest[strings.ToLower(c.Superseded[i].Student)].file
	}

	c.Columns = append(c.Columns, opts.Course.Steps...)
	index := map[string]int{}
	for i, col := range c.Columns {
		index[col.Key] = i
	}
	extra := 0
	for _, who := range order {
		for _, s := range newest[who].r.Steps {
			if _, ok := index[s.Key]; !ok {
				extra++
				index[s.Key] = len(c.Columns)
				c.Columns = append(c.Columns, Column{Key: safetext.Line(s.Key), Label: fmt.Sprintf("x%d", extra), Extra: true})
			}
		}
	}

	for i := range c.Columns {
		c.Columns[i].Key, c.Columns[i].Title = safetext.Line(c.Columns[i].Key), safetext.Line(c.Columns[i].Title)
	}
	codes := make([]map[string]int, len(c.Columns))
	for _, who := range order {
		cand := newest[who]
		st := &Student{Name: safetext.Line(cand.r.Student), File: cand.file, Receipt: cand.r, Cells: make([]Cell, len(c.Columns))}
		st.Flag = flag(cand.r.Course, opts.Course)
		for _, s := range cand.r.Steps {
			i := index[s.Key]
			cell := Cell{Status: s.Status, Reason: safetext.Line(s.Reason), Duration: time.Duration(s.DurationMS) * time.Millisecond}
			for _, f := range s.Failures {
				cell.Failures = append(cell.Failures, safetext.Terminal(f))
			}
			for _, code := range s.Codes {
				code = safetext.Line(code)
				cell.Codes = append(cell.Codes, code)
				if codes[i] == nil {
					codes[i] = map[string]int{}
				}
				codes[i][code]++
			}
			st.Cells[i] = cell
			if s.Status == receipt.StatusPassed {
				st.Passed++
				c.Columns[i].Passed++
			}
		}
		c.Students = append(c.Students, st)
	}
	for i, m := range codes {
		c.Columns[i].Mistakes = mostCommon(m)
	}
	sort.SliceStable(c.Students, func(i, j int) bool {
		a, b := strings.ToLower(c.Students[i].Name), strings.ToLower(c.Students[j].Name)
		if a != b {
			return a < b
		}
		return c.Students[i].Name < c.Students[j].Name
	})
	return c
}

// mostCommon orders a step's failure codes by how many students got them,
// then by code, and keeps the first MaxMistakes.
func mostCommon(counts map[string]int) []Mistake {
	var out []Mistake
	for code, n := range counts {
		out = append(out, Mistake{Code: code, Students: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Students != out[j].Students {
			return out[i].Students > out[j].Students
		}
		return out[i].Code < out[j].Code
	})
	if len(out) > MaxMistakes {
		out = out[:MaxMistakes]
	}
	return out
}

// Mistakes says whether any step has a typical mistake to show.
func (c *Class) Mistakes() bool {
	for _, col := range c.Columns {
		if len(col.Mistakes) > 0 {
			return true
		}
	}
	return false
}

// MistakeText is a step's typical mistakes in one line:
// "port-mismatch (3), not-running (1)".
func (col Column) MistakeText() string {
	parts := make([]string, len(col.Mistakes))
	for i, m := range col.Mistakes {
		parts[i] = fmt.Sprintf("%s (%d)", m.Code, m.Students)
	}
	return strings.Join(parts, ", ")
}

// flag says how a receipt's course differs from the expected one.
func flag(got receipt.Course, want Course) string {
	switch {
	case want.ID != "" && got.ID != want.ID:
		return fmt.Sprintf("checked against another course: %q (this lab's is %q)", safetext.Line(got.ID), want.ID)
	case want.Hash == "" || got.Hash == want.Hash:
		return ""
	}
	return fmt.Sprintf("checked against another version of the course (%.12s; this lab's is %.12s)", safetext.Line(got.Hash), want.Hash)
}

// Total is the number of steps each student is graded on.
func (c *Class) Total() int { return len(c.Columns) }

// Rate is the share of graded students who passed column i, from 0 to 1;
// 0 when no student was graded.
func (c *Class) Rate(i int) float64 {
	if len(c.Students) == 0 {
		return 0
	}
	return float64(c.Columns[i].Passed) / float64(len(c.Students))
}

// Overall is the share of all student × step cells that passed.
func (c *Class) Overall() float64 {
	cells := len(c.Students) * len(c.Columns)
	if cells == 0 {
		return 0
	}
	passed := 0
	for _, s := range c.Students {
		passed += s.Passed
	}
	return float64(passed) / float64(cells)
}

// Flagged counts graded students whose receipt is for another course or
// version.
func (c *Class) Flagged() int {
	n := 0
	for _, s := range c.Students {
		if s.Flag != "" {
			n++
		}
	}
	return n
}

// percent formats a rate as a whole percentage.
func percent(r float64) string { return fmt.Sprintf("%.0f%%", r*100) }
