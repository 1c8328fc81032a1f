package app

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/safetext"
)

func newSolutionCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "solution",
		Usage:     "show a step's reference solution, once the step has passed",
		ArgsUsage: "STEP",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Usage: "show it even though the step has not passed yet"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 1); err != nil {
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
			step, err := ss.step(st, cmd.Args().First())
			if err != nil {
				return err
			}
			if !ss.progress(st).Passed(step.Key()) && !cmd.Bool("force") {
				return usageErrorf("%s has not passed yet: try it first (`lab hint %s` helps), or see the solution anyway with: lab solution --force %s", step.Key(), step.Key(), step.Key())
			}
			if ss.changed(st, step) {
				fmt.Fprintf(s.Err, "note: %s %s (see: lab goto %s)\n", step.Key(), changedMark, step.Key())
			}
			fmt.Fprintf(s.Out, "Reference solution for %s — %s:\n\n", step.Key(), step.Title)
			for _, c := range step.Solution {
				fmt.Fprintf(s.Out, "  %s\n", safetext.Terminal(c))
			}
			return nil
		},
	}
}
