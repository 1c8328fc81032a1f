package class

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/grade"
	"github.com/lab-workshop/lab/internal/receipt"
)

// Origin is what an export of a class says its results are, in place of
// a receipt's signature check.
const Origin = "results from the class store: self-reported by each learner's lab unless verified by the instructor (lab class verify)"

// VerifiedReason marks, in an export, a step whose result is the
// instructor's own check.
const VerifiedReason = "verified by the instructor"

// Receipts turns a class's results into one receipt-shaped entry per
// learner, for lab grade's reports: each step's latest result, the
// instructor's latest verdict winning over the learner's own reports as on
// the page. Learners who joined more than once under one name (without
// regard to case) are one entry, with the latest result of any of them.
// A learner with no result yet is an entry with no step for course, so
// every learner of the class is listed.
func Receipts(c *Class, course receipt.Course, ls []*Learner, rs []Result) []grade.Entry {
	type latest struct {
		res   Result
		found bool
	}
	type person struct {
		name     string
		joined   time.Time
		steps    map[string]*[2]latest // [self-reported, verified]
		lastSeen Result
	}
	var order []string
	people := map[string]*person{}
	byLearner := map[string]*person{}
	for _, l := range ls {
		key := strings.ToLower(l.Name)
		p := people[key]
		if p == nil {
			p = &person{name: l.Name, joined: l.Joined, steps: map[string]*[2]latest{}}
			people[key] = p
			order = append(order, key)
		}
		byLearner[l.ID] = p
	}
	later := func(a, b Result) bool { // a comes after b
		return cmp.Or(a.Record.At.Compare(b.Record.At), cmp.Compare(a.Record.Seq, b.Record.Seq)) > 0
	}
	for _, r := range rs {
		p := byLearner[r.Learner]
		if p == nil {
			continue
		}
		slot := p.steps[r.Record.Step]
		if slot == nil {
			slot = &[2]latest{}
			p.steps[r.Record.Step] = slot
		}
		i := 0
		if r.Verified {
			i = 1
		}
		if !slot[i].found || later(r, slot[i].res) {
			slot[i] = latest{res: r, found: true}
		}
		if p.lastSeen.Record.At.IsZero() || later(r, p.lastSeen) {
			p.lastSeen = r
		}
	}
	var out []grade.Entry
	for _, key := range order {
		p := people[key]
		rec := &receipt.Receipt{Format: receipt.Version, Student: p.name, Time: p.joined, Course: course}
		var chosen []Result
		for _, slot := range p.steps {
			if slot[1].found {
				chosen = append(chosen, slot[1].res)
			} else {
				chosen = append(chosen, slot[0].res)
			}
		}
		slices.SortFunc(chosen, func(a, b Result) int {
			return cmp.Or(cmp.Compare(a.Record.Index, b.Record.Index), strings.Compare(a.Record.Step, b.Record.Step))
		})
		verified := 0
		for _, r := range chosen {
			st := receipt.Step{Key: r.Record.Step, Status: r.Record.Verdict, DurationMS: r.Record.DurationMS, Codes: r.Record.Codes}
			if r.Record.Summary != "" && r.Record.Verdict != "passed" {
				st.Failures = []string{r.Record.Summary}
			}
			if r.Verified {
				st.Reason = VerifiedReason
				verified++
			}
			rec.Steps = append(rec.Steps, st)
		}
		if last := p.lastSeen.Record; !last.At.IsZero() {
			rec.Time, rec.Lab = last.At, last.Lab
			rec.Course = receipt.Course{ID: last.Course, Hash: last.CourseHash}
		}
		source := fmt.Sprintf("class %q: self-reported", c.Name)
		if verified > 0 {
			source = fmt.Sprintf("class %q: %d step(s) verified by the instructor, the rest self-reported", c.Name, verified)
		}
		out = append(out, grade.Entry{File: source, Receipt: rec})
	}
	return out
}
