package lessons

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestVersionRangeContains(t *testing.T) {
	tests := []struct {
		rng, version string
		want, ok     bool
	}{
		{">=1.41 <=1.56", "1.41", true, true},
		{">=1.41 <=1.56", "1.56", true, true},
		{">=1.41 <=1.56", "1.40", false, true},
		{">=1.41 <=1.56", "1.57", false, true},
		{">=1.41, <=1.56", "1.47", true, true},
		{">= 1.41 <= 1.56", "1.47", true, true},
		{">=2.17", "2.16.9", false, true},
		{">=2.17", "2.17.0", true, true},
		{">=2.17", "v2.29.1-desktop.1", true, true},
		{">=2.17 <=5.6", "5.6.3", true, true},
		{">=2.17 <=5.6", "5.7.0", false, true},
		{"0.33", "kind v0.33.0 go1.26.1 linux/amd64", true, true},
		{"0.33", "kind v0.31.0 go1.25 linux/amd64", false, true},
		{"=1.37", "Client Version: v1.37.2", true, true},
		{"1.37", "v1.38.0", false, true},
		{">1.37", "1.37.9", false, true},
		{">1.37", "1.38.0", true, true},
		{"<1.38", "1.37.9", true, true},
		{"<1.38", "1.38.0", false, true},
		{"v1.37.2", "1.37.2", true, true},
		{"v1.37.2", "1.37.3", false, true},
		{">=29", "29.1.3+dfsg1", true, true},
		{">=1.41", "unknown", false, false},
	}
	for _, tt := range tests {
		r, err := ParseVersionRange(tt.rng)
		if err != nil {
			t.Fatalf("ParseVersionRange(%q): %v", tt.rng, err)
		}
		if where, ok := r.Where(tt.version); ok && (where == 0) != tt.want {
			t.Errorf("%q: Where(%q) = %d, want in range %v", tt.rng, tt.version, where, tt.want)
		}
		got, ok := r.Contains(tt.version)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%q contains %q: got %v (ok %v), want %v (ok %v)", tt.rng, tt.version, got, ok, tt.want, tt.ok)
		}
	}
}

func TestVersionRangeWhere(t *testing.T) {
	r, _ := ParseVersionRange(">=1.41 <=1.56")
	for v, want := range map[string]int{"1.40": -1, "1.41": 0, "1.56.1": 0, "1.57": 1} {
		if got, ok := r.Where(v); got != want || !ok {
			t.Errorf("Where(%q): got %d (ok %v), want %d", v, got, ok, want)
		}
	}
	r, _ = ParseVersionRange("1.37")
	for v, want := range map[string]int{"1.36.9": -1, "1.37.2": 0, "1.38.0": 1} {
		if got, _ := r.Where(v); got != want {
			t.Errorf("1.37: Where(%q): got %d, want %d", v, got, want)
		}
	}
}

func TestParseVersionRangeErrors(t *testing.T) {
	tests := []struct{ rng, want string }{
		{"", "empty range"},
		{"  ", "empty range"},
		{"~1.2", "use one of >=, <=, >, <, ="},
		{"^1.2", "use one of >=, <=, >, <, ="},
		{"!=1.2", "use one of >=, <=, >, <, ="},
		{">=1.x", `"1.x" in range ">=1.x" is not a version`},
		{">=latest", "is not a version"},
		{">=1.2.3.4", "is not a version"},
		{">=", "is not a version"},
		{">=1.56 <=1.41", "admits no version: its lower bound 1.56 is above its upper bound 1.41"},
		{"1.37 >=1.38", "admits no version"},
	}
	for _, tt := range tests {
		_, err := ParseVersionRange(tt.rng)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseVersionRange(%q): got error %v, want one saying %q", tt.rng, err, tt.want)
		}
	}
	for _, ok := range []string{">=1.41 <=1.41", "1.37 <=1.37.5", ">=0.27", "v1.37.2"} {
		if _, err := ParseVersionRange(ok); err != nil {
			t.Errorf("ParseVersionRange(%q): %v, want no error", ok, err)
		}
	}
}

