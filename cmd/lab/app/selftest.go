package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
)

func newSelftestCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "selftest",
		Usage:     "prove each step's check honest: fails unsolved, passes solved, fails for every known-wrong state, cleans up (for authors)",
		ArgsUsage: "[LESSON|STEP ...]",
		Description: "selftest runs the reference solutions and known-wrong states against this machine's engine.\n" +
			"It removes the resources the selected lessons name (for example every container from hello-world),\n" +
			"so run it on a machine set aside for testing, not on a learner's. It uses a scratch workspace.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "keep-scratch", Usage: "keep the scratch workspace and print where it is"},
			&cli.IntFlag{Name: "repeat", Value: 1, Usage: "run every step's whole cycle `N` times and report steps whose verdict changed between runs as flaky"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runSelftest(ctx, s, cmd)
		},
	}
}

func runSelftest(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	repeat := cmd.Int("repeat")
	if repeat < 1 {
		return usageErrorf("--repeat %d: selftest runs each step at least once; give a number of runs of 1 or more, such as --repeat 3", repeat)
	}
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	steps, err := ss.course.Select(cmd.Args().Slice()...)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	unlock, err := selftestLock(ctx, s)
	if err != nil {
		return err
	}
	defer unlock()
	dir, err := os.MkdirTemp("", "lab-selftest-")
	if err != nil {
		return &envError{err: fmt.Errorf("making a scratch directory: %w", err)}
	}
	if cmd.Bool("keep-scratch") {
		fmt.Fprintf(s.Err, "scratch directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	runs, flakes, err := features.RepeatSelftest(ctx, repeat, func(ctx context.Context, i int) ([]*features.SelftestResult, error) {
		if repeat > 1 {
			fmt.Fprintf(s.Err, "selftest run %d of %d\n", i+1, repeat)
		}
		run := filepath.Join(dir, fmt.Sprintf("run%d", i+1))
		return features.Selftest(ctx, steps, features.SelftestOptions{
			Workspace: filepath.Join(run, "workspace"),
			Scratch:   filepath.Join(run, "scratch"),
			Status:    s.Err,
			Starter:   ss.starter,
		})
	})
	ok, failed := 0, 0
	for i, results := range runs {
		if repeat > 1 {
			fmt.Fprintf(s.Out, "run %d of %d\n", i+1, repeat)
		}
		for _, r := range results {
			if r.OK() {
				ok++
				fmt.Fprintf(s.Out, "ok   %s (%d proofs)\n", r.Step.Key(), len(r.Phases))
				continue
			}
			failed++
			fmt.Fprintf(s.Out, "FAIL %s\n", r.Step.Key())
			for _, p := range r.Phases {
				if !p.OK {
					fmt.Fprintf(s.Out, "     %s: %s\n", p.Name, p.Detail)
				}
			}
		}
	}
	for _, f := range flakes {
		fmt.Fprintf(s.Out, "FLAKY %s: its verdict changed between runs\n", f.Step.Key())
		for _, p := range f.Phases {
			fmt.Fprintf(s.Out, "     %s\n", strings.ReplaceAll(p.String(), "\n", "\n     "))
		}
	}
	if err != nil {
		return err
	}
	if repeat > 1 {
		fmt.Fprintf(s.Out, "selftest: %d runs: %d passed, %d failed; %d flaky step(s)\n", repeat, ok, failed, len(flakes))
	} else {
		fmt.Fprintf(s.Out, "selftest: %d passed, %d failed\n", ok, failed)
	}
	if failed > 0 || len(flakes) > 0 {
		return &silentError{code: exitNotPass}
	}
	return nil
}

// selftestLock lets one selftest at a time use the engine: two would fight
// over the same container names and ports. A second one waits, saying so.
func selftestLock(ctx context.Context, s *IOStreams) (func(), error) {
	lock := flock.New(filepath.Join(os.TempDir(), "lab-selftest.lock"))
	ok, err := lock.TryLock()
	if err != nil {
		return nil, &envError{err: fmt.Errorf("locking selftest: %w", err)}
	}
	if !ok {
		fmt.Fprintf(s.Err, "another lab selftest is running on this machine; waiting for it to finish...\n")
		if _, err := lock.TryLockContext(ctx, time.Second); err != nil {
			return nil, &envError{err: fmt.Errorf("waiting for the other selftest: %w", err)}
		}
	}
	return func() { lock.Unlock() }, nil
}
