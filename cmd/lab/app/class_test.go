package app_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/cmd/lab/app"
	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/class/learner"
)

// miniCourse is a one-step course whose check needs only the docker CLI.
var miniCourse = map[string]string{
	"course.yaml":    "id: mini\ntitle: A tiny course\nlessons: [mini]\n",
	"mini/lesson.md": "---\nid: mini\ntitle: Mini\n---\nJust one step.\n",
	"mini/01-tools.md": "---\nid: tools\ntitle: Tools are there\nhints: [\"Install Docker.\"]\nsolution: [\"docker --version\"]\n" +
		"wrong:\n  - name: old\n    description: An old CLI.\n    expect: older than\n---\nCheck the docker CLI.\n",
	"features/mini.feature": "Feature: Mini\n\n  @tools\n  Scenario: The CLI is there\n    Then the docker CLI reports version 1.0 or newer\n",
}

// labRun runs lab with LAB_HOME set to home and returns its exit code and
// output.
func labRun(t *testing.T, home string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"LAB_HOME": home, "HOME": home}
	s := &app.IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}}
	code = app.Run(context.Background(), append([]string{"lab"}, args...), s)
	return code, out.String(), errb.String()
}

// TestJoinPostsNextAndVerifyResults runs the learner's commands against a
// class server in this process: join, results from lab next and lab
// verify arrive, results made while the server is down arrive once it is
// back, and lab leave stops it all.
func TestJoinPostsNextAndVerifyResults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lab against a class server")
	}
	t.Setenv("DOCKER_HOST", "unix:///tmp/no-engine.sock")
	tmp := t.TempDir()
	course := filepath.Join(tmp, "course")
	for name, text := range miniCourse {
		p := filepath.Join(course, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store, err := class.Open(context.Background(), filepath.Join(tmp, "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, _, err := store.CreateClass(context.Background(), "Docker 101")
	if err != nil {
		t.Fatal(err)
	}
	start := func(addr string) (string, func()) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { class.NewServer(store, class.Options{}).Serve(ctx, ln); close(done) }()
		return "http://" + ln.Addr().String(), func() { cancel(); <-done }
	}
	url, stop := start("127.0.0.1:0")

	home := filepath.Join(tmp, "ana")
	lab := func(args ...string) (int, string, string) {
		return labRun(t, home, append([]string{"--lessons", course, "--workspace", filepath.Join(tmp, "ws")}, args...)...)
	}
	code, out, errs := lab("join", url, "--code", c.Code, "--name", "Ana")
	if code != 0 || !strings.Contains(out, `joined class "Docker 101" as Ana`) {
		t.Fatalf("lab join: exit %d\n%s%s", code, out, errs)
	}
	if fi, err := os.Stat(filepath.Join(home, learner.MembershipFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the membership file: %v, mode %v; want mode 0600", err, fi.Mode().Perm())
	}
	if code, _, errs := lab("join", url, "--code", c.Code, "--name", "Ana"); code != 2 || !strings.Contains(errs, "run `lab leave` first") {
		t.Errorf("joining twice: exit %d, %q; want 2 and a hint to leave first", code, errs)
	}

	lab("next") // the first run only shows the first step
	if code, out, errs := lab("next"); code != 0 {
		t.Fatalf("lab next: exit %d\n%s%s", code, out, errs)
	}
	rs, _ := store.Results(context.Background(), c.ID)
	if len(rs) != 1 {
		t.Fatalf("the class has %d results after lab next, want 1", len(rs))
	}
	got := rs[0].Record
	if got.Step != "mini/tools" || got.Verdict != "passed" || got.Course != "mini" || got.CourseHash == "" || got.Lab == "" || got.Index != 1 {
		t.Errorf("posted record %+v: want mini/tools passed, with the course, its hash and lab's version", got)
	}

	// The server goes away: the command still passes, the result waits.
	stop()
	code, _, errs = lab("verify")
	if code != 0 || !strings.Contains(errs, "note: class:") || learner.Pending(home) != 1 {
		t.Fatalf("lab verify with the server down: exit %d, %d queued\n%s", code, learner.Pending(home), errs)
	}
	_, stop = start(strings.TrimPrefix(url, "http://"))
	defer stop()
	if code, _, errs := lab("verify"); code != 0 || strings.Contains(errs, "note: class:") {
		t.Fatalf("lab verify with the server back: exit %d\n%s", code, errs)
	}
	if rs, _ = store.Results(context.Background(), c.ID); len(rs) != 3 || learner.Pending(home) != 0 {
		t.Fatalf("the class has %d results and %d are queued, want 3 and 0", len(rs), learner.Pending(home))
	}
	if !rs[1].Record.At.Before(rs[2].Record.At) {
		t.Errorf("the queued result should be stored before the later one")
	}

	if code, out, _ := lab("leave"); code != 0 || !strings.Contains(out, `left class "Docker 101"`) {
		t.Errorf("lab leave: exit %d, %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(home, learner.MembershipFile)); !os.IsNotExist(err) {
		t.Errorf("the membership is still there after lab leave: %v", err)
	}
	lab("verify")
	if rs, _ = store.Results(context.Background(), c.ID); len(rs) != 3 {
		t.Errorf("after lab leave the class got a result (%d in all, want 3)", len(rs))
	}
	if code, out, _ := lab("leave"); code != 0 || !strings.Contains(out, "not in a class") {
		t.Errorf("lab leave twice: exit %d, %q", code, out)
	}
}

// TestJoinRefusals: a join that cannot work says why and what to do.
func TestJoinRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lab doctor's look at the machine")
	}
	t.Setenv("DOCKER_HOST", "unix:///tmp/no-engine.sock")
	home := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"join", "--code", "X", "--name", "Y"}, 2, "takes the class's URL"},
		{[]string{"join", "http://127.0.0.1:1", "--name", "Y"}, 2, "code"},
		{[]string{"join", "ftp://example", "--code", "X", "--name", "Y"}, 3, "not an http(s) URL"},
		{[]string{"join", "http://127.0.0.1:1", "--code", "X", "--name", "Y"}, 3, "is the address right"},
	} {
		code, _, errs := labRun(t, home, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("lab %s: exit %d, %q; want %d with %q", strings.Join(tc.args, " "), code, errs, tc.code, tc.msg)
		}
	}
}
