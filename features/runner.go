package features

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// Options configure one run of checks.
type Options struct {
	// Env is the environment the checks see (DOCKER_HOST, PATH, ...).
	// Nil means the process environment.
	Env []string
	// Workspace is the learner's workspace directory.
	Workspace string
	// Grading includes the hidden @grading scenarios (lab verify only).
	Grading bool
	// NoDisruptive skips disruptive steps; they are reported as skipped.
	NoDisruptive bool
	// Skip, when set, names steps not to check: a non-empty reason skips
	// the step, reported as skipped with that reason.
	Skip func(*lessons.Step) string
	// Status receives announcements and progress (stderr); nil discards them.
	Status io.Writer
	// Cucumber, when set, receives godog's own cucumber JSON for the whole
	// run: the features of every lesson run, in one array. It is a record of
	// what godog ran, for tools that read that format; the verdict still
	// comes from the results collected in hooks. Steps skipped before any
	// scenario ran (--no-disruptive) are not in it.
	Cucumber io.Writer
}

// Run checks the given steps against the machine and returns what each
// step's scenarios found. The error is for a run that could not start at
// all (for example an unreadable feature); a failing or unrunnable step is
// reported in its Result.
func Run(ctx context.Context, steps []*lessons.Step, opts Options) (*Report, error) {
	if len(steps) == 0 {
		return nil, errors.New("no step selected: nothing to check; see: lab list")
	}
	opts.Env, opts.Status = orDefaults(opts.Env, opts.Status)
	r := newRun(opts, steps[0].Lesson.Course)
	defer r.close()

	report := &Report{Started: time.Now()}
	for _, group := range byLesson(steps) {
		if err := r.lesson(ctx, group); err != nil {
			return nil, err
		}
	}
	for _, s := range steps {
		report.Results = append(report.Results, r.results[s])
	}
	superseded(report.Results)
	report.Duration = time.Since(report.Started)
	if opts.Cucumber != nil {
		if err := r.writeCucumber(opts.Cucumber); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// writeCucumber joins the cucumber JSON arrays godog wrote for each lesson
// into one array.
func (r *run) writeCucumber(w io.Writer) error {
	features := []json.RawMessage{}
	for _, doc := range r.cucumber {
		var part []json.RawMessage
		if err := json.Unmarshal(doc, &part); err != nil {
			return fmt.Errorf("reading godog's cucumber JSON: %w", err)
		}
		features = append(features, part...)
	}
	out, err := json.MarshalIndent(features, "", "  ")
	if err != nil {
		return fmt.Errorf("writing cucumber JSON: %w", err)
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// run holds what is shared by every scenario of one Run: the options, the
// target the checks look at and, once a check asked for it, the engine
// connection.
type run struct {
	opts    Options
	target  sandbox.Target
	results map[*lessons.Step]*Result
	// cucumber holds godog's cucumber JSON of each lesson run, when asked.
	cucumber [][]byte
	engine   *sandbox.Engine
	engErr   error
	dialed   bool
	cluster  kubeConn // the Kubernetes cluster, once a check asked for it
}

func (r *run) close() {
	if r.engine != nil {
		r.engine.Close()
	}
}

// newRun resolves the target of the options' environment once, for every
// check of the run, with course's cluster as the default kube context.
func newRun(opts Options, course *lessons.Course) *run {
	target := sandbox.ResolveTarget(opts.Env, KubeContext(course))
	if course != nil && course.Cluster != nil {
		target.KindConfig = course.Cluster.Config
	}
	return &run{opts: opts, target: target, results: map[*lessons.Step]*Result{}}
}

// dockerEngine connects on first use and then reuses the connection.
func (r *run) dockerEngine(ctx context.Context) (*sandbox.Engine, error) {
	if !r.dialed {
		r.dialed = true
		r.engine, r.engErr = r.target.Connect(ctx)
	}
	return r.engine, r.engErr
}

// orDefaults fills in what the caller of Run or Selftest left out: the
// process environment, and a status writer that discards.
func orDefaults(env []string, status io.Writer) ([]string, io.Writer) {
	if env == nil {
		env = os.Environ()
	}
	if status == nil {
		status = io.Discard
	}
	return env, status
}

func byLesson(steps []*lessons.Step) [][]*lessons.Step {
	var groups [][]*lessons.Step
	for _, s := range steps {
		if n := len(groups); n > 0 && groups[n-1][0].Lesson == s.Lesson {
			groups[n-1] = append(groups[n-1], s)
			continue
		}
		groups = append(groups, []*lessons.Step{s})
	}
	return groups
}

// lesson runs the scenarios of the selected steps of one lesson in one godog
// suite, collecting every result from hooks.
func (r *run) lesson(ctx context.Context, steps []*lessons.Step) error {
	lesson := steps[0].Lesson
	byTag := map[string]*lessons.Step{}
	var filters []string
	for _, s := range steps {
		res := &Result{Step: s}
		r.results[s] = res
		if s.Disruptive && r.opts.NoDisruptive {
			res.Status = StatusSkipped
			res.Reason = "disruptive step skipped (--no-disruptive)"
			continue
		}
		if r.opts.Skip != nil {
			if why := r.opts.Skip(s); why != "" {
				res.Status, res.Reason = StatusSkipped, why
				continue
			}
		}
		byTag[s.Tag()] = s
		f := s.Tag()
		if !r.opts.Grading {
			f += " && ~@grading"
		}
		filters = append(filters, f)
	}
	if len(filters) == 0 {
		return nil
	}

	started := map[*lessons.Step]time.Time{}
	// godog writes one report per suite, and each lesson is a suite of its
	// own, so cucumber JSON is kept per lesson and joined at the end.
	format, output := "progress", io.Writer(io.Discard)
	var cucumber bytes.Buffer
	if r.opts.Cucumber != nil {
		format, output = "cucumber", &cucumber
	}
	suite := godog.TestSuite{
		Name: lesson.ID,
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			var current *Result
			w := &world{run: r}
			sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
				step := stepOf(p, byTag)
				if step == nil {
					return ctx, nil
				}
				current = r.results[step]
				if _, ok := started[step]; !ok {
					started[step] = time.Now()
				}
				if hasTag(p, "@disruptive") {
					fmt.Fprintf(r.opts.Status, "! %s is disruptive: %s\n", step.Key(), p.Name)
				}
				if len(p.Steps) == 0 {
					current.Checks = append(current.Checks, CheckResult{
						Scenario: p.Name, Status: StatusError,
						Err: fmt.Sprintf("scenario %q has no steps: it would prove nothing", p.Name),
					})
				}
				w.step = step
				return ctx, nil
			})
			sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
				if current == nil {
					return ctx, nil
				}
				current.Checks = append(current.Checks, checkResult(st, status, err))
				return ctx, nil
			})
			sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
				if current != nil {
					current.Notes = append(current.Notes, w.notes...)
					w.notes = nil
					current.Duration = time.Since(started[current.Step])
				}
				w.cleanup(ctx)
				return ctx, nil
			})
			w.register(sc)
		},
		Options: &godog.Options{
			Strict:          true,
			Format:          format,
			Output:          output,
			NoColors:        true,
			Tags:            strings.Join(filters, ","),
			FeatureContents: []godog.Feature{{Name: lesson.FeaturePath, Contents: lesson.Feature}},
			DefaultContext:  ctx,
			Concurrency:     1,
		},
	}
	if code := suite.Run(); code == 2 {
		return fmt.Errorf("running %s: godog refused the feature file; try: lab lessons lint", lesson.FeaturePath)
	}
	if r.opts.Cucumber != nil {
		r.cucumber = append(r.cucumber, cucumber.Bytes())
	}
	for _, s := range steps {
		finish(r.results[s])
	}
	return ctx.Err()
}

