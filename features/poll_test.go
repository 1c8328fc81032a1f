package features

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEventually(t *testing.T) {
	calls := 0
	err := eventually(context.Background(), time.Second, time.Millisecond, func(context.Context) (bool, error) {
		calls++
		return calls == 3, nil
	})
	if err != nil || calls != 3 {
		t.Errorf("settling: got err %v after %d calls, want nil after 3", err, calls)
	}
	last := errors.New("observed 1 of 3 ready")
	err = eventually(context.Background(), 20*time.Millisecond, time.Millisecond, func(context.Context) (bool, error) {
		return false, last
	})
	if !errors.Is(err, last) {
		t.Errorf("timeout: got %v, want the last observation", err)
	}
	stop := errors.New("absent")
	err = eventually(context.Background(), time.Second, time.Millisecond, func(context.Context) (bool, error) {
		return true, stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("done with an error: got %v, want it returned at once", err)
	}
}
