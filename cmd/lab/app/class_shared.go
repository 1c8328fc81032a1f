package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/lessons"
	cluster "github.com/lab-workshop/lab/sandbox/classcluster"
)

const useClusterHelp = `Works in your namespace of the class's shared Kubernetes cluster, with the
file your instructor made with lab class cluster. lab keeps a copy in its
state folder. From then on:

  - lesson 6 (your own kind cluster) is skipped: the class's cluster replaces it;
  - lesson 7's checks ask the shared cluster, in your namespace only;
  - your app answers on the node port the class gave you, and the lesson
    text shows that port instead of 30001.

kubectl needs the same file: lab prints the line to paste. lab class
use-cluster --off goes back to your own cluster (your namespace and what is
in it stay).`

func newUseClusterCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "use-cluster",
		Usage:       "do lesson 7 in your namespace of the class's shared cluster",
		ArgsUsage:   "FILE",
		Description: useClusterHelp,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "off", Usage: "stop using the shared cluster: back to your own kind cluster"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Bool("off") {
				if cmd.Args().Len() != 0 {
					return usageErrorf("lab class use-cluster --off takes no file")
				}
				return runUseClusterOff(s)
			}
			if cmd.Args().Len() != 1 {
				return usageErrorf("lab class use-cluster takes the kubeconfig file your instructor gave you, e.g. lab class use-cluster lab-ana-lima.kubeconfig")
			}
			return runUseCluster(s, cmd.Args().First())
		},
	}
}

func runUseCluster(s *IOStreams, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return usageErrorf("reading %s: %v; give the kubeconfig file your instructor gave you", file, err)
	}
	cc, err := cluster.ReadKubeconfig(data)
	if err != nil {
		return usageErrorf("%s is not a class's cluster file: %v", file, err)
	}
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return &envError{err: err}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &envError{err: fmt.Errorf("creating lab's state folder: %w", err)}
	}
	kept := filepath.Join(dir, sharedClusterFile)
	if err := writeFileAtomic(kept, data, 0o600); err != nil {
		return &envError{err: fmt.Errorf("keeping a copy of %s: %w", file, err)}
	}
	fmt.Fprintf(s.Out, "shared cluster: you are %q, in the namespace %s (context %s)\n", cc.Learner, cc.Namespace, cc.Context)
	fmt.Fprintf(s.Out, "your app's node port: %d, at http://%s:%d/\n", cc.NodePort, cc.NodeHost, cc.NodePort)
	fmt.Fprintln(s.Out, "lesson 6 (your own kind cluster) is skipped; lesson 7's checks use this namespace")
	fmt.Fprintf(s.Out, "point kubectl at it in your shell:\n\n    export KUBECONFIG=%s\n\n", kept)
	return nil
}

func runUseClusterOff(s *IOStreams) error {
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return &envError{err: err}
	}
	kept := filepath.Join(dir, sharedClusterFile)
	if err := os.Remove(kept); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(s.Out, "no shared cluster in use: lesson 7 uses your own kind cluster")
		return nil
	} else if err != nil {
		return &envError{err: fmt.Errorf("forgetting the shared cluster: %w", err)}
	}
	fmt.Fprintln(s.Out, "stopped using the shared cluster: lesson 7 uses your own kind cluster again (your namespace stays; unset KUBECONFIG)")
	return nil
}

// sharedMode is a learner working in a class's shared cluster: the copy
// of their kubeconfig in lab's state folder and what it says.
type sharedMode struct {
	file string
	cluster.ClassContext
}

const sharedClusterFile = "class-cluster.kubeconfig"

// loadSharedMode reads the learner's class cluster; nil when they set
// none with lab class use-cluster.
func loadSharedMode(getenv func(string) string) (*sharedMode, error) {
	dir, err := progress.Dir(getenv)
	if err != nil {
		return nil, nil // no state folder: commands that need one say so
	}
	file := filepath.Join(dir, sharedClusterFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &envError{err: fmt.Errorf("reading the class's cluster file %s: %w", file, err)}
	}
	cc, err := cluster.ReadKubeconfig(data)
	if err != nil {
		return nil, &envError{err: fmt.Errorf("reading the class's cluster file %s: %w; run lab class use-cluster FILE again with the file your instructor gave you, or lab class use-cluster --off", file, err)}
	}
	return &sharedMode{file: file, ClassContext: cc}, nil
}

// vars are the course variables shared mode gives other values.
func (m *sharedMode) vars() map[string]string {
	if m == nil {
		return nil
	}
	return m.Vars()
}

// env points the checks at the learner's context and namespace of the
// shared cluster; nothing outside shared mode.
func (m *sharedMode) env() []string {
	if m == nil {
		return nil
	}
	return []string{"KUBECONFIG=" + m.file, "LAB_KUBE_CONTEXT=" + m.Context, "LAB_KUBE_NAMESPACE=" + m.Namespace}
}

// getenv is base with the shared cluster's context and namespace put in,
// for what follows the cluster the checks use.
func (m *sharedMode) getenv(base func(string) string) func(string) string {
	if m == nil {
		return base
	}
	vals := map[string]string{}
	for _, kv := range m.env() {
		k, v, _ := strings.Cut(kv, "=")
		vals[k] = v
	}
	return func(key string) string {
		if v, ok := vals[key]; ok {
			return v
		}
		return base(key)
	}
}

// skipReason says why a step is not checked: in shared mode, the steps of
// a lesson that makes the learner's own cluster.
func (m *sharedMode) skipReason(step *lessons.Step) string {
	if m == nil || !step.Lesson.OwnCluster {
		return ""
	}
	return fmt.Sprintf("you work in the class's shared cluster (namespace %s), which replaces your own cluster: lab class use-cluster --off to do this lesson", m.Namespace)
}

// skipShared moves a learner in shared mode past the steps that do not
// apply to them, from step on, saying why; it returns the step they are
// on afterwards, nil at the end of the course.
func (ss *session) skipShared(step *lessons.Step) (*lessons.Step, error) {
	for step != nil {
		why := ss.shared.skipReason(step)
		if why == "" {
			return step, nil
		}
		fmt.Fprintf(ss.s.Out, "skipped %s — %s: %s\n", step.Key(), step.Title, why)
		_, next, err := ss.skipCurrent()
		if err != nil {
			return nil, err
		}
		step = next
	}
	return nil, nil
}

// skipSharedAndShow skips what does not apply in shared mode and shows the
// step the learner is on then, which it returns (nil at the course's end).
func (ss *session) skipSharedAndShow(ws string, step *lessons.Step) (*lessons.Step, error) {
	step, err := ss.skipShared(step)
	if err != nil || step == nil {
		if err == nil {
			fmt.Fprintln(ss.s.Out, "That was the last step: the course is complete.")
		}
		return nil, err
	}
	fmt.Fprintln(ss.s.Out)
	if err := ss.prepare(ws, step); err != nil {
		return step, err
	}
	if step.Index == 1 {
		renderIntro(ss.s, step.Lesson)
	}
	renderStep(ss.s, step)
	return step, nil
}
