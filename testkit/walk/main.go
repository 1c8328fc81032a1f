// Command walk takes the built-in course the way a learner does, on one
// machine, in order: for every step it shows the step (which copies its
// starter files), types the reference solution in the workspace and runs
// `lab next`, which must pass. At the end `lab verify all` must report
// every step passed, or skipped on purpose with the reason shown (a later
// step undid it by design). A step proven alone by selftest can still break
// the course as a whole; this is what finds that.
//
// It uses a scratch LAB_HOME, workspace and KUBECONFIG, and removes what the
// steps made (their cleanup commands, last step first) before it starts and
// when it ends. `make test` runs it after selftest.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
)

func main() {
	lab := flag.String("lab", "bin/lab", "the lab binary to walk the course with")
	keep := flag.Bool("keep", false, "leave the machine as the last step left it")
	until := flag.String("until", "", "stop after this `LESSON` (default: the whole course)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := walk(ctx, *lab, *keep, *until); err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		os.Exit(1)
	}
}

type walker struct {
	lab, ws string
	env     []string
}

func walk(ctx context.Context, lab string, keep bool, until string) error {
	lab, err := filepath.Abs(lab)
	if err != nil {
		return err
	}
	course, err := lessons.Load(lessons.Content(), features.Files())
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "lab-walk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	w := &walker{lab: lab, ws: filepath.Join(scratch, "workspace")}
	if err := os.MkdirAll(w.ws, 0o755); err != nil {
		return err
	}
	w.env = append(os.Environ(),
		"LAB_HOME="+filepath.Join(scratch, "state"),
		"LAB_WORKSPACE="+w.ws,
		"KUBECONFIG="+filepath.Join(scratch, "kubeconfig"),
		"LAB_LESSONS=", "NO_COLOR=1",
	)
	steps := course.Steps()
	scope := "all"
	if until != "" {
		l := course.Lesson(until)
		if l == nil {
			return fmt.Errorf("no lesson %q in the course", until)
		}
		var ids []string
		for _, x := range course.Lessons[:l.Index] {
			ids = append(ids, x.ID)
		}
		steps, _ = course.Select(ids...)
		scope = strings.Join(ids, " ")
	}
	w.cleanup(course.Steps())
	if !keep {
		defer w.cleanup(course.Steps())
	}

	if out, err := w.labCmd(ctx, "next"); err != nil {
		return fmt.Errorf("the first lab next: %v\n%s", err, out)
	}
	var failed []string
	for _, s := range steps {
		start := time.Now()
		if out, err := w.labCmd(ctx, "show", s.Key()); err != nil {
			return fmt.Errorf("lab show %s: %v\n%s", s.Key(), err, out)
		}
		for _, cmd := range s.Solution {
			if out, err := w.sh(ctx, cmd); err != nil {
				return fmt.Errorf("%s: the reference solution failed: %s: %v\n%s", s.Key(), firstLine(cmd), err, out)
			}
		}
		out, err := w.labCmd(ctx, "next")
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			// lab next stays on a step that did not pass, so the walk
			// cannot go on as a learner would.
			return fmt.Errorf("%s: lab next did not pass after the reference solution: %v\n%s", s.Key(), err, out)
		}
		fmt.Printf("walk: %s passed (%s)\n", s.Key(), time.Since(start).Round(100*time.Millisecond))
	}

	// The finished course, checked again as an instructor would.
	report := filepath.Join(scratch, "verify.json")
	out, err := w.labCmd(ctx, append(append([]string{"verify"}, strings.Fields(scope)...), "--format", "json", "--output", report)...)
	data, rerr := os.ReadFile(report)
	if rerr != nil {
		return fmt.Errorf("lab verify all wrote no report: %v (%v)\n%s", rerr, err, out)
	}
	var rep struct {
		Steps []struct {
			Step, Status, Reason string
			Failures             []string
		} `json:"steps"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("reading lab verify's JSON report: %v", err)
	}
	passed, skipped := 0, 0
	for _, s := range rep.Steps {
		switch {
		case s.Status == "passed":
			passed++
		case s.Status == "skipped" && s.Reason != "":
			skipped++
			fmt.Printf("walk: verify all: %s skipped: %s\n", s.Step, s.Reason)
		default:
			failed = append(failed, s.Step)
			fmt.Printf("walk: verify all: %s %s after the whole course:\n  %s\n", s.Step, s.Status, strings.Join(append(s.Failures, s.Reason), "\n  "))
		}
	}
	if len(rep.Steps) != len(steps) {
		return fmt.Errorf("lab verify all reported %d steps; the course has %d", len(rep.Steps), len(steps))
	}
	fmt.Printf("walk: %d steps walked in order; lab verify all afterwards: %d passed, %d skipped on purpose\n", len(steps), passed, skipped)
	fmt.Printf("%d passed, %d failed\n", len(steps)-len(failed), len(failed))
	if len(failed) > 0 {
		return fmt.Errorf("after the whole course, lab verify all does not pass %s", strings.Join(failed, ", "))
	}
	return nil
}

// labCmd runs lab with the walk's environment in the workspace.
func (w *walker) labCmd(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, w.lab, args...)
	cmd.Dir, cmd.Env = w.ws, w.env
	return cmd.CombinedOutput()
}

// sh runs one command of a solution the way a learner types it.
func (w *walker) sh(ctx context.Context, script string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Dir, cmd.Env = w.ws, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// cleanup runs every step's cleanup commands, last step first; they are
// idempotent, so a failure is only reported.
func (w *walker) cleanup(steps []*lessons.Step) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, s := range slices.Backward(steps) {
		for _, cmd := range s.Cleanup {
			if out, err := w.sh(ctx, cmd); err != nil {
				fmt.Fprintf(os.Stderr, "walk: cleanup of %s: %s: %v\n%s", s.Key(), firstLine(cmd), err, out)
			}
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
