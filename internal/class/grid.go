package class

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/class/learner"
)

// Cell states on the grid.
const (
	CellNone    = ""
	CellPassed  = "passed"
	CellFailed  = "failed"
	CellCurrent = "current"
	CellStuck   = "stuck"
)

// Stuck says when a learner counts as stuck on their current step.
type Stuck struct {
	After    time.Duration // on the same step longer than this
	Failures int           // or this many failures in a row
}

// DefaultStuck is what `lab class serve` uses unless told otherwise.
var DefaultStuck = Stuck{After: 15 * time.Minute, Failures: 3}

// Grid is the class at a moment: learners × steps.
type Grid struct {
	Class *Class
	Steps []*StepColumn
	Rows  []*Row
	At    time.Time
}

// StepColumn is one step of the course with what the class did on it.
type StepColumn struct {
	Key        string
	Index      int
	Passed     int
	Attempts   int
	TopFailure string // the most common failure: a code, else the summary
	TopCount   int
	Median     time.Duration // median time spent by those who passed
}

// Row is one learner.
type Row struct {
	Learner  *Learner
	Cells    []*Cell // one per Grid.Steps
	Current  string  // the step they are on, when known
	Problems []string
	Last     time.Time // their latest result
}

// Ready reports whether the learner's machine will manage every lesson.
func (r *Row) Ready() bool { return len(r.Problems) == 0 }

// Cell is one learner on one step.
type Cell struct {
	State    string
	Attempts int
	Failures int           // failures in a row at the latest attempt
	Spent    time.Duration // from the learner's previous result to their last one on this step
	Last     string        // the latest failure, code or summary
	// Verified says the state is the verdict of the instructor's own check
	// (lab class verify), which wins over what the learner's lab reported.
	Verified bool
}

// Label is the cell's short text on the page and in exports.
func (c *Cell) Label() string {
	if c.Verified {
		return c.State + ", verified"
	}
	switch c.State {
	case CellPassed:
		return "passed"
	case CellFailed:
		return fmt.Sprintf("failed ×%d", c.Failures)
	case CellCurrent:
		if c.Failures > 0 {
			return fmt.Sprintf("current, failed ×%d", c.Failures)
		}
		return "current"
	case CellStuck:
		return fmt.Sprintf("stuck, failed ×%d", c.Failures)
	}
	return ""
}

// failureName is what a failed record counts as: its codes, else its
// summary.
func failureNames(r learner.Record) []string {
	if len(r.Codes) > 0 {
		return r.Codes
	}
	if r.Summary != "" {
		return []string{r.Summary}
	}
	return []string{"(no message)"}
}

