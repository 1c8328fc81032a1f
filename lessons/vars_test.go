package lessons

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// withVars gives the fixture course variables and uses them in a step, its
// lesson intro and its feature.
func withVars(t *testing.T) (fstest.MapFS, fstest.MapFS) {
	t.Helper()
	c, f := fixture()
	edit(t, c, "course.yaml", "lessons:", "vars:\n  nginx_image: nginx:1.28\n  web_port: \"8080\"\nlessons:")
	edit(t, c, "containers/01-run-nginx.md", "Do run-nginx.", "Run {{ vars.nginx_image }} on port {{vars.web_port}}.")
	edit(t, c, "containers/01-run-nginx.md", "  - docker run run-nginx", "  - docker run -d -p {{ vars.web_port }}:80 {{ vars.nginx_image }}")
	edit(t, c, "containers/lesson.md", "Intro of containers.", "Intro of containers with {{ vars.nginx_image }}.")
	edit(t, f, "containers.feature", "Then lab-web answers", "Then image \"{{ vars.nginx_image }}\" answers")
	return c, f
}

func TestVarsExpand(t *testing.T) {
	c, f := withVars(t)
	course, err := Load(c, f)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := course.Vars["nginx_image"]; got != "nginx:1.28" {
		t.Errorf("Vars[nginx_image]: got %q, want nginx:1.28", got)
	}
	s, err := course.Find("containers/run-nginx")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Run nginx:1.28 on port 8080."; s.Body != want {
		t.Errorf("body: got %q, want %q", s.Body, want)
	}
	if want := "docker run -d -p 8080:80 nginx:1.28"; s.Solution[0] != want {
		t.Errorf("solution: got %q, want %q", s.Solution[0], want)
	}
	if !strings.Contains(s.Lesson.Intro, "nginx:1.28") {
		t.Errorf("intro not expanded: %q", s.Lesson.Intro)
	}
	if !strings.Contains(string(s.Lesson.Feature), `image "nginx:1.28" answers`) {
		t.Errorf("feature not expanded:\n%s", s.Lesson.Feature)
	}
}

// Docker's own format templates pass through untouched.
func TestVarsLeaveDockerTemplates(t *testing.T) {
	c, f := withVars(t)
	edit(t, c, "containers/02-edit-page.md", "  - docker run edit-page", "  - docker inspect -f '{{.State.Status}} {{json .Config}}' lab-web")
	course, err := Load(c, f)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s, _ := course.Find("containers/edit-page")
	if want := "docker inspect -f '{{.State.Status}} {{json .Config}}' lab-web"; s.Solution[0] != want {
		t.Errorf("solution: got %q, want %q", s.Solution[0], want)
	}
}

