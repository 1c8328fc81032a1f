package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

func newLessonsCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "lessons",
		Usage: "tools for workshop authors",
		Commands: []*cli.Command{{
			Name:      "lint",
			Usage:     "check lesson files: front matter, a scenario, hint, solution and wrong state per step, no undefined or unused Gherkin steps",
			ArgsUsage: "[DIR]",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				if err := maxArgs(cmd, 1); err != nil {
					return err
				}
				return runLint(s, cmd.Args().First(), cmd.Root().String("lessons"))
			},
		}},
	}
}

// runLint reports every problem in a course: the built-in one, --lessons, or
// DIR. Unused step definitions count only for the built-in course, which is
// meant to use them all.
func runLint(s *IOStreams, dir, lessonsFlag string) error {
	if dir == "" {
		dir = lessonsFlag
	}
	content, feats, name := lessons.Content(), features.Files(), "built-in course"
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return usageErrorf("lessons directory %q not found; give a folder holding course.yaml", dir)
		}
		content, feats, name = sandbox.CourseFS(dir), sandbox.CourseFS(filepath.Join(dir, lessons.FeaturesDir)), dir
	}
	course, problems, err := lessons.Parse(content, feats)
	if err != nil {
		return &envError{err: fmt.Errorf("reading %s: %w", name, err)}
	}
	if course != nil {
		problems = append(problems, features.Lint(course, dir == "")...)
		if dir != "" {
			problems = append(problems, features.LintStarter(course, os.DirFS(filepath.Join(dir, lessons.AssetsDir)))...)
		}
	}
	for _, p := range problems {
		fmt.Fprintln(s.Out, p.String())
	}
	if len(problems) > 0 {
		return &envError{err: fmt.Errorf("%s: %d problem(s)", name, len(problems))}
	}
	steps := 0
	if course != nil {
		steps = len(course.Steps())
	}
	fmt.Fprintf(s.Out, "%s: %d lessons, %d steps, no problems\n", name, len(course.Lessons), steps)
	return nil
}
