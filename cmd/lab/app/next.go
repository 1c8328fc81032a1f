package app

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/progress"
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
	ss, st, ws, began, err := openLearner(ctx, s, cmd)
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
	// A step whose starting state was never set up would be checked
	// against the wrong state: set it up and show the step instead.
	if ss.setupPending(st, step) {
		fmt.Fprintf(s.Err, "%s starts from a state lab sets up, and it was not set up yet\n", step.Key())
		if err := ss.reach(ctx, ws, step, step.Key()); err != nil {
			return err
		}
		renderStep(s, step)
		fmt.Fprintln(s.Err, "when you are done, run `lab next` to check")
		return nil
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
	case result.StatusPassed, result.StatusSkipped:
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
func openLearner(ctx context.Context, s *IOStreams, cmd *cli.Command) (ss *session, st *progress.State, ws string, began bool, err error) {
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
	if err = ss.begin(ctx, ws); err != nil {
		return nil, nil, "", false, err
	}
	st, err = ss.load()
	return ss, st, ws, true, err
}

// begin starts a new learner at the course's first step: it records where
// they are and shows the first lesson's intro and its first step. When the
// step's learner setup fails, the learner has not begun.
func (ss *session) begin(ctx context.Context, ws string) error {
	first := ss.course.Steps()[0]
	if err := ss.prepare(ws, first); err != nil {
		return err
	}
	if err := ss.reach(ctx, ws, first, ""); err != nil {
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
	if ss.shared.skipReason(step) != "" {
		nxt, err := ss.skipSharedAndShow(ws, step)
		return result.StatusSkipped, nxt, err
	}
	fmt.Fprintf(s.Err, "checking %s — %s ...\n", step.Key(), step.Title)
	rep, err := features.Run(ctx, []*lessons.Step{step}, ss.checkOptions(ws))
	if ctxErr := ctx.Err(); ctxErr != nil {
		return "", step, fmt.Errorf("checking %s was interrupted, so nothing was recorded; run `lab next` again: %w", step.Key(), ctxErr)
	}
	if err != nil {
		return "", step, err
	}
	res := rep.Results[0]
	passed := res.Status == result.StatusPassed
	if res.Status == result.StatusFailed {
		// A host port another container holds is named with its holder.
		res.Checks = append(res.Checks, features.PortConflicts(ctx, checkEnv(ws), step)...)
	}
	defer reportToClass(s, ss, rep)()
	nxt := ss.course.Next(step)
	// A next step with a learner setup is moved onto only once its
	// setup ran, so a failing setup leaves the learner where they are.
	hold := passed && nxt != nil && len(nxt.Setup) > 0
	moved, err := ss.recordCheck(step, passed, ws, hold)
	if err != nil {
		return "", step, err
	}

	ss.printResult(res)
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
	if hold {
		if err := ss.reach(ctx, ws, nxt, step.Key()); err != nil {
			return "", step, err
		}
	}
	if nxt.Index == 1 {
		renderIntro(s, nxt.Lesson)
	}
	renderStep(s, nxt)
	return res.Status, nxt, nil
}
