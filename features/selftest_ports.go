package features

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// portsFree makes sure, before a lesson's selftest starts, that no
// container holds a host port the solutions it will run publish: a stack
// of another lesson holding one would fail a solution with the engine's
// bare "port is already allocated". The error names each holder, the step
// that made it and the way out.
// Containers of the required steps are not in the way: those steps are
// cleaned up before they are solved.
func (t *selftest) portsFree(ctx context.Context, steps, required []*lessons.Step) error {
	var cmds []string
	for _, s := range append(slices.Clone(required), steps...) {
		cmds = append(cmds, s.Solution...)
	}
	ports := SolutionPorts(cmds)
	if len(ports) == 0 {
		return nil
	}
	r := newRun(Options{Env: t.env}, nil) // the engine only
	defer r.close()
	e, err := r.dockerEngine(ctx)
	if err != nil {
		return err
	}
	cleaned := func(u sandbox.PortUser) bool {
		return slices.ContainsFunc(required, func(s *lessons.Step) bool { return names(s, u) })
	}
	holders, err := PortHolders(ctx, e, steps[0].Lesson.Course, ports, cleaned)
	if err != nil {
		return fmt.Errorf("looking for what holds the ports %s publishes: %w", steps[0].Lesson.ID, err)
	}
	if len(holders) == 0 {
		return nil
	}
	var lines []string
	for _, h := range holders {
		h.IncludeOlder = true
		lines = append(lines, h.Explain())
	}
	return fmt.Errorf("%s cannot start: its solutions publish host ports that are taken:\n  %s",
		steps[0].Lesson.ID, strings.Join(lines, "\n  "))
}

// heldImage says which containers use a leftover image, the steps that name
// them and the way out, so "left behind: image lab/mongo:v1" says that a
// later lesson's container holds it. It returns "" when none does.
func heldImage(ctx context.Context, e *sandbox.Engine, course *lessons.Course, img sandbox.Object) string {
	users, err := e.ImageUsers(ctx, img.ID)
	if err != nil || len(users) == 0 {
		return ""
	}
	var parts []string
	for _, c := range users {
		p := fmt.Sprintf("container %s", c.Name)
		if s := stepNaming(course, sandbox.KindContainer, c.Name); s != nil {
			p += fmt.Sprintf(" of step %s (free it with: lab reset %s --include-older)", s.Key(), s.Lesson.ID)
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return " (used by " + strings.Join(parts, ", ") + ")"
}
