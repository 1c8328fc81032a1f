package app

import (
	"context"

	"github.com/urfave/cli/v3"
)

func newShowCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a step's instructions (default: the current step)",
		ArgsUsage: "[STEP]",
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
			return ss.show(st, step)
		},
	}
}