func stepOf(p *godog.Scenario, byTag map[string]*lessons.Step) *lessons.Step {
	for _, t := range p.Tags {
		if s, ok := byTag[t.Name]; ok {
			return s
		}
	}
	return nil
}

func hasTag(p *godog.Scenario, tag string) bool {
	return slices.ContainsFunc(p.Tags, func(t *messages.PickleTag) bool { return t.Name == tag })
}

func checkResult(st *godog.Step, status godog.StepResultStatus, err error) CheckResult {
	c := CheckResult{Text: st.Text}
	switch status {
	case godog.StepPassed:
		c.Status = StatusPassed
	case godog.StepSkipped:
		c.Status = StatusSkipped
	case godog.StepFailed:
		c.Status = StatusFailed
		if IsEnvError(err) {
			c.Status = StatusError
		}
	case godog.StepUndefined:
		c.Status = StatusError
		c.Err = fmt.Sprintf("undefined Gherkin step %q: the lesson uses a step lab does not know; try: lab lessons lint", st.Text)
		return c
	default: // pending, ambiguous
		c.Status = StatusError
		c.Err = fmt.Sprintf("Gherkin step %q is %s; try: lab lessons lint", st.Text, status)
		return c
	}
	if err != nil {
		c.Err = err.Error()
		c.Code = result.CodeOf(err)
	}
	return c
}

// finish derives a step's status from its collected checks. A step no
// scenario ran for is an error: a filter that selects nothing proves nothing.
func finish(res *Result) {
	if res.Status == StatusSkipped {
		return
	}
	if len(res.Checks) == 0 {
		res.Status = StatusError
		res.Reason = fmt.Sprintf("no scenario ran for %s (no scenario tagged %s); try: lab lessons lint", res.Step.Key(), res.Step.Tag())
		return
	}
	passed := 0
	res.Status = StatusPassed
	for _, c := range res.Checks {
		switch c.Status {
		case StatusError:
			res.Status = StatusError
			return
		case StatusFailed:
			res.Status = StatusFailed
		case StatusPassed:
			passed++
		}
	}
	if res.Status == StatusPassed && passed == 0 {
		res.Status = StatusError
		res.Reason = fmt.Sprintf("no check of %s ran to the end", res.Step.Key())
	}
}

// superseded reports a failed step as skipped when a later step in the same
// run, which undoes its outcome on purpose, passed: the evidence is gone by
// design, not by mistake. A step checked on its own stays strict.
func superseded(results []*Result) {
	passed := map[string]bool{}
	for _, res := range results {
		if res.Status == StatusPassed {
			passed[res.Step.Key()] = true
		}
	}
	for _, res := range results {
		// A step whose object a later step removed on purpose fails, or
		// cannot run at all when the later step removed what it runs in
		// (lesson 7's checks after the cluster is deleted).
		if (res.Status != StatusFailed && res.Status != StatusError) || len(res.Step.SupersededBy) == 0 {
			continue
		}
		var by []string
		for _, ref := range res.Step.SupersededBy {
			later, err := res.Step.Lesson.Course.Find(ref)
			if err != nil || !passed[later.Key()] {
				by = nil
				break
			}
			by = append(by, later.Key())
		}
		if len(by) > 0 {
			res.Status = StatusSkipped
			res.Reason = fmt.Sprintf("its outcome was undone on purpose by %s, which passed", strings.Join(by, ", "))
		}
	}
}
