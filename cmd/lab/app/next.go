package app

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

func newNextCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "next",
		Usage: "check the current step; on pass, move on and show the next one",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			return runNext(ctx, s, cmd)
		},
	}
}

func runNext(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	ss, st, ws, began, err := openLearner(s, cmd)
	if err != nil {
		return err
	}
	// The first run only shows where to begin.
	if began {
		if first := ss.current(st); first != nil {
			if err := ss.warnUntested(ctx, st, first.Lesson, ws); err != nil {
				return err
			}
		}
		fmt.Fprintln(s.Err, "when you are done, run `lab next` to check")
		return nil
	}
	step := ss.current(st)
	if step == nil {
		fmt.Fprintln(s.Out, "every step has passed: the course is complete. `lab verify` checks it all again.")
		return nil
	}
	if err := ss.warnUntested(ctx, st, step.Lesson, ws); err != nil {
		return err
	}
	status, now, err := ss.advance(ctx, ws, step)
	if err != nil {
		return err
	}
	if now != nil && now.Lesson != step.Lesson {
		if err := ss.warnUntested(ctx, st, now.Lesson, ws); err != nil {
			return err
		}
	}
	switch status {
	case result.StatusPassed:
		return nil
	case result.StatusError:
		return &silentError{code: exitEnvError}
	default:
		fmt.Fprintln(s.Out, "\nStuck? `lab hint` gives a hint; `lab show` shows the step again.")
		return &silentError{code: exitNotPass}
	}
}

// openLearner opens the learner's session, progress and workspace. A
// learner who had not started is started (the first step is shown), and
// began says so; st is then the progress as begin left it.
func openLearner(s *IOStreams, cmd *cli.Command) (ss *session, st *progress.State, ws string, began bool, err error) {
	if ss, err = openSession(s, cmd); err != nil {
		return nil, nil, "", false, err
	}
	if st, err = ss.load(); err != nil {
		return nil, nil, "", false, err
	}
	if ws, err = ss.workspace(st); err != nil {
		return nil, nil, "", false, err
	}
	if ss.progress(st).Started() {
		return ss, st, ws, false, nil
	}
	if err = ss.begin(ws); err != nil {
		return nil, nil, "", false, err
	}
	st, err = ss.load()
	return ss, st, ws, true, err
}

// begin starts a new learner at the course's first step: it records where
// they are and shows the first lesson's intro and its first step.
func (ss *session) begin(ws string) error {
	first := ss.course.Steps()[0]
	if err := ss.update(func(st *progress.State) error {
		st.Workspace = ws
		ss.progress(st).MoveOn("", first.Key())
		return nil
	}); err != nil {
		return err
	}
	if err := ss.prepare(ws, first); err != nil {
		return err
	}
	renderIntro(ss.s, first.Lesson)
	renderStep(ss.s, first)
	return nil
}

// advance checks one step, records the attempt and shows the verdict. On a
// pass it moves the learner on and shows what comes next: the lesson's
// recap after its last step, the next lesson's intro before its first, and
// the next step. It returns the verdict and the step that is current
// afterwards (nil when the course is complete). A check cut short by ctx
// (Ctrl-C) records nothing.
func (ss *session) advance(ctx context.Context, ws string, step *lessons.Step) (result.Status, *lessons.Step, error) {
	s := ss.s
	fmt.Fprintf(s.Err, "checking %s — %s ...\n", step.Key(), step.Title)
	rep, err := features.Run(ctx, []*lessons.Step{step}, features.Options{
		Env: checkEnv(ws), Workspace: ws, Status: s.Err,
	})
	if ctxErr := ctx.Err(); ctxErr != nil {
		return "", step, fmt.Errorf("checking %s was interrupted, so nothing was recorded; run `lab next` again: %w", step.Key(), ctxErr)
	}
	if err != nil {
		return "", step, err
	}
	res := rep.Results[0]
	defer reportToClass(s, ss, rep)()
	passed := res.Status == result.StatusPassed
	nxt := ss.course.Next(step)
	moved, err := ss.recordCheck(step, passed, ws)
	if err != nil {
		return "", step, err
	}

	report.PrettyResult(s.Out, res, s.OutTTY)
	if !passed {
		return res.Status, step, nil
	}
	if step.Index == len(step.Lesson.Steps) {
		fmt.Fprintln(s.Out)
		renderRecap(s, step.Lesson)
	}
	if nxt == nil {
		fmt.Fprintln(s.Out, "\nThat was the last step: the course is complete.")
		return res.Status, nil, nil
	}
	if !moved {
		fmt.Fprintln(s.Out, "\nYou moved to another step while this one was checked; staying there (see: lab).")
		st, err := ss.load()
		if err != nil {
			return "", nil, err
		}
		return res.Status, ss.current(st), nil
	}
	fmt.Fprintln(s.Out)
	if err := ss.prepare(ws, nxt); err != nil {
		return "", nxt, err
	}
	if nxt.Index == 1 {
		renderIntro(s, nxt.Lesson)
	}
	renderStep(s, nxt)
	return res.Status, nxt, nil
}
