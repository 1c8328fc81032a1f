package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/assets"
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
		}, {
			Name:  "steps",
			Usage: "every Gherkin sentence a lesson may use, with an example and the failure codes its check can give",
			Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON for scripts"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				if err := maxArgs(cmd, 0); err != nil {
					return err
				}
				return runSteps(s, cmd.Bool("json"))
			},
		}},
	}
}

// runSteps prints the check vocabulary: each sentence's pattern, an example
// and its failure codes, then what each code means.
func runSteps(s *IOStreams, asJSON bool) error {
	sentences, codes := features.Vocabulary(), features.FailureCodes
	if asJSON {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"sentences": sentences, "codes": codes})
	}
	for _, st := range sentences {
		fmt.Fprintln(s.Out, st.Pattern)
		fmt.Fprintf(s.Out, "  example: %s\n", st.Example)
		fmt.Fprintf(s.Out, "  codes:   %s\n", strings.Join(st.Codes, ", "))
	}
	fmt.Fprintf(s.Out, "\nfailure codes (wrong states may name them: code: CODE)\n")
	for _, c := range codes {
		fmt.Fprintf(s.Out, "  %-20s %s\n", c.Code, c.Meaning)
	}
	return nil
}

// runLint reports every problem in a course: the built-in one, --lessons, or
// DIR. Unused step definitions count only for the built-in course, which is
// meant to use them all.
func runLint(s *IOStreams, dir, lessonsFlag string) error {
	if dir == "" {
		dir = lessonsFlag
	}
	content, feats, starter, name := lessons.Content(), features.Files(), assets.FS(), "built-in course"
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return usageErrorf("lessons directory %q not found; give a folder holding course.yaml", dir)
		}
		f, err := featuresFS(dir)
		if err != nil {
			return err
		}
		content, feats, name = sandbox.CourseFS(dir), f, dir
		starter = os.DirFS(filepath.Join(dir, lessons.AssetsDir))
	}
	course, problems, err := lessons.Parse(content, feats)
	if err != nil {
		return &envError{err: fmt.Errorf("reading %s: %w", name, err)}
	}
	if course != nil {
		problems = append(problems, lessons.Lint(course)...)
		problems = append(problems, features.Lint(course, dir == "")...)
		problems = append(problems, features.LintStarter(course, starter)...)
		problems = append(problems, features.LintStarterLinks(course, starter)...)
	}
	for _, p := range problems {
		fmt.Fprintln(s.Out, p.String())
	}
	// Warnings are printed, but do not fail the course.
	var warnings []lessons.Problem
	if course != nil {
		warnings = lessons.LintPrefix(course)
	}
	for _, w := range warnings {
		fmt.Fprintln(s.Out, "warning: "+w.String())
	}
	if len(problems) > 0 {
		return &envError{err: fmt.Errorf("%s: %d problem(s)", name, len(problems))}
	}
	steps := 0
	if course != nil {
		steps = len(course.Steps())
	}
	summary := "no problems"
	if len(warnings) > 0 {
		summary += fmt.Sprintf(", %d warning(s)", len(warnings))
	}
	fmt.Fprintf(s.Out, "%s: %d lessons, %d steps, %s\n", name, len(course.Lessons), steps, summary)
	return nil
}

// featuresFS is the features folder of the course in dir, or an error that
// says which folder is missing and what belongs in it.
func featuresFS(dir string) (fs.FS, error) {
	path := filepath.Join(dir, lessons.FeaturesDir)
	fi, err := os.Stat(path)
	reason := "not a folder"
	if err != nil {
		reason = err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
	} else if fi.IsDir() {
		return sandbox.CourseFS(path), nil
	}
	return nil, &envError{err: fmt.Errorf("course folder %s has no %s/ folder (%s): it holds one .feature file per lesson, "+
		"with a Scenario per step tagged with the step id; create %s", dir, lessons.FeaturesDir, reason, path)}
}