// BuildGrid computes the grid from a class's learners and results. now
// decides who is stuck.
func BuildGrid(c *Class, ls []*Learner, rs []Result, stuck Stuck, now time.Time) *Grid {
	g := &Grid{Class: c, At: now}
	cols := map[string]*StepColumn{}
	for _, r := range rs {
		if cols[r.Record.Step] == nil {
			cols[r.Record.Step] = &StepColumn{Key: r.Record.Step, Index: r.Record.Index}
		}
	}
	for _, col := range cols {
		g.Steps = append(g.Steps, col)
	}
	slices.SortFunc(g.Steps, func(a, b *StepColumn) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), strings.Compare(a.Key, b.Key))
	})
	colIndex := map[string]int{}
	for i, col := range g.Steps {
		colIndex[col.Key] = i
	}
	failures := make([]map[string]int, len(g.Steps))
	spent := make([][]time.Duration, len(g.Steps))
	byLearner := map[string][]learner.Record{}
	verified := map[string][]learner.Record{}
	for _, r := range rs {
		if r.Verified {
			verified[r.Learner] = append(verified[r.Learner], r.Record)
			continue
		}
		byLearner[r.Learner] = append(byLearner[r.Learner], r.Record)
	}
	countFailure := func(i int, rec learner.Record) string {
		if failures[i] == nil {
			failures[i] = map[string]int{}
		}
		names := failureNames(rec)
		for _, n := range names {
			failures[i][n]++
		}
		return names[0]
	}
	for _, l := range ls {
		row := &Row{Learner: l, Problems: l.Readiness.Problems()}
		for range g.Steps {
			row.Cells = append(row.Cells, &Cell{})
		}
		var prev time.Time // the learner's previous result
		firstOnStep := map[string]time.Time{}
		for _, rec := range byLearner[l.ID] {
			i := colIndex[rec.Step]
			cell, col := row.Cells[i], g.Steps[i]
			cell.Attempts++
			col.Attempts++
			if _, ok := firstOnStep[rec.Step]; !ok {
				start := prev
				if start.IsZero() {
					start = rec.At.Add(-time.Duration(rec.DurationMS) * time.Millisecond)
				}
				firstOnStep[rec.Step] = start
			}
			if cell.State != CellPassed { // time after the pass is not time spent on it
				cell.Spent = rec.At.Sub(firstOnStep[rec.Step])
			}
			switch rec.Verdict {
			case "passed":
				if cell.State != CellPassed {
					spent[i] = append(spent[i], cell.Spent)
				}
				cell.State, cell.Failures = CellPassed, 0
			case "failed", "error":
				cell.Last = countFailure(i, rec)
				if cell.State != CellPassed {
					cell.State = CellFailed
					cell.Failures++
				}
			}
			row.Last, prev = rec.At, rec.At
		}
		// The instructor's latest verdict on a step stands, whatever the
		// learner's lab said before or after.
		for _, rec := range verified[l.ID] {
			i := colIndex[rec.Step]
			cell := row.Cells[i]
			switch rec.Verdict {
			case "passed":
				cell.State, cell.Verified, cell.Failures, cell.Last = CellPassed, true, 0, ""
			case "failed", "error":
				cell.State, cell.Verified = CellFailed, true
				cell.Last = countFailure(i, rec)
			}
		}
		// They are on the first step, in course order, they tried and have
		// not passed: the one lab next checks, and after a lab verify of
		// everything the first that failed. A step the instructor verified
		// is settled.
		for i, cell := range row.Cells {
			if cell.Attempts > 0 && cell.State != CellPassed && !cell.Verified {
				row.Current = g.Steps[i].Key
				break
			}
		}
		if row.Current != "" {
			cell := row.Cells[colIndex[row.Current]]
			switch {
			case (stuck.Failures > 0 && cell.Failures >= stuck.Failures) ||
				(stuck.After > 0 && now.Sub(firstOnStep[row.Current]) > stuck.After):
				cell.State = CellStuck
			default:
				cell.State = CellCurrent
			}
		}
		g.Rows = append(g.Rows, row)
	}
	for i, col := range g.Steps {
		for _, row := range g.Rows {
			if row.Cells[i].State == CellPassed {
				col.Passed++
			}
		}
		for name, n := range failures[i] {
			if n > col.TopCount || (n == col.TopCount && name < col.TopFailure) {
				col.TopFailure, col.TopCount = name, n
			}
		}
		col.Median = median(spent[i])
	}
	return g
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// Stuck counts the learners stuck right now.
func (g *Grid) Stuck() int {
	n := 0
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			if c.State == CellStuck {
				n++
			}
		}
	}
	return n
}

// NotReady counts the learners whose machine will not manage every lesson.
func (g *Grid) NotReady() int {
	n := 0
	for _, r := range g.Rows {
		if !r.Ready() {
			n++
		}
	}
	return n
}

// WriteCSV writes the grid as CSV: one row per learner, a column per step
// with the cell's label, then readiness; and a last row with each step's
// most common failure.
func (g *Grid) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"learner"}
	for _, s := range g.Steps {
		head = append(head, s.Key)
	}
	head = append(head, "current", "readiness")
	cw.Write(head)
	for _, r := range g.Rows {
		line := []string{r.Learner.Name}
		for _, c := range r.Cells {
			line = append(line, c.Label())
		}
		ready := "ready"
		if !r.Ready() {
			ready = strings.Join(r.Problems, "; ")
		}
		line = append(line, r.Current, ready)
		cw.Write(line)
	}
	foot := []string{"most common failure"}
	for _, s := range g.Steps {
		if s.TopCount > 0 {
			foot = append(foot, fmt.Sprintf("%s (%d)", s.TopFailure, s.TopCount))
		} else {
			foot = append(foot, "")
		}
	}
	cw.Write(foot)
	cw.Flush()
	return cw.Error()
}

// Round shows a duration to the second, "<1s" under one, or "" for none.
func Round(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return "<1s"
	}
	return d.Round(time.Second).String()
}
