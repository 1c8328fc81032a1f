package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// watchQuiet is how long nothing must change before watch checks: one save
// in an editor, a `docker compose up` or a rollout is a burst of changes
// that deserves one check, not twenty.
const watchQuiet = 500 * time.Millisecond

// watchRetry is how long watch waits before it asks the engine or the
// cluster for events again after they could not be had.
const watchRetry = 5 * time.Second

type watchOptions struct {
	poll     bool
	interval time.Duration
	quiet    time.Duration
}

func newWatchCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "watch",
		Usage: "re-check the current step whenever your workspace files, containers or cluster objects change; on a pass move on",
		Description: "lab watch checks the current step at once, then again each time a file in your workspace\n" +
			"changes, a container starts or stops, an image is tagged, a volume or network comes or goes,\n" +
			"and, in the Kubernetes lessons, when the cluster's objects change. Press Enter to check again\n" +
			"by hand; Ctrl-C stops watching and leaves your progress and your machine as they were.\n" +
			"File changes come from the operating system's notifications; on network file systems and\n" +
			"WSL2's Windows drives, or when notifications fail, lab polls the files instead (--poll forces it).",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "poll", Usage: "look at the workspace files on a timer instead of waiting for change notifications"},
			&cli.DurationFlag{Name: "poll-interval", Value: sandbox.DefaultPollInterval, Usage: "how often --poll looks at the files"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			if cmd.Duration("poll-interval") <= 0 {
				return usageErrorf("--poll-interval must be more than 0, for example 1s")
			}
			return runWatch(ctx, s, cmd, watchOptions{poll: cmd.Bool("poll"), interval: cmd.Duration("poll-interval"), quiet: watchQuiet})
		},
	}
}

// trigger is a reason to check again, or a note to show.
type trigger struct {
	why string
	at  time.Time
	// machine is set for engine and cluster events, which the check
	// itself also causes: those that arrive while it runs are not reasons.
	machine bool
	// happened is when the engine says the event happened, when it says.
	happened time.Time
	// note is a message to show instead; it triggers nothing.
	note string
}

func runWatch(ctx context.Context, s *IOStreams, cmd *cli.Command, opts watchOptions) error {
	ss, st, ws, _, err := openLearner(ctx, s, cmd)
	if err != nil {
		return err
	}
	step := ss.current(st)
	if step == nil {
		fmt.Fprintln(s.Out, "every step has passed: the course is complete. `lab verify` checks it all again.")
		return nil
	}
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return &envError{err: fmt.Errorf("creating the workspace %s: %w; choose another with --workspace", ws, err)}
	}

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	triggers := make(chan trigger, 64)
	files, err := sandbox.WatchFiles(ctx, ws, sandbox.FileWatchOptions{Poll: opts.poll, Interval: opts.interval})
	if err != nil {
		return &envError{err: fmt.Errorf("%w; try: lab watch --poll", err)}
	}
	how := "file changes"
	if files.Polling {
		how = fmt.Sprintf("file changes (polling every %s: %s)", opts.interval, files.PollReason)
	}
	go func() {
		for rel := range files.Changes {
			push(triggers, trigger{why: rel + " changed"})
		}
	}()
	go followEngine(ctx, s.Getenv, triggers)
	go readEnter(s, triggers)
	kube := &kubeFollower{getenv: ss.shared.getenv(s.Getenv), course: ss.course, out: triggers}
	defer kube.stop()
	kube.follow(ctx, step.Lesson)

	fmt.Fprintf(s.Err, "watching %s for %s and the engine's events; Enter checks again, Ctrl-C stops\n", ws, how)
	// pending is the first reason to check since the last check; more
	// counts the others. A disruptive step is not checked before the
	// learner has done something.
	pending, more := trigger{why: "start"}, 0
	hasPending := !step.Disruptive
	if step.Disruptive {
		fmt.Fprintf(s.Err, "%s: %s\n", step.Key(), disruptiveNote)
	}
	quiet := time.NewTimer(0)
	defer quiet.Stop()
	var checked time.Time // when the last check ended
	for {
		select {
		case <-ctx.Done():
			goodbye(s)
			return nil
		case t := <-triggers:
			switch {
			case t.note != "":
				fmt.Fprintf(s.Err, "%s\n", t.note)
				continue
			case t.machine && t.at.Before(checked.Add(opts.quiet)) && (t.happened.IsZero() || t.happened.Before(checked)):
				// Made by the check, or while it ran. An event the engine
				// dates after the check ended is the learner's, however
				// soon it came.
				continue
			case t.machine && step.Disruptive:
				// The check breaks something on purpose, and what it
				// breaks goes on changing after it ends: following
				// those changes would break it again and again.
				continue
			}
			if hasPending {
				more++
			} else {
				pending, more, hasPending = t, 0, true
			}
			quiet.Reset(opts.quiet)
		case <-quiet.C:
			if !hasPending {
				continue
			}
			hasPending = false
			switch {
			case pending.why == "start":
			case more == 1:
				fmt.Fprintf(s.Err, "\n%s, and 1 more change\n", pending.why)
			case more > 1:
				fmt.Fprintf(s.Err, "\n%s, and %d more changes\n", pending.why, more)
			default:
				fmt.Fprintf(s.Err, "\n%s\n", pending.why)
			}
			status, nxt, err := ss.advance(ctx, ws, step)
			checked = time.Now()
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				goodbye(s)
				return nil
			}
			if err != nil {
				return err
			}
			if status == result.StatusPassed || status == result.StatusSkipped {
				if nxt == nil {
					return nil
				}
				step = nxt
				kube.follow(ctx, step.Lesson)
			}
			fmt.Fprintf(s.Err, "\nwatching %s — %s; Enter checks again, Ctrl-C stops\n", step.Key(), step.Title)
			if step.Disruptive {
				fmt.Fprintln(s.Err, disruptiveNote)
			}
		}
	}
}

