package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestDiffSnapshots(t *testing.T) {
	t0 := time.Unix(1000, 0)
	before := map[string]fileState{
		".":           {mode: os.ModeDir, modTime: t0},
		"a.txt":       {size: 1, modTime: t0},
		"gone.txt":    {size: 1, modTime: t0},
		"same.txt":    {size: 2, modTime: t0},
		"dir":         {mode: os.ModeDir, modTime: t0},
		"dir/old.txt": {size: 3, modTime: t0},
	}
	after := map[string]fileState{
		".":           {mode: os.ModeDir, modTime: t0.Add(time.Second)},
		"a.txt":       {size: 1, modTime: t0.Add(time.Second)},
		"same.txt":    {size: 2, modTime: t0},
		"new.txt":     {size: 0, modTime: t0},
		"dir":         {mode: os.ModeDir, modTime: t0.Add(time.Second)},
		"dir/old.txt": {size: 4, modTime: t0},
	}
	got := diffSnapshots(before, after)
	want := []string{"a.txt", "dir/old.txt", "gone.txt", "new.txt"}
	if !slices.Equal(got, want) {
		t.Errorf("got changes %q, want %q", got, want)
	}
}

func TestSkipped(t *testing.T) {
	for rel, want := range map[string]bool{
		"app/app.js":                  false,
		"app/node_modules":            true,
		"app/node_modules/x/index.js": true,
		".git/HEAD":                   true,
		"compose/compose.yaml":        false,
		"gitignore":                   false,
	} {
		if got := skipped(rel); got != want {
			t.Errorf("skipped(%q) = %v, want %v", rel, got, want)
		}
	}
}

// TestWatchFiles drives both ways of watching: a file written in a
// sub-folder, one in a folder made after the watch began, and none of the
// writes under node_modules.
func TestWatchFiles(t *testing.T) {
	for _, poll := range []bool{false, true} {
		name := map[bool]string{false: "notify", true: "poll"}[poll]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "app", "node_modules"), 0o755); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := WatchFiles(ctx, dir, FileWatchOptions{Poll: poll, Interval: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if w.Polling != poll {
				t.Fatalf("got polling %v (%s), want %v", w.Polling, w.PollReason, poll)
			}
			write := func(rel string) {
				t.Helper()
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			expect := func(want string) {
				t.Helper()
				deadline := time.After(5 * time.Second)
				for {
					select {
					case got := <-w.Changes:
						if skipped(got) {
							t.Fatalf("got a change under node_modules: %s", got)
						}
						if got == want {
							return
						}
					case <-deadline:
						t.Fatalf("no change reported for %s", want)
					}
				}
			}
			write("app/node_modules/dep/index.js")
			write("app/.dockerignore")
			expect("app/.dockerignore")
			write("new/deeper/file.txt")
			expect("new")
			time.Sleep(100 * time.Millisecond)
			write("new/deeper/file.txt")
			expect("new/deeper/file.txt")
			cancel()
			for range w.Changes {
			}
		})
	}
}

func TestWatchFilesMissingFolder(t *testing.T) {
	_, err := WatchFiles(context.Background(), filepath.Join(t.TempDir(), "nope"), FileWatchOptions{})
	if err == nil {
		t.Fatal("got no error for a missing folder, want one")
	}
}
