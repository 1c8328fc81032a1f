package lessons

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestValidation(t *testing.T) {
	const (
		cli     = "docker-setup/01-cli.md"
		hello   = "docker-setup/2-hello.md"
		nginx   = "containers/01-run-nginx.md"
		heal    = "containers/03-self-heal.md"
		setupF  = "docker-setup.feature"
		contF   = "containers.feature"
		wrongIn = "  - name: not-run\n    description: Nothing was run.\n    expect: \"nothing ran\"\n"
	)
	tests := []struct {
		name   string
		mutate func(t *testing.T, content, features fstest.MapFS)
		want   string
	}{
		// course.yaml
		{"course.yaml missing", func(t *testing.T, c, f fstest.MapFS) { delete(c, "course.yaml") },
			"course.yaml: course.yaml is missing: it names the course and lists its lessons in order"},
		{"course.yaml not YAML", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "title: Containers", "title: Containers: all")
		}, "course.yaml:2: invalid YAML: mapping values are not allowed in this context"},
		{"course.yaml not a mapping", func(t *testing.T, c, f fstest.MapFS) { put(c, "course.yaml", "- docker-setup\n") },
			"course.yaml:1: YAML is not a mapping of keys to values"},
		{"course.yaml empty", func(t *testing.T, c, f fstest.MapFS) { put(c, "course.yaml", "") },
			"course.yaml: no YAML: want a mapping of keys to values"},
		{"course.yaml unknown key", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "lessons:", "lesson: []\nlessons:")
		}, `course.yaml:3: unknown key "lesson"; did you mean "lessons"?`},
		{"course.yaml wrong type", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "lessons:\n  - docker-setup\n  - containers\n", "lessons: docker-setup\n")
		}, "course.yaml:3: want a list of strings, got a string"},
		{"course without id", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "id: docker-workshop\n", "")
		}, "course.yaml: course has no id"},
		{"course id not a slug", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "id: docker-workshop", "id: Docker Workshop")
		}, `course.yaml:1: course id "Docker Workshop" is not a slug (use a-z, 0-9 and -)`},
		{"course without title", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "title: Containers from first run to Kubernetes", "title: \"\"")
		}, "course.yaml:2: course has no title"},
		{"course without lessons", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "lessons:\n  - docker-setup\n  - containers\n", "lessons: []\n")
		}, "course.yaml:3: course lists no lessons"},
		{"lesson id not a slug", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "  - containers\n", "  - containers\n  - Volumes\n")
		}, `course.yaml:6: lesson id "Volumes" is not a slug (use a-z, 0-9 and -)`},
		{"lesson id all", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "  - containers\n", "  - containers\n  - all\n")
		}, `course.yaml:6: lesson id "all" is reserved: "lab verify all" means every lesson`},
		{"lesson listed twice", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "  - containers\n", "  - containers\n  - docker-setup\n")
		}, `course.yaml:6: lesson "docker-setup" is listed twice`},
		{"listed lesson has no directory", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "  - containers\n", "  - containers\n  - volumes\n")
		}, `course.yaml:6: lesson "volumes" has no directory volumes/`},
		{"lesson directory not listed", func(t *testing.T, c, f fstest.MapFS) {
			put(c, "volumes/lesson.md", fixtureLesson("volumes", "Volumes"))
		}, "volumes/: lesson directory is not listed in course.yaml"},
		{"feature for unlisted lesson", func(t *testing.T, c, f fstest.MapFS) {
			put(f, "volumes.feature", "Feature: Volumes\n")
		}, `volumes.feature: feature file for lesson "volumes", which course.yaml does not list`},

		// lesson.md
		{"lesson.md missing", func(t *testing.T, c, f fstest.MapFS) { delete(c, "containers/lesson.md") },
			"containers/lesson.md: lesson.md is missing: it holds the lesson's id, title and intro"},
		{"lesson id mismatch", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "containers/lesson.md", "id: containers", "id: container")
		}, `containers/lesson.md:2: lesson id "container" does not match its directory "containers"`},
		{"lesson without id", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "containers/lesson.md", "id: containers\n", "")
		}, "containers/lesson.md:1: lesson has no id"},
		{"lesson without title", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "containers/lesson.md", "title: Containers\n", "")
		}, "containers/lesson.md:1: lesson has no title"},
		{"lesson without front matter", func(t *testing.T, c, f fstest.MapFS) {
			put(c, "containers/lesson.md", "# Containers\n")
		}, `containers/lesson.md:1: no front matter: the file must start with a "---" line, then YAML, then "---"`},
		{"lesson unknown key", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "containers/lesson.md", "title: Containers\n", "title: Containers\nsummary: x\n")
		}, `containers/lesson.md:4: unknown key "summary" (known keys: id, title, own_cluster)`},
		{"lesson without steps", func(t *testing.T, c, f fstest.MapFS) {
			for name := range c {
				if strings.HasPrefix(name, "containers/0") {
					delete(c, name)
				}
			}
		}, "containers/lesson.md: lesson has no steps: add step files NN-<name>.md beside lesson.md"},
		{"markdown that is not a step file", func(t *testing.T, c, f fstest.MapFS) {
			put(c, "containers/notes.md", "notes")
		}, "containers/notes.md: not a step file: name step files NN-<name>.md so they sort in order"},

		// step front matter
		{"step without front matter", func(t *testing.T, c, f fstest.MapFS) { put(c, cli, "Do it.\n") },
			`docker-setup/01-cli.md:1: no front matter: the file must start with a "---" line, then YAML, then "---"`},
		{"step front matter not closed", func(t *testing.T, c, f fstest.MapFS) {
			put(c, cli, strings.Replace(fixtureStep("cli", "CLI", ""), "---\nDo", "Do", 1))
		}, `docker-setup/01-cli.md:1: front matter is not closed: add a "---" line after the YAML`},
		{"step front matter bad YAML", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "  - Run the thing.", "  - Run: the thing: now")
		}, "docker-setup/01-cli.md:5: invalid YAML: mapping values are not allowed in this context"},
		{"step front matter empty", func(t *testing.T, c, f fstest.MapFS) { put(c, cli, "---\n---\nDo it.\n") },
			"docker-setup/01-cli.md:1: no YAML: want a mapping of keys to values"},
		{"step unknown key", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "hints:", "hint:") },
			`docker-setup/01-cli.md:4: unknown key "hint"; did you mean "hints"?`},
		{"wrong state unknown key", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "expect:", "expected:") },
			`docker-setup/01-cli.md:11: unknown key "expected"; did you mean "expect"?`},
		{"resources unknown key", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  containers: [lab-web]", "  container: [lab-web]")
		}, `containers/01-run-nginx.md:20: unknown key "container"; did you mean "containers"?`},
		{"step hints not a list", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "hints:\n  - Run the thing.", "hints: Run the thing.")
		}, "docker-setup/01-cli.md:4: want a list of strings, got a string"},
		{"step disruptive not a bool", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, heal, "disruptive: true", "disruptive: sometimes") },
			"containers/03-self-heal.md:12: want true or false, got a string"},
		{"step without id", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "id: cli\n", "") },
			"docker-setup/01-cli.md:1: step has no id"},
		{"step id not a slug", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "id: cli", "id: Docker_CLI")
			edit(t, f, setupF, "@cli", "@Docker_CLI")
		}, `docker-setup/01-cli.md:2: step id "Docker_CLI" is not a slug (use a-z, 0-9 and -)`},
		{"step id reserved", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "id: cli", "id: slow") },
			`docker-setup/01-cli.md:2: step id "slow" is reserved: @slow is a scenario tag with a meaning of its own`},
		{"duplicate step id", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, hello, "id: hello-world", "id: cli") },
			`docker-setup/2-hello.md:2: duplicate step id "cli": docker-setup/01-cli.md has it too`},
		{"step without title", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "title: The docker command\n", "") },
			"docker-setup/01-cli.md:1: step has no title"},
		{"step without instructions", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "Do cli.\n", "\n") },
			"docker-setup/01-cli.md: step has no instructions: write them below the front matter"},
		{"step without hint", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "hints:\n  - Run the thing.\n", "") },
			"docker-setup/01-cli.md:1: step has no hint"},
		{"step with empty hint list", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "hints:\n  - Run the thing.\n", "hints: []\n")
		}, "docker-setup/01-cli.md:4: step has no hint"},
		{"step with blank hint", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "  - Run the thing.", "  - \"\"") },
			"docker-setup/01-cli.md:5: hint 1 is empty"},
		{"step without solution", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "solution:\n  - docker run cli\n", "") },
			"docker-setup/01-cli.md:1: step has no solution: list the commands a learner would type"},
		{"step without wrong state", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "wrong:\n"+wrongIn, "") },
			"docker-setup/01-cli.md:1: step has no wrong state: name at least one mistake the check must reject"},
		{"wrong state without expect", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "    expect: \"nothing ran\"\n", "") },
			`docker-setup/01-cli.md:9: wrong state "not-run" has no code or expect: name the failure code the check must give (lab lessons steps lists them), or the text it must print`},
		{"wrong state with a malformed code", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "    expect: \"nothing ran\"\n", "    code: Not_Found\n")
		}, `docker-setup/01-cli.md:11: wrong state "not-run": code "Not_Found" is not a failure code (kebab-case, like restart-loop; lab lessons steps lists them)`},
		{"wrong state without name", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "  - name: not-run\n    description", "  - description")
		}, "docker-setup/01-cli.md:9: wrong state 1 has no name"},
		{"wrong state name not a slug", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, "name: not-run", "name: Not run") },
			`docker-setup/01-cli.md:9: wrong state name "Not run" is not a slug (use a-z, 0-9 and -)`},
		{"wrong state duplicate name", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, cli, wrongIn, wrongIn+wrongIn) },
			`docker-setup/01-cli.md:12: duplicate wrong state name "not-run"`},
		{"wrong state blank setup command", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "    expect: \"nothing ran\"\n", "    expect: \"nothing ran\"\n    setup: [\"\"]\n")
		}, `docker-setup/01-cli.md:12: wrong state "not-run": setup command 1 is empty`},
		{"wrong state bad env name", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, cli, "    expect: \"nothing ran\"\n", "    expect: \"nothing ran\"\n    env:\n      DOCKER-HOST: x\n")
		}, `docker-setup/01-cli.md:12: wrong state "not-run": "DOCKER-HOST" is not an environment variable name`},
		{"unsolved bad env name", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, nginx, "LAB_PORT", "1PORT") },
			`containers/01-run-nginx.md:17: unsolved: "1PORT" is not an environment variable name`},
		{"blank cleanup command", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  - docker rm -f lab-web\nunsolved", "  - \" \"\nunsolved")
		}, "containers/01-run-nginx.md:13: cleanup command 1 is empty"},
		{"blank learner setup command", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  - docker rm -f lab-web\nunsolved", "  - docker rm -f lab-web\nsetup: [\"\"]\nunsolved")
		}, "containers/01-run-nginx.md:14: setup command 1 is empty"},
		{"fix hiding not a choice", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  - docker rm -f lab-web\nunsolved", "  - docker rm -f lab-web\nfix: after-hints\nunsolved")
		}, `containers/01-run-nginx.md:14: fix: "after-hints" is not a choice: use shown (the default: a failure's fix line is printed) or after-hint (printed once the learner has asked for a hint)`},
		{"resource file outside the workspace", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, nginx, "web/index.html", "../index.html") },
			`containers/01-run-nginx.md:22: resources: file "../index.html" must be a relative path inside the workspace`},
		{"resource file is the workspace", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, nginx, "web/index.html", "web/..") },
			`containers/01-run-nginx.md:22: resources: file "web/.." must be a relative path inside the workspace`},
		{"resource file absolute", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, nginx, "web/index.html", "/etc/passwd") },
			`containers/01-run-nginx.md:22: resources: file "/etc/passwd" must be a relative path inside the workspace`},
		{"blank resource name", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, nginx, "[lab-web]", "[\"\"]") },
			"containers/01-run-nginx.md:20: resources: containers entry 1 is empty"},
		{"kubernetes resource without kind", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  containers: [lab-web]", "  containers: [lab-web]\n  kubernetes: [lab-app]")
		}, `containers/01-run-nginx.md:21: resources: kubernetes "lab-app": want kind/name, for example deployment/lab-app`},
		{"kubernetes resource of a kind lab does not know", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  containers: [lab-web]", "  containers: [lab-web]\n  kubernetes: [deploymnet/lab-app]")
		}, `containers/01-run-nginx.md:21: resources: kubernetes "deploymnet/lab-app": kind "deploymnet" is not one lab looks for; did you mean "deployment"?`},
		{"kubernetes resource with a bad name", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, nginx, "  containers: [lab-web]", "  containers: [lab-web]\n  kubernetes: [service/Lab_App]")
		}, `containers/01-run-nginx.md:21: resources: kubernetes "service/Lab_App": "Lab_App" is not a Kubernetes object name (lower-case letters, digits, - and .)`},

		// features
		{"feature file missing", func(t *testing.T, c, f fstest.MapFS) { delete(f, contF) },
			`containers.feature: feature file for lesson "containers" is missing`},
		{"feature parse error", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, contF, "  Scenario: The page is served\n", "  Scenari: The page is served\n")
		}, "containers.feature:8: feature parse error: expected: #TagLine, #RuleLine, #Comment, #Empty, got '  Scenari: The page is served' (and 6 more after it)"},
		{"feature without Feature", func(t *testing.T, c, f fstest.MapFS) { put(f, contF, "# nothing yet\n") },
			"containers.feature: feature file has no Feature"},
		{"step without scenario", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "@edit-page", "@run-nginx @grading") },
			`containers.feature:1: no scenario tagged @edit-page: step "edit-page" (containers/02-edit-page.md) has no check`},
		{"two main scenarios", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "@edit-page", "@run-nginx") },
			`containers.feature:8: step "run-nginx" has two main scenarios: "nginx runs" (line 4) and "The page is served"; tag extra checks @grading`},
		{"scenario without step tag", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, contF, "  @self-heal @grading\n", "")
		}, `containers.feature:15: scenario "The restart count is recorded" has no step tag: tag it with the id of the step it checks`},
		{"scenario with unknown step tag", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "@edit-page", "@edit-pages") },
			`containers.feature:7: scenario "The page is served" has unknown tag @edit-pages: lesson "containers" has no step "edit-pages"; did you mean @edit-page?`},
		{"scenario tagged with another lesson's step", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "@edit-page", "@edit-page @cli") },
			`containers.feature:7: scenario "The page is served" has unknown tag @cli: lesson "containers" has no step "cli" (allowed: @<step-id>, @disruptive, @grading, @slow)`},
		{"scenario with two step tags", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "@edit-page", "@edit-page @run-nginx") },
			`containers.feature:8: scenario "The page is served" has more than one step tag: @edit-page @run-nginx`},
		{"scenario without steps", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "    Then the page is the learner's\n", "") },
			`containers.feature:8: scenario "The page is served" has no steps: it would prove nothing`},
		{"scenario without name", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "Scenario: The page is served", "Scenario:") },
			"containers.feature:8: scenario has no name: reports show it"},
		{"disruptive step without tag", func(t *testing.T, c, f fstest.MapFS) { edit(t, f, contF, "@self-heal @disruptive", "@self-heal") },
			`containers.feature:12: scenario "The container heals" is not tagged @disruptive but step "self-heal" says disruptive: true (containers/03-self-heal.md)`},
		{"disruptive tag without flag", func(t *testing.T, c, f fstest.MapFS) { edit(t, c, heal, "disruptive: true\n", "") },
			`containers.feature:12: scenario "The container heals" is tagged @disruptive but step "self-heal" is not disruptive: set disruptive: true in containers/03-self-heal.md`},
		{"disruptive grading scenario without flag", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, contF, "@edit-page", "@edit-page @disruptive @grading")
		}, `containers.feature:8: grading scenario "The page is served" is tagged @disruptive but step "edit-page" is not disruptive: set disruptive: true in containers/02-edit-page.md`},
		{"step tag on the Feature", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, contF, "Feature: Containers", "@edit-page\nFeature: Containers")
		}, "containers.feature:1: step tag @edit-page belongs on a scenario, not on the Feature"},
		{"unknown tag on a Rule", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, contF, "  @run-nginx\n", "  @wip\n  Rule: nginx\n\n  @run-nginx\n")
		}, "containers.feature:3: unknown tag @wip on the Rule (allowed: @disruptive, @grading, @slow)"},
		{"tags on Examples", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, contF, "    Then the page is the learner's\n", "    Then the page is <page>\n\n    @grading\n    Examples:\n      | page |\n      | a    |\n")
		}, `containers.feature:11: scenario "The page is served": tags on Examples are not supported; tag the scenario`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content, features := fixture()
			tt.mutate(t, content, features)
			c, problems, err := Parse(content, features)
			if err != nil {
				t.Fatalf("got error %v, want problems", err)
			}
			if c == nil {
				t.Fatal("got no course, want a best-effort one")
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if !slices.Contains(got, tt.want) {
				t.Errorf("got problems\n  %s\nwant among them\n  %s", strings.Join(got, "\n  "), tt.want)
			}
			if _, err := Load(content, features); !errors.As(err, new(*ValidationError)) {
				t.Errorf("Load: got %v, want a *ValidationError", err)
			}
		})
	}
}

