package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/lessons"
)

func newShowCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a step's instructions (default: the current step), or a lesson's intro and recap",
		ArgsUsage: "[STEP|LESSON]",
		Description: "STEP is lesson/step, a step id or a number (1.2). LESSON is a lesson id or number;\n" +
			"a lesson id wins over a step id of the same name, as in lab verify.",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 1); err != nil {
				return err
			}
			ss, err := openSession(s, cmd)
			if err != nil {
				return err
			}
			if l := findLesson(ss.course, cmd.Args().First()); l != nil {
				renderLesson(s, l)
				return nil
			}
			st, err := ss.load()
			if err != nil {
				return err
			}
			step, err := ss.step(st, cmd.Args().First())
			if err != nil {
				return err
			}
			return ss.show(st, step)
		},
	}
}

// findLesson resolves a lesson id or a lesson number ("2"), nil for
// anything else.
func findLesson(c *lessons.Course, ref string) *lessons.Lesson {
	ref = strings.TrimSpace(ref)
	if l := c.Lesson(ref); l != nil {
		return l
	}
	if n, err := strconv.Atoi(ref); err == nil && strconv.Itoa(n) == ref && n >= 1 && n <= len(c.Lessons) {
		return c.Lessons[n-1]
	}
	return nil
}

// renderIntro writes a lesson's intro, shown as the learner enters it.
func renderIntro(s *IOStreams, l *lessons.Lesson) {
	md := fmt.Sprintf("# Lesson %d: %s\n\n%s\n\n---\n\n", l.Index, l.Title, strings.TrimSpace(l.Intro))
	writeMarkdown(s, md)
}

// renderRecap writes a lesson's recap, shown when its last step passes;
// nothing when the lesson has none.
func renderRecap(s *IOStreams, l *lessons.Lesson) {
	if strings.TrimSpace(l.Recap) == "" {
		return
	}
	md := fmt.Sprintf("# Recap of lesson %d: %s\n\n%s\n", l.Index, l.Title, strings.TrimSpace(l.Recap))
	writeMarkdown(s, md)
}

// renderLesson writes a whole lesson at a glance: its intro, its steps and
// its recap.
func renderLesson(s *IOStreams, l *lessons.Lesson) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Lesson %d: %s\n\n%s\n\n## Steps\n\n", l.Index, l.Title, strings.TrimSpace(l.Intro))
	for _, step := range l.Steps {
		fmt.Fprintf(&b, "- %s %s — `%s`\n", step.Number(), step.Title, step.Key())
	}
	if recap := strings.TrimSpace(l.Recap); recap != "" {
		fmt.Fprintf(&b, "\n## Recap\n\n%s\n", recap)
	}
	writeMarkdown(s, b.String())
}
