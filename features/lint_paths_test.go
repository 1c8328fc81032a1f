package features

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lab-workshop/lab/lessons"
)

func TestWorkspaceArgs(t *testing.T) {
	exprs := Expressions()
	args := workspaceArgs(exprs)
	want := map[string][]int{
		`^the workspace file "([^"]+)" is a kind configuration for cluster "([^"]+)"$`:                   {1},
		`^image "([^"]+)" holds the workspace file "([^"]+)" at "([^"]+)"$`:                              {2},
		`^(http://\S+) serves the workspace file "([^"]+)"$`:                                             {2},
		`^the Compose file "([^"]+)" in the workspace is valid for the project "([^"]+)"$`:               {1},
		`^the image "([^"]+)" is built from the workspace folder "([^"]+)"$`:                             {2},
		`^(http://\S+) answers (\d+) with a page containing "([^"]+)", or the workspace file "([^"]+)"$`: {4},
	}
	for i, re := range exprs {
		if w, ok := want[re.String()]; ok {
			if !slices.Equal(args[i], w) {
				t.Errorf("%s: got path groups %v, want %v", re, args[i], w)
			}
			delete(want, re.String())
		}
	}
	for expr := range want {
		t.Errorf("no step definition %s", expr)
	}
}

func TestLintPaths(t *testing.T) {
	feature := `Feature: Paths

  Background:
    Given the workspace file "/etc/kind.yaml" is a kind configuration for cluster "lab"

  @a
  Scenario: Reads a secret
    Then http://localhost:8080 serves the workspace file "../secret/token.txt"
    And image "x" holds the workspace file "web/index.html" at "/usr/share/nginx/html/index.html"

  Rule: outlines
    @b
    Scenario Outline: Climbs
      Then the image "x" is built from the workspace folder "<dir>"

      Examples:
        | dir        |
        | app        |
        | app/../..  |
`
	course := &lessons.Course{Lessons: []*lessons.Lesson{{ID: "paths", FeaturePath: "paths.feature", Feature: []byte(feature)}}}
	var got []string
	for _, p := range lintPaths(course) {
		got = append(got, p.String())
	}
	want := []string{
		`paths.feature:4: workspace path "/etc/kind.yaml" is absolute: name a path relative to the workspace: checks read only files inside the learner's workspace`,
		`paths.feature:8: workspace path "../secret/token.txt" climbs out of the workspace with "..": checks read only files inside the learner's workspace`,
		`paths.feature:14: workspace path "app/../.." climbs out of the workspace with "..": checks read only files inside the learner's workspace`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The built-in course names no such path.
	builtin, err := lessons.Load(lessons.Content(), Files())
	if err != nil {
		t.Fatal(err)
	}
	if ps := lintPaths(builtin); len(ps) > 0 {
		t.Errorf("got problems in the built-in course: %v", ps)
	}
}

func TestLintStarterLinks(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"app", "web"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "web", "index.html"), []byte("<h1>hi</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/shadow", filepath.Join(dir, "app", "shadow")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "etc")); err != nil {
		t.Fatal(err)
	}
	step := func(starter ...string) *lessons.Step {
		return &lessons.Step{ID: "s", SourcePath: "l/01-s.md", Starter: starter}
	}
	course := &lessons.Course{Lessons: []*lessons.Lesson{{Steps: []*lessons.Step{
		step("web/index.html", "app"), step("etc/passwd"), step("missing"),
	}}}}
	var got []string
	for _, p := range LintStarterLinks(course, os.DirFS(dir)) {
		got = append(got, p.String())
	}
	want := []string{
		"l/01-s.md: starter: assets/app/shadow is a symbolic link; lab copies only regular files and folders: put the file itself there",
		"l/01-s.md: starter: assets/etc is a symbolic link; lab copies only regular files and folders: put the file itself there",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ps := LintStarterLinks(course, fstest.MapFS{}); len(ps) > 0 {
		t.Errorf("got %v for a file system without links, want nothing", ps)
	}
}
