package features

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// SelftestOptions configure a selftest run.
type SelftestOptions struct {
	// Env is the base environment; nil means the process environment.
	Env []string
	// Workspace is a scratch workspace the reference solutions write into,
	// never the learner's own.
	Workspace string
	// Scratch is a directory for fake tools and files that setups create
	// ($LAB_SELFTEST_DIR).
	Scratch string
	// Status receives progress lines; nil discards them.
	Status io.Writer
	// Starter holds the starter files steps copy into the workspace.
	Starter fs.FS
}

// Phase is one proof about a step: unsolved fails, solved passes, a wrong
// state fails with its message, cleanup leaves nothing.
type Phase struct {
	Name     string // "unsolved", "solved", "wrong:NAME", "cleanup"
	OK       bool
	Detail   string // what was observed when not OK
	Duration time.Duration
	// Codes and Observed are what the check gave in this phase, when it
	// ran: its failure codes and the first line of its message ("passed"
	// when it passed), so that runs of the same phase can be compared.
	Codes    []string
	Observed string
}

// observe records what a check gave in a phase.
func (p *Phase) observe(r *Result) {
	p.Codes = r.Codes()
	p.Observed, _, _ = strings.Cut(r.Message(), "\n")
	if r.Status == StatusPassed {
		p.Observed = "passed"
	}
}

// SelftestResult is every proof made about one step.
type SelftestResult struct {
	Step   *lessons.Step
	Phases []Phase
}

// OK reports whether every proof about the step held.
func (r *SelftestResult) OK() bool {
	if len(r.Phases) == 0 {
		return false
	}
	for _, p := range r.Phases {
		if !p.OK {
			return false
		}
	}
	return true
}

// Selftest proves each selected step's check honest against the real
// machine: it fails before the reference solution, passes after it, fails
// with the intended message for every known-wrong state, and the step's
// cleanup leaves none of its resources behind. Earlier steps of the same
// lesson are solved first, since later steps build on them.
func Selftest(ctx context.Context, steps []*lessons.Step, opts SelftestOptions) ([]*SelftestResult, error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("no step selected; see: lab list")
	}
	opts.Env, opts.Status = orDefaults(opts.Env, opts.Status)
	for _, dir := range []string{opts.Workspace, opts.Scratch} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("preparing selftest directory: %w", err)
		}
	}
	t := &selftest{opts: opts}
	// The solutions' kind and kubectl write contexts into a kubeconfig of
	// the selftest's own, never into the one the machine's user keeps.
	t.env = append(slices.Clone(opts.Env), "LAB_WORKSPACE="+opts.Workspace, "LAB_SELFTEST_DIR="+opts.Scratch,
		"KUBECONFIG="+filepath.Join(opts.Scratch, "kubeconfig"))

	var results []*SelftestResult
	for _, group := range byLesson(steps) {
		res, err := t.lesson(ctx, group)
		results = append(results, res...)
		if err != nil {
			return results, err
		}
	}
	return results, nil
}

type selftest struct {
	opts SelftestOptions
	env  []string

	// tags are the images the running lesson names in its resources; held
	// are the image IDs those tags pointed at before or after any command
	// the selftest ran. An image that lost its tag to a rebuild is among
	// them; an untagged image someone else made meanwhile is not.
	tags []string
	held map[string]bool
	// ancestors are the images the held ones were built on, as the
	// builder left them: the classic builder keeps an image for every
	// instruction, and removing the last one does not always remove
	// them with it. existed are the IDs of every image before the lesson.
	ancestors []string
	existed   map[string]bool
}

func (t *selftest) logf(format string, args ...any) {
	fmt.Fprintf(t.opts.Status, format+"\n", args...)
}

