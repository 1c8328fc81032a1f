package features

import (
	"context"
	"fmt"
	"regexp"

	"github.com/cucumber/godog"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// world is the state one scenario's steps share: the run it belongs to, the
// lesson step it checks, what earlier Gherkin steps found, and notes to
// report.
type world struct {
	run   *run
	step  *lessons.Step
	notes []string

	container *sandbox.Container // the container an earlier step settled on
	undo      []func(context.Context)
}

// stepDef binds one Gherkin expression to the function that checks it,
// with what an author needs to use it: an example sentence and the failure
// codes the check can give.
type stepDef struct {
	Expr    string
	Fn      any
	Example string
	Codes   []string
}

// definitions lists every Gherkin step lab knows, bound to w. Lint reads the
// expressions from a zero world to find undefined and unused steps.
func (w *world) definitions() []stepDef {
	var defs []stepDef
	defs = append(defs, w.setupSteps()...)
	defs = append(defs, w.containerSteps()...)
	defs = append(defs, w.dockerfileSteps()...)
	defs = append(defs, w.volumeSteps()...)
	defs = append(defs, w.mongoSteps()...)
	defs = append(defs, w.healthSteps()...)
	defs = append(defs, w.composeSteps()...)
	defs = append(defs, w.kindSteps()...)
	defs = append(defs, w.kubeSteps()...)
	defs = append(defs, w.openSteps()...)
	return defs
}

func (w *world) register(sc *godog.ScenarioContext) {
	for _, d := range w.definitions() {
		sc.Step(d.Expr, d.Fn)
	}
}

// Expressions returns the regular expressions of every step definition, for
// lint.
func Expressions() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, d := range (&world{}).definitions() {
		out = append(out, regexp.MustCompile(d.Expr))
	}
	return out
}

func (w *world) note(format string, args ...any) {
	w.notes = append(w.notes, fmt.Sprintf(format, args...))
}

// target is where the scenario's checks look: the learner's Docker
// endpoint, cluster context and namespace, and the environment of the tools
// the checks run, resolved once for the run.
func (w *world) target() *sandbox.Target { return &w.run.target }

// engine returns the Docker engine or an EnvError saying how to start it.
func (w *world) engine(ctx context.Context) (*sandbox.Engine, error) {
	e, err := w.run.dockerEngine(ctx)
	if err != nil {
		return nil, &EnvError{Err: err}
	}
	return e, nil
}

// announce tells the learner, before a disruptive step acts, exactly what
// it is about to do (kill which container, delete which pod).
func (w *world) announce(format string, args ...any) {
	fmt.Fprintf(w.run.opts.Status, "! "+format+"\n", args...)
}

// onCleanup registers work that must run when the scenario ends, pass or
// fail (healing after a disruptive check).
func (w *world) onCleanup(fn func(context.Context)) { w.undo = append(w.undo, fn) }

func (w *world) cleanup(ctx context.Context) {
	for i := len(w.undo) - 1; i >= 0; i-- {
		w.undo[i](context.WithoutCancel(ctx))
	}
	w.undo = nil
}

// stateKey keys a scenario's state of type T in the context godog passes
// from step to step.
type stateKey[T any] struct{}

// scenarioState returns the scenario's state of type T, creating it on
// first use; the returned context carries it to the next steps.
func scenarioState[T any](ctx context.Context) (context.Context, *T) {
	if st, ok := ctx.Value(stateKey[T]{}).(*T); ok {
		return ctx, st
	}
	st := new(T)
	return context.WithValue(ctx, stateKey[T]{}, st), st
}
