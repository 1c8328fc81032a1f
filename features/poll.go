package features

import (
	"context"
	"time"
)

// eventually polls check until it reports done or the deadline passes. It
// is only for state that settles over time (a server starting, a container
// restarting); absent objects must fail at once instead. On timeout it
// returns the last error check gave, so the failure reports the last value
// observed.
func eventually(ctx context.Context, deadline, interval time.Duration, check func(context.Context) (done bool, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	var last error
	for {
		done, err := check(ctx)
		if done {
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			if last == nil {
				last = ctx.Err()
			}
			return last
		case <-time.After(interval):
		}
	}
}
