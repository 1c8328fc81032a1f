//go:build unix

package progress

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLockWaitEndsOnSignal(t *testing.T) {
	dir := t.TempDir()
	holdLock(t, dir, 4242)
	var status syncBuffer
	s := Open(dir, WithStatus(&status), WithLockTimeout(time.Minute))
	// SIGUSR1 stands in for Ctrl-C, which would also reach the test runner.
	s.signals = []os.Signal{syscall.SIGUSR1}
	errc := make(chan error, 1)
	go func() { _, err := s.Load(); errc <- err }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(status.String(), "waiting for") {
		if time.Now().After(deadline) {
			t.Fatalf("got status %q, want a waiting message", status.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		var le *LockError
		if !errors.As(err, &le) || !le.Interrupted {
			t.Fatalf("got error %v, want an interrupted *LockError", err)
		}
		if !strings.Contains(err.Error(), "interrupted while waiting for another lab (pid 4242?)") {
			t.Errorf("got message %q, want it to say what the wait was for", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load still waiting 5s after the signal, want it to stop")
	}
}