func (t *selftest) lesson(ctx context.Context, selected []*lessons.Step) ([]*SelftestResult, error) {
	lesson := selected[0].Lesson
	t.logf("selftest %s: cleaning up before starting", lesson.ID)
	if err := t.cleanupLesson(ctx, lesson); err != nil {
		return nil, err
	}
	t.tags, t.held, t.ancestors = lessonImages(lesson), map[string]bool{}, nil
	t.existed = t.listed(ctx, "docker images --all --quiet --no-trunc")
	untagged, volumes := t.untaggedImages(ctx), t.volumes(ctx, "")
	defer t.removeUntaggedSince(context.WithoutCancel(ctx), untagged)
	defer t.removeAnonymousVolumesSince(context.WithoutCancel(ctx), volumes)
	required, err := t.required(lesson)
	if err != nil {
		return nil, err
	}
	if err := t.portsFree(ctx, lesson.Steps[:selected[len(selected)-1].Index], required); err != nil {
		return nil, err
	}
	for _, r := range required {
		t.logf("  %s: solving (required by %s)", r.Key(), lesson.ID)
		if err := t.starter(r); err != nil {
			return nil, err
		}
		// Start it from a clean slate, as the lesson's own steps are.
		if err := t.cleanupStep(ctx, r); err != nil {
			return nil, err
		}
		if err := t.solve(ctx, r); err != nil {
			return nil, fmt.Errorf("solving %s, which %s requires: %w", r.Key(), lesson.ID, err)
		}
	}
	defer func() {
		for i := len(required) - 1; i >= 0; i-- {
			if err := t.cleanupStep(context.WithoutCancel(ctx), required[i]); err != nil {
				t.logf("  %v", err)
			}
		}
	}()
	var results []*SelftestResult
	// Steps after the last selected one are not needed.
	last := selected[len(selected)-1].Index
	for _, step := range lesson.Steps[:last] {
		if err := t.starter(step); err != nil {
			return results, err
		}
		if !slices.Contains(selected, step) {
			t.logf("  %s: solving (needed by later steps)", step.Key())
			if err := t.solve(ctx, step); err != nil {
				return results, fmt.Errorf("solving %s to prepare later steps: %w", step.Key(), err)
			}
			continue
		}
		res, err := t.step(ctx, step)
		results = append(results, res)
		if err != nil {
			return results, err
		}
	}
	// The last proof: after cleanup, none of the lesson's resources remain.
	start := time.Now()
	err = t.cleanupLesson(ctx, lesson)
	left, ferr := t.leftovers(ctx, lesson)
	for _, res := range results {
		p := Phase{Name: "cleanup", OK: err == nil && ferr == nil && len(left[res.Step]) == 0, Duration: time.Since(start)}
		switch {
		case err != nil:
			p.Detail = err.Error()
		case ferr != nil:
			p.Detail = ferr.Error()
		case len(left[res.Step]) > 0:
			p.Detail = "left behind: " + strings.Join(left[res.Step], ", ")
		}
		res.Phases = append(res.Phases, p)
		t.logPhase(res.Step, p)
	}
	return results, ctx.Err()
}

func (t *selftest) step(ctx context.Context, step *lessons.Step) (*SelftestResult, error) {
	res := &SelftestResult{Step: step}
	add := func(p Phase) {
		res.Phases = append(res.Phases, p)
		t.logPhase(step, p)
	}

	// 1. Unsolved: the check must fail in the state the learner starts
	// from, their setup included.
	add(t.expectFail(ctx, step, "unsolved", slices.Concat(step.Setup, step.Unsolved.Setup), step.Unsolved.Env, lessons.WrongState{}))
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// 2. Solved: the check must pass.
	start := time.Now()
	p := Phase{Name: "solved"}
	if err := t.commands(ctx, step.Solution); err != nil {
		p.Detail = "reference solution failed: " + err.Error()
	} else if r, err := t.check(ctx, step, nil); err != nil {
		p.Detail = err.Error()
	} else if p.observe(r); r.Status != StatusPassed {
		p.Detail = fmt.Sprintf("check %s after the reference solution: %s", r.Status, r.Message())
	} else {
		p.OK = true
	}
	p.Duration = time.Since(start)
	add(p)
	// 3. Each known-wrong state must fail with its own code and message.
	// Like the learner, it starts from the step's learner setup.
	for _, w := range step.Wrong {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := t.cleanupStep(ctx, step); err != nil {
			return res, err
		}
		add(t.expectFail(ctx, step, "wrong:"+w.Name, slices.Concat(step.Setup, w.Setup), w.Env, w))
	}
	return res, t.resolve(ctx, step)
}

