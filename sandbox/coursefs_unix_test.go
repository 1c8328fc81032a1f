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

func TestCourseFSRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "course.yaml"), []byte("id: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := CourseFS(dir)
	if data, err := fs.ReadFile(fsys, "course.yaml"); err != nil || string(data) != "id: x\n" {
		t.Errorf("got %q, %v reading a regular file, want its content", data, err)
	}
	if _, err := fs.ReadFile(fsys, "missing.md"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v reading a missing file, want not-exist", err)
	}
	for _, read := range []func() error{
		func() error { _, err := fs.ReadFile(fsys, "fifo.md"); return err },
		func() error { _, err := fsys.Open("fifo.md"); return err },
	} {
		err := returnsAtOnce(t, "reading a FIFO", read)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("got %v, want a refusal of the FIFO", err)
		}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) != 2 {
		t.Errorf("got %d entries, %v; want 2", len(entries), err)
	}
}
