package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
	cluster "github.com/lab-workshop/lab/sandbox/classcluster"
)

const classVerifyHelp = `Checks a learner's work in the class's shared cluster from the
instructor's machine: lab runs the checks itself, in the learner's
namespace, with the learner's kubeconfig file (the one lab class cluster
wrote), instead of trusting what the learner's lab reported. The report
says "verified by the instructor".

   lab class verify "Ana Lima"                 # class-cluster/lab-ana-lima.kubeconfig
   lab class verify lab-ana-lima --files DIR
   lab class verify class-cluster/lab-bo-chen.kubeconfig kubernetes/scale

The steps default to those of the lessons that work in a cluster the class
shares (lesson 7); lessons that need the learner's own machine cannot be
checked from here.

With --class NAME the results also go into the class store (--db, as lab
class serve takes it), under the learner of that name in the class; the
class page marks them "verified by the instructor", and they win over what
the learner's lab reported for those steps. Steps that could not be checked
(the cluster did not answer) or were skipped are not recorded.

   lab class verify "Ana Lima" --class "Docker 101"
   lab class verify lab-learner-3 --class "Docker 101" --learner "Bo Chen"`

func newClassVerifyCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "verify",
		Usage:       "re-run a learner's Kubernetes checks in their namespace of the shared cluster",
		ArgsUsage:   "LEARNER [STEP|LESSON...]",
		Description: classVerifyHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "files", Value: "class-cluster", Usage: "the `DIR` lab class cluster wrote the learners' files into"},
			&cli.StringFlag{Name: "prefix", Value: "lab-", Usage: "the namespaces' `PREFIX`, as given to lab class cluster"},
			&cli.StringFlag{Name: "format", Value: "pretty", Usage: "pretty, json or junit"},
			&cli.BoolFlag{Name: "no-disruptive", Usage: "skip the checks that break something on purpose (deleting a pod)"},
			dbFlag,
			&cli.StringFlag{Name: "class", Usage: "record the results in the class `NAME`'s store, marked verified by the instructor"},
			&cli.StringFlag{Name: "learner", Usage: "the learner's `NAME` in the class, when it is not the name in their kubeconfig file"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() < 1 {
				return usageErrorf("lab class verify takes the learner: their name, namespace or kubeconfig file, e.g. lab class verify \"Ana Lima\"")
			}
			switch cmd.String("format") {
			case "pretty", "json", "junit":
			default:
				return usageErrorf("--format %q: use pretty, json or junit", cmd.String("format"))
			}
			return runClassVerify(ctx, s, cmd)
		},
	}
}

// learnerFile finds a learner's kubeconfig: the path itself, or their
// namespace's file in dir, by namespace or by name.
func learnerFile(arg, dir, prefix string) (string, error) {
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		return arg, nil
	}
	candidates := []string{arg, prefix + arg, prefix + cluster.Slug(arg)}
	for _, ns := range candidates {
		p := filepath.Join(dir, ns+".kubeconfig")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", usageErrorf("no kubeconfig file of the learner %q in %s (looked for %s.kubeconfig); give --files DIR, the folder lab class cluster wrote, or the file itself", arg, dir, prefix+cluster.Slug(arg))
}

func runClassVerify(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	file, err := learnerFile(cmd.Args().First(), cmd.String("files"), cmd.String("prefix"))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return &envError{err: fmt.Errorf("reading %s: %w", file, err)}
	}
	cc, err := cluster.ReadKubeconfig(data)
	if err != nil {
		return usageErrorf("%s is not a learner's file of a class cluster: %v", file, err)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return &envError{err: err}
	}
	// The class and the learner are looked up before any check runs, so a
	// misspelt name costs nothing.
	var rec *classRecorder
	if name := cmd.String("class"); name != "" {
		who := cmd.String("learner")
		if who == "" {
			who = cc.Learner
		}
		if rec, err = openClassRecorder(ctx, s, cmd.String("db"), name, who); err != nil {
			return err
		}
		defer rec.store.Close()
	} else if cmd.String("learner") != "" {
		return usageErrorf("--learner names the learner in a class: give --class NAME too")
	}
	m := &sharedMode{file: abs, ClassContext: cc}
	course, err := loadCourseWith("", m.vars())
	if err != nil {
		return err
	}
	steps, err := classSteps(course, cmd.Args().Tail())
	if err != nil {
		return err
	}
	ws, err := os.MkdirTemp("", "lab-class-verify-")
	if err != nil {
		return &envError{err: err}
	}
	defer os.RemoveAll(ws)
	opts := features.Options{
		Env: append(checkEnv(ws), m.env()...), Workspace: ws, Grading: true,
		NoDisruptive: cmd.Bool("no-disruptive"), Status: s.Err, Skip: m.skipReason,
	}
	fmt.Fprintf(s.Err, "verifying %d step(s) of %s in the namespace %s, from this machine ...\n", len(steps), cc.Learner, cc.Namespace)
	rep, err := features.Run(ctx, steps, opts)
	if err != nil {
		return err
	}
	info := report.Info{Student: cc.Learner + " (verified by the instructor)", Course: course.ID, CourseHash: course.Hash, Lab: labVersion()}
	if cmd.String("format") == "pretty" {
		fmt.Fprintf(s.Out, "%s, namespace %s: verified by the instructor\n", cc.Learner, cc.Namespace)
	}
	if err := report.Write(s.Out, cmd.String("format"), rep, info, s.OutTTY); err != nil {
		return &envError{err: err}
	}
	if rec != nil {
		if err := rec.record(ctx, s, course, rep); err != nil {
			return err
		}
	}
	if err := rep.Err(); err != nil {
		return &silentError{code: exitCode(err)}
	}
	return nil
}

