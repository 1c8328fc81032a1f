package lessons

import (
	"path"
	"strings"
)

// Lint reports what a course can be loaded and run without but that a
// finished course must have: a recap for every lesson, with a cheat sheet
// of the commands the lesson taught, and every Docker object a learner
// setup makes by name among its step's resources. Small courses made for tests load
// without them; `lab lessons lint` holds a real course to them.
func Lint(c *Course) []Problem {
	var problems []Problem
	for _, l := range c.Lessons {
		file := path.Join(l.ID, RecapFile)
		switch {
		case l.Recap == "":
			problems = append(problems, Problem{File: file, Msg: "lesson has no recap: write " + file + " with what the lesson did and a cheat sheet of its commands"})
		case !strings.Contains(l.Recap, "`"):
			problems = append(problems, Problem{File: file, Msg: "recap has no cheat sheet: list the lesson's commands, each in `backticks`"})
		}
		for _, s := range l.Steps {
			problems = append(problems, lintSetup(s)...)
		}
	}
	return problems
}
