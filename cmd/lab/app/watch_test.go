package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lab-workshop/lab/cmd/lab/app"
)

// syncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// watchCourse writes a course whose checks read only workspace files: one
// lesson of two steps, each wanting a .dockerignore in a folder. Extra
// steps are added to the lesson as (id, feature step) pairs.
func watchCourse(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"course.yaml":      "id: watch\ntitle: Watch\nlessons: [ignore]\n",
		"ignore/lesson.md": "---\nid: ignore\ntitle: Ignore files\n---\nWhy ignore files at all.\n",
		"ignore/recap.md":  "You wrote `.dockerignore` files.\n",
		"ignore/01-app.md": stepFile("app", "The app folder"),
		"ignore/02-web.md": stepFile("web", "The web folder"),
		"features/ignore.feature": "Feature: Ignore files\n\n" +
			"  @app\n  Scenario: app\n    Then the workspace folder \"app\" has a .dockerignore\n\n" +
			"  @web\n  Scenario: web\n    Then the workspace folder \"web\" has a .dockerignore\n",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		// An id that starts with "!" makes a disruptive step.
		id, disruptive := strings.CutPrefix(extra[i], "!")
		step, tags := stepFile(id, "Extra "+id), "@"+id
		if disruptive {
			step, tags = strings.Replace(step, "---\nid:", "---\ndisruptive: true\nid:", 1), tags+" @disruptive"
		}
		files["ignore/0"+string(rune('3'+i/2))+"-"+id+".md"] = step
		files["features/ignore.feature"] += "\n  " + tags + "\n  Scenario: " + id + "\n    Then " + extra[i+1] + "\n"
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func stepFile(id, title string) string {
	return "---\nid: " + id + "\ntitle: " + title + "\nhints: [\"Write it.\"]\nsolution: [\"true\"]\n" +
		"wrong: [{name: none, expect: no such file}]\n---\nDo " + id + ".\n"
}

// watcher is one `lab watch` running in the background.
type watcher struct {
	out, err syncBuffer
	cancel   context.CancelFunc
	done     chan int
}

func startWatch(t *testing.T, getenv func(string) string, args ...string) *watcher {
	t.Helper()
	w := &watcher{done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	streams := &app.IOStreams{In: strings.NewReader(""), Out: &w.out, Err: &w.err, Getenv: getenv}
	go func() { w.done <- app.Run(ctx, append([]string{"lab"}, args...), streams) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(10 * time.Second):
			t.Error("lab watch did not stop after its context ended")
		}
	})
	return w
}

