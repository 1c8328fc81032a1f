package app

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSpinnerWithoutTerminalPrintsEachStatusOnce(t *testing.T) {
	var b bytes.Buffer
	p := newSpinner(&b, false)
	p.set("creating cluster")
	p.set("creating cluster")
	p.warn("low memory")
	p.set("waiting: CoreDNS")
	p.stop()
	p.stop()
	p.set("after stop")
	got := b.String()
	if strings.Count(got, "creating cluster (") != 1 || !strings.Contains(got, "warning: low memory\n") ||
		!strings.Contains(got, "waiting: CoreDNS (0s)\n") || strings.Contains(got, "after stop") || strings.Contains(got, "\r") {
		t.Errorf("output:\n%q", got)
	}
}

func TestSpinnerOnTerminalRedrawsOneLineAndClearsIt(t *testing.T) {
	var b safeBuffer
	p := newSpinner(&b, true)
	p.set("creating cluster")
	time.Sleep(250 * time.Millisecond)
	p.stop()
	got := b.String()
	if !strings.Contains(got, "\r\033[K") || !strings.Contains(got, "creating cluster (0s)") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("output:\n%q", got)
	}
}

// safeBuffer is a buffer the spinner's goroutine and the test may share.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
