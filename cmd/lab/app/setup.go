package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// setupError is a learner setup command that failed: an environment error
// (exit 3) that names the step, the command and what it printed, and says
// that progress was left as it was.
type setupError struct {
	step *lessons.Step
	cmd  string
	out  string
	err  error
}

func (e *setupError) Error() string {
	msg := fmt.Sprintf("setting up the starting state of %s: the command %q failed: %v", e.step.Key(), e.cmd, e.err)
	if out := strings.TrimSpace(e.out); out != "" {
		msg += "\n  its output:\n    " + strings.ReplaceAll(out, "\n", "\n    ")
	}
	return msg + fmt.Sprintf("\nlab did not move you onto %s; fix what the output names (is Docker running? try: docker info), then run the same lab command again", e.step.Key())
}

func (e *setupError) Unwrap() error { return e.err }

// runSetup runs the step's learner setup, each command with sh -c in the
// workspace, and says what it is doing. The commands themselves are not
// printed unless one fails: in a drill they would give the answer away.
func (ss *session) runSetup(ctx context.Context, ws string, step *lessons.Step) error {
	if len(step.Setup) == 0 {
		return nil
	}
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return &envError{err: fmt.Errorf("making the workspace %s for the setup of %s: %w", ws, step.Key(), err)}
	}
	w := ss.s.Err
	fmt.Fprintf(w, "setting up the starting state of %s (%d command(s)) ...\n", step.Key(), len(step.Setup))
	start := time.Now()
	for i, c := range step.Setup {
		out, err := sandbox.Run(ctx, ws, checkEnv(ws), c)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("setting up the starting state of %s was interrupted, so lab did not move you onto it; run the same lab command again: %w", step.Key(), ctxErr)
		}
		if err != nil {
			return &envError{err: &setupError{step: step, cmd: c, out: out, err: err}}
		}
		fmt.Fprintf(w, "  %d/%d done\n", i+1, len(step.Setup))
	}
	fmt.Fprintf(w, "the starting state of %s is ready (%s)\n", step.Key(), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// reach makes step the learner's current step after running its learner
// setup, and records that the setup ran. from is the step the learner is
// expected to be on; the move happens only when they still are (or when
// from is "*", as with lab goto). A failing setup leaves progress as it
// was.
func (ss *session) reach(ctx context.Context, ws string, step *lessons.Step, from string) error {
	if err := ss.runSetup(ctx, ws, step); err != nil {
		return err
	}
	return ss.update(func(st *progress.State) error {
		st.Workspace = ws
		cs := ss.progress(st)
		if from == "*" {
			cs.Current = step.Key()
		} else {
			cs.MoveOn(from, step.Key())
		}
		if cs.Current == step.Key() {
			cs.Begin(step.Key(), time.Now())
			if len(step.Setup) > 0 {
				cs.SetupRan = step.Key()
			}
		}
		return nil
	})
}

// setupPending reports whether the learner is on a step whose learner
// setup has not run since they reached it: a setup that failed after a
// skip, or progress kept by a lab without learner setups.
func (ss *session) setupPending(st *progress.State, step *lessons.Step) bool {
	return len(step.Setup) > 0 && !ss.progress(st).SetupDone(step.Key())
}
