package app

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/progress"
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
			if err := ss.update(func(st *progress.State) error {
				ss.progress(st).Current = step.Key()
				ss.progress(st).Begin(step.Key(), time.Now())
				return nil
			}); err != nil {
				return err
			}
			fmt.Fprintf(s.Err, "current step is now %s\n", step.Key())
			st, err := ss.load()
			if err != nil {
				return err
			}
			return ss.show(st, step)
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
			if nxt != nil {
				return ss.show(st, nxt)
			}
			return nil
		},
	}
}
