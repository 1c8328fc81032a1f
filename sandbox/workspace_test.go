package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

func TestWorkspacePath(t *testing.T) {
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	secret := filepath.Join(base, "secret")
	for _, d := range []string{filepath.Join(ws, "web"), secret} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(secret, "token.txt"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"out":          secret,                                   // a folder outside
		"token":        filepath.Join(secret, "token.txt"),       // a file outside
		"dangling-out": filepath.Join(base, "nowhere"),           // a dangling link outside
		"in":           filepath.Join(ws, "web"),                 // a folder inside
		"up":           filepath.Join("..", "secret"),            // relative, outside
		"web/self":     filepath.Join("..", "web", "index.html"), // relative, inside
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(ws, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		rel     string
		wantErr string
	}{
		{"web/index.html", ""},
		{"web/not-yet/deeper.txt", ""},
		{"./web/index.html", ""},
		{"in/index.html", ""},
		{"web/self", ""},
		{"../secret/token.txt", `climbs out of the workspace with ".."`},
		{"web/../../secret/token.txt", `climbs out`},
		{"/etc/passwd", "is absolute"},
		{`web\index.html`, "backslash"},
		{"", "is empty"},
		{"out/token.txt", "symbolic link to " + secret},
		{"out/not-yet.txt", "symbolic link"},
		{"token", "symbolic link"},
		{"dangling-out", ""}, // nothing exists there to read
		{"up/token.txt", "symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			got, err := WorkspacePath(ws, tt.rel)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if want := filepath.Join(ws, filepath.FromSlash(tt.rel)); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
				return
			}
			var pe *WorkspacePathError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %q, %v; want a *WorkspacePathError containing %q", got, err, tt.wantErr)
			}
		})
	}
}
