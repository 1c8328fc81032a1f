package lessons

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
)

// The scenario tags with a meaning of their own.
const (
	tagDisruptive = "@disruptive"
	tagGrading    = "@grading"
	tagSlow       = "@slow"
)

var gherkinErr = regexp.MustCompile(`^\(([0-9]+):[0-9]+\): (.*)$`)

// scenarioTags is what a scenario's tags say, including those it inherits
// from its Feature and Rule (as runners see them).
type scenarioTags struct {
	disruptive, grading, slow bool
}

func (t *scenarioTags) set(name string) bool {
	switch name {
	case tagDisruptive:
		t.disruptive = true
	case tagGrading:
		t.grading = true
	case tagSlow:
		t.slow = true
	default:
		return false
	}
	return true
}

// parseFeature ties the lesson's scenarios to its steps and reports every
// way they fail to match. When complete is false some step file could not be
// read, so tags naming unknown steps are not reported (they may be that
// step's).
func (p *parser) parseFeature(l *Lesson, data []byte, complete bool) {
	file := l.FeaturePath
	var ids messages.Incrementing
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), ids.NewId)
	if err != nil {
		// The parser keeps going after an error, and everything after the
		// first one is usually its echo; the first is the one to fix.
		var lines []string
		for _, line := range strings.Split(err.Error(), "\n") {
			if line != "" && line != "Parser errors:" {
				lines = append(lines, line)
			}
		}
		if len(lines) == 0 {
			lines = append(lines, err.Error())
		}
		line, msg := 0, lines[0]
		if m := gherkinErr.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		if more := len(lines) - 1; more > 0 {
			msg += fmt.Sprintf(" (and %d more after it)", more)
		}
		p.problem(file, line, "feature parse error: %s", msg)
		return
	}
	if doc == nil || doc.Feature == nil {
		p.problem(file, 0, "feature file has no Feature")
		return
	}
	f := doc.Feature
	featureLine := int(f.Location.Line)

	var inherited scenarioTags
	p.outerTags(l, file, "Feature", f.Tags, &inherited)
	background := ""
	for _, child := range f.Children {
		switch {
		case child.Background != nil:
			background = renderBackground(child.Background)
		case child.Scenario != nil:
			p.scenario(l, file, child.Scenario, inherited, background, complete)
		case child.Rule != nil:
			ruleTags := inherited
			p.outerTags(l, file, "Rule", child.Rule.Tags, &ruleTags)
			ruleBackground := background
			for _, rc := range child.Rule.Children {
				switch {
				case rc.Background != nil:
					ruleBackground = background + renderBackground(rc.Background)
				case rc.Scenario != nil:
					p.scenario(l, file, rc.Scenario, ruleTags, ruleBackground, complete)
				}
			}
		}
	}
	for _, s := range l.Steps {
		if s.Scenario == "" {
			p.problem(file, featureLine, "no scenario tagged %s: step %q (%s) has no check", s.Tag(), s.ID, s.SourcePath)
		}
	}
}

// outerTags reads Feature and Rule tags. Only the meaning tags may go there:
// a step tag on a Feature would make every scenario that step's.
func (p *parser) outerTags(l *Lesson, file, where string, tags []*messages.Tag, into *scenarioTags) {
	for _, t := range tags {
		if into.set(t.Name) {
			continue
		}
		line := int(t.Location.Line)
		if l.Step(strings.TrimPrefix(t.Name, "@")) != nil {
			p.problem(file, line, "step tag %s belongs on a scenario, not on the %s", t.Name, where)
		} else {
			p.problem(file, line, "unknown tag %s on the %s (allowed: %s, %s, %s)", t.Name, where, tagDisruptive, tagGrading, tagSlow)
		}
	}
}

func (p *parser) scenario(l *Lesson, file string, sc *messages.Scenario, tags scenarioTags, background string, complete bool) {
	line := int(sc.Location.Line)
	name := strings.TrimSpace(sc.Name)
	label := strconv.Quote(name)
	if name == "" {
		label = "at line " + strconv.Itoa(line)
		p.problem(file, line, "scenario has no name: reports show it")
	}
	var steps []string
	unknown := 0
	for _, t := range sc.Tags {
		if tags.set(t.Name) {
			continue
		}
		if l.Step(strings.TrimPrefix(t.Name, "@")) != nil {
			if !slices.Contains(steps, t.Name) {
				steps = append(steps, t.Name)
			}
			continue
		}
		unknown++
		if complete {
			id := strings.TrimPrefix(t.Name, "@")
			msg := fmt.Sprintf("scenario %s has unknown tag %s: lesson %q has no step %q", label, t.Name, l.ID, id)
			if near := closest(id, stepIDs(l)); near != "" {
				msg += fmt.Sprintf("; did you mean @%s?", near)
			} else {
				msg += fmt.Sprintf(" (allowed: @<step-id>, %s, %s, %s)", tagDisruptive, tagGrading, tagSlow)
			}
			p.problem(file, int(t.Location.Line), "%s", msg)
		}
	}
	if len(sc.Steps) == 0 {
		p.problem(file, line, "scenario %s has no steps: it would prove nothing", label)
	}
	for _, ex := range sc.Examples {
		if len(ex.Tags) > 0 {
			p.problem(file, int(ex.Tags[0].Location.Line), "scenario %s: tags on Examples are not supported; tag the scenario", label)
		}
	}
	switch len(steps) {
	case 0:
		if complete && unknown == 0 {
			p.problem(file, line, "scenario %s has no step tag: tag it with the id of the step it checks", label)
		}
		return
	case 1:
	default:
		p.problem(file, line, "scenario %s has more than one step tag: %s", label, strings.Join(steps, " "))
		return
	}

	s := l.Step(strings.TrimPrefix(steps[0], "@"))
	s.hash.scenarios = append(s.hash.scenarios, renderScenario(background, sc))
	if tags.grading {
		s.Grading = append(s.Grading, name)
		if tags.disruptive && !s.Disruptive {
			p.problem(file, line, "grading scenario %s is tagged %s but step %q is not disruptive: set disruptive: true in %s",
				label, tagDisruptive, s.ID, s.SourcePath)
		}
		return
	}
	if s.Scenario != "" {
		p.problem(file, line, "step %q has two main scenarios: %q (line %d) and %s; tag extra checks %s",
			s.ID, s.Scenario, s.ScenarioLine, label, tagGrading)
		return
	}
	s.Scenario, s.ScenarioLine, s.Slow = name, line, tags.slow
	if s.Scenario == "" {
		s.Scenario = "scenario at line " + strconv.Itoa(line)
	}
	switch {
	case s.Disruptive && !tags.disruptive:
		p.problem(file, line, "scenario %s is not tagged %s but step %q says disruptive: true (%s)", label, tagDisruptive, s.ID, s.SourcePath)
	case !s.Disruptive && tags.disruptive:
		p.problem(file, line, "scenario %s is tagged %s but step %q is not disruptive: set disruptive: true in %s", label, tagDisruptive, s.ID, s.SourcePath)
	}
}

func stepIDs(l *Lesson) []string {
	ids := make([]string, len(l.Steps))
	for i, s := range l.Steps {
		ids[i] = s.ID
	}
	return ids
}
