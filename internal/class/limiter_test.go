package class

import (
	"testing"
	"time"
)

func TestLimiterBurstThenRate(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := newLimiter(2, 3, func() time.Time { return now })
	for i := range 3 {
		if !l.allow("a") {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	if l.allow("a") {
		t.Error("a request past the burst was allowed")
	}
	if !l.allow("b") {
		t.Error("another key shares the first one's bucket")
	}
	now = now.Add(500 * time.Millisecond) // one more at two a second
	if !l.allow("a") || l.allow("a") {
		t.Error("after half a second at two a second, want exactly one more")
	}
}
