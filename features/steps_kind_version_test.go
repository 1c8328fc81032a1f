package features

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lab-workshop/lab/internal/result"
)

// TestKindAndKubectlVersionChecks runs lesson 6's version checks against a
// missing tool and a fake one that is too old: each failure names its own
// tool, command and fix, and the check notes the version it saw.
func TestKindAndKubectlVersionChecks(t *testing.T) {
	tests := []struct {
		tool, output, min, note string // the fake tool, what it prints, the minimum checked, the note
		check                   func(*world, context.Context, string) error
		missing, old            string // the failures as the learner reads them
	}{
		{"kind", "kind v0.10.0 go1.20 linux/amd64", "0.20.0", "kind 0.10.0", (*world).kindVersionAtLeast,
			"kind was not found on PATH\n  expected: a kind command on PATH\n  observed: no kind command\n  see it yourself: kind version\n  fix: install it: https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
			"kind 0.10.0 is older than 0.20.0\n  expected: version 0.20.0 or newer\n  observed: version 0.10.0\n  see it yourself: kind version\n  fix: install a current one: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"},
		{"kubectl", `{"clientVersion": {"gitVersion": "v1.20.0"}}`, "1.29.0", "kubectl 1.20.0", (*world).kubectlVersionAtLeast,
			"kubectl was not found on PATH\n  expected: a kubectl command on PATH\n  observed: no kubectl command\n  see it yourself: kubectl version --client\n  fix: install it: https://kubernetes.io/docs/tasks/tools/",
			"kubectl 1.20.0 is older than 1.29.0\n  expected: version 1.29.0 or newer\n  observed: version 1.20.0\n  see it yourself: kubectl version --client\n  fix: install a current one: https://kubernetes.io/docs/tasks/tools/"},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			ctx := context.Background()
			none := &world{run: newRun(Options{Env: []string{"PATH=" + t.TempDir()}}, nil)}
			if err := tt.check(none, ctx, tt.min); err == nil || result.CodeOf(err) != "not-installed" || err.Error() != tt.missing {
				t.Errorf("missing: got %v, want not-installed:\n%s", err, tt.missing)
			}

			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.tool), []byte("#!/bin/sh\necho '"+tt.output+"'\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			w := &world{run: newRun(Options{Env: []string{"PATH=" + dir + ":/usr/bin:/bin"}}, nil)}
			if err := tt.check(w, ctx, tt.min); err == nil || result.CodeOf(err) != "version-too-old" || err.Error() != tt.old {
				t.Errorf("too old: got %v, want version-too-old:\n%s", err, tt.old)
			}
			if len(w.notes) != 1 || w.notes[0] != tt.note {
				t.Errorf("notes: got %q, want [%s]", w.notes, tt.note)
			}
			if err := tt.check(w, ctx, "0.1"); err != nil {
				t.Errorf("new enough: got %v, want a pass", err)
			}
		})
	}
}
