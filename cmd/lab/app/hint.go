package app

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/safetext"
)

func newHintCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "hint",
		Usage:     "show one more hint for a step (default: the current step)",
		ArgsUsage: "[STEP]",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 1); err != nil {
				return err
			}
			return runHint(s, cmd)
		},
	}
}

// runHint reveals hints one at a time: each call shows the hints seen so far
// and one more, until there are no more.
func runHint(s *IOStreams, cmd *cli.Command) error {
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
	shown := 0
	if err := ss.update(func(st *progress.State) error {
		rec := ss.progress(st).Step(step.Key())
		if rec.HintsShown < len(step.Hints) {
			rec.HintsShown++
		}
		// A course edit can leave fewer hints than were shown.
		shown = min(rec.HintsShown, len(step.Hints))
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Hints for %s — %s\n", step.Key(), step.Title)
	for i := 0; i < shown; i++ {
		fmt.Fprintf(s.Out, "%d/%d. %s\n", i+1, len(step.Hints), safetext.Terminal(step.Hints[i]))
	}
	if shown < len(step.Hints) {
		fmt.Fprintln(s.Err, "run `lab hint` again for another hint")
	} else {
		fmt.Fprintf(s.Err, "that was the last hint; after the step passes, `lab solution %s` shows a reference solution\n", step.Key())
	}
	return nil
}
