package progress

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validFile = `{"schema":2,"courses":{"c":{"current":"a/b"}}}`

func TestRefusedProgressFiles(t *testing.T) {
	tests := []struct {
		name string
		// setup makes the progress file at path and returns what to
		// compare afterwards (the file's own content where it has one).
		setup     func(t *testing.T, path string)
		wantLoad  string // "" when Load must succeed
		wantWrite string
	}{
		{
			name: "read-only",
			setup: func(t *testing.T, path string) {
				writeFile(t, path, validFile, 0o400)
			},
			wantWrite: "is read-only",
		},
		{
			name: "symbolic link",
			setup: func(t *testing.T, path string) {
				target := filepath.Join(t.TempDir(), "elsewhere.json")
				writeFile(t, target, validFile, 0o600)
				if err := os.Symlink(target, path); err != nil {
					t.Fatal(err)
				}
			},
			wantLoad:  "is a symbolic link",
			wantWrite: "is a symbolic link",
		},
		{
			name: "dangling symbolic link",
			setup: func(t *testing.T, path string) {
				if err := os.Symlink(filepath.Join(t.TempDir(), "nowhere.json"), path); err != nil {
					t.Fatal(err)
				}
			},
			wantLoad:  "is a symbolic link",
			wantWrite: "is a symbolic link",
		},
		{
			name: "directory",
			setup: func(t *testing.T, path string) {
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
			},
			wantLoad:  "is not a regular file",
			wantWrite: "is not a regular file",
		},
		{
			name: "FIFO",
			setup: func(t *testing.T, path string) {
				mkfifo(t, path)
			},
			wantLoad:  "is not a regular file",
			wantWrite: "is not a regular file",
		},
		{
			name: "over the size limit",
			setup: func(t *testing.T, path string) {
				big := `{"schema":2,"workspace":"` + strings.Repeat("x", MaxFileSize) + `"}`
				writeFile(t, path, big, 0o600)
			},
			wantLoad:  "larger than the 8 MiB",
			wantWrite: "larger than the 8 MiB",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := Open(dir)
			tt.setup(t, s.Path())
			before := snapshot(t, dir)

			done := make(chan struct{})
			go func() {
				defer close(done)
				_, err := s.Load()
				checkErr(t, "Load", err, tt.wantLoad)
				err = s.Update(func(st *State) error {
					t.Errorf("fn called, want the file refused first")
					return nil
				})
				checkErr(t, "Update", err, tt.wantWrite)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Load or Update still running after 10s, want them to return at once")
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("got directory\n%s\nwant it untouched:\n%s", after, before)
			}
		})
	}
}

func checkErr(t *testing.T, op string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: got error %v, want none", op, err)
		}
		return
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Errorf("%s: got error %v, want a *FileError", op, err)
		return
	}
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "LAB_HOME") {
		t.Errorf("%s: got %q, want it to say %q and how to go on", op, err, want)
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes the directory's entries (the lock file aside) with
// their modes and, for regular files, their content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b bytes.Buffer
	for _, n := range listDir(t, dir) {
		if n == lockName {
			continue
		}
		p := filepath.Join(dir, n)
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(n + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(" " + string(data[:min(len(data), 64)]))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestDanglingLockLinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "created-by-lab")
	if err := os.Symlink(outside, filepath.Join(dir, lockName)); err != nil {
		t.Fatal(err)
	}
	s := Open(dir)
	_, loadErr := s.Load()
	updErr := s.Update(func(*State) error { return nil })
	for _, err := range []error{loadErr, updErr} {
		var le *LockError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("got error %v, want a *LockError about the symbolic link", err)
		}
	}
	if _, err := os.Lstat(outside); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v from stat of the link's target, want it never created", err)
	}
	if _, err := os.Lstat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v from stat of the progress file, want none written", err)
	}
}
