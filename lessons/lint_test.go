package lessons

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestRecapLoadsAndIsNoStep(t *testing.T) {
	content, features := fixture()
	put(content, "docker-setup/recap.md", "\nYou ran `docker run hello-world`.\n\n")
	c, err := Load(content, features)
	if err != nil {
		t.Fatalf("loading a course with a recap.md: %v", err)
	}
	l := c.Lesson("docker-setup")
	if got, want := l.Recap, "You ran `docker run hello-world`."; got != want {
		t.Errorf("got recap %q, want %q", got, want)
	}
	if got := len(l.Steps); got != 3 {
		t.Errorf("got %d steps, want 3: recap.md is not a step", got)
	}
	if got := c.Lesson("containers").Recap; got != "" {
		t.Errorf("got recap %q for a lesson without recap.md, want none", got)
	}
}

func TestLintRecaps(t *testing.T) {
	tests := []struct {
		name  string
		recap map[string]string
		want  []string
	}{
		{"none", nil, []string{
			"docker-setup/recap.md: lesson has no recap",
			"containers/recap.md: lesson has no recap",
		}},
		{"all", map[string]string{
			"docker-setup": "Ran `docker version`.",
			"containers":   "Ran `docker run nginx`.",
		}, nil},
		{"no cheat sheet", map[string]string{
			"docker-setup": "Ran `docker version`.",
			"containers":   "You ran a container.",
		}, []string{"containers/recap.md: recap has no cheat sheet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content, features := fixture()
			for id, text := range tt.recap {
				put(content, id+"/"+RecapFile, text)
			}
			c, err := Load(content, features)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range Lint(c) {
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got problems %q, want %d starting %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("got problem %q, want it to start %q", got[i], tt.want[i])
				}
			}
		})
	}
}

// TestBuiltInRecaps holds the shipped course to what lint demands, and
// checks that each cheat sheet names a command the lesson's solutions use.
func TestBuiltInRecaps(t *testing.T) {
	c, err := Load(Content(), os.DirFS("../features"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Lint(c) {
		t.Errorf("built-in course: %s", p)
	}
	for _, l := range c.Lessons {
		var tools []string
		for _, s := range l.Steps {
			for _, cmd := range s.Solution {
				if f := strings.Fields(cmd); len(f) > 0 && !slices.Contains(tools, f[0]) {
					tools = append(tools, f[0])
				}
			}
		}
		found := false
		for _, tool := range tools {
			if strings.Contains(l.Recap, "`"+tool+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("lesson %s: recap names none of the commands its solutions use (%s)", l.ID, strings.Join(tools, ", "))
		}
	}
}