func TestVarsProblems(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, c, f fstest.MapFS)
		want   string
	}{
		{"unknown variable with a suggestion", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "containers/02-edit-page.md", "Do edit-page.", "Use {{ vars.ngnix_image }}.")
		}, `containers/02-edit-page.md:13: unknown variable "ngnix_image"; did you mean "nginx_image"?`},
		{"unknown variable in a feature", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, f, "containers.feature", "Then the page is the learner's", "Then the page on {{ vars.port }} is the learner's")
		}, `containers.feature:9: unknown variable "port": declare it under vars: in course.yaml`},
		{"misspelt reference", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "containers/02-edit-page.md", "Do edit-page.", "Use {{ var.nginx_image }}.")
		}, `containers/02-edit-page.md:13: {{ var.nginx_image }} is not a variable reference: write {{ vars.NAME }}`},
		{"unused variable", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "vars:\n", "vars:\n  mongo_image: mongo:7.0\n")
		}, `course.yaml:4: variable "mongo_image" is declared but no lesson, step or feature uses it`},
		{"bad name", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "vars:\n", "vars:\n  Nginx-Image: x\n")
		}, `course.yaml:4: variable name "Nginx-Image": use lower-case letters, digits and _, starting with a letter`},
		{"empty value", func(t *testing.T, c, f fstest.MapFS) {
			edit(t, c, "course.yaml", "  web_port: \"8080\"\n", "  web_port: \"\"\n")
		}, `course.yaml:5: variable "web_port" has no value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := withVars(t)
			tt.mutate(t, c, f)
			wantProblem(t, c, f, tt.want)
		})
	}
}

func TestImages(t *testing.T) {
	c, f := withVars(t)
	edit(t, c, "course.yaml", "vars:\n", "vars:\n  hello_image: hello-world\n")
	edit(t, f, "docker-setup.feature", `image "hello-world"`, `image "{{ vars.hello_image }}"`)
	course, err := Load(c, f)
	if err != nil {
		t.Fatal(err)
	}
	setup, _ := course.Select("docker-setup")
	cont, _ := course.Select("containers/run-nginx")
	all, _ := course.Select()
	for _, tt := range []struct {
		name  string
		steps []*Step
		want  string
	}{
		{"lesson 1", setup, "hello-world"},
		{"run-nginx", cont, "nginx:1.28"},
		{"all", all, "hello-world nginx:1.28"},
	} {
		if got := strings.Join(course.Images(tt.steps), " "); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// wantProblem loads the course and fails the test unless one of its
// problems is want, or starts with it.
func wantProblem(t *testing.T, c, f fstest.MapFS, want string) {
	t.Helper()
	_, err := Load(c, f)
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("Load: got %v, want a ValidationError", err)
	}
	var got []string
	for _, p := range v.Problems {
		if strings.HasPrefix(p.String(), want) {
			return
		}
		got = append(got, p.String())
	}
	t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), want)
}

// A class's shared cluster needs on every node the images the course's
// cluster steps run: the one the learner built and the ones pulled.
func TestClusterStepsImages(t *testing.T) {
	course, err := Load(Content(), os.DirFS("../features"))
	if err != nil {
		t.Fatal(err)
	}
	steps := course.ClusterSteps()
	var keys []string
	for _, s := range steps {
		keys = append(keys, s.Key())
	}
	if slices.Contains(keys, "kind/tools") || !slices.Contains(keys, "kind/cluster") || !slices.Contains(keys, "kubernetes/database") {
		t.Errorf("cluster steps: %v", keys)
	}
	if got, want := strings.Join(course.BuiltImages(steps), " "), course.Vars["app_build"]; got != want {
		t.Errorf("built images: got %q, want %q", got, want)
	}
	if got, want := strings.Join(course.Images(steps), " "), course.Vars["mongo_image"]; got != want {
		t.Errorf("pulled images: got %q, want %q", got, want)
	}
}

// TestExpandReplacesAsThePattern: expand puts values exactly where the
// reference pattern finds references, whether or not the text also holds
// spans that only look like references.
func TestExpandReplacesAsThePattern(t *testing.T) {
	vars := map[string]string{"web_port": "8080", "app": "lab/app:v1"}
	for _, text := range []string{
		"no references",
		"port {{ vars.web_port }} and {{vars.app}}, {{ vars.web_port}}",
		"{{ vars.nope }} stays, {{ vars.app }} goes",
		"{{ vars x {{ vars.app }} inside a span that is no reference",
		"{{ var.app }} then {{ vars.app }}",
		"{{{ vars.app }}} and {{ .State.Status }} and {{ vars.app }",
		"{{ vars.app }}{{ vars.web_port }}\n{{ vars }}",
	} {
		p := &parser{course: &Course{Vars: vars}, used: map[string]bool{}}
		got := string(p.expand("x.md", []byte(text)))
		want := varRef.ReplaceAllStringFunc(text, func(ref string) string {
			if v, ok := vars[varRef.FindStringSubmatch(ref)[1]]; ok {
				return v
			}
			return ref
		})
		if got != want {
			t.Errorf("expand(%q) = %q, want %q", text, got, want)
		}
	}
}
