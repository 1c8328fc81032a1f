package features

import (
	"bytes"
	"fmt"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/lab-workshop/lab/lessons"
)

// Lint finds Gherkin steps no definition matches (undefined), steps more
// than one definition matches (ambiguous) and, when unused is true,
// definitions no lesson uses.
func Lint(course *lessons.Course, unused bool) []lessons.Problem {
	exprs := Expressions()
	used := make([]bool, len(exprs))
	var problems []lessons.Problem
	for _, l := range course.Lessons {
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(l.Feature), (&messages.Incrementing{}).NewId)
		if err != nil || doc.Feature == nil {
			continue // the loader reports parse errors
		}
		for _, child := range doc.Feature.Children {
			if child.Scenario == nil {
				continue
			}
			for _, st := range child.Scenario.Steps {
				var hits []int
				for i, re := range exprs {
					if re.MatchString(st.Text) {
						hits = append(hits, i)
					}
				}
				line := int(st.Location.Line)
				switch len(hits) {
				case 0:
					problems = append(problems, lessons.Problem{File: l.FeaturePath, Line: line,
						Msg: fmt.Sprintf("undefined step %q: no step definition matches it", st.Text)})
				case 1:
					used[hits[0]] = true
				default:
					problems = append(problems, lessons.Problem{File: l.FeaturePath, Line: line,
						Msg: fmt.Sprintf("ambiguous step %q: %d step definitions match it", st.Text, len(hits))})
				}
			}
		}
	}
	problems = append(problems, lintPaths(course)...)
	if unused {
		for i, u := range used {
			if !u {
				problems = append(problems, lessons.Problem{File: "features", Msg: fmt.Sprintf("unused step definition %s", exprs[i])})
			}
		}
	}
	return problems
}