// resolve leaves step solved for the steps after it. Undoing the step and
// solving it again is usually enough; when the solution needs what the undo
// removed (removing containers an earlier step made, say), the lesson is
// solved again from its first step.
func (t *selftest) resolve(ctx context.Context, step *lessons.Step) error {
	if len(step.Wrong) == 0 {
		return nil
	}
	if err := t.cleanupStep(ctx, step); err != nil {
		return err
	}
	if t.solve(ctx, step) == nil {
		return ctx.Err()
	}
	t.logf("  %s: solving the lesson again up to this step", step.Key())
	if err := t.cleanupLesson(ctx, step.Lesson); err != nil {
		return err
	}
	for _, s := range step.Lesson.Steps[:step.Index] {
		if err := t.solve(ctx, s); err != nil {
			return fmt.Errorf("solving %s again for later steps: %w", s.Key(), err)
		}
	}
	return ctx.Err()
}

// expectFail sets a state up and proves the check fails in it — as a
// failure, not an environment error — with want's code and text when given.
func (t *selftest) expectFail(ctx context.Context, step *lessons.Step, name string, setup []string, env map[string]string, want lessons.WrongState) Phase {
	start := time.Now()
	p := Phase{Name: name}
	defer func() { p.Duration = time.Since(start) }()
	if err := t.commands(ctx, setup); err != nil {
		p.Detail = "setup failed: " + err.Error()
		p.Duration = time.Since(start)
		return p
	}
	r, err := t.check(ctx, step, env)
	if err != nil {
		p.Detail = err.Error()
	} else {
		p.observe(r)
		p.Detail = failsAsExpected(r, want.Code, want.Expect)
		p.OK = p.Detail == ""
	}
	p.Duration = time.Since(start)
	return p
}

// failsAsExpected says what is wrong with a check's result in a state where
// it must fail: with code among its failures' codes and expect in its
// message, when they are given. It returns "" when the result is such a
// failure.
func failsAsExpected(r *Result, code, expect string) string {
	switch {
	case r.Status == StatusPassed:
		return "the check passed, but it must fail here"
	case r.Status != StatusFailed:
		return fmt.Sprintf("the check ended with %s instead of a failure: %s", r.Status, r.Message())
	case code != "" && !slices.Contains(r.Codes(), code):
		got := "no code"
		if codes := r.Codes(); len(codes) > 0 {
			got = "the code " + strings.Join(codes, ", ")
		}
		return fmt.Sprintf("the failure does not have the code %s; it has %s and says: %s", code, got, r.Message())
	case expect != "" && !strings.Contains(r.Message(), expect):
		return fmt.Sprintf("the failure does not say %q; it says: %s", expect, r.Message())
	}
	return ""
}

func (t *selftest) logPhase(step *lessons.Step, p Phase) {
	mark := "ok  "
	if !p.OK {
		mark = "FAIL"
	}
	t.logf("  %s %s %s (%s)", mark, step.Key(), p.Name, p.Duration.Round(time.Millisecond))
	if !p.OK {
		for _, line := range strings.Split(p.Detail, "\n") {
			t.logf("       %s", line)
		}
	}
}

// check runs the step's check with env overrides on top of the base
// environment. Grading scenarios are included: selftest proves them too.
func (t *selftest) check(ctx context.Context, step *lessons.Step, overrides map[string]string) (*Result, error) {
	rep, err := Run(ctx, []*lessons.Step{step}, Options{
		Env: t.overlay(overrides), Workspace: t.opts.Workspace, Grading: true, Status: t.opts.Status,
	})
	if err != nil {
		return nil, err
	}
	return rep.Results[0], nil
}

// overlay applies overrides to the base environment; values may name
// $LAB_SELFTEST_DIR, $LAB_WORKSPACE and any base variable such as $PATH.
func (t *selftest) overlay(overrides map[string]string) []string {
	env := slices.Clone(t.env)
	lookup := func(k string) string {
		for i := len(t.env) - 1; i >= 0; i-- {
			if key, v, ok := strings.Cut(t.env[i], "="); ok && key == k {
				return v
			}
		}
		return ""
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		env = append(env, k+"="+os.Expand(overrides[k], lookup))
	}
	return env
}

