package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"
)

// runStatus is plain `lab`: where the learner is and what to do next.
func runStatus(_ context.Context, s *IOStreams, cmd *cli.Command) error {
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	st, err := ss.load()
	if err != nil {
		return err
	}
	steps := ss.course.Steps()
	cs := ss.progress(st)
	passed := 0
	var changed []string
	for _, step := range steps {
		if cs.Passed(step.Key()) {
			passed++
		}
		if ss.changed(st, step) {
			changed = append(changed, step.Key())
		}
	}
	fmt.Fprintf(s.Out, "%s\n", ss.course.Title)
	fmt.Fprintf(s.Out, "progress: %d of %d steps passed\n", passed, len(steps))
	if len(changed) > 0 {
		fmt.Fprintf(s.Out, "%s: %s\n", changedMark, strings.Join(changed, ", "))
	}
	if cs.Current == "" && passed == 0 {
		fmt.Fprintln(s.Out, "not started yet: run `lab next` to see the first step")
		return nil
	}
	cur := ss.current(st)
	if cur == nil {
		fmt.Fprintln(s.Out, "every step has passed: well done. `lab verify` checks them all again.")
		return nil
	}
	fmt.Fprintf(s.Out, "current: %s — %s (lesson %d, step %d of %d)\n", cur.Key(), cur.Title, cur.Lesson.Index, cur.Index, len(cur.Lesson.Steps))
	fmt.Fprintln(s.Out, "next: follow `lab show`, then run `lab next` to check; stuck? `lab hint`")
	return nil
}
