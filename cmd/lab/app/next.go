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
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	st, err := ss.load()
	if err != nil {
		return err
	}
	ws, err := ss.workspace(st)
	if err != nil {
		return err
	}
	// The first run only shows where to begin.
	if !ss.progress(st).Started() {
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
		renderStep(s, first)
		fmt.Fprintln(s.Err, "when you are done, run `lab next` to check")
		return nil
	}
	step := ss.current(st)
	if step == nil {
		fmt.Fprintln(s.Out, "every step has passed: the course is complete. `lab verify` checks it all again.")
		return nil
	}

	fmt.Fprintf(s.Err, "checking %s — %s ...\n", step.Key(), step.Title)
	rep, err := features.Run(ctx, []*lessons.Step{step}, features.Options{
		Env: checkEnv(ws), Workspace: ws, Status: s.Err,
	})
	if err != nil {
		return err
	}
	res := rep.Results[0]
	moved, err := ss.recordCheck(step, res.Status == result.StatusPassed, ws)
	if err != nil {
		return err
	}

	switch res.Status {
	case result.StatusPassed:
		report.PrettyResult(s.Out, res, s.OutTTY)
		nxt := ss.course.Next(step)
		if nxt == nil {
			fmt.Fprintln(s.Out, "\nThat was the last step: the course is complete.")
			return nil
		}
		if !moved {
			fmt.Fprintln(s.Out, "\nYou moved to another step while this one was checked; staying there (see: lab).")
			return nil
		}
		fmt.Fprintln(s.Out)
		if err := ss.prepare(ws, nxt); err != nil {
			return err
		}
		renderStep(s, nxt)
		return nil
	case result.StatusError:
		report.PrettyResult(s.Out, res, s.OutTTY)
		return &silentError{code: exitEnvError}
	default:
		report.PrettyResult(s.Out, res, s.OutTTY)
		fmt.Fprintln(s.Out, "\nStuck? `lab hint` gives a hint; `lab show` shows the step again.")
		return &silentError{code: exitNotPass}
	}
}
