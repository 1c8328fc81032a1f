package features

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/lab-workshop/lab/sandbox"
)

// One property, asked of different subjects, fails the same way, naming
// the subject and saying how to change that subject's setting.
func TestPropertiesNameTheirSubject(t *testing.T) {
	d := sandbox.ContainerDetails{Name: "lab-app-1"}
	byName, ofService := namedContainer(d, "docker port lab-app-1"), serviceContainer(d, "docker compose port")
	ports := map[string][]sandbox.PortBinding{"3000/tcp": {{HostPort: 3001}}}
	for _, tt := range []struct {
		s        subject
		who, fix string
	}{
		{byName, `container "lab-app-1"`, "remove it (docker rm -f lab-app-1) and run it again with -p 3000:3000"},
		{ofService, "the container lab-app-1", `set ports: ["3000:3000"] in the file`},
	} {
		setting := ""
		if tt.s.who != byName.who {
			setting = `ports: ["3000:3000"]`
		}
		f := tt.s.publishes(ports, "3000/tcp", 3000, "", "-p 3000:3000", setting)
		if f == nil || f.Code != "port-mismatch" || f.Message != tt.who+" publishes port 3000/tcp on host port 3001, not 3000" || !strings.Contains(f.Fix, tt.fix) {
			t.Errorf("%s: got %+v", tt.who, f)
		}
		if f := tt.s.publishes(ports, "3000/tcp", 3001, "", "", setting); f != nil {
			t.Errorf("%s: got %v, want a pass", tt.who, f)
		}
		if f := tt.s.restartPolicy("", "always", "--restart always", "restart: always"); f == nil || f.Message != tt.who+" has no restart policy, so it stays down when it crashes" {
			t.Errorf("%s: got %+v", tt.who, f)
		}
		if f := tt.s.restartPolicy("", "no", "", ""); f != nil {
			t.Errorf("%s: no policy is the policy no, got %v", tt.who, f)
		}
	}
}

func TestSetsEnv(t *testing.T) {
	s := envSubject{subject: subject{who: "the pod"}, inside: "a pod", itself: "that pod", peer: "the Service's name"}
	tests := []struct {
		got  string
		ok   bool
		want string // part of the message; empty means a pass
	}{
		{"mongo:27017/posts", true, ""},
		{"mongodb://mongo:27017/posts", true, ""},
		{"other:27017/posts", true, `the pod sets DB_HOST to "other:27017/posts", not "mongo:27017/posts"`},
		{"localhost:27017/posts", true, `DB_HOST points at localhost, which inside a pod is that pod itself; use the Service's name "mongo"`},
		{"127.0.0.1", true, "points at 127.0.0.1"},
		{"", false, "the pod does not set DB_HOST"},
	}
	for _, tt := range tests {
		f := s.setsEnv("DB_HOST", tt.got, tt.ok, "mongo:27017/posts", "")
		if (f == nil) != (tt.want == "") || f != nil && (f.Code != "env-mismatch" || !strings.Contains(f.Message, tt.want)) {
			t.Errorf("%q: got %+v, want %q", tt.got, f, tt.want)
		}
	}
}

func TestEnvValueTakesTheLastDefinition(t *testing.T) {
	if v, ok := envValue([]string{"A=1", "B=2", "A=3=4"}, "A"); !ok || v != "3=4" {
		t.Errorf("got %q %v", v, ok)
	}
	if _, ok := envValue([]string{"AB=1"}, "A"); ok {
		t.Error("AB is not A")
	}
}

// The open sentences ask a container found by name the properties the
// built-in course asks of others.
func TestContainerByNameProperties(t *testing.T) {
	app := func(env []string, policy container.RestartPolicyMode) container.InspectResponse {
		c := webContainer(container.State{Status: container.StateRunning, Running: true}, nil)
		c.Name, c.Config.Env = "/lab-app", env
		c.HostConfig = &container.HostConfig{RestartPolicy: container.RestartPolicy{Name: policy}}
		return c
	}
	tests := []struct {
		name string
		c    container.InspectResponse
		do   func(*world) error
		want string
	}{
		{"env right", app([]string{"DB_HOST=db:27017"}, "no"), func(w *world) error {
			return w.containerSetsEnv(context.Background(), "lab-app", "DB_HOST", "db:27017")
		}, ""},
		{"env wrong", app([]string{"DB_HOST=localhost:27017"}, "no"), func(w *world) error {
			return w.containerSetsEnv(context.Background(), "lab-app", "DB_HOST", "db:27017")
		}, `container "lab-app": DB_HOST points at localhost`},
		{"env missing", app(nil, "no"), func(w *world) error {
			return w.containerSetsEnv(context.Background(), "lab-app", "DB_HOST", "db:27017")
		}, `container "lab-app" does not set DB_HOST`},
		{"no container", app(nil, "no"), func(w *world) error {
			return w.containerSetsEnv(context.Background(), "lab-other", "DB_HOST", "db:27017")
		}, `no container named "lab-other" exists`},
		{"policy right", app(nil, "always"), func(w *world) error {
			return w.containerRestartPolicy(context.Background(), "lab-app", "always")
		}, ""},
		{"policy wrong", app(nil, "on-failure"), func(w *world) error {
			return w.containerRestartPolicy(context.Background(), "lab-app", "always")
		}, `container "lab-app" has the restart policy "on-failure", not "always"`},
	}
	for _, tt := range tests {
		f := &fakeEngineAPI{containers: map[string]container.InspectResponse{"lab-app": tt.c, "c1": tt.c}}
		wantFailure(t, tt.name, tt.do(fakeEngineWorld(t, f, "")), tt.want)
	}
}