func TestTestedLoads(t *testing.T) {
	content, features := fixture()
	put(content, "course.yaml", fixtureCourse+`tested:
  engine_api: ">=1.41 <=1.56"
  compose: ">=2.17"
  lessons:
    containers:
      compose: ">=2.20"
      kind: "0.33"
`)
	c, err := Load(content, features)
	if err != nil {
		t.Fatalf("loading a course with tested ranges: %v", err)
	}
	ranges := func(tt Tested) []string {
		var s []string
		for k, v := range tt {
			s = append(s, string(k)+" "+v.String())
		}
		slices.Sort(s)
		return s
	}
	if got, want := ranges(c.Tested), []string{"compose >=2.17", "engine_api >=1.41 <=1.56"}; !slices.Equal(got, want) {
		t.Errorf("course ranges: got %q, want %q", got, want)
	}
	if got, want := ranges(c.Lesson("docker-setup").Tested), []string{"compose >=2.17", "engine_api >=1.41 <=1.56"}; !slices.Equal(got, want) {
		t.Errorf("docker-setup ranges: got %q, want %q", got, want)
	}
	if got, want := ranges(c.Lesson("containers").Tested), []string{"compose >=2.20", "engine_api >=1.41 <=1.56", "kind 0.33"}; !slices.Equal(got, want) {
		t.Errorf("containers ranges: got %q, want the course's with its own on top %q", got, want)
	}
}

func TestTestedProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"bad range", `tested:
  engine_api: ">=1.56 <=1.41"
`, []string{`course.yaml:7: tested.engine_api: range ">=1.56 <=1.41" admits no version`}},
		{"not a version", `tested:
  compose: ">=two"
`, []string{`course.yaml:7: tested.compose: "two" in range ">=two" is not a version`}},
		{"empty", `tested:
  kind: ""
`, []string{`course.yaml:7: tested.kind: empty range`}},
		{"unknown tool", `tested:
  kubctl: "1.37"
`, []string{`course.yaml:7: tested.kubctl: unknown tool; did you mean "kubectl"?`}},
		{"list", `tested:
  kind: ["0.33"]
`, []string{`course.yaml:7: tested.kind: want a version range as text`}},
		{"not a mapping", `tested: ">=1.41"
`, []string{`course.yaml:6: tested: want a mapping of tools to version ranges`}},
		{"unknown lesson", `tested:
  lessons:
    container:
      kind: "0.33"
`, []string{`course.yaml:8: tested.lessons: "container" is not a lesson course.yaml lists; did you mean "containers"?`}},
		{"lesson bad range", `tested:
  lessons:
    containers:
      kubectl: "~1.37"
`, []string{`course.yaml:9: tested.lessons.containers.kubectl: "~1.37" in range "~1.37": use one of >=, <=, >, <, =`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content, features := fixture()
			put(content, "course.yaml", fixtureCourse+tt.yaml)
			_, problems, err := Parse(content, features)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("got problems %q, want one starting %q", got, w)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems %q, want %d", len(got), got, len(tt.want))
			}
			if _, err := Load(content, features); err == nil {
				t.Error("Load accepted the course; want a validation error")
			}
		})
	}
}

func TestBuiltinCourseTested(t *testing.T) {
	c, err := Load(Content(), os.DirFS("../features"))
	if err != nil {
		t.Fatalf("loading the built-in course: %v", err)
	}
	for _, l := range c.Lessons {
		if _, ok := l.Tested[ToolEngineAPI]; !ok {
			t.Errorf("lesson %s declares no tested engine API range", l.ID)
		}
	}
	for _, id := range []string{"kind", "kubernetes"} {
		for _, tool := range []Tool{ToolKind, ToolKubectl, ToolKubernetes} {
			if _, ok := c.Lesson(id).Tested[tool]; !ok {
				t.Errorf("lesson %s declares no tested %s range", id, tool)
			}
		}
	}
}
