package progress

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// syncBuffer is a bytes.Buffer safe to read while a store writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// holdLock takes the store's lock the way another lab process would, with
// pid written into it, and releases it when the test ends.
func holdLock(t *testing.T, dir string, pid int) *flock.Flock {
	t.Helper()
	path := filepath.Join(dir, lockName)
	if err := os.WriteFile(path, []byte(fmt.Sprintf("%d\n", pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	lk := flock.New(path)
	if err := lk.Lock(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lk.Close() })
	return lk
}

func TestLockWaitTimesOut(t *testing.T) {
	ops := []struct {
		name string
		run  func(s *Store) error
	}{
		{"Load", func(s *Store) error { _, err := s.Load(); return err }},
		{"Update", func(s *Store) error { return s.Update(func(*State) error { return nil }) }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			dir := t.TempDir()
			holdLock(t, dir, 4242)
			var status syncBuffer
			s := Open(dir, WithStatus(&status), WithLockTimeout(700*time.Millisecond))
			start := time.Now()
			err := op.run(s)
			took := time.Since(start)

			var le *LockError
			if !errors.As(err, &le) {
				t.Fatalf("got error %v, want a *LockError", err)
			}
			if le.Interrupted || le.Holder != 4242 {
				t.Errorf("got interrupted=%v holder=%d, want a timeout naming pid 4242", le.Interrupted, le.Holder)
			}
			lockPath := filepath.Join(dir, lockName)
			for _, want := range []string{"gave up after", "another lab (pid 4242?) holding " + lockPath, "LAB_LOCK_TIMEOUT"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got message %q, want it to contain %q", err, want)
				}
			}
			if want := "waiting for another lab (pid 4242?) holding " + lockPath; !strings.Contains(status.String(), want) {
				t.Errorf("got status %q, want it to contain %q", status.String(), want)
			}
			if took < 600*time.Millisecond || took > 5*time.Second {
				t.Errorf("gave up after %s, want about 700ms", took)
			}
		})
	}
}

func TestLockWaitSucceedsWhenReleased(t *testing.T) {
	dir := t.TempDir()
	lk := holdLock(t, dir, 4242)
	var status syncBuffer
	s := Open(dir, WithStatus(&status), WithLockTimeout(10*time.Second))
	go func() {
		time.Sleep(500 * time.Millisecond)
		lk.Unlock()
	}()
	if err := s.Update(func(st *State) error { st.Workspace = "w"; return nil }); err != nil {
		t.Fatalf("got error %v, want none once the lock was released", err)
	}
	if !strings.Contains(status.String(), "waiting for another lab") {
		t.Errorf("got status %q, want it to say what it waited for", status.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, lockName))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(data)), fmt.Sprint(os.Getpid()); got != want {
		t.Errorf("got %q in the lock file, want this process's pid %s", got, want)
	}
}

func TestLockNoWaitSaysNothing(t *testing.T) {
	var status syncBuffer
	s := Open(t.TempDir(), WithStatus(&status))
	if err := s.Update(func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if status.String() != "" {
		t.Errorf("got status %q, want nothing when the lock is free", status.String())
	}
}