// solve brings a step to its solved state as a learner would: from the
// starting state its learner setup makes, through the reference solution.
func (t *selftest) solve(ctx context.Context, step *lessons.Step) error {
	if err := t.commands(ctx, step.Setup); err != nil {
		return fmt.Errorf("learner setup: %w", err)
	}
	return t.commands(ctx, step.Solution)
}

func (t *selftest) commands(ctx context.Context, cmds []string) error {
	if len(cmds) > 0 {
		t.noteHeld(ctx)
	}
	for _, c := range cmds {
		out, err := sandbox.Run(ctx, t.opts.Workspace, t.env, c)
		// After every command: one command may build a tag that the next
		// builds again.
		t.noteHeld(context.WithoutCancel(ctx))
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", c, err, strings.TrimSpace(out))
		}
	}
	return nil
}

// required lists, once each and in course order, the steps of earlier
// lessons that the lesson's steps require.
func (t *selftest) required(lesson *lessons.Lesson) ([]*lessons.Step, error) {
	var out []*lessons.Step
	for _, s := range lesson.Steps {
		for _, ref := range s.Requires {
			r, err := findIn(lesson, ref)
			if err != nil {
				return nil, fmt.Errorf("%s requires %q: %w", s.Key(), ref, err)
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *lessons.Step) int {
		if a.Lesson.Index != b.Lesson.Index {
			return a.Lesson.Index - b.Lesson.Index
		}
		return a.Index - b.Index
	})
	return out, nil
}

// findIn resolves a "lesson/step" reference from another lesson of the same
// course as lesson.
func findIn(lesson *lessons.Lesson, ref string) (*lessons.Step, error) {
	if lesson.Course == nil {
		return nil, fmt.Errorf("lesson %s belongs to no course", lesson.ID)
	}
	return lesson.Course.Find(ref)
}

// starter copies the step's starter files into the scratch workspace, as
// lab does when it shows the step.
func (t *selftest) starter(step *lessons.Step) error {
	if len(step.Starter) == 0 {
		return nil
	}
	if t.opts.Starter == nil {
		return fmt.Errorf("%s needs starter files, but none were given", step.Key())
	}
	_, _, err := sandbox.CopyStarter(t.opts.Starter, step.Starter, t.opts.Workspace)
	return err
}

func (t *selftest) cleanupStep(ctx context.Context, step *lessons.Step) error {
	if err := t.commands(ctx, step.Cleanup); err != nil {
		return fmt.Errorf("cleaning up %s: %w", step.Key(), err)
	}
	return nil
}

func (t *selftest) cleanupLesson(ctx context.Context, lesson *lessons.Lesson) error {
	for i := len(lesson.Steps) - 1; i >= 0; i-- {
		if err := t.cleanupStep(ctx, lesson.Steps[i]); err != nil {
			return err
		}
	}
	return nil
}

// leftovers finds, per step, the resources its front matter names that still
// exist: Docker objects through the engine, Kubernetes objects through the
// cluster.
func (t *selftest) leftovers(ctx context.Context, lesson *lessons.Lesson) (map[*lessons.Step][]string, error) {
	out := map[*lessons.Step][]string{}
	r := newRun(Options{Env: t.env}, lesson.Course)
	defer r.close()
	kube := &kubeLeftovers{run: r}
	for _, step := range lesson.Steps {
		if refs := Refs(step.Resources); len(refs) > 0 {
			e, err := r.dockerEngine(ctx)
			if err != nil {
				return nil, err
			}
			found, err := e.Find(ctx, refs)
			if err != nil {
				return nil, fmt.Errorf("looking for what %s left behind: %w", step.Key(), err)
			}
			for _, f := range found {
				left := f.String()
				if f.Kind == sandbox.KindImage {
					left += heldImage(ctx, e, lesson.Course, f)
				}
				out[step] = append(out[step], left)
			}
		}
		found, err := kube.find(ctx, step.Resources.Kubernetes)
		if err != nil {
			return nil, fmt.Errorf("looking for what %s left behind: %w", step.Key(), err)
		}
		out[step] = append(out[step], found...)
	}
	return out, nil
}
