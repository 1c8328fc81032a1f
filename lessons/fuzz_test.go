package lessons

import (
	"reflect"
	"testing"

	"github.com/lab-workshop/lab/internal/safetext"
)

// FuzzFrontMatter: splitting any file into front matter and body never
// panics, and what it splits joins back into a file that splits the same
// way; decoding the front matter as a step never panics, and gives what the
// strict decoder gives.
func FuzzFrontMatter(f *testing.F) {
	f.Add([]byte(fixtureStep("cli", "The docker command", "")))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("\ufeff---\r\nid: x\r\n---\r\nbody\r\n"))
	f.Add([]byte("---\nid: [x\n---\n"))
	f.Add([]byte("---\ntitle: \"\\e[2J\"\n---\n\x1b]8;;x\x07"))
	f.Add([]byte("no front matter"))
	f.Add([]byte("---\nid: &title tilte\ntitle: x\n*title : oops\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		front, body, err := splitFrontMatter(data)
		if err != nil {
			return
		}
		again, body2, err := splitFrontMatter([]byte("---\n" + string(front) + "\n---\n" + body))
		if err != nil || string(again) != string(front) || body2 != body {
			t.Fatalf("split, join, split: got %q, %q, %v; want %q, %q", again, body2, err, front, body)
		}
		sameAsStrict[stepMeta](t, "step.md", front, 1)
	})
}

// FuzzStepFile: any step file in an otherwise valid course parses without
// panicking, parses the same twice, and a course that loads holds only text
// safe to show on a terminal.
func FuzzStepFile(f *testing.F) {
	f.Add([]byte(fixtureStep("edit-page", "Edit the page", "")))
	f.Add([]byte(fixtureStep("edit-page", "Edit \x1b[2J", "")))
	f.Add([]byte(fixtureStep("edit-page", `"\e[31m"`, "")))
	f.Add([]byte(fixtureStep("edit-page", "x", "resources:\n  files: [../secret]\n")))
	f.Add([]byte("---\nid: edit-page\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		content, features := fixture()
		content["containers/02-edit-page.md"].Data = data
		c1, p1, err := Parse(content, features)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		c2, p2, _ := Parse(content, features)
		if c1.Hash != c2.Hash || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("two parses differ")
		}
		c, err := Load(content, features)
		if err != nil {
			return
		}
		for _, s := range c.Steps() {
			texts := append([]string{s.Title, s.Body}, s.Hints...)
			texts = append(texts, s.Solution...)
			for _, text := range texts {
				if !safetext.Clean(text) {
					t.Fatalf("step %s loaded with unsafe text %q", s.Key(), text)
				}
			}
		}
	})
}

// FuzzFeature: any feature file parses without panicking and the same way
// twice; when the course loads, every step has its scenario.
func FuzzFeature(f *testing.F) {
	f.Add([]byte(fixtureContainersFeature))
	f.Add([]byte("Feature: x\n  @run-nginx\n  Scenario: y\n    Then z\n"))
	f.Add([]byte("Feature: x\n  Rule: r\n    @edit-page @disruptive\n    Scenario Outline: o\n      Then <a>\n      Examples:\n        | a |\n        | b |\n"))
	f.Add([]byte("# language: fr\nFonctionnalité: x\n"))
	f.Add([]byte("Feature: \x1b[2J\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		content, features := fixture()
		features["containers.feature"].Data = data
		_, p1, err := Parse(content, features)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		_, p2, _ := Parse(content, features)
		if !reflect.DeepEqual(p1, p2) {
			t.Fatalf("two parses differ: %v, %v", p1, p2)
		}
		c, err := Load(content, features)
		if err != nil {
			return
		}
		for _, s := range c.Steps() {
			if s.Scenario == "" {
				t.Fatalf("step %s loaded without a scenario", s.Key())
			}
		}
	})
}