// classSteps are the steps named, or by default those of the lessons that
// work with Kubernetes objects in a cluster the class can share.
func classSteps(course *lessons.Course, scopes []string) ([]*lessons.Step, error) {
	if len(scopes) > 0 {
		steps, err := course.Select(scopes...)
		if err != nil {
			return nil, &usageError{msg: err.Error()}
		}
		return steps, nil
	}
	var steps []*lessons.Step
	for _, l := range course.Lessons {
		if !l.OwnCluster && usesKube(l) {
			steps = append(steps, l.Steps...)
		}
	}
	if len(steps) == 0 {
		return nil, usageErrorf("the course has no lesson that works in a shared cluster; name the steps to check")
	}
	return steps, nil
}

// classRecorder stores lab class verify's results in the class store as
// the instructor's verdicts on one learner's steps.
type classRecorder struct {
	store   *class.Store
	class   *class.Class
	learner *class.Learner
}

// openClassRecorder finds the class and, in it, the learner by name; an
// unknown one is a usage error that says who is in the class.
func openClassRecorder(ctx context.Context, s *IOStreams, dsn, className, who string) (*classRecorder, error) {
	st, err := openClassStore(ctx, s, dsn)
	if err != nil {
		return nil, err
	}
	c, err := chooseClass(ctx, st, className)
	if err != nil {
		st.Close()
		return nil, err
	}
	l, err := st.LearnerNamed(ctx, c.ID, who)
	if errors.Is(err, class.ErrNotFound) {
		names := learnerNames(ctx, st, c.ID)
		st.Close()
		return nil, usageErrorf("no learner named %q in the class %q (%s); lab class export --class %q lists them; give --learner NAME when they joined under another name",
			who, c.Name, names, c.Name)
	}
	if err != nil {
		st.Close()
		return nil, &envError{err: err}
	}
	return &classRecorder{store: st, class: c, learner: l}, nil
}

// learnerNames says who is in a class, for a message.
func learnerNames(ctx context.Context, st *class.Store, classID string) string {
	ls, err := st.Learners(ctx, classID)
	if err != nil || len(ls) == 0 {
		return "it has no learner yet"
	}
	var names []string
	for _, l := range ls {
		names = append(names, fmt.Sprintf("%q", l.Name))
	}
	if len(names) > 10 {
		names = append(names[:10], fmt.Sprintf("and %d more", len(names)-10))
	}
	return "its learners: " + strings.Join(names, ", ")
}

// record stores the passed and failed results; a step that could not run
// or was skipped says nothing about the learner's work.
func (r *classRecorder) record(ctx context.Context, s *IOStreams, course *lessons.Course, rep *result.Report) error {
	stored, left := 0, 0
	for _, res := range rep.Results {
		if res.Status != result.StatusPassed && res.Status != result.StatusFailed {
			left++
			continue
		}
		rec := learner.FromResult(res, course, labVersion(), time.Now())
		if err := r.store.AddVerified(ctx, r.learner, rec, time.Now()); err != nil {
			return &envError{err: fmt.Errorf("recording the verified results of %q in the class %q: %w", r.learner.Name, r.class.Name, err)}
		}
		stored++
	}
	fmt.Fprintf(s.Err, "recorded %d result(s) of %q in the class %q, marked verified by the instructor", stored, r.learner.Name, r.class.Name)
	if left > 0 {
		fmt.Fprintf(s.Err, "; %d step(s) skipped or not checked are not recorded", left)
	}
	fmt.Fprintln(s.Err)
	return nil
}
