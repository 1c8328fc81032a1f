// Package result is what a run of checks found: the verdict of each step,
// the failed expectations with their stable codes, and the report over a
// selection of steps. It is a leaf on purpose: reports, receipts, grading
// and every tool built on results import it without pulling in Docker,
// Kubernetes, kind or the Gherkin runner.
package result

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lab-workshop/lab/lessons"
)

// Status is the verdict for one lesson step. It comes from the results the
// runner collected, never from a formatter's output.
type Status string

// The verdicts a step can get. StatusError means the check could not run
// (no engine, undefined Gherkin, a broken lesson): it is never a pass and
// never an ordinary failure.
const (
	StatusPassed  Status = "passed"
	StatusFailed  Status = "failed"
	StatusError   Status = "error"
	StatusSkipped Status = "skipped"
)

// Failure is one expectation that did not hold. Checks return it so a
// learner sees what was expected, what was observed and how to look for
// themselves, and so authors, selftest and grading can name the kind of
// mistake by its Code without matching prose.
type Failure struct {
	// Code names the kind of failure in a few stable words
	// ("port-mismatch", "not-running"). Wording may change; codes do not.
	Code     string
	Message  string // one line: what is wrong
	Expected string
	Observed string
	Try      string // a command the learner can run to see the same thing
	Fix      string // what to do about it, when known
}

func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Message)
	if f.Expected != "" {
		fmt.Fprintf(&b, "\n  expected: %s", f.Expected)
	}
	if f.Observed != "" {
		fmt.Fprintf(&b, "\n  observed: %s", f.Observed)
	}
	if f.Try != "" {
		fmt.Fprintf(&b, "\n  see it yourself: %s", f.Try)
	}
	if f.Fix != "" {
		fmt.Fprintf(&b, "\n  fix: %s", f.Fix)
	}
	return b.String()
}

// CodeOf returns the failure code err carries, or "" when it carries none.
func CodeOf(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Code
	}
	return ""
}

// EnvError marks a check that could not run because the environment is not
// there (no engine, no cluster). The runner turns it into StatusError.
type EnvError struct{ Err error }

func (e *EnvError) Error() string { return e.Err.Error() }
func (e *EnvError) Unwrap() error { return e.Err }

// IsEnvError reports whether err means the environment, not the learner's
// work, stopped the check.
func IsEnvError(err error) bool {
	var e *EnvError
	return errors.As(err, &e)
}

// CheckResult is the outcome of one Gherkin step inside a scenario.
type CheckResult struct {
	Scenario string
	Text     string // the Gherkin step as written, keyword included
	Status   Status
	Err      string // failure text, empty on pass
	Code     string // the failure's code, when the check gave one
}

// Result is the verdict for one lesson step with everything a report needs.
type Result struct {
	Step     *lessons.Step
	Status   Status
	Duration time.Duration
	Checks   []CheckResult
	Notes    []string // facts a check reported (versions, restart counts)
	Reason   string   // why a step was skipped or errored before any check ran
}

// Failures lists the failure texts of the step's checks, in order.
func (r *Result) Failures() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Err != "" && (c.Status == StatusFailed || c.Status == StatusError) {
			out = append(out, c.Err)
		}
	}
	if r.Reason != "" && r.Status != StatusSkipped {
		out = append(out, r.Reason)
	}
	return out
}

// Codes lists the failure codes of the step's failed checks, in order and
// without repeats.
func (r *Result) Codes() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Code == "" || (c.Status != StatusFailed && c.Status != StatusError) {
			continue
		}
		if !contains(out, c.Code) {
			out = append(out, c.Code)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Message is every failure of the step in one text, the text selftest
// matches a known-wrong state's expected message against.
func (r *Result) Message() string { return strings.Join(r.Failures(), "\n") }

// Report is the outcome of one run over a selection of steps.
type Report struct {
	Results  []*Result
	Started  time.Time
	Duration time.Duration
}

// Counts tallies results by status.
func (r *Report) Counts() map[Status]int {
	m := map[Status]int{}
	for _, res := range r.Results {
		m[res.Status]++
	}
	return m
}

// Err summarises the report as the error kind the CLI maps to an exit code:
// nil when every step passed or was skipped on purpose, an EnvError when any
// step could not run, otherwise ErrNotPassed.
func (r *Report) Err() error {
	var env, failed []string
	for _, res := range r.Results {
		switch res.Status {
		case StatusError:
			env = append(env, res.Step.Key())
		case StatusFailed:
			failed = append(failed, res.Step.Key())
		}
	}
	if len(env) > 0 {
		return &EnvError{Err: fmt.Errorf("could not check %s", strings.Join(env, ", "))}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s", ErrNotPassed, strings.Join(failed, ", "))
	}
	return nil
}

// ErrNotPassed means a check ran and the learner's work did not pass it.
var ErrNotPassed = errors.New("not passed")
