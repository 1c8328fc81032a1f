package lessons

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func courseWith(prefix string, rs ...Resources) *Course {
	l := &Lesson{ID: "l"}
	for i, r := range rs {
		l.Steps = append(l.Steps, &Step{ID: "s", Lesson: l, Index: i + 1, SourcePath: "l/0" + string(rune('1'+i)) + ".md", Resources: r})
	}
	return &Course{Prefix: prefix, Lessons: []*Lesson{l}}
}

func TestResourcePrefix(t *testing.T) {
	tests := []struct {
		name        string
		course      *Course
		want        string
		wantDerived bool
	}{
		{"set", courseWith("drill-", Resources{Containers: []string{"web"}}), "drill", false},
		{"derived from most names", courseWith("", Resources{
			Containers: []string{"lab-web", "postgres"}, Images: []string{"lab/app:v1", "localhost:5000/lab-profile:v1"},
			Volumes: []string{"lab_db-data"}, Clusters: []string{"lab"},
		}), "lab", true},
		{"no common word", courseWith("", Resources{Containers: []string{"web", "db", "cache"}}), "", false},
		{"nothing named", courseWith("", Resources{ContainersFrom: []string{"hello-world"}, Files: []string{"a"}}), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, derived := tt.course.ResourcePrefix()
			if got != tt.want || derived != tt.wantDerived {
				t.Errorf("got %q, derived %v; want %q, %v", got, derived, tt.want, tt.wantDerived)
			}
		})
	}
}

func TestLintPrefix(t *testing.T) {
	c := courseWith("lab",
		Resources{Containers: []string{"lab-web", "postgres-prod", "labrador"}, ContainersFrom: []string{"hello-world"}},
		Resources{Images: []string{"lab/app:v1", "localhost:5000/profile:v1", "localhost:5000/lab-profile:v1"}, Volumes: []string{"lab_db-data"}, Networks: []string{"lab"}},
	)
	var got []string
	for _, p := range LintPrefix(c) {
		got = append(got, p.String())
	}
	want := []string{
		`l/01.md: resources: container "postgres-prod" does not start with the course's prefix (prefix: "lab" in course.yaml): a learner may have one of that name of their own; rename it, for example "lab-postgres-prod"`,
		`l/01.md: resources: container "labrador" does not start with the course's prefix (prefix: "lab" in course.yaml): a learner may have one of that name of their own; rename it, for example "lab-labrador"`,
		`l/02.md: resources: image "localhost:5000/profile:v1" does not start with the course's prefix (prefix: "lab" in course.yaml): a learner may have one of that name of their own; rename it, for example "localhost:5000/lab/profile:v1"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	derived := courseWith("", Resources{Containers: []string{"lab-web", "lab-db", "web"}})
	if p := LintPrefix(derived); len(p) != 1 || !strings.Contains(p[0].Msg, `the prefix "lab" most of its names start with`) {
		t.Errorf("derived prefix: got %v", p)
	}
	none := courseWith("", Resources{Containers: []string{"web", "db"}})
	if p := LintPrefix(none); len(p) != 1 || p[0].File != "course.yaml" || !strings.Contains(p[0].Msg, "prefix:") {
		t.Errorf("no prefix: got %v", p)
	}
}

// The built-in course sets its prefix, and a prefix: that is not one is a
// problem of the course file.
func TestCoursePrefixLoads(t *testing.T) {
	if got, derived := mustLoadBuiltin(t).ResourcePrefix(); got != "lab" || derived {
		t.Errorf("built-in course prefix %q (derived %v), want lab set in course.yaml", got, derived)
	}
	content, features := fixture()
	edit(t, content, "course.yaml", "title:", "prefix: \"Lab Stuff\"\ntitle:")
	_, problems, err := Parse(content, features)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(problems, func(p Problem) bool {
		return p.File == "course.yaml" && strings.Contains(p.Msg, `prefix "Lab Stuff" is not a name prefix`)
	}) {
		t.Errorf("problems %v, want one about the prefix", problems)
	}
}

func mustLoadBuiltin(t *testing.T) *Course {
	t.Helper()
	c, err := Load(Content(), os.DirFS("../features"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
