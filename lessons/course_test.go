package lessons

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func keys(steps []*Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Key())
	}
	return out
}

func TestLoadOrder(t *testing.T) {
	c := mustLoad(t)
	if c.ID != "docker-workshop" || c.Title != "Containers from first run to Kubernetes" {
		t.Errorf("got course %q %q, want docker-workshop and its title", c.ID, c.Title)
	}
	want := []string{
		"docker-setup/cli", "docker-setup/hello-world", "docker-setup/self-heal",
		"containers/run-nginx", "containers/edit-page", "containers/self-heal",
	}
	if got := keys(c.Steps()); !slices.Equal(got, want) {
		t.Errorf("got steps %v, want %v (numeric file order: 01, 2, 10)", got, want)
	}
	for i, l := range c.Lessons {
		if l.Index != i+1 {
			t.Errorf("lesson %s: got index %d, want %d", l.ID, l.Index, i+1)
		}
		for j, s := range l.Steps {
			if s.Index != j+1 || s.Lesson != l {
				t.Errorf("step %s: got index %d lesson %p, want %d %p", s.Key(), s.Index, s.Lesson, j+1, l)
			}
		}
	}
}

func TestLoadFields(t *testing.T) {
	c := mustLoad(t)
	setup := c.Lesson("docker-setup")
	if setup == nil || c.Lesson("nope") != nil {
		t.Fatalf("got Lesson(docker-setup)=%v Lesson(nope)=%v, want a lesson and nil", setup, c.Lesson("nope"))
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"lesson title", setup.Title, "Is Docker ready?"},
		{"lesson intro", setup.Intro, "Intro of docker-setup."},
		{"feature path", setup.FeaturePath, "docker-setup.feature"},
		{"feature bytes", string(setup.Feature), fixtureSetupFeature},
		{"step title", setup.Steps[0].Title, "The docker command"},
		{"step body", setup.Steps[0].Body, "Do cli."},
		{"source path", setup.Steps[1].SourcePath, "docker-setup/2-hello.md"},
		{"hints", setup.Steps[0].Hints, []string{"Run the thing."}},
		{"solution", setup.Steps[0].Solution, []string{"docker run cli"}},
		{"wrong", setup.Steps[0].Wrong, []WrongState{{Name: "not-run", Description: "Nothing was run.", Expect: "nothing ran"}}},
		{"scenario", setup.Steps[1].Scenario, "A hello-world container ran"},
		{"scenario line", setup.Steps[1].ScenarioLine, 8},
		{"slow", setup.Steps[1].Slow, true},
		{"not slow", setup.Steps[0].Slow, false},
		{"resources from", setup.Steps[1].Resources, Resources{ContainersFrom: []string{"hello-world"}}},
		{"key", setup.Steps[1].Key(), "docker-setup/hello-world"},
		{"tag", setup.Steps[1].Tag(), "@hello-world"},
		{"number", c.Lesson("containers").Steps[2].Number(), "2.3"},
	}
	nginx := c.Lesson("containers").Step("run-nginx")
	heal := c.Lesson("containers").Step("self-heal")
	tests = append(tests, []struct {
		name string
		got  any
		want any
	}{
		{"cleanup", nginx.Cleanup, []string{"docker rm -f lab-web"}},
		{"unsolved", nginx.Unsolved, State{Setup: []string{"docker rm -f lab-web"}, Env: map[string]string{"LAB_PORT": "8080"}}},
		{"resources", nginx.Resources, Resources{Containers: []string{"lab-web"}, Images: []string{"lab/profile:v1"}, Files: []string{"web/index.html"}}},
		{"resources empty", setup.Steps[0].Resources.Empty(), true},
		{"disruptive", heal.Disruptive, true},
		{"not disruptive", nginx.Disruptive, false},
		{"main scenario", heal.Scenario, "The container heals"},
		{"grading", heal.Grading, []string{"The restart count is recorded"}},
		{"no grading", nginx.Grading, []string(nil)},
		{"no learner setup", nginx.Setup, []string(nil)},
		{"fix shown", nginx.FixAfterHint, false},
		{"learner setup", heal.Setup, []string{"docker run -d --name lab-heal nginx"}},
		{"fix after hint", heal.FixAfterHint, true},
	}...)
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

