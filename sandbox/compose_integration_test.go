package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"go.yaml.in/yaml/v3"

	"github.com/lab-workshop/lab/lessons"
)

// nodeImage is the Node.js image the built-in course pins (node_image in
// course.yaml's vars); on a machine without a registry, testkit builds a
// stand-in under this name.
var nodeImage = courseVar("node_image")

// courseVar reads a variable of the built-in course's course.yaml.
func courseVar(name string) string {
	data, err := fs.ReadFile(lessons.Content(), "course.yaml")
	if err != nil {
		panic(err)
	}
	var course struct {
		Vars map[string]string `yaml:"vars"`
	}
	if err := yaml.Unmarshal(data, &course); err != nil || course.Vars[name] == "" {
		panic(fmt.Sprintf("course.yaml has no variable %s (%v)", name, err))
	}
	return course.Vars[name]
}

// composeTestEngine is integrationEngine, for tests that also need the
// node image.
func composeTestEngine(t *testing.T) *Engine {
	t.Helper()
	e := integrationEngine(t)
	requireImage(t, e, nodeImage)
	return e
}

// startIdleNode runs a labelled container from nodeImage whose main
// process is node doing nothing, with the given restart policy, and
// removes it when the test ends.
func startIdleNode(t *testing.T, e *Engine, restart container.RestartPolicyMode) (id, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	id, name = createTestContainer(ctx, t, e,
		container.Config{Image: nodeImage, Cmd: []string{"node", "-e", "setInterval(() => {}, 1000)"}},
		&container.HostConfig{RestartPolicy: container.RestartPolicy{Name: restart}, NetworkMode: "none"})
	if err := e.StartContainer(ctx, id); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	return id, name
}

// waitState polls a container every 100ms until ok accepts its state or
// limit passes, and returns the last details seen.
func waitState(t *testing.T, e *Engine, id string, limit time.Duration, ok func(ContainerState) bool) (ContainerDetails, bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		d, err := e.InspectContainer(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(d.State) {
			return d, true
		}
		if time.Now().After(deadline) {
			return d, false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// crashHelpers lists the containers CrashContainer made to crash id.
func crashHelpers(t *testing.T, e *Engine, id string) []Container {
	t.Helper()
	cs, err := e.Containers(context.Background(), ContainerQuery{All: true, Labels: map[string]string{CrashLabel: id}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestIntegrationCrashContainerRestarts(t *testing.T) {
	e := composeTestEngine(t)
	ctx := context.Background()
	id, name := startIdleNode(t, e, container.RestartPolicyAlways)

	rt, err := e.InspectRuntime(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if rt.RestartPolicy != "always" || rt.Pid <= 0 || rt.Hostname != id[:12] {
		t.Fatalf("got %+v, want policy always, a process, and the short ID as host name", rt)
	}
	before, _ := e.InspectContainer(ctx, id)

	crash, err := e.CrashContainer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if crash.Pid != rt.Pid || crash.Container != name || crash.At.IsZero() {
		t.Errorf("got %+v, want pid %d of %s", crash, rt.Pid, name)
	}
	d, ok := waitState(t, e, id, 20*time.Second, func(s ContainerState) bool {
		return s.Running && s.StartedAt.After(before.State.StartedAt)
	})
	if !ok {
		t.Fatalf("%s did not come back within 20s after the crash: %+v", name, d.State)
	}
	if d.State.RestartCount != before.State.RestartCount+1 {
		t.Errorf("got restart count %d, want %d", d.State.RestartCount, before.State.RestartCount+1)
	}
	if left := crashHelpers(t, e, id); len(left) > 0 {
		t.Errorf("the container that sent the signal is left behind: %+v", left)
	}
}

// TestIntegrationKillIsNotACrash proves why CrashContainer exists: after
// `docker kill` the engine does not apply the restart policy.
func TestIntegrationKillIsNotACrash(t *testing.T) {
	e := composeTestEngine(t)
	ctx := context.Background()
	id, name := startIdleNode(t, e, container.RestartPolicyAlways)
	api := e.api.(*client.Client)
	if _, err := api.ContainerKill(ctx, id, client.ContainerKillOptions{}); err != nil {
		t.Fatal(err)
	}
	d, back := waitState(t, e, id, 2*time.Second, func(s ContainerState) bool { return s.Running })
	if back || d.State.ExitCode != 137 || d.State.RestartCount != 0 {
		t.Errorf("%s after docker kill: %+v; want it to stay exited with code 137", name, d.State)
	}
}

func TestIntegrationCrashWithoutRestartPolicy(t *testing.T) {
	e := composeTestEngine(t)
	ctx := context.Background()
	id, name := startIdleNode(t, e, container.RestartPolicyDisabled)
	if _, err := e.CrashContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	d, _ := waitState(t, e, id, 5*time.Second, func(s ContainerState) bool { return s.Status == "exited" })
	if d.State.Status != "exited" || d.State.ExitCode != 137 || d.State.OOMKilled {
		t.Fatalf("%s after the crash: %+v; want exited with code 137", name, d.State)
	}
	if _, err := e.CrashContainer(ctx, id); err == nil {
		t.Error("crashing a stopped container: got no error")
	}
	if err := e.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if d, ok := waitState(t, e, id, 5*time.Second, func(s ContainerState) bool { return s.Running }); !ok {
		t.Errorf("%s after StartContainer: %+v", name, d.State)
	}
	if _, err := e.CrashContainer(ctx, "lab-test-no-such-container"); !IsNotFound(err) {
		t.Errorf("crashing a container that does not exist: got %v, want not found", err)
	}
	if err := e.StartContainer(ctx, "lab-test-no-such-container"); !IsNotFound(err) {
		t.Errorf("starting a container that does not exist: got %v, want not found", err)
	}
}

func TestIntegrationInspectVolume(t *testing.T) {
	e := composeTestEngine(t)
	ctx := context.Background()
	api := e.api.(*client.Client)
	name := testName(t)
	if _, err := api.VolumeCreate(ctx, client.VolumeCreateOptions{Name: name, Labels: map[string]string{"lab.managed": "true", ComposeProjectLabel: "lab-test"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = api.VolumeRemove(context.Background(), name, client.VolumeRemoveOptions{Force: true}) })
	v, err := e.InspectVolume(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != name || v.Created.IsZero() || time.Since(v.Created) > time.Minute || v.Labels[ComposeProjectLabel] != "lab-test" {
		t.Errorf("got %+v", v)
	}
	if _, err := e.InspectVolume(ctx, name+"-missing"); !IsNotFound(err) {
		t.Errorf("got %v, want not found", err)
	}
}

func TestIntegrationMongoIDsThroughWithoutDriver(t *testing.T) {
	e := composeTestEngine(t)
	_, name := startIdleNode(t, e, container.RestartPolicyDisabled)
	_, err := e.MongoIDsThrough(context.Background(), name, "mongodb://127.0.0.1:27017/", "posts")
	if !errors.Is(err, ErrNoMongoDriver) {
		t.Errorf("got %v, want ErrNoMongoDriver", err)
	}
}
