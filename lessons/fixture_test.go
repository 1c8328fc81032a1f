package lessons

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The fixture course: two lessons of three steps each. Both lessons have a
// step "self-heal" (for ambiguity); containers/self-heal is disruptive and has
// a @grading scenario. Line numbers in the validation tests refer to these
// texts.

const fixtureCourse = `id: docker-workshop
title: Containers from first run to Kubernetes
lessons:
  - docker-setup
  - containers
`

func fixtureLesson(id, title string) string {
	return "---\nid: " + id + "\ntitle: " + title + "\n---\nIntro of " + id + ".\n"
}

// fixtureStep returns a step file; extra is YAML added after the wrong
// states, from line 12 on.
//
//	 1 ---
//	 2 id: <id>
//	 3 title: <title>
//	 4 hints:
//	 5   - Run the thing.
//	 6 solution:
//	 7   - docker run <id>
//	 8 wrong:
//	 9   - name: not-run
//	10     description: Nothing was run.
//	11     expect: "nothing ran"
//	12 <extra>
func fixtureStep(id, title, extra string) string {
	return "---\nid: " + id + "\ntitle: " + title + `
hints:
  - Run the thing.
solution:
  - docker run ` + id + `
wrong:
  - name: not-run
    description: Nothing was run.
    expect: "nothing ran"
` + extra + "---\nDo " + id + ".\n"
}

const fixtureSetupFeature = `Feature: Is Docker ready?

  @cli
  Scenario: The docker command is installed
    Then the docker CLI works

  @hello-world @slow
  Scenario: A hello-world container ran
    Then a container from image "hello-world" exited with code 0

  @self-heal
  Scenario: Setup heals
    Then it heals
`

const fixtureContainersFeature = `Feature: Containers

  @run-nginx
  Scenario: nginx runs
    Then lab-web answers

  @edit-page
  Scenario: The page is served
    Then the page is the learner's

  @self-heal @disruptive
  Scenario: The container heals
    Then it restarts

  @self-heal @grading
  Scenario: The restart count is recorded
    Then the restart count is 1
`

const runNginxExtra = `cleanup:
  - docker rm -f lab-web
unsolved:
  setup:
    - docker rm -f lab-web
  env:
    LAB_PORT: "8080"
resources:
  containers: [lab-web]
  images: [lab/profile:v1]
  files: [web/index.html]
`

// fixture returns a fresh valid course as (content, features).
func fixture() (fstest.MapFS, fstest.MapFS) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	content := fstest.MapFS{
		"course.yaml":                  file(fixtureCourse),
		"docker-setup/lesson.md":       file(fixtureLesson("docker-setup", "Is Docker ready?")),
		"docker-setup/01-cli.md":       file(fixtureStep("cli", "The docker command", "")),
		"docker-setup/2-hello.md":      file(fixtureStep("hello-world", "Run your first container", "resources:\n  containers_from: [hello-world]\n")),
		"docker-setup/10-self-heal.md": file(fixtureStep("self-heal", "Setup heals", "")),
		"containers/lesson.md":         file(fixtureLesson("containers", "Containers")),
		"containers/01-run-nginx.md":   file(fixtureStep("run-nginx", "Run nginx", runNginxExtra)),
		"containers/02-edit-page.md":   file(fixtureStep("edit-page", "Edit the page", "")),
		"containers/03-self-heal.md":   file(fixtureStep("self-heal", "It heals", "disruptive: true\nsetup: [\"docker run -d --name lab-heal nginx\"]\nresources: {containers: [lab-heal]}\nfix: after-hint\n")),
		"containers/page.png":          file("not markdown, ignored"),
	}
	features := fstest.MapFS{
		"docker-setup.feature": file(fixtureSetupFeature),
		"containers.feature":   file(fixtureContainersFeature),
	}
	return content, features
}

func mustLoad(t *testing.T) *Course {
	t.Helper()
	content, features := fixture()
	c, err := Load(content, features)
	if err != nil {
		t.Fatalf("loading the fixture course: %v", err)
	}
	return c
}

// edit replaces old with new in a file, failing the test when old is not
// there exactly once, so a fixture change cannot silently void a case.
func edit(t *testing.T, fsys fstest.MapFS, name, old, new string) {
	t.Helper()
	f, ok := fsys[name]
	if !ok {
		t.Fatalf("fixture has no file %s", name)
	}
	if n := strings.Count(string(f.Data), old); n != 1 {
		t.Fatalf("fixture %s: got %d occurrences of %q, want 1", name, n, old)
	}
	fsys[name] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), old, new, 1))}
}

func put(fsys fstest.MapFS, name, data string) {
	fsys[name] = &fstest.MapFile{Data: []byte(data)}
}
