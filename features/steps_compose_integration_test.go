package features

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// lockedBuffer is a status stream a test reads while a run writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// composeTestProject starts two idle containers labelled as the services
// app and mongodb of a Compose project no one else uses, with the given
// restart policy for app, and removes them when the test ends. It returns
// the project and the app container's name.
func composeTestProject(t *testing.T, appRestart string) (e *sandbox.Engine, project, app string) {
	t.Helper()
	requireEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ep, err := sandbox.ResolveEndpoint(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	e, err = sandbox.Connect(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	project = "lab-test-" + hex.EncodeToString(b)
	course, err := lessons.Load(lessons.Content(), Files())
	if err != nil {
		t.Fatal(err)
	}
	image := course.Vars["node_image"] // the stand-in's name where no registry answers
	if _, err := e.InspectImage(ctx, image); err != nil {
		t.Fatalf("the %s image must be present (no registry is pulled from; testkit builds a stand-in): %v", image, err)
	}
	for _, svc := range []string{"app", "mongodb"} {
		name := project + "-" + svc + "-1"
		restart := "no"
		if svc == "app" {
			restart = appRestart
		}
		script := fmt.Sprintf("docker run -d --name %s --network none --restart %s --label lab.managed=true --label %s=%s --label %s=%s %s node -e 'setInterval(() => {}, 1000)'",
			name, restart, sandbox.ComposeProjectLabel, project, sandbox.ComposeServiceLabel, svc, image)
		if out, err := sandbox.Run(ctx, "", os.Environ(), script); err != nil {
			t.Fatalf("starting %s: %v\n%s", name, err, out)
		}
		t.Cleanup(func() { _, _ = sandbox.Run(context.Background(), "", os.Environ(), "docker rm -f "+name) })
	}
	return e, project, project + "-app-1"
}

func crashCourse(t *testing.T, project string) []*lessons.Step {
	t.Helper()
	course := testCourse(t, map[string]string{"crash": fmt.Sprintf(`    Given the Compose project %q runs one container for each of the services "app" and "mongodb"
    When the lab crashes the container of the service "app"
    Then it runs again within 20 seconds of the crash`, project)}, map[string]bool{"crash": true})
	return course.Steps()
}

// TestIntegrationComposeCrashRestarts crashes a container whose restart
// policy brings it back, and reports how.
func TestIntegrationComposeCrashRestarts(t *testing.T) {
	e, project, app := composeTestProject(t, "always")
	before, err := e.InspectContainer(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	var status lockedBuffer
	rep, err := Run(context.Background(), crashCourse(t, project), Options{Status: &status})
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Results[0]
	if res.Status != StatusPassed {
		t.Fatalf("got %s, want passed: %s", res.Status, res.Message())
	}
	notes := strings.Join(res.Notes, "\n")
	if !strings.Contains(notes, app+" came back") || !strings.Contains(notes, "restart count 0 → 1") {
		t.Errorf("got notes %q, want how long %s took and its restart count", notes, app)
	}
	out := status.String()
	announce := strings.Index(out, "! killing the main process of container "+app)
	if disruptive := strings.Index(out, "is disruptive"); disruptive < 0 || announce < disruptive {
		t.Errorf("got status %q, want the runner's announcement, then the step's", out)
	}
	if strings.Contains(out, "started "+app+" again") {
		t.Errorf("the lab started %s itself, but its restart policy had brought it back: %q", app, out)
	}
	after, err := e.InspectContainer(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	if after.ID != before.ID || !after.State.Running || after.State.RestartCount != 1 {
		t.Errorf("after the check: %+v; want the same container running, restarted once", after.State)
	}
}

// TestIntegrationComposeCrashHealedAfterCancel interrupts the check right
// after the crash, as Ctrl-C would, while the container (whose restart
// policy does not bring it back) is down: the step's cleanup still runs
// and starts it again.
func TestIntegrationComposeCrashHealedAfterCancel(t *testing.T) {
	e, project, app := composeTestProject(t, "no")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var status lockedBuffer
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, crashCourse(t, project), Options{Status: &status})
		done <- err
	}()

	// Wait until the crash has stopped the app, then interrupt.
	deadline := time.Now().Add(30 * time.Second)
	var crashed sandbox.ContainerDetails
	for {
		d, err := e.InspectContainer(context.Background(), app)
		if err != nil {
			t.Fatal(err)
		}
		if d.State.Status == "exited" && d.State.ExitCode == 137 {
			crashed = d
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not crashed within 30s: %+v\nstatus: %s", app, d.State, status.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("an interrupted run returned no error")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not end within 60s of the interrupt")
	}

	healed, err := e.InspectContainer(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	if !healed.State.Running || !healed.State.StartedAt.After(crashed.State.FinishedAt) {
		t.Errorf("after the interrupted check %s is %+v; want it started again after the crash", app, healed.State)
	}
	if out := status.String(); !strings.Contains(out, "started "+app+" again after the crash") {
		t.Errorf("got status %q, want it to say the lab started %s again", out, app)
	}
}