func TestFind(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		ref     string
		want    string // step key, when found
		wantErr string
		kind    error
	}{
		{ref: "docker-setup/hello-world", want: "docker-setup/hello-world"},
		{ref: "hello-world", want: "docker-setup/hello-world"},
		{ref: " run-nginx ", want: "containers/run-nginx"},
		{ref: "2.3", want: "containers/self-heal"},
		{ref: "1.1", want: "docker-setup/cli"},
		{ref: "containers/self-heal", want: "containers/self-heal"},
		{ref: "self-heal", kind: ErrAmbiguousStep,
			wantErr: `ambiguous step "self-heal": several lessons have it; name one of docker-setup/self-heal, containers/self-heal`},
		{ref: "helo-world", kind: ErrUnknownStep,
			wantErr: `unknown step "helo-world"; did you mean docker-setup/hello-world? see: lab list`},
		{ref: "docker-stup/hello-world", kind: ErrUnknownStep,
			wantErr: `unknown step "docker-stup/hello-world"; did you mean docker-setup/hello-world? see: lab list`},
		{ref: "heal", kind: ErrUnknownStep,
			wantErr: `unknown step "heal"; did you mean docker-setup/self-heal or containers/self-heal? see: lab list`},
		{ref: "zzzzzzzz", kind: ErrUnknownStep, wantErr: `unknown step "zzzzzzzz"; see: lab list`},
		{ref: "2.9", kind: ErrUnknownStep, wantErr: `unknown step "2.9": lesson 2 (containers) has 3 steps; see: lab list`},
		{ref: "2.0", kind: ErrUnknownStep, wantErr: `unknown step "2.0": lesson 2 (containers) has 3 steps; see: lab list`},
		{ref: "3.1", kind: ErrUnknownStep, wantErr: `unknown step "3.1": the course has 2 lessons; see: lab list`},
		{ref: "containers", kind: ErrUnknownStep,
			wantErr: `unknown step "containers": that is a lesson; name one of its steps, such as containers/run-nginx; see: lab list`},
		{ref: "", kind: ErrUnknownStep, wantErr: `unknown step ""; see: lab list`},
	}
	for _, tt := range tests {
		got, err := c.Find(tt.ref)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.kind) {
				t.Errorf("Find(%q): got %v, %v; want error %q (%v)", tt.ref, got, err, tt.wantErr, tt.kind)
			}
			continue
		}
		if err != nil || got.Key() != tt.want {
			t.Errorf("Find(%q): got %v, %v; want %s", tt.ref, got, err, tt.want)
		}
	}
}

func TestSelect(t *testing.T) {
	c := mustLoad(t)
	all := keys(c.Steps())
	tests := []struct {
		scopes  []string
		want    []string
		wantErr string
	}{
		{scopes: nil, want: all},
		{scopes: []string{"all"}, want: all},
		{scopes: []string{"containers", "all"}, want: all},
		{scopes: []string{"containers"}, want: all[3:]},
		{scopes: []string{"2"}, want: all[3:]},
		{scopes: []string{"hello-world", "docker-setup"}, want: all[:3]},
		{scopes: []string{"2.3", "1.1"}, want: []string{"docker-setup/cli", "containers/self-heal"}},
		{scopes: []string{"containers/edit-page", "2.2", "edit-page"}, want: []string{"containers/edit-page"}},
		{scopes: []string{"contaners"}, wantErr: `unknown lesson or step "contaners"; did you mean containers? see: lab list`},
		{scopes: []string{"3"}, wantErr: `unknown step "3": the course has 2 lessons; see: lab list`},
		{scopes: []string{"containers", "self-heal"}, wantErr: `ambiguous step "self-heal": several lessons have it; name one of docker-setup/self-heal, containers/self-heal`},
		{scopes: []string{"x/y"}, wantErr: `unknown step "x/y"; see: lab list`},
	}
	for _, tt := range tests {
		got, err := c.Select(tt.scopes...)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Select(%q): got %v, %v; want error %q", tt.scopes, keys(got), err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(keys(got), tt.want) {
			t.Errorf("Select(%q): got %v, %v; want %v", tt.scopes, keys(got), err, tt.want)
		}
	}
}