// disruptiveNote says when watch checks a step whose check breaks
// something on purpose.
const disruptiveNote = "this step's check breaks something on purpose, so it runs when your files change or you press Enter, not on engine or cluster events"

// goodbye is the last line of a watch stopped with Ctrl-C.
func goodbye(s *IOStreams) {
	fmt.Fprintln(s.Err, "\nstopped watching; your progress and your machine are as they were. `lab watch` or `lab next` carries on.")
}

// push queues a trigger without ever blocking a watcher: when the queue is
// full, a check is already due.
func push(out chan<- trigger, t trigger) {
	if t.at.IsZero() {
		t.at = time.Now()
	}
	select {
	case out <- t:
	default:
	}
}

// readEnter turns each line typed on standard input into a check.
func readEnter(s *IOStreams, out chan<- trigger) {
	if s.In == nil {
		return
	}
	sc := bufio.NewScanner(s.In)
	for sc.Scan() {
		push(out, trigger{why: "checking again"})
	}
}

// followEngine passes the engine's events on as triggers, connecting again
// after the engine went away. It says once when events cannot be had.
func followEngine(ctx context.Context, getenv func(string) string, out chan<- trigger) {
	said := ""
	// Events from the moment watching began, even those the engine sends
	// before the stream is up.
	since := time.Now()
	for ctx.Err() == nil {
		ep, err := sandbox.ResolveEndpoint(getenv)
		var eng *sandbox.Engine
		if err == nil {
			eng, err = sandbox.Connect(ctx, ep)
		}
		if err == nil {
			if said != "" {
				push(out, trigger{note: "the engine answers again: watching its events"})
				said = ""
			}
			evs, errc := eng.Events(ctx, since)
			for ev := range evs {
				push(out, trigger{why: ev.String(), machine: true, happened: ev.At})
			}
			err = <-errc
			since = time.Now()
			eng.Close()
		}
		if err != nil && ctx.Err() == nil && said == "" {
			said = err.Error()
			push(out, trigger{note: "not watching the engine's events for now: " + said})
		}
		select {
		case <-ctx.Done():
		case <-time.After(watchRetry):
		}
	}
}

// kubeFollower passes cluster events on as triggers while the learner is
// in a lesson that works with Kubernetes objects.
type kubeFollower struct {
	getenv func(string) string
	course *lessons.Course // whose cluster the checks look at
	out    chan<- trigger
	cancel context.CancelFunc
}

// follow starts following the cluster when lesson uses one, and stops
// when it does not.
func (k *kubeFollower) follow(ctx context.Context, lesson *lessons.Lesson) {
	if !usesKube(lesson) {
		k.stop()
		return
	}
	if k.cancel != nil {
		return
	}
	ctx, k.cancel = context.WithCancel(ctx)
	go k.run(ctx)
}

func (k *kubeFollower) stop() {
	if k.cancel != nil {
		k.cancel()
		k.cancel = nil
	}
}

// run watches the checks' cluster and namespace (LAB_KUBE_CONTEXT and
// LAB_KUBE_NAMESPACE, as the checks read them), trying again while the
// cluster does not exist yet or has gone.
func (k *kubeFollower) run(ctx context.Context) {
	contextName := checksKubeContext(k.getenv, k.course)
	for ctx.Err() == nil {
		if kc, err := sandbox.ConnectKube(ctx, k.getenv, contextName, k.getenv("LAB_KUBE_NAMESPACE")); err == nil {
			evs, errc := kc.Events(ctx)
			for ev := range evs {
				push(k.out, trigger{why: ev.String(), machine: true})
			}
			<-errc
		}
		select {
		case <-ctx.Done():
		case <-time.After(watchRetry):
		}
	}
}

// usesKube reports whether a lesson works with a cluster: one of its steps
// names Kubernetes objects or kind clusters among its resources.
func usesKube(l *lessons.Lesson) bool {
	for _, s := range l.Steps {
		if len(s.Resources.Kubernetes) > 0 || len(s.Resources.Clusters) > 0 {
			return true
		}
	}
	return false
}
