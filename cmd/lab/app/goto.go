package app

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/lessons"
)

func newGotoCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "goto",
		Usage:     "make STEP the current step (nothing you made is touched)",
		ArgsUsage: "STEP",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 || cmd.Args().First() == "" {
				return usageErrorf("goto needs exactly one STEP, for example: lab goto docker-setup/engine (see: lab list)")
			}
			ss, err := openSession(s, cmd)
			if err != nil {
				return err
			}
			step, err := ss.step(nil, cmd.Args().First())
			if err != nil {
				return err
			}
			return ss.gotoStep(ctx, step)
		},
	}
}

func newSkipCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "skip",
		Usage: "move on to the next step without checking this one (nothing you made is touched)",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			ss, err := openSession(s, cmd)
			if err != nil {
				return err
			}
			st, err := ss.load()
			if err != nil {
				return err
			}
			step, nxt, err := ss.skipCurrent()
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Err, "skipped %s; come back with: lab goto %s\n", step.Key(), step.Key())
			if nxt == nil {
				return nil
			}
			if len(nxt.Setup) > 0 {
				ws, err := ss.workspace(st)
				if err != nil {
					return err
				}
				if err := ss.prepare(ws, nxt); err != nil {
					return err
				}
				if err := ss.reach(ctx, ws, nxt, nxt.Key()); err != nil {
					return err
				}
			}
			return ss.show(st, nxt)
		},
	}
}

// gotoStep makes step the current one. A step with a learner setup is set
// up first, unless the learner is on it already and it was set up when
// they reached it; a failing setup leaves them where they were.
func (ss *session) gotoStep(ctx context.Context, step *lessons.Step) error {
	st, err := ss.load()
	if err != nil {
		return err
	}
	ws, err := ss.workspace(st)
	if err != nil {
		return err
	}
	switch {
	case len(step.Setup) == 0:
		if err := ss.update(func(st *progress.State) error {
			ss.progress(st).Current = step.Key()
			ss.progress(st).Begin(step.Key(), time.Now())
			return nil
		}); err != nil {
			return err
		}
	case ss.progress(st).SetupDone(step.Key()):
		fmt.Fprintf(ss.s.Err, "you are on %s and its starting state was set up when you reached it; lab does not set it up again over your work\n", step.Key())
	default:
		if err := ss.prepare(ws, step); err != nil {
			return err
		}
		if err := ss.reach(ctx, ws, step, "*"); err != nil {
			return err
		}
	}
	fmt.Fprintf(ss.s.Err, "current step is now %s\n", step.Key())
	if st, err = ss.load(); err != nil {
		return err
	}
	return ss.show(st, step)
}
