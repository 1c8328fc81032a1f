package features

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"

	"github.com/lab-workshop/lab/sandbox"
)

func TestRestarted(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	running := sandbox.ContainerState{Status: "running", Running: true, StartedAt: t0, RestartCount: 2}
	tests := []struct {
		name        string
		first, last sandbox.ContainerState
		want        bool
	}{
		{"the same run", running, running, false},
		{"restart count went up", running, func() sandbox.ContainerState { s := running; s.RestartCount++; return s }(), true},
		{"started again", running, func() sandbox.ContainerState { s := running; s.StartedAt = t0.Add(time.Second); return s }(), true},
		{"waiting to restart", running, sandbox.ContainerState{Status: "restarting", Running: true, Restarting: true, StartedAt: t0, RestartCount: 2, ExitCode: 1}, true},
		{"restarting at the first look", sandbox.ContainerState{Restarting: true, Running: true, StartedAt: t0, RestartCount: 2}, running, true},
		{"exited once, not restarted", running, sandbox.ContainerState{Status: "exited", StartedAt: t0, RestartCount: 2, ExitCode: 1}, false},
	}
	for _, tt := range tests {
		if got := restarted(tt.first, tt.last); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// inspectSequence is an engine whose container "lab-app" answers each
// inspect with the next state of a list, the last one from then on: a
// container seen at different moments.
type inspectSequence struct {
	*fakeEngineAPI
	looks []look
	calls int
}

// look is a container's state and restart count at one moment.
type look struct {
	state    container.State
	restarts int
}

func (f *inspectSequence) ContainerInspect(_ context.Context, id string, _ client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	if id != "lab-app" {
		return client.ContainerInspectResult{}, fmt.Errorf("no such container: %s: %w", id, cerrdefs.ErrNotFound)
	}
	l := f.looks[min(f.calls, len(f.looks)-1)]
	f.calls++
	return client.ContainerInspectResult{Container: container.InspectResponse{
		ID: "c1", Name: "/lab-app", Image: appID, State: &l.state,
		Config: &container.Config{Image: "lab/app:v1"}, RestartCount: l.restarts,
	}}, nil
}

const appID = "sha256:4444444444444444444444444444444444444444444444444444444444444444"

// The false pass this guards against: under --restart always, a container
// that crashes 300 ms after each start is "running" at most looks.
func TestKeepsRunningCatchesARestartLoop(t *testing.T) {
	defer func(g, o, x time.Duration) { startupGrace, observeWindow, exitCodeWait = g, o, x }(startupGrace, observeWindow, exitCodeWait)
	startupGrace, observeWindow, exitCodeWait = 20*time.Millisecond, 10*time.Millisecond, 50*time.Millisecond

	long := time.Now().Add(-time.Hour)
	at := func(d time.Duration) string { return long.Add(d).Format(time.RFC3339Nano) }
	run := func(start string, count int) look {
		return look{container.State{Status: container.StateRunning, Running: true, StartedAt: start}, count}
	}
	waiting := func(start string, count, exit int) look {
		return look{container.State{Status: container.StateRestarting, Running: true, Restarting: true, StartedAt: start, ExitCode: exit}, count}
	}
	tests := []struct {
		name  string
		looks []look
		code  string
		says  []string
	}{
		{"stays up", []look{run(at(0), 0)}, "", nil},
		{"restarted between the looks, then caught waiting", []look{run(at(0), 4), run(at(time.Second), 5), waiting(at(time.Second), 5, 1)},
			"restart-loop", []string{`container "lab-app" keeps restarting: it exits with code 1`, "restart count 5", "1 time in the"}},
		{"started again with the same count", []look{run(at(0), 0), run(at(time.Second), 0)},
			"restart-loop", []string{"keeps restarting", "started again at"}},
		{"waiting at the second look", []look{run(at(0), 2), waiting(at(0), 2, 137)},
			"restart-loop", []string{"it exits with code 137", "restart count 2"}},
		{"waiting at the first look", []look{waiting(at(0), 7, 3)},
			"restart-loop", []string{"keeps restarting: it exits with code 3", "restart count 7"}},
		{"restarted, exit code never seen", []look{run(at(0), 1), run(at(time.Second), 2)},
			"restart-loop", []string{"its exit code went by too fast to see", "restart count 2"}},
		{"exited for good", []look{run(at(0), 0), {container.State{Status: container.StateExited, StartedAt: at(0), ExitCode: 2}, 0}},
			"not-running", []string{"is not running: it exited with code 2"}},
	}
	for _, tt := range tests {
		f := &inspectSequence{
			fakeEngineAPI: &fakeEngineAPI{images: map[string]image.InspectResponse{"lab/app:v1": {ID: appID}}},
			looks:         tt.looks,
		}
		w := fakeEngineWorld(t, f.fakeEngineAPI, "")
		e, err := sandbox.ConnectWith(context.Background(), sandbox.Endpoint{Host: "unix:///var/run/docker.sock"}, f)
		if err != nil {
			t.Fatal(err)
		}
		w.run.engine = e
		_, err = w.containerKeepsRunning(context.Background(), "lab-app", "lab/app:v1")
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: got %v, want a pass", tt.name, err)
			}
			if f.calls < 2 {
				t.Errorf("%s: looked %d time(s), want two looks across the window", tt.name, f.calls)
			}
			continue
		}
		var fail *Failure
		if !errors.As(err, &fail) {
			t.Errorf("%s: got %v, want a failure %s", tt.name, err, tt.code)
			continue
		}
		if fail.Code != tt.code {
			t.Errorf("%s: got code %q, want %q\n%s", tt.name, fail.Code, tt.code, fail)
		}
		for _, s := range tt.says {
			if !strings.Contains(fail.Error(), s) {
				t.Errorf("%s: got\n%s\nwant it to say %q", tt.name, fail, s)
			}
		}
	}
}