func TestNext(t *testing.T) {
	c := mustLoad(t)
	steps := c.Steps()
	tests := []struct {
		after *Step
		want  *Step
	}{
		{nil, steps[0]},
		{steps[0], steps[1]},
		{steps[2], steps[3]}, // across lessons
		{steps[5], nil},
	}
	for _, tt := range tests {
		if got := c.Next(tt.after); got != tt.want {
			t.Errorf("Next(%v): got %v, want %v", tt.after, got, tt.want)
		}
	}
	if got := (&Course{}).Next(nil); got != nil {
		t.Errorf("Next(nil) on an empty course: got %v, want nil", got)
	}
	// A step from another load of the same course is found by key.
	other := mustLoad(t)
	if got := c.Next(other.Steps()[0]); got != steps[1] {
		t.Errorf("Next(step of another load): got %v, want %v", got, steps[1])
	}
}

func TestHash(t *testing.T) {
	base := mustLoad(t).Hash
	if len(base) != 64 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Fatalf("got hash %q, want 64 hex digits", base)
	}
	if again := mustLoad(t).Hash; again != base {
		t.Errorf("got hash %s on a second load, want %s", again, base)
	}

	type change struct {
		name   string
		mutate func(content, features fstest.MapFS)
	}
	var changes []change
	content, features := fixture()
	for _, fsys := range []struct {
		name string
		pick func(c, f fstest.MapFS) fstest.MapFS
		m    fstest.MapFS
	}{
		{"content", func(c, f fstest.MapFS) fstest.MapFS { return c }, content},
		{"features", func(c, f fstest.MapFS) fstest.MapFS { return f }, features},
	} {
		for name, f := range fsys.m {
			for _, at := range []int{0, len(f.Data) / 2, len(f.Data) - 1} {
				changes = append(changes, change{
					name: fmt.Sprintf("%s:%s byte %d", fsys.name, name, at),
					mutate: func(c, fe fstest.MapFS) {
						m := fsys.pick(c, fe)
						data := []byte(string(m[name].Data))
						data[at] ^= 0x01
						m[name] = &fstest.MapFile{Data: data}
					},
				})
			}
			changes = append(changes, change{
				name: fsys.name + ":" + name + " renamed",
				mutate: func(c, fe fstest.MapFS) {
					m := fsys.pick(c, fe)
					m[name+"x"] = m[name]
					delete(m, name)
				},
			})
		}
	}
	changes = append(changes,
		change{"file added", func(c, f fstest.MapFS) { put(c, "README.md", "") }},
		change{"file moved between file systems", func(c, f fstest.MapFS) {
			f["containers/page.png"] = c["containers/page.png"]
			delete(c, "containers/page.png")
		}},
		change{"bytes moved between files", func(c, f fstest.MapFS) {
			put(c, "containers/page.png", "not markdown, ignore")
			put(c, "course.yaml", "d"+fixtureCourse)
		}},
	)
	for _, hidden := range []string{".DS_Store", "containers/.notes.md", "_drafts/x.md", ".git/HEAD"} {
		c, f := fixture()
		put(c, hidden, "anything")
		if course, _, err := Parse(c, f); err != nil || course.Hash != base {
			t.Errorf("hidden file %s added: got hash %v (%v), want the unchanged %s", hidden, course, err, base)
		}
	}
	for _, ch := range changes {
		c, f := fixture()
		ch.mutate(c, f)
		course, _, err := Parse(c, f)
		if err != nil {
			t.Fatalf("%s: parsing: %v", ch.name, err)
		}
		if course.Hash == base {
			t.Errorf("%s: got the unchanged hash, want a different one", ch.name)
		}
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{"docker-setup/03-hello-world.md", 4, "step has no hint"}, "docker-setup/03-hello-world.md:4: step has no hint"},
		{Problem{"docker-setup.feature", 0, "feature file is missing"}, "docker-setup.feature: feature file is missing"},
		{Problem{"", 0, "no content"}, "no content"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestValidationErrorLists(t *testing.T) {
	content, features := fixture()
	edit(t, content, "docker-setup/01-cli.md", "title: The docker command\n", "")
	delete(features, "containers.feature")
	_, err := Load(content, features)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	want := "invalid lesson files: 2 problems\n" +
		"  docker-setup/01-cli.md:1: step has no title\n" +
		"  containers.feature: feature file for lesson \"containers\" is missing"
	if got := err.Error(); got != want {
		t.Errorf("got error\n%s\nwant\n%s", got, want)
	}
}
