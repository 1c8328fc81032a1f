package app

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/lessons"
)

// The courses under examples/ are written the way an outside author writes
// one: Markdown, front matter, Gherkin and starter files, no Go. Each lints
// clean, and every step of the drills course keeps its fix until a hint and
// starts from a learner setup.
func TestExampleCourses(t *testing.T) {
	root := filepath.Join("..", "..", "..", "examples")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(d.Name(), ".go") || d.Name() == "go.mod" {
			t.Errorf("%s: examples hold courses written without Go", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(root, "drills")
	var out bytes.Buffer
	s := &IOStreams{Out: &out, Err: &out, Getenv: os.Getenv}
	if err := runLint(s, dir, ""); err != nil {
		t.Fatalf("lab lessons lint %s: %v\n%s", dir, err, out.String())
	}
	course, err := loadCourse(dir)
	if err != nil {
		t.Fatal(err)
	}
	steps := course.Steps()
	if len(steps) < 5 {
		t.Errorf("got %d drills, want at least 5", len(steps))
	}
	for _, step := range steps {
		switch {
		case len(step.Setup) == 0:
			t.Errorf("%s: a drill starts from a broken state its setup makes", step.Key())
		case !step.FixAfterHint:
			t.Errorf("%s: a drill's failure must not print its answer before a hint (fix: %s)", step.Key(), lessons.FixAfterHint)
		case len(step.Cleanup) == 0 || step.Resources.Empty():
			t.Errorf("%s: a drill names its resources and cleans them up", step.Key())
		}
	}
}