// waitFor waits until the stream holds want, failing after a while with
// what it does hold.
func (w *watcher) waitFor(t *testing.T, stream *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(stream.String(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q after 30s\nstdout:\n%s\nstderr:\n%s", want, w.out.String(), w.err.String())
}

func testEnv(t *testing.T, extra map[string]string) func(string) string {
	home := t.TempDir()
	env := map[string]string{
		"HOME":        home,
		"LAB_HOME":    filepath.Join(home, "state"),
		"NO_COLOR":    "1",
		"DOCKER_HOST": "unix://" + filepath.Join(home, "no-engine.sock"),
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// TestWatchRechecksOnFileChange starts lab watch on a step whose check
// reads a workspace file, writes the file, and sees watch check again,
// pass, show the next step and, after the last one, the recap; both with
// change notifications and with polling.
func TestWatchRechecksOnFileChange(t *testing.T) {
	for _, mode := range [][]string{nil, {"--poll", "--poll-interval", "100ms"}} {
		name := "notify"
		if mode != nil {
			name = "poll"
		}
		t.Run(name, func(t *testing.T) {
			course, ws := watchCourse(t), t.TempDir()
			getenv := testEnv(t, nil)
			w := startWatch(t, getenv, append([]string{"--lessons", course, "--workspace", ws, "watch"}, mode...)...)

			// A new learner: the intro and the first step, then a first check.
			w.waitFor(t, &w.out, "# Lesson 1: Ignore files")
			w.waitFor(t, &w.out, "ignore/app — The app folder: failed")
			w.waitFor(t, &w.err, "watching ignore/app — The app folder")
			if mode != nil && !strings.Contains(w.err.String(), "polling every 100ms") {
				t.Errorf("stderr does not say it polls:\n%s", w.err.String())
			}

			write(t, filepath.Join(ws, "app", ".dockerignore"), "node_modules\n")
			w.waitFor(t, &w.err, "app changed") // or app/.dockerignore, as the folder is seen first
			w.waitFor(t, &w.out, "ignore/app — The app folder: passed")
			w.waitFor(t, &w.out, "# The web folder")
			w.waitFor(t, &w.err, "watching ignore/web — The web folder")

			write(t, filepath.Join(ws, "web", ".dockerignore"), "node_modules\n")
			w.waitFor(t, &w.out, "ignore/web — The web folder: passed")
			w.waitFor(t, &w.out, "# Recap of lesson 1: Ignore files")
			select {
			case code := <-w.done:
				w.done <- code
				if code != 0 {
					t.Errorf("got exit code %d after the last step, want 0", code)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("lab watch did not end after the course was complete")
			}
			if strings.Count(w.out.String(), ": passed") != 2 {
				t.Errorf("want each step checked to a pass once:\n%s", w.out.String())
			}
		})
	}
}

// TestWatchCtrlC stops a watch and finds progress where the last check
// left it, with a goodbye line.
func TestWatchCtrlC(t *testing.T) {
	course, ws := watchCourse(t), t.TempDir()
	getenv := testEnv(t, nil)
	w := startWatch(t, getenv, "--lessons", course, "--workspace", ws, "watch")
	w.waitFor(t, &w.err, "watching ignore/app")
	w.cancel()
	select {
	case code := <-w.done:
		w.done <- code
		if code != 0 {
			t.Errorf("got exit code %d after Ctrl-C, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lab watch did not stop")
	}
	if !strings.Contains(w.err.String(), "stopped watching; your progress and your machine are as they were") {
		t.Errorf("no goodbye line:\n%s", w.err.String())
	}
	var out syncBuffer
	code := app.Run(context.Background(), []string{"lab", "--lessons", course, "list"}, &app.IOStreams{In: strings.NewReader(""), Out: &out, Err: &out, Getenv: getenv})
	if code != 0 || !strings.Contains(out.String(), "→ 1.1 ignore/app") {
		t.Errorf("got exit %d and list\n%s\nwant ignore/app still current", code, out.String())
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIntegrationWatchContainerEvent proves the engine path: lab watch
// checks again when a container runs, with no file changed. The image is
// a commit of hello-world with a label of this run's own, so no other
// container counts as one from it.
func TestIntegrationWatchContainerEvent(t *testing.T) {
	requireEngine(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	image, name := "lab-watch-test:"+id, "lab-watch-test-"+id
	docker := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("docker", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	base := docker("create", "hello-world")
	docker("commit", "--change", "LABEL lab.test="+id, base, image)
	docker("rm", base)
	t.Cleanup(func() {
		_ = exec.Command("docker", "rm", "-f", name).Run()
		_ = exec.Command("docker", "rmi", "-f", image).Run()
	})

	course := watchCourse(t, "ran", `a container from image "`+image+`" exited with code 0`)
	ws := t.TempDir()
	getenv := testEnv(t, map[string]string{"DOCKER_HOST": os.Getenv("DOCKER_HOST"), "DOCKER_CONTEXT": os.Getenv("DOCKER_CONTEXT"), "DOCKER_CONFIG": os.Getenv("DOCKER_CONFIG"), "HOME": os.Getenv("HOME")})
	var out syncBuffer
	if code := app.Run(context.Background(), []string{"lab", "--lessons", course, "--workspace", ws, "goto", "ignore/ran"}, &app.IOStreams{In: strings.NewReader(""), Out: &out, Err: &out, Getenv: getenv}); code != 0 {
		t.Fatalf("lab goto: exit %d\n%s", code, out.String())
	}
	w := startWatch(t, getenv, "--lessons", course, "--workspace", ws, "watch")
	w.waitFor(t, &w.out, "ignore/ran — Extra ran: failed")
	w.waitFor(t, &w.err, "watching ignore/ran")

	docker("run", "--name", name, image)
	// The engine's events for one docker run (network connect, create,
	// start, die) are one reason to check again, named by the first of them.
	w.waitFor(t, &w.out, "ignore/ran — Extra ran: passed")
	if n := strings.Count(w.err.String(), "checking ignore/ran"); n < 2 {
		t.Errorf("the step was checked %d time(s); want a second check after the container ran\n%s", n, w.err.String())
	}
	select {
	case code := <-w.done:
		w.done <- code
		if code != 0 {
			t.Errorf("got exit code %d, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lab watch did not end after the course was complete")
	}
}

// fakeEngine serves the two calls lab watch makes of an engine, a ping and
// the event stream, on a unix socket; each value sent on events goes out
// as one engine event.
func fakeEngine(t *testing.T) (host string, events chan<- string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "lab-engine-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 8)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.47")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			io.WriteString(w, "OK")
		case strings.HasSuffix(r.URL.Path, "/events"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			for {
				select {
				case name := <-ch:
					fmt.Fprintf(w, `{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"name":%q}},"time":1}`+"\n", name)
					w.(http.Flusher).Flush()
				case <-r.Context().Done():
					return
				}
			}
		default:
			http.Error(w, "not faked", http.StatusNotImplemented)
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + sock, ch
}

// TestWatchRechecksOnEngineEvent proves the engine path without an engine:
// the file the check reads is written where file changes are not watched
// (under node_modules), so only the engine's event can make watch check
// again.
func TestWatchRechecksOnEngineEvent(t *testing.T) {
	host, events := fakeEngine(t)
	course := watchCourse(t, "hidden", `the workspace folder "app/node_modules" has a .dockerignore`)
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "app", "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	getenv := testEnv(t, map[string]string{"DOCKER_HOST": host})
	var out syncBuffer
	if code := app.Run(context.Background(), []string{"lab", "--lessons", course, "--workspace", ws, "goto", "ignore/hidden"}, &app.IOStreams{In: strings.NewReader(""), Out: &out, Err: &out, Getenv: getenv}); code != 0 {
		t.Fatalf("lab goto: exit %d\n%s", code, out.String())
	}
	w := startWatch(t, getenv, "--lessons", course, "--workspace", ws, "watch")
	w.waitFor(t, &w.out, "ignore/hidden — Extra hidden: failed")
	w.waitFor(t, &w.err, "watching ignore/hidden")

	write(t, filepath.Join(ws, "app", "node_modules", ".dockerignore"), "x\n")
	time.Sleep(700 * time.Millisecond) // a file event would have come by now
	if strings.Contains(w.out.String(), "Extra hidden: passed") {
		t.Fatal("checked again without an engine event; the test proves nothing")
	}
	events <- "lab-web"
	w.waitFor(t, &w.err, "container lab-web start")
	w.waitFor(t, &w.out, "ignore/hidden — Extra hidden: passed")
}

// TestWatchDisruptiveStep: a step whose check breaks something on purpose
// is not checked when watch starts nor on engine events, only when the
// learner acts: here, presses Enter.
func TestWatchDisruptiveStep(t *testing.T) {
	host, events := fakeEngine(t)
	course := watchCourse(t, "!hidden", `the workspace folder "app/node_modules" has a .dockerignore`)
	ws := t.TempDir()
	write(t, filepath.Join(ws, "app", "node_modules", ".dockerignore"), "x\n")
	getenv := testEnv(t, map[string]string{"DOCKER_HOST": host})
	var out syncBuffer
	if code := app.Run(context.Background(), []string{"lab", "--lessons", course, "--workspace", ws, "goto", "ignore/hidden"}, &app.IOStreams{In: strings.NewReader(""), Out: &out, Err: &out, Getenv: getenv}); code != 0 {
		t.Fatalf("lab goto: exit %d\n%s", code, out.String())
	}
	enter, typed := io.Pipe()
	defer typed.Close()
	w := &watcher{done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	streams := &app.IOStreams{In: enter, Out: &w.out, Err: &w.err, Getenv: getenv}
	go func() {
		w.done <- app.Run(ctx, []string{"lab", "--lessons", course, "--workspace", ws, "watch"}, streams)
	}()
	t.Cleanup(func() { cancel(); <-w.done })

	w.waitFor(t, &w.err, "breaks something on purpose")
	events <- "lab-web"
	time.Sleep(1500 * time.Millisecond)
	if strings.Contains(w.err.String(), "checking ignore/hidden") {
		t.Fatalf("checked a disruptive step without being asked:\n%s", w.err.String())
	}
	io.WriteString(typed, "\n")
	w.waitFor(t, &w.out, "ignore/hidden — Extra hidden: passed")
}
