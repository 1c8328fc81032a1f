package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

func TestCopyStarterKeepsLearnerFiles(t *testing.T) {
	src := fstest.MapFS{
		"app/app.js":       {Data: []byte("starter app")},
		"app/package.json": {Data: []byte("{}")},
		"web/index.html":   {Data: []byte("<h1>starter</h1>")},
	}
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "app", "app.js"), []byte("learner's edit"), 0o644); err != nil {
		t.Fatal(err)
	}
	copied, kept, err := CopyStarter(src, []string{"app", "web/index.html"}, ws)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app/package.json", "web/index.html"}; !slices.Equal(copied, want) {
		t.Errorf("copied: got %q, want %q", copied, want)
	}
	if want := []string{"app/app.js"}; !slices.Equal(kept, want) {
		t.Errorf("kept: got %q, want %q", kept, want)
	}
	got, _ := os.ReadFile(filepath.Join(ws, "app", "app.js"))
	if string(got) != "learner's edit" {
		t.Errorf("app.js: got %q, want the learner's edit kept", got)
	}
	if _, _, err := CopyStarter(src, []string{"missing"}, ws); err == nil {
		t.Error("copying a missing starter path: got no error")
	}
}