// TestValidationReportsEverything shows that problems in several files are
// all reported at once, in course order.
func TestValidationReportsEverything(t *testing.T) {
	content, features := fixture()
	edit(t, content, "docker-setup/01-cli.md", "hints:\n  - Run the thing.\n", "")
	edit(t, content, "containers/02-edit-page.md", "solution:\n  - docker run edit-page\n", "")
	edit(t, features, "containers.feature", "@self-heal @grading", "@grading")
	_, problems, err := Parse(content, features)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"docker-setup/01-cli.md:1: step has no hint",
		"containers/02-edit-page.md:1: step has no solution: list the commands a learner would type",
		`containers.feature:16: scenario "The restart count is recorded" has no step tag: tag it with the id of the step it checks`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got problems\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestUnreadableStepSilencesItsTags: a step file whose front matter cannot
// be read leaves its scenario's tag unexplained; that must not add a second,
// misleading problem about an unknown tag.
func TestUnreadableStepSilencesItsTags(t *testing.T) {
	content, features := fixture()
	put(content, "containers/02-edit-page.md", "---\nid: [edit-page\n---\nDo it.\n")
	c, problems, err := Parse(content, features)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), "containers/02-edit-page.md:2: invalid YAML") {
		t.Errorf("got problems %v, want only the invalid YAML one", problems)
	}
	if got := keys(c.Lesson("containers").Steps); !slices.Equal(got, []string{"containers/run-nginx", "containers/self-heal"}) {
		t.Errorf("got best-effort steps %v, want the two readable ones", got)
	}
}

