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
	"time"
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
	done := make(chan error, 2)
	go func() {
		_, err := fs.ReadFile(fsys, "fifo.md")
		done <- err
		_, err = fsys.Open("fifo.md")
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("got %v, want a refusal of the FIFO", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("reading a FIFO still waits after 10s, want a refusal at once")
		}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) != 2 {
		t.Errorf("got %d entries, %v; want 2", len(entries), err)
	}
}
