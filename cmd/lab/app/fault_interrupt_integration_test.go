package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
)

// TestIntegrationInterruptHealsCompose presses Ctrl-C while the compose
// lesson's disruptive step has crashed the app: lab exits promptly with
// exit 3 (an interrupted check is never a pass or a plain fail), and the
// container it killed runs again afterwards. The lesson's stack is brought
// up the way its reference solution does, with the sample app built under
// a name of the test's own.
//
// With the restart policy "no" the engine does not bring the container
// back, so only lab's own heal can. The lesson's scenario refuses to crash
// such a container, so that variant runs the same crash from a course of
// the test's own.
func TestIntegrationInterruptHealsCompose(t *testing.T) {
	requireEngine(t)
	course, err := lessons.Load(lessons.Content(), features.Files())
	if err != nil {
		t.Fatal(err)
	}
	for _, image := range []string{course.Vars["node_image"], course.Vars["mongo_image"]} {
		if out, err := exec.Command("docker", "image", "inspect", image).CombinedOutput(); err != nil {
			t.Fatalf("the %s image must be present (no registry is pulled from; testkit builds a stand-in): %s", image, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	lab := buildLab(t, dir)
	app := "flt-app:" + randomID(t)
	buildSampleApp(t, ctx, course, app, dir)

	t.Run("restart always", func(t *testing.T) {
		ws := composeLessonStack(t, ctx, course, app, "")
		stderr := interruptAfterCrash(t, lab, ws, "", "compose/self-heal")
		if strings.Contains(stderr, "started lab-app-1 again") {
			t.Errorf("lab started lab-app-1 itself, but its restart policy brings it back:\n%s", stderr)
		}
	})
	t.Run("restart no", func(t *testing.T) {
		ws := composeLessonStack(t, ctx, course, app, "services:\n  app:\n    restart: \"no\"\n")
		lessonsDir := filepath.Join(dir, "crash-course")
		writeCourse(t, lessonsDir, crashCourse)
		stderr := interruptAfterCrash(t, lab, ws, lessonsDir, "crash/crash")
		if !strings.Contains(stderr, "started lab-app-1 again after the crash") {
			t.Errorf("lab's stderr does not say it started lab-app-1 again:\n%s", stderr)
		}
	})
}

// composeLessonStack runs the compose lesson's reference solution in a new
// workspace: the Compose file of compose/compose-file, with app as the
// app's image and override (when given) as a second Compose file, started
// as compose/self-heal starts it. The project and its volumes are removed
// when the test ends.
func composeLessonStack(t *testing.T, ctx context.Context, course *lessons.Course, app, override string) string {
	t.Helper()
	ws := t.TempDir()
	file, err := course.Find("compose/compose-file")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range file.Solution {
		run(t, ctx, nil, ws, "bash", "-euo", "pipefail", "-c", c)
	}
	compose := filepath.Join(ws, "compose", "compose.yaml")
	data, err := os.ReadFile(compose)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "image: lab/app:v1") {
		t.Fatalf("the lesson's Compose file no longer runs lab/app:v1:\n%s", data)
	}
	writeFile(t, compose, strings.Replace(string(data), "image: lab/app:v1", "image: "+app, 1))
	files := ""
	if override != "" {
		writeFile(t, filepath.Join(ws, "compose", "override.yaml"), override)
		files = "-f compose.yaml -f override.yaml "
	}
	t.Cleanup(func() {
		_, _ = exec.Command("docker", "compose", "-p", "lab", "down", "-v", "--remove-orphans", "-t", "1").CombinedOutput()
	})
	heal, err := course.Find("compose/self-heal")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range heal.Solution {
		run(t, ctx, nil, ws, "bash", "-euo", "pipefail", "-c", strings.Replace(c, "docker compose up", "docker compose "+files+"up", 1))
	}
	return ws
}

// containerState is what docker inspect says of a container's state.
type containerState struct {
	Status       string
	Running      bool
	ExitCode     int
	StartedAt    time.Time
	RestartCount int
}

func inspectState(t *testing.T, name string) containerState {
	t.Helper()
	out, err := exec.Command("docker", "inspect", "-f", "{{json .State}} {{.RestartCount}}", name).CombinedOutput()
	if err != nil {
		t.Fatalf("docker inspect %s: %v\n%s", name, err, out)
	}
	state, count, _ := strings.Cut(strings.TrimSpace(string(out)), "} ")
	var st containerState
	if err := json.Unmarshal([]byte(state+"}"), &st); err != nil {
		t.Fatalf("docker inspect %s: %v\n%s", name, err, out)
	}
	if err := json.Unmarshal([]byte(count), &st.RestartCount); err != nil {
		t.Fatalf("docker inspect %s: %v\n%s", name, err, out)
	}
	return st
}

// interruptAfterCrash runs lab verify STEP on the workspace, waits until
// lab has announced the crash of lab-app-1 and the kill has landed, sends
// SIGINT, and asserts that lab exits within the time its heal may take with
// exit 3 and that lab-app-1 runs again, started after the crash. It
// returns lab's stderr.
func interruptAfterCrash(t *testing.T, lab, ws, lessonsDir, step string) string {
	t.Helper()
	const app = "lab-app-1"
	before := inspectState(t, app)
	if !before.Running {
		t.Fatalf("%s does not run before the check: %+v", app, before)
	}
	cmd := exec.Command(lab, "verify", step)
	cmd.Env = append(os.Environ(), "LAB_HOME="+t.TempDir(), "HOME="+t.TempDir(), "LAB_WORKSPACE="+ws, "LAB_LESSONS="+lessonsDir, "NO_COLOR=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu        sync.Mutex
		stderr    strings.Builder
		announced = make(chan struct{})
		copied    = make(chan struct{})
	)
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pipe)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "killing the main process of container "+app) {
				once.Do(func() { close(announced) })
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
	}()
	text := func() string {
		mu.Lock()
		defer mu.Unlock()
		return stderr.String()
	}
	fail := func(format string, args ...any) {
		t.Helper()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf(format+"\nlab's stderr:\n%s", append(args, text())...)
	}
	select {
	case <-announced:
	case <-time.After(2 * time.Minute):
		fail("lab did not announce the crash of %s within 2 minutes", app)
	}
	// The announcement comes just before the kill: wait until it landed,
	// so the interrupt finds a crashed container to heal.
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := inspectState(t, app)
		if st.RestartCount > before.RestartCount || !st.Running || st.StartedAt.After(before.StartedAt) {
			break
		}
		if time.Now().After(deadline) {
			fail("%s was not crashed within 30s of the announcement: %+v", app, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		fail("sending SIGINT: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		<-copied
		done <- cmd.Wait()
	}()
	// The heal waits up to 10s for the engine to restart the container
	// before starting it itself, and gives up after 30s.
	const prompt = 45 * time.Second
	var waitErr error
	select {
	case waitErr = <-done:
	case <-time.After(prompt):
		fail("lab still runs %s after SIGINT", prompt)
	}
	took := time.Since(interrupted).Round(100 * time.Millisecond)
	var exit *exec.ExitError
	if !errors.As(waitErr, &exit) || exit.ExitCode() != 3 {
		t.Errorf("lab verify ended with %v after SIGINT, want exit 3\n%s", waitErr, text())
	}
	if !strings.Contains(text(), "lab: verifying was interrupted, so no report was written") {
		t.Errorf("lab's stderr does not say the check was interrupted:\n%s", text())
	}
	after := inspectState(t, app)
	if !after.Running || !after.StartedAt.After(before.StartedAt) {
		t.Errorf("%s after lab exited: %+v; want it running, started after %s\n%s", app, after, before.StartedAt, text())
	}
	t.Logf("lab exited %s after SIGINT; then %s was %s, restart count %d → %d\n%s", took, app, after.Status, before.RestartCount, after.RestartCount, text())
	return text()
}

// crashCourse crashes the Compose project lab's app without asking for a
// restart policy first.
var crashCourse = map[string]string{
	"course.yaml":     "id: crash\ntitle: A crash\nlessons: [crash]\n",
	"crash/lesson.md": "---\nid: crash\ntitle: Crash\n---\nOne step.\n",
	"crash/01-crash.md": `---
id: crash
title: The app is crashed
disruptive: true
hints: ["Wait."]
solution: ["docker compose -p lab up -d"]
wrong:
  - name: old
    description: An old CLI.
    expect: older than
---
The lab crashes the app.
`,
	"features/crash.feature": `Feature: Crash

  @crash @disruptive
  Scenario: The app is crashed
    Given the Compose project "lab" runs one container for each of the services "app" and "mongodb"
    When the lab crashes the container of the service "app"
    Then it runs again within 20 seconds of the crash
`,
}

// writeCourse writes a course's files under dir.
func writeCourse(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
}
