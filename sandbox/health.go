package sandbox

import (
	"context"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
)

// ContainerProcess is how a container's main process was started and what
// the engine's health check of it says: what checks of a container's
// command line and of its HEALTHCHECK need, beyond ContainerDetails.
type ContainerProcess struct {
	Name  string // without the leading slash
	State ContainerState
	// Path and Args are the program the engine started as the container's
	// main process and its arguments: the entrypoint followed by the
	// command, as docker inspect shows them.
	Path string
	Args []string
	// HealthTest is the health check the container runs, as the image or
	// docker run set it: ["CMD", ...] or ["CMD-SHELL", "..."]; nil when it
	// has none or it is disabled (["NONE"]).
	HealthTest []string
	// HealthInterval, HealthTimeout and HealthRetries are the check's
	// settings; zero means the engine's default (30s, 30s, 3).
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	HealthRetries  int
	// FailingStreak counts the health check's failures in a row.
	FailingStreak int
	// HealthLog holds the engine's last few health check results, oldest
	// first.
	HealthLog []HealthProbe
}

// HealthProbe is one run of a container's health check.
type HealthProbe struct {
	Start, End time.Time
	// ExitCode is 0 for healthy, 1 for unhealthy; anything else means the
	// check could not run (the engine uses -1 for a check that timed out).
	ExitCode int
	Output   string
}

// CommandLine is the main process with its arguments, space-separated.
func (p ContainerProcess) CommandLine() string {
	return strings.Join(append([]string{p.Path}, p.Args...), " ")
}

// HasHealthCheck reports whether the container runs a health check.
func (p ContainerProcess) HasHealthCheck() bool { return len(p.HealthTest) > 0 }

// LastProbe is the newest health check result; ok is false when the check
// has not finished once yet.
func (p ContainerProcess) LastProbe() (HealthProbe, bool) {
	if len(p.HealthLog) == 0 {
		return HealthProbe{}, false
	}
	return p.HealthLog[len(p.HealthLog)-1], true
}

// InspectProcess reads how a container's main process was started and its
// health. A container that does not exist gives an error for which
// IsNotFound is true.
func (e *Engine) InspectProcess(ctx context.Context, nameOrID string) (ContainerProcess, error) {
	return inspectAs(ctx, e, nameOrID, containerProcess)
}

func containerProcess(r container.InspectResponse) ContainerProcess {
	d := containerDetails(r)
	p := ContainerProcess{Name: d.Name, State: d.State, Path: r.Path, Args: r.Args}
	if c := r.Config; c != nil && c.Healthcheck != nil {
		hc := c.Healthcheck
		if len(hc.Test) > 0 && !strings.EqualFold(hc.Test[0], "NONE") {
			p.HealthTest = hc.Test
		}
		p.HealthInterval, p.HealthTimeout, p.HealthRetries = hc.Interval, hc.Timeout, hc.Retries
	}
	if st := r.State; st != nil && st.Health != nil {
		p.FailingStreak = st.Health.FailingStreak
		for _, l := range st.Health.Log {
			if l == nil {
				continue
			}
			p.HealthLog = append(p.HealthLog, HealthProbe{Start: l.Start, End: l.End, ExitCode: l.ExitCode, Output: l.Output})
		}
	}
	return p
}
