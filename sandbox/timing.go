package sandbox

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Timings splits the time lab spent waiting on the outside world, so a
// benchmark can tell lab's own overhead from the engine's and the network's.
type Timings struct {
	Engine   time.Duration // Docker API round trips
	HTTP     time.Duration // HTTP probes of the learner's servers
	Commands time.Duration // external commands (docker CLI, builds)
}

// Total is all the waiting together.
func (t Timings) Total() time.Duration { return t.Engine + t.HTTP + t.Commands }

var waitedEngine, waitedHTTP, waitedCommands atomic.Int64

// Waited reports the waiting so far in this process.
func Waited() Timings {
	return Timings{
		Engine:   time.Duration(waitedEngine.Load()),
		HTTP:     time.Duration(waitedHTTP.Load()),
		Commands: time.Duration(waitedCommands.Load()),
	}
}

// timedTransport adds each round trip's duration (until the headers come
// back) to a counter.
type timedTransport struct {
	base    http.RoundTripper
	counter *atomic.Int64
}

func (t timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	t.counter.Add(int64(time.Since(start)))
	return resp, err
}

func since(counter *atomic.Int64, start time.Time) { counter.Add(int64(time.Since(start))) }
