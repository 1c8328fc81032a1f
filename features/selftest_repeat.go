package features

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/lessons"
)

// Flake is a step whose selftest verdict changed between runs of the same
// selftest: a check, a solution or a cleanup that depends on timing or on
// what ran before, which a learner would meet as a pass one time and a
// failure the next.
type Flake struct {
	Step *lessons.Step
	// Phases are the step's proofs whose verdict changed, in the order
	// the first run made them.
	Phases []FlakyPhase
}

// FlakyPhase is one proof whose verdict changed, with what each run saw.
type FlakyPhase struct {
	Name string
	// Runs holds, per run, the phase as that run made it; a run that did
	// not get that far has none (OK false, Observed "not run").
	Runs []Phase
}

// String says, per run, the verdict, the failure codes and the first line
// of what the check observed.
func (f FlakyPhase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", f.Name)
	for i, p := range f.Runs {
		verdict := "ok"
		if !p.OK {
			verdict = "FAIL"
		}
		codes := "no code"
		if len(p.Codes) > 0 {
			codes = strings.Join(p.Codes, ", ")
		}
		observed := p.Observed
		if observed == "" {
			observed, _, _ = strings.Cut(p.Detail, "\n")
		}
		fmt.Fprintf(&b, "\n  run %d: %s [%s] %s", i+1, verdict, codes, observed)
	}
	return b.String()
}

// RepeatSelftest runs a selftest n times through run and compares the runs:
// every step whose verdict for some proof was not the same in every run is
// a Flake. It stops at the first run that returns an error.
func RepeatSelftest(ctx context.Context, n int, run func(ctx context.Context, i int) ([]*SelftestResult, error)) ([][]*SelftestResult, []Flake, error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("selftest must run at least once, not %d times", n)
	}
	var runs [][]*SelftestResult
	for i := range n {
		res, err := run(ctx, i)
		runs = append(runs, res)
		if err != nil {
			return runs, Flaky(runs), err
		}
		if err := ctx.Err(); err != nil {
			return runs, Flaky(runs), err
		}
	}
	return runs, Flaky(runs), nil
}

// Flaky compares selftest runs of the same steps and returns, in the order
// of the first run, the steps with a proof whose verdict differed between
// runs. A proof some run did not make counts as not holding in that run.
func Flaky(runs [][]*SelftestResult) []Flake {
	if len(runs) < 2 {
		return nil
	}
	var order []*lessons.Step
	byStep := map[string][]*SelftestResult{} // step key -> its result per run (nil: none)
	for i, results := range runs {
		for _, r := range results {
			key := r.Step.Key()
			if _, ok := byStep[key]; !ok {
				order = append(order, r.Step)
				byStep[key] = make([]*SelftestResult, len(runs))
			}
			byStep[key][i] = r
		}
	}
	var flakes []Flake
	for _, step := range order {
		perRun := byStep[step.Key()]
		var names []string
		for _, r := range perRun {
			for _, p := range phasesOf(r) {
				if !slices.Contains(names, p.Name) {
					names = append(names, p.Name)
				}
			}
		}
		var changed []FlakyPhase
		for _, name := range names {
			fp := FlakyPhase{Name: name}
			for _, r := range perRun {
				p := Phase{Name: name, Observed: "not run"}
				if i := slices.IndexFunc(phasesOf(r), func(p Phase) bool { return p.Name == name }); i >= 0 {
					p = r.Phases[i]
				}
				fp.Runs = append(fp.Runs, p)
			}
			if slices.ContainsFunc(fp.Runs, func(p Phase) bool { return p.OK != fp.Runs[0].OK }) {
				changed = append(changed, fp)
			}
		}
		if len(changed) > 0 {
			flakes = append(flakes, Flake{Step: step, Phases: changed})
		}
	}
	return flakes
}

func phasesOf(r *SelftestResult) []Phase {
	if r == nil {
		return nil
	}
	return r.Phases
}