// failingFS fails every read of one file with a permission error.
type failingFS struct {
	fs.FS
	name string
}

func (f failingFS) Open(name string) (fs.File, error) {
	if name == f.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.FS.Open(name)
}

func TestParseUnreadableInput(t *testing.T) {
	content, features := fixture()
	tests := []struct {
		name              string
		content, features fs.FS
		want              string
	}{
		{"nil content", nil, features, "loading lessons: no content or features file system"},
		{"nil features", content, nil, "loading lessons: no content or features file system"},
		{"unreadable step", failingFS{content, "containers/01-run-nginx.md"}, features,
			"loading lessons: reading content/containers/01-run-nginx.md: open containers/01-run-nginx.md: permission denied"},
	}
	for _, tt := range tests {
		_, _, err := Parse(tt.content, tt.features)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got error %v, want %q", tt.name, err, tt.want)
		}
		if _, err := Load(tt.content, tt.features); errors.As(err, new(*ValidationError)) || err == nil {
			t.Errorf("%s: Load got %v, want a plain error", tt.name, err)
		}
	}
}

// A wrong state may name the failure code its check must give instead of,
// or beside, a text.
func TestWrongStateCode(t *testing.T) {
	const cli = "docker-setup/01-cli.md"
	for _, tt := range []struct{ name, replace, code, expect string }{
		{"code only", "    code: not-found\n", "not-found", ""},
		{"code and expect", "    code: not-found\n    expect: \"nothing ran\"\n", "not-found", "nothing ran"},
	} {
		content, features := fixture()
		edit(t, content, cli, "    expect: \"nothing ran\"\n", tt.replace)
		c, problems, err := Parse(content, features)
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s: got %v, %v, want no problem", tt.name, problems, err)
		}
		w := c.Lessons[0].Steps[0].Wrong[0]
		if w.Code != tt.code || w.Expect != tt.expect {
			t.Errorf("%s: got code %q, expect %q, want %q, %q", tt.name, w.Code, w.Expect, tt.code, tt.expect)
		}
	}
}
