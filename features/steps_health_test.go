package features

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/lab-workshop/lab/sandbox"
)

// healthFakeAPI is fakeEngineAPI with a log that cannot be read, for the
// checks that quote a stopped container's log.
type healthFakeAPI struct{ *fakeEngineAPI }

func (healthFakeAPI) ContainerLogs(context.Context, string, client.ContainerLogsOptions) (client.ContainerLogsResult, error) {
	return nil, errors.New("no log in this test")
}

var pingCheck = &dockerspec.HealthcheckConfig{
	Test:     []string{"CMD-SHELL", `mongosh --quiet --eval 'db.adminCommand("ping").ok'`},
	Interval: 5 * time.Second, Timeout: 5 * time.Second, Retries: 5,
}

// mongoContainer is lab-mongo started by the official image's entrypoint
// with args, with the health check hc and the health h.
func mongoContainer(state container.State, hc *dockerspec.HealthcheckConfig, h *container.Health, args ...string) container.InspectResponse {
	state.Health = h
	return container.InspectResponse{
		ID: "c1", Name: "/lab-mongo", Image: nginxID, State: &state,
		Path: "docker-entrypoint.sh", Args: args,
		Config: &container.Config{Image: "lab/mongo:v1", Healthcheck: hc},
	}
}

var mongoRunning = container.State{Status: container.StateRunning, Running: true}

func probe(code int, out string) *container.HealthcheckResult {
	return &container.HealthcheckResult{ExitCode: code, Output: out}
}

func TestBecomesHealthy(t *testing.T) {
	refused := "MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27018\n"
	tests := []struct {
		name     string
		c        *container.InspectResponse
		code     string
		observed string
	}{
		{"healthy", ptr(mongoContainer(mongoRunning, pingCheck,
			&container.Health{Status: container.Healthy, Log: []*container.HealthcheckResult{probe(0, "1\n")}})), "", ""},
		{"missing", nil, "not-found", "no such container"},
		{"no health check", ptr(mongoContainer(mongoRunning, nil, nil)), "no-healthcheck", "neither its image (HEALTHCHECK)"},
		{"health check disabled", ptr(mongoContainer(mongoRunning, &dockerspec.HealthcheckConfig{Test: []string{"NONE"}}, nil)), "no-healthcheck", "no health check"},
		{"unhealthy", ptr(mongoContainer(mongoRunning, pingCheck,
			&container.Health{Status: container.Unhealthy, FailingStreak: 5, Log: []*container.HealthcheckResult{probe(1, refused)}})),
			"unhealthy", "exited with 1: MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27018"},
		{"still failing at the deadline", ptr(mongoContainer(mongoRunning, pingCheck,
			&container.Health{Status: container.Starting, FailingStreak: 2, Log: []*container.HealthcheckResult{probe(1, refused)}})),
			"unhealthy", "ECONNREFUSED"},
		{"timed-out probe", ptr(mongoContainer(mongoRunning, pingCheck,
			&container.Health{Status: container.Starting, FailingStreak: 1, Log: []*container.HealthcheckResult{probe(-1, "Health check exceeded timeout (5s)")}})),
			"unhealthy", "exceeded timeout"},
		{"no result yet", ptr(mongoContainer(mongoRunning, pingCheck, &container.Health{Status: container.Starting})),
			"not-ready", "has not finished once"},
		{"exited", ptr(mongoContainer(container.State{Status: container.StateExited, ExitCode: 14}, pingCheck,
			&container.Health{Status: container.Unhealthy})), "not-running", "exited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEngineAPI{containers: map[string]container.InspectResponse{}}
			if tt.c != nil {
				f.containers["lab-mongo"] = *tt.c
			}
			e, err := sandbox.ConnectWith(context.Background(), sandbox.Endpoint{Host: "unix:///var/run/docker.sock"}, healthFakeAPI{f})
			if err != nil {
				t.Fatal(err)
			}
			w := &world{run: &run{opts: Options{Workspace: t.TempDir()}, dialed: true, engine: e}}
			err = w.becomesHealthy(context.Background(), containerByName("lab-mongo"), 600*time.Millisecond)
			wantCode(t, err, tt.code, tt.observed)
		})
	}
}

func TestRunsWithArgs(t *testing.T) {
	tests := []struct {
		name, want string
		args       []string
		code       string
	}{
		{"config named", "--config /etc/mongod.conf", []string{"mongod", "--config", "/etc/mongod.conf"}, ""},
		{"with =", "--config /etc/mongod.conf", []string{"mongod", "--config=/etc/mongod.conf"}, ""},
		{"wanted with =", "--config=/etc/mongod.conf", []string{"mongod", "--config", "/etc/mongod.conf"}, ""},
		{"among others", "--config /etc/mongod.conf", []string{"mongod", "--port", "27017", "--config", "/etc/mongod.conf", "--quiet"}, ""},
		{"the program itself", "docker-entrypoint.sh mongod", []string{"mongod"}, ""},
		{"no config", "--config /etc/mongod.conf", []string{"mongod"}, "command-differs"},
		{"another file", "--config /etc/mongod.conf", []string{"mongod", "--config", "/etc/mongod.conf.orig"}, "command-differs"},
		{"apart", "--config /etc/mongod.conf", []string{"mongod", "--config", "--quiet", "/etc/mongod.conf"}, "command-differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEngineAPI{containers: map[string]container.InspectResponse{
				"lab-mongo": mongoContainer(mongoRunning, pingCheck, nil, tt.args...),
			}}
			w := fakeEngineWorld(t, f, "")
			err := w.runsWithArgs(context.Background(), containerByName("lab-mongo"), tt.want)
			wantCode(t, err, tt.code, "it started: docker-entrypoint.sh "+strings.Join(tt.args, " "))
		})
	}
	w := fakeEngineWorld(t, &fakeEngineAPI{containers: map[string]container.InspectResponse{}}, "")
	wantCode(t, w.runsWithArgs(context.Background(), containerByName("lab-mongo"), "--config x"), "not-found", "no such container")
}

// wantCode checks that err is a learner's failure with code whose Observed
// says observed, or nil when code is empty.
func wantCode(t *testing.T, err error, code, observed string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got %v, want a pass", err)
		}
		return
	}
	f, ok := err.(*Failure)
	if !ok {
		t.Fatalf("got %v (%T), want a *Failure with code %s", err, err, code)
	}
	if f.Code != code {
		t.Errorf("code %q, want %q (%s)", f.Code, code, f.Error())
	}
	if !strings.Contains(f.Observed, observed) {
		t.Errorf("observed %q, want it to say %q", f.Observed, observed)
	}
}

func TestHealthExec(t *testing.T) {
	tests := []struct {
		test []string
		want string
	}{
		{pingCheck.Test, `docker exec -it lab-mongo sh, then mongosh --quiet --eval 'db.adminCommand("ping").ok'`},
		{[]string{"CMD", "mongosh", "--eval", "db.runCommand({ping: 1})"}, `docker exec lab-mongo mongosh --eval 'db.runCommand({ping: 1})'`},
		{[]string{"CMD", "true"}, "docker exec lab-mongo true"},
	}
	for _, tt := range tests {
		if got := healthExec("lab-mongo", tt.test); got != tt.want {
			t.Errorf("healthExec(%q) = %s, want %s", tt.test, got, tt.want)
		}
	}
}
