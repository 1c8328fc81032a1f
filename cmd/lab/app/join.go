package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

const joinHelp = `Joins the live class an instructor runs with lab class serve. From then on
every lab next and lab verify result goes to the class page: the step, the
verdict, the failure codes and the failure's first line, how long the check
took, lab's version and the course's id and hash. Nothing else leaves the
machine: no paths, no environment values, no file contents. Joining also
sends what lab doctor finds (engine, Compose, kind, kubectl, memory, disk,
busy lesson ports), so the instructor sees early whose machine needs help.

Sending never slows or fails a check: when the class server cannot be
reached, results wait on disk and go with the next check. lab leave stops it.`

func newJoinCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "join",
		Usage:       "join a live class: your check results go to the instructor's page",
		ArgsUsage:   "URL",
		Description: joinHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "code", Usage: "the class's join `CODE`, from the instructor"},
			&cli.StringFlag{Name: "name", Usage: "your `NAME` as the instructor will see it"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usageErrorf("lab join takes the class's URL, e.g. lab join http://10.0.0.5:8080 --code ABC123 --name \"Ana Lima\"")
			}
			if cmd.String("code") == "" || strings.TrimSpace(cmd.String("name")) == "" {
				return usageErrorf("lab join needs --code CODE (from the instructor) and --name NAME (yours, as the instructor will see it)")
			}
			// A course that cannot be loaded leaves its cluster out of
			// the summary; lab doctor says what is wrong with it.
			course, _ := loadCourse(cmd.String("lessons"))
			return runJoin(ctx, s, course, cmd.Args().First(), cmd.String("code"), cmd.String("name"))
		},
	}
}

func runJoin(ctx context.Context, s *IOStreams, course *lessons.Course, url, code, name string) error {
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return &envError{err: err}
	}
	if m, err := learner.Load(dir); err == nil {
		return usageErrorf("you are already in class %q at %s; run `lab leave` first to join another", m.ClassName, m.Server)
	}
	name = strings.TrimSpace(name)
	fmt.Fprintln(s.Err, "looking at this machine, as lab doctor does ...")
	_, ready := diagnose(ctx, course)
	jctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := learner.Join(jctx, url, code, name, ready)
	if err != nil {
		return &envError{err: err}
	}
	if err := learner.Save(dir, m); err != nil {
		return &envError{err: fmt.Errorf("saving the class membership: %w", err)}
	}
	fmt.Fprintf(s.Out, "joined class %q as %s; your lab next and lab verify results now go to the class (lab leave stops it)\n", m.ClassName, name)
	if p := ready.Problems(); len(p) > 0 {
		fmt.Fprintf(s.Out, "the instructor will see: %s (lab doctor says how to fix each)\n", strings.Join(p, "; "))
	}
	return nil
}

func newLeaveCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "leave",
		Usage: "leave the live class: stop sending check results",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			return runLeave(ctx, s)
		},
	}
}

func runLeave(ctx context.Context, s *IOStreams) error {
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return &envError{err: err}
	}
	m, err := learner.Load(dir)
	if errors.Is(err, learner.ErrNotJoined) {
		fmt.Fprintln(s.Out, "you are not in a class; nothing is sent")
		return nil
	}
	if m != nil && learner.Pending(dir) > 0 {
		// One last try, so results already made are not dropped for a
		// moment's outage.
		fctx, cancel := context.WithTimeout(ctx, learner.Timeout)
		learner.Flush(fctx, dir)
		cancel()
	}
	dropped, err := learner.Leave(dir)
	if err != nil {
		return &envError{err: err}
	}
	if m != nil {
		fmt.Fprintf(s.Out, "left class %q; results are no longer sent\n", m.ClassName)
	} else {
		fmt.Fprintln(s.Out, "removed the damaged class membership; results are no longer sent")
	}
	if dropped > 0 {
		fmt.Fprintf(s.Err, "note: %d result(s) the class server never received were dropped\n", dropped)
	}
	return nil
}

// reportToClass sends a run's results to the class the learner joined, if
// any: it queues them at once and sends in the background; the function it
// returns, deferred to the command's end, waits a moment for the sending
// and never fails the command.
func reportToClass(s *IOStreams, ss *session, rep *result.Report) func() {
	dir, err := progress.Dir(s.Getenv)
	if err != nil || rep == nil {
		return func() {}
	}
	var recs []learner.Record
	for _, res := range rep.Results {
		if res.Status != result.StatusSkipped {
			recs = append(recs, learner.FromResult(res, ss.course, labVersion(), time.Now()))
		}
	}
	if len(recs) == 0 {
		return func() {}
	}
	r := learner.Report(dir, recs...)
	return func() {
		if err := r.Wait(learner.Timeout); err != nil {
			fmt.Fprintf(s.Err, "note: class: %v (%d waiting)\n", err, learner.Pending(dir))
		}
	}
}
