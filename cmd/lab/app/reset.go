package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

type resetOptions struct {
	scope  string
	yes    bool
	dryRun bool
}

func newResetCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "reset",
		Usage:     "remove what a step's instructions created (listed first, asked before deleting) and forget its progress",
		ArgsUsage: "[STEP|LESSON]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask before deleting"},
			&cli.BoolFlag{Name: "dry-run", Usage: "only list what would be removed"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 1); err != nil {
				return err
			}
			return runReset(ctx, s, cmd, resetOptions{scope: cmd.Args().First(), yes: cmd.Bool("yes"), dryRun: cmd.Bool("dry-run")})
		},
	}
}

// runReset removes only resources the selected steps name — containers,
// images, volumes and networks by their exact lesson names. Workspace files
// are the learner's work and are never deleted.
func runReset(ctx context.Context, s *IOStreams, cmd *cli.Command, opts resetOptions) error {
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	// Progress is read first: a file this lab cannot read (a newer lab's)
	// stops the reset before anything is deleted.
	if _, err := ss.load(); err != nil {
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
	var q sandbox.ResourceQuery
	var files, kubeRefs []string
	for _, step := range steps {
		r := features.ResourceQuery(step.Resources)
		q.Containers = append(q.Containers, r.Containers...)
		q.ContainersFrom = append(q.ContainersFrom, r.ContainersFrom...)
		q.Images = append(q.Images, r.Images...)
		q.Volumes = append(q.Volumes, r.Volumes...)
		q.Networks = append(q.Networks, r.Networks...)
		q.Clusters = append(q.Clusters, r.Clusters...)
		files = append(files, step.Resources.Files...)
		kubeRefs = append(kubeRefs, step.Resources.Kubernetes...)
	}
	// Kubernetes objects go first, while the cluster they are in is there.
	if len(kubeRefs) > 0 {
		kube, err := features.FindKubeResources(ctx, append(os.Environ(), ss.shared.env()...), kubeRefs)
		if err != nil {
			return &envError{err: err}
		}
		defer kube.Close()
		if len(kube.Found) > 0 {
			fmt.Fprintf(s.Out, "These Kubernetes objects were created by the selected steps and would be deleted (%s):\n", kube.Where())
			for _, o := range kube.Found {
				fmt.Fprintf(s.Out, "  %s\n", o)
			}
			if !opts.dryRun {
				if !opts.yes {
					if ok, err := confirm(ctx, s, "Delete them?"); !ok {
						return err
					}
				}
				if err := kube.Remove(ctx); err != nil {
					return &envError{err: err}
				}
				fmt.Fprintf(s.Err, "deleted %d Kubernetes object(s)\n", len(kube.Found))
			}
		}
	}
	var found []sandbox.Resource
	if !q.Empty() {
		eng, err := connect(ctx)
		if err != nil {
			return err
		}
		defer eng.Close()
		if found, err = eng.FindResources(ctx, q); err != nil {
			return &envError{err: err}
		}
		if len(found) > 0 {
			fmt.Fprintln(s.Out, "These were created by the selected steps and would be removed:")
			for _, r := range found {
				fmt.Fprintf(s.Out, "  %s\n", r)
			}
		}
		if len(found) > 0 && !opts.dryRun {
			if !opts.yes {
				if ok, err := confirm(ctx, s, "Remove them?"); !ok {
					return err
				}
			}
			if err := eng.RemoveResources(ctx, found); err != nil {
				return &envError{err: err}
			}
			fmt.Fprintf(s.Err, "removed %d resource(s)\n", len(found))
		}
	}
	if len(found) == 0 {
		fmt.Fprintln(s.Out, "No Docker resource of the selected steps exists.")
	}
	if len(files) > 0 {
		fmt.Fprintf(s.Out, "Your workspace files are kept: %s\n", strings.Join(files, ", "))
	}
	if opts.dryRun {
		fmt.Fprintln(s.Err, "dry run: nothing removed, progress unchanged")
		return nil
	}
	return ss.update(func(st *progress.State) error {
		forget(ss.progress(st), steps)
		return nil
	})
}

// forget clears the progress of steps and makes the first of them current.
func forget(st *progress.CourseState, steps []*lessons.Step) {
	for _, step := range steps {
		delete(st.Steps, step.Key())
	}
	if len(steps) > 0 {
		st.Current = steps[0].Key()
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
