package lessons

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lab-workshop/lab/internal/suggest"
)

// ErrUnknownStep is wrapped by every error about a step or scope the course
// does not have, so the CLI can treat it as a usage error.
var ErrUnknownStep = errors.New("unknown step")

// ErrAmbiguousStep is wrapped when a bare step id names steps in several
// lessons, so the CLI can treat it as a usage error.
var ErrAmbiguousStep = errors.New("ambiguous step")

var numberRef = regexp.MustCompile(`^([0-9]+)\.([0-9]+)$`)

// Find resolves what a learner types to name a step: "lesson/step", a bare
// "step" id when only one lesson has it, or "2.3" (lesson 2, step 3). An
// unknown name gets an error that suggests close matches.
func (c *Course) Find(ref string) (*Step, error) {
	ref = strings.TrimSpace(ref)
	if m := numberRef.FindStringSubmatch(ref); m != nil {
		return c.findNumber(ref, m[1], m[2])
	}
	if lessonID, stepID, ok := strings.Cut(ref, "/"); ok {
		if l := c.Lesson(lessonID); l != nil {
			if s := l.Step(stepID); s != nil {
				return s, nil
			}
		}
		return nil, c.unknown("unknown step", ref, false)
	}
	var found []*Step
	for _, s := range c.Steps() {
		if s.ID == ref {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if l := c.Lesson(ref); l != nil && len(l.Steps) > 0 {
			return nil, fmt.Errorf("%w %q: that is a lesson; name one of its steps, such as %s; see: lab list",
				ErrUnknownStep, ref, l.Steps[0].Key())
		}
		return nil, c.unknown("unknown step", ref, false)
	default:
		keys := make([]string, len(found))
		for i, s := range found {
			keys[i] = s.Key()
		}
		return nil, fmt.Errorf("%w %q: several lessons have it; name one of %s",
			ErrAmbiguousStep, ref, strings.Join(keys, ", "))
	}
}

func (c *Course) findNumber(ref, lesson, step string) (*Step, error) {
	li, err := strconv.Atoi(lesson)
	if err != nil || li < 1 || li > len(c.Lessons) {
		return nil, fmt.Errorf("%w %q: the course has %d lessons; see: lab list", ErrUnknownStep, ref, len(c.Lessons))
	}
	l := c.Lessons[li-1]
	si, err := strconv.Atoi(step)
	if err != nil || si < 1 || si > len(l.Steps) {
		return nil, fmt.Errorf("%w %q: lesson %d (%s) has %d steps; see: lab list", ErrUnknownStep, ref, li, l.ID, len(l.Steps))
	}
	return l.Steps[si-1], nil
}

// Select turns command-line scopes into the steps to check. Each scope is
// "all", a lesson id, a lesson number ("2") or anything Find accepts; no
// scope means all. The result keeps course order and holds each step once,
// however the scopes overlap. A lesson id wins over a bare step id of the
// same name; name the step as "lesson/step" to pick it.
func (c *Course) Select(scopes ...string) ([]*Step, error) {
	if len(scopes) == 0 {
		return c.Steps(), nil
	}
	chosen := map[*Step]bool{}
	for _, scope := range scopes {
		scope = strings.TrimSpace(scope)
		if scope == "all" {
			return c.Steps(), nil
		}
		if l := c.Lesson(scope); l != nil {
			for _, s := range l.Steps {
				chosen[s] = true
			}
			continue
		}
		if n, err := strconv.Atoi(scope); err == nil && !strings.ContainsAny(scope, "+-") {
			if n < 1 || n > len(c.Lessons) {
				return nil, fmt.Errorf("%w %q: the course has %d lessons; see: lab list", ErrUnknownStep, scope, len(c.Lessons))
			}
			for _, s := range c.Lessons[n-1].Steps {
				chosen[s] = true
			}
			continue
		}
		s, err := c.Find(scope)
		if errors.Is(err, ErrUnknownStep) && !strings.Contains(scope, "/") && !numberRef.MatchString(scope) {
			return nil, c.unknown("unknown lesson or step", scope, true)
		}
		if err != nil {
			return nil, err
		}
		chosen[s] = true
	}
	var steps []*Step
	for _, s := range c.Steps() {
		if chosen[s] {
			steps = append(steps, s)
		}
	}
	return steps, nil
}

// unknown builds the error for a name that matches nothing, suggesting the
// closest step keys (and lesson ids when withLessons is set).
func (c *Course) unknown(what, ref string, withLessons bool) error {
	msg := fmt.Sprintf("%s %q;", what, ref)
	if near := c.nearest(ref, withLessons); len(near) > 0 {
		msg += " did you mean " + strings.Join(near, " or ") + "?"
	}
	return &refError{msg: msg + " see: lab list", kind: ErrUnknownStep}
}

// refError carries a complete message while still matching its kind with
// errors.Is.
type refError struct {
	msg  string
	kind error
}

func (e *refError) Error() string { return e.msg }
func (e *refError) Unwrap() error { return e.kind }

// nearest returns up to three names close to ref: step keys whose id or key
// is a small edit away or contains ref, and lesson ids when asked.
func (c *Course) nearest(ref string, withLessons bool) []string {
	type candidate struct {
		name string
		dist int
		pos  int
	}
	limit := max(2, len(ref)/3)
	var cands []candidate
	consider := func(name string, forms ...string) {
		best := -1
		for _, f := range forms {
			d := suggest.Distance(ref, f)
			if d > limit && !(len(ref) >= 3 && strings.Contains(f, ref)) {
				continue
			}
			if best < 0 || d < best {
				best = d
			}
		}
		if best >= 0 {
			cands = append(cands, candidate{name, best, len(cands)})
		}
	}
	if withLessons {
		for _, l := range c.Lessons {
			consider(l.ID, l.ID)
		}
	}
	for _, s := range c.Steps() {
		consider(s.Key(), s.ID, s.Key())
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return a.pos - b.pos
	})
	var names []string
	for _, cand := range cands {
		if len(names) == 3 {
			break
		}
		names = append(names, cand.name)
	}
	return names
}
