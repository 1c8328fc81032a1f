package lessons

import (
	"testing"
	"testing/fstest"
)

func TestStepHash(t *testing.T) {
	base := mustLoad(t)
	hashes := map[string]string{}
	for _, s := range base.Steps() {
		if len(s.Hash) != 64 {
			t.Fatalf("%s: got hash %q, want 64 hex digits", s.Key(), s.Hash)
		}
		if other, ok := hashes[s.Hash]; ok {
			t.Errorf("%s and %s: got the same hash, want different ones", s.Key(), other)
		}
		hashes[s.Hash] = s.Key()
	}

	tests := []struct {
		name    string
		edit    func(t *testing.T, c, f fstest.MapFS)
		changed []string // keys whose hash must change; all others must not
	}{
		{
			name: "front matter",
			edit: func(t *testing.T, c, f fstest.MapFS) {
				edit(t, c, "containers/01-run-nginx.md", "docker rm -f lab-web\nunsolved", "docker rm -f lab-web || true\nunsolved")
			},
			changed: []string{"containers/run-nginx"},
		},
		{
			name: "instructions",
			edit: func(t *testing.T, c, f fstest.MapFS) {
				edit(t, c, "containers/02-edit-page.md", "Do edit-page.", "Do edit-page now.")
			},
			changed: []string{"containers/edit-page"},
		},
		{
			name: "main scenario",
			edit: func(t *testing.T, c, f fstest.MapFS) {
				edit(t, f, "containers.feature", "Then lab-web answers", "Then lab-web answers quickly")
			},
			changed: []string{"containers/run-nginx"},
		},
		{
			name: "grading scenario",
			edit: func(t *testing.T, c, f fstest.MapFS) {
				edit(t, f, "containers.feature", "restart count is 1", "restart count is 2")
			},
			changed: []string{"containers/self-heal"},
		},
		{
			name: "background applies to every scenario of the feature",
			edit: func(t *testing.T, c, f fstest.MapFS) {
				edit(t, f, "docker-setup.feature", "Feature: Is Docker ready?\n", "Feature: Is Docker ready?\n\n  Background:\n    Given the engine runs\n")
			},
			changed: []string{"docker-setup/cli", "docker-setup/hello-world", "docker-setup/self-heal"},
		},
		{
			name: "lines move, nothing else",
			edit: func(t *testing.T, c, f fstest.MapFS) {
				edit(t, f, "containers.feature", "Feature: Containers\n", "Feature: Containers\n\n\n# a comment\n")
				edit(t, c, "containers/lesson.md", "Intro of containers.", "A new intro.")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := fixture()
			tt.edit(t, c, f)
			course, err := Load(c, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range course.Steps() {
				want := false
				for _, k := range tt.changed {
					want = want || k == s.Key()
				}
				old, err := base.Find(s.Key())
				if err != nil {
					t.Fatal(err)
				}
				if got := s.Hash != old.Hash; got != want {
					t.Errorf("%s: got changed=%v, want %v", s.Key(), got, want)
				}
			}
		})
	}
}
