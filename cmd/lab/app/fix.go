package app

import (
	"strings"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/internal/result"
)

// fixLine starts the line of a failure's text that says how to fix it; it
// is the failure's last line, and may run on over more lines.
const fixLine = "  fix: "

// hiddenFix stands in for a fix line the step keeps until the learner has
// asked for a hint.
const hiddenFix = "  fix: not shown before your first hint in this step: `lab hint` gives a way forward"

// printResult shows the learner a check's verdict. A step that keeps its
// fix until a hint (fix: after-hint) has its failures' fix lines replaced
// until the learner has asked for at least one hint.
func (ss *session) printResult(res *result.Result) {
	if res.Step != nil && res.Step.FixAfterHint {
		if st, err := ss.load(); err == nil && hintsShown(ss.progress(st), res.Step.Key()) == 0 {
			res = withoutFixes(res)
		}
	}
	report.PrettyResult(ss.s.Out, res, ss.s.OutTTY)
}

// hintsShown is how many of the step's hints the learner has seen.
func hintsShown(cs *progress.CourseState, key string) int {
	if st := cs.Steps[key]; st != nil {
		return st.HintsShown
	}
	return 0
}

// withoutFixes returns a copy of res whose failure texts end with
// hiddenFix in place of their fix lines.
func withoutFixes(res *result.Result) *result.Result {
	out := *res
	out.Checks = make([]result.CheckResult, len(res.Checks))
	for i, c := range res.Checks {
		if before, _, ok := strings.Cut(c.Err, "\n"+fixLine); ok {
			c.Err = before + "\n" + hiddenFix
		}
		out.Checks[i] = c
	}
	return &out
}
