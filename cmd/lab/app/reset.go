package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/safetext"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

type resetOptions struct {
	scope        string
	yes          bool
	dryRun       bool
	includeOlder bool
}

func newResetCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "reset",
		Usage:     "remove what you made while doing a step (listed first, asked before deleting) and forget its progress",
		ArgsUsage: "[STEP|LESSON]",
		Description: `reset removes the containers, images, volumes, networks, kind clusters and
Kubernetes objects the selected steps name, by their exact names, and only
those created after you started the step that names them. One that existed before is listed as
"existed before you started this step: kept" and left alone, unless
--include-older is given. Your workspace files are never deleted.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask before deleting"},
			&cli.BoolFlag{Name: "dry-run", Usage: "only list what would be removed"},
			&cli.BoolFlag{Name: "include-older", Usage: "also remove what the steps name but existed before you started them"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 1); err != nil {
				return err
			}
			return runReset(ctx, s, cmd, resetOptions{
				scope: cmd.Args().First(), yes: cmd.Bool("yes"), dryRun: cmd.Bool("dry-run"),
				includeOlder: cmd.Bool("include-older"),
			})
		},
	}
}

// runReset removes only what the learner made while doing the selected
// steps: the engine and Kubernetes objects the steps name, by their exact
// names, created
// after the learner began the step naming them (all of them with
// --include-older). Workspace files are the learner's work and are never
// deleted.
func runReset(ctx context.Context, s *IOStreams, cmd *cli.Command, opts resetOptions) error {
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	// Progress is read first: a file this lab cannot read (a newer lab's)
	// stops the reset before anything is deleted.
	st, err := ss.load()
	if err != nil {
		return err
	}
	var scopes []string
	if opts.scope != "" {
		scopes = []string{opts.scope}
	}
	steps, err := ss.course.Select(scopes...)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	var refs []sandbox.Ref
	var files, kubeRefs []string
	began := map[sandbox.Ref]time.Time{}
	kubeBegan := map[string]time.Time{} // by "kind/name" as lab spells it
	cs := ss.progress(st)
	for _, step := range steps {
		start := cs.StartedAt(step.Key())
		for _, ref := range features.Refs(step.Resources) {
			if noteStart(began, ref, start) {
				refs = append(refs, ref)
			}
		}
		for _, ref := range step.Resources.Kubernetes {
			key := ref // one lab cannot read is reported when it is looked for
			if o, err := sandbox.ParseKubeObject(ref); err == nil {
				key = o.String()
			}
			if noteStart(kubeBegan, key, start) {
				kubeRefs = append(kubeRefs, ref)
			}
		}
		files = append(files, step.Resources.Files...)
	}
	// Kubernetes objects go first, while the cluster they are in is there.
	if len(kubeRefs) > 0 {
		kube, err := features.FindKubeResources(ctx, ss.course, append(os.Environ(), ss.shared.env()...), kubeRefs)
		if err != nil {
			return &envError{err: err}
		}
		defer kube.Close()
		remove, kept := sandbox.SplitKubeByAge(kube.Found, func(o sandbox.KubeObject) time.Time { return kubeBegan[o.String()] })
		rule := timeRule[sandbox.KubeObject]{found: kube.Found, made: remove}
		for _, k := range kept {
			rule.kept = append(rule.kept, listedObject{name: k.String(), keptFor: k.Reason})
		}
		where := " (" + kube.Where() + ")"
		words := resetWords{
			removing: "These Kubernetes objects were created by the selected steps and would be deleted" + where + ":",
			keeping:  "These Kubernetes objects are named by the selected steps, but lab cannot tell that you made them" + where + ":",
			verb:     "delete", question: "Delete them?", done: "deleted %d Kubernetes object(s)",
		}
		if stop, err := rule.apply(ctx, s, opts, words, kube.Remove); stop {
			return err
		}
		if len(kube.Found) == 0 {
			fmt.Fprintln(s.Out, "No Kubernetes object of the selected steps exists"+where+".")
		}
	}
	var found []sandbox.Object
	if len(refs) > 0 {
		eng, err := connect(ctx)
		if err != nil {
			return err
		}
		defer eng.Close()
		if found, err = eng.Find(ctx, refs); err != nil {
			return &envError{err: err}
		}
		// Removal keeps Find's order: containers before what they use.
		remove, kept := sandbox.SplitByAge(found, func(r sandbox.Ref) time.Time { return began[r] }, false)
		rule := timeRule[sandbox.Object]{found: found, made: remove}
		for _, k := range kept {
			rule.kept = append(rule.kept, listedObject{name: k.String(), keptFor: k.Reason})
		}
		words := resetWords{
			removing: "These were created by the selected steps and would be removed:",
			keeping:  "These are named by the selected steps, but lab cannot tell that you made them:",
			verb:     "remove", question: "Remove them?", done: "removed %d resource(s)",
		}
		if stop, err := rule.apply(ctx, s, opts, words, eng.Remove); stop {
			return err
		}
	}
	switch {
	case len(refs) > 0 && len(found) == 0:
		fmt.Fprintln(s.Out, "No Docker resource of the selected steps exists.")
	case len(refs) == 0 && len(kubeRefs) == 0:
		fmt.Fprintln(s.Out, "The selected steps name no Docker resource or Kubernetes object.")
	}
	if len(files) > 0 {
		fmt.Fprintf(s.Out, "Your workspace files are kept: %s\n", strings.Join(files, ", "))
	}
	if opts.dryRun {
		fmt.Fprintln(s.Err, "dry run: nothing removed, progress unchanged")
		return nil
	}
	return ss.update(func(st *progress.State) error {
		forget(ss.progress(st), steps, time.Now())
		return nil
	})
}

// noteStart records that a step begun at start names k; the earliest
// start of the steps naming it counts, and a step not begun counts only
// when no other was. It reports whether k was new.
func noteStart[K comparable](began map[K]time.Time, k K, start time.Time) bool {
	prev, seen := began[k]
	if !seen || (!start.IsZero() && (prev.IsZero() || start.Before(prev))) {
		began[k] = start
	}
	return !seen
}

// timeRule is what reset's time rule made of the objects of one kind the
// selected steps name: all that exist (in an order they can be removed
// in), those the learner made while doing the steps, and those it keeps,
// with why.
type timeRule[T fmt.Stringer] struct {
	found, made []T
	kept        []listedObject
}

// resetWords are how reset speaks of one kind of object.
type resetWords struct {
	removing, keeping string // the headings of the two lists
	verb              string // "remove"
	question          string // "Remove them?"
	done              string // "removed %d resource(s)"
}

// apply lists what the rule removes and keeps, says how to remove the kept
// ones too, asks, and removes with del: what the rule made, or everything
// found with --include-older. It reports stop when reset must end here,
// with err: a failure, an interrupt, or no for an answer (err nil).
func (r timeRule[T]) apply(ctx context.Context, s *IOStreams, opts resetOptions, w resetWords, del func(context.Context, []T) error) (stop bool, err error) {
	listed := make([]listedObject, 0, len(r.made)+len(r.kept))
	for _, o := range r.made {
		listed = append(listed, listedObject{name: o.String()})
	}
	listReset(s.Out, append(listed, r.kept...), opts.includeOlder, w.removing, w.keeping)
	remove := r.made
	if opts.includeOlder {
		remove = r.found
	} else if len(r.kept) > 0 {
		again := "lab reset --include-older"
		if opts.scope != "" {
			again = "lab reset " + opts.scope + " --include-older"
		}
		fmt.Fprintf(s.Err, "to %s those too, if you are sure they are yours: %s\n", w.verb, again)
	}
	if len(remove) == 0 || opts.dryRun {
		return false, nil
	}
	if !opts.yes {
		if ok, err := confirm(ctx, s, w.question); !ok {
			return true, err
		}
	}
	if err := del(ctx, remove); err != nil {
		return true, &envError{err: err}
	}
	fmt.Fprintf(s.Err, w.done+"\n", len(remove))
	return false, nil
}

// listedObject is one object reset lists: its name as printed and, when
// the time rule keeps it, why.
type listedObject struct {
	name    string
	keptFor string
}

// listReset prints what reset removes and what it keeps, and why, under
// the two headings. With --include-older the objects the time rule would
// keep are removed too, and marked as such.
func listReset(w io.Writer, objs []listedObject, includeOlder bool, removing, keeping string) {
	var remove, kept []listedObject
	for _, o := range objs {
		if o.keptFor == "" {
			remove = append(remove, o)
		} else if includeOlder {
			older := o
			older.keptFor = " (existed before you started this step; --include-older)"
			remove = append(remove, older)
		} else {
			kept = append(kept, o)
		}
	}
	if len(remove) > 0 {
		fmt.Fprintln(w, removing)
		for _, o := range remove {
			fmt.Fprintf(w, "  %s%s\n", safetext.Line(o.name), o.keptFor)
		}
	}
	if len(kept) > 0 {
		fmt.Fprintln(w, keeping)
		for _, o := range kept {
			fmt.Fprintf(w, "  %s: %s\n", safetext.Line(o.name), o.keptFor)
		}
	}
}

// forget clears the progress of steps and makes the first of them current,
// begun at now.
func forget(st *progress.CourseState, steps []*lessons.Step, now time.Time) {
	for _, step := range steps {
		delete(st.Steps, step.Key())
	}
	if len(steps) > 0 {
		st.Current = steps[0].Key()
		st.Begin(st.Current, now)
	}
}

// confirm asks a yes/no question on the terminal; anything but yes is no,
// and says that nothing was removed. Without a terminal to ask on it is a
// usage error that says to pass --yes, and an interrupt (Ctrl-C, SIGTERM)
// while it waits ends it at once, deleting nothing.
func confirm(ctx context.Context, s *IOStreams, question string) (bool, error) {
	if !s.InTTY {
		return false, usageErrorf("nothing removed: there is no terminal to ask %q on; "+
			"to remove them add --yes, to only list them add --dry-run", question)
	}
	fmt.Fprintf(s.Err, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		// The read may outlive an interrupt; lab exits soon after.
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.Err)
		return false, &envError{err: errors.New("interrupted at the prompt: nothing removed")}
	case line := <-answer:
		if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
			return true, nil
		}
		fmt.Fprintln(s.Err, "nothing removed")
		return false, nil
	}
}

// connect reaches the engine of the active docker context.
func connect(ctx context.Context) (*sandbox.Engine, error) {
	ep, err := sandbox.ResolveEndpoint(os.Getenv)
	if err != nil {
		return nil, &envError{err: err}
	}
	eng, err := sandbox.Connect(ctx, ep)
	if err != nil {
		return nil, &envError{err: err}
	}
	return eng, nil
}
