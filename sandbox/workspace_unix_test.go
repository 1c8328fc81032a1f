//go:build unix

package sandbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCopyStarterRefusesLinksAndSpecialFiles(t *testing.T) {
	base := t.TempDir()
	assets := filepath.Join(base, "assets")
	secretDir := filepath.Join(base, "secret")
	for _, d := range []string{filepath.Join(assets, "app"), filepath.Join(assets, "ok"), secretDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	shadow := filepath.Join(secretDir, "shadow")
	if err := os.WriteFile(shadow, []byte("root:secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(assets, "ok", "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"shadow":        shadow,    // a link named as a starter path
		"app/shadow":    shadow,    // a link inside a starter folder
		"linked-folder": secretDir, // a folder link
	} {
		if err := os.Symlink(target, filepath.Join(assets, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(assets, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := os.DirFS(assets)
	tests := []struct {
		path, wantErr string
	}{
		{"shadow", "is a symbolic link"},
		{"app", "is a symbolic link"},
		{"linked-folder", "is a symbolic link"},
		{"linked-folder/shadow", "is a symbolic link"},
		{"fifo", "not a regular file"},
		{"../secret/shadow", "climbs out"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ws := filepath.Join(t.TempDir(), "ws")
			err := returnsAtOnce(t, "CopyStarter", func() error {
				_, _, err := CopyStarter(src, []string{tt.path}, ws)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("got %s written, want nothing copied", p)
				}
				return nil
			})
		})
	}
	// A workspace folder that is a link out of the workspace is not
	// written through.
	ws := t.TempDir()
	if err := os.Symlink(secretDir, filepath.Join(ws, "ok")); err != nil {
		t.Fatal(err)
	}
	_, _, err := CopyStarter(src, []string{"ok"}, ws)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("got error %v, want a refusal to write through the link", err)
	}
	if _, err := os.Lstat(filepath.Join(secretDir, "a.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v from stat of a file written through the link, want none", err)
	}
}
