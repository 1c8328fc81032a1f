package learner

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

func TestFromResultSendsOnlyTheHeadline(t *testing.T) {
	lesson := &lessons.Lesson{ID: "containers"}
	run := &lessons.Step{ID: "run", Lesson: lesson, Index: 1}
	course := &lessons.Course{ID: "docker", Hash: "h1", Lessons: []*lessons.Lesson{lesson}}
	lesson.Steps = []*lessons.Step{{ID: "pull", Lesson: lesson}, run}
	res := &result.Result{
		Step: run, Status: result.StatusFailed, Duration: 1500 * time.Millisecond,
		Checks: []result.CheckResult{
			{Status: result.StatusPassed},
			{Status: result.StatusFailed, Code: "not-running", Err: "container lab-web is not running\n  observed: exited (1) in /home/ana/lab-workspace\n  fix: docker start lab-web"},
			{Status: result.StatusFailed, Code: "port-mismatch", Err: "port 8080 is not published"},
			{Status: result.StatusFailed, Code: "not-running", Err: "again"},
		},
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	got := FromResult(res, course, "v1.2.3", at)
	want := Record{
		Step: "containers/run", Index: 2, Verdict: "failed", Codes: []string{"not-running", "port-mismatch"},
		Summary: "container lab-web is not running", DurationMS: 1500, Lab: "v1.2.3", Course: "docker", CourseHash: "h1", At: at,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromResult:\n got %+v\nwant %+v", got, want)
	}
	data, _ := json.Marshal(got)
	for _, leak := range []string{"/home/ana", "observed", "docker start"} {
		if strings.Contains(string(data), leak) {
			t.Errorf("the record carries %q: only the failure's first line may leave the machine\n%s", leak, data)
		}
	}
}

func TestScrub(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"container lab-web is not running", "container lab-web is not running"},
		{"cannot reach the Docker engine at unix:///tmp/no.sock (set by DOCKER_HOST): dial unix /tmp/no.sock: connect",
			"cannot reach the Docker engine at <address> (set by DOCKER_HOST): dial unix <path>: connect"},
		{"file /home/ana/lab-workspace/Dockerfile not found", "file <path> not found"},
		{`open "~/lab/compose.yaml": no such file`, `open "<path>": no such file`},
		{"GET http://10.0.0.5:3000/posts answered 500", "GET <address> answered 500"},
		{"dial tcp 192.168.1.20:2376: i/o timeout", "dial tcp <address>: i/o timeout"},
		{"kubeconfig C:\\Users\\ana\\.kube\\config is unreadable", "kubeconfig <path> is unreadable"},
		{"port 8080/tcp is not published; image nginx:1.27 expected", "port 8080/tcp is not published; image nginx:1.27 expected"},
		{"step containers/run failed", "step containers/run failed"},
	} {
		if got := Scrub(tc.in); got != tc.want {
			t.Errorf("Scrub(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestFirstLine(t *testing.T) {
	long := strings.Repeat("é", MaxSummary+10)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"\n\n  one  \ntwo", "one"},
		{long, strings.Repeat("é", MaxSummary-1) + "…"},
	} {
		if got := FirstLine(tc.in); got != tc.want {
			t.Errorf("FirstLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadinessProblems(t *testing.T) {
	full := Readiness{Engine: "28", Compose: "2.3", Kind: "0.29", Kubectl: "1.33", MemoryBytes: 8 << 30}
	small := full
	small.MemoryBytes = 2 << 30
	noKube := full
	noKube.Kind, noKube.Kubectl = "", ""
	unknownMem := full
	unknownMem.MemoryBytes = 0
	for _, tc := range []struct {
		name string
		r    Readiness
		want []string
	}{
		{"ready", full, nil},
		{"small", small, []string{"under 4 GiB memory (lessons 6–7)"}},
		{"no kube tools", noKube, []string{"no kind (lessons 6–7)", "no kubectl (lessons 6–7)"}},
		{"memory unknown", unknownMem, nil},
		{"nothing", Readiness{}, []string{"no Docker engine", "no Compose v2", "no kind (lessons 6–7)", "no kubectl (lessons 6–7)"}},
	} {
		if got := tc.r.Problems(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFlushKeepsOrderAndSetsRefusedAside: records go in queue order; one
// the server refuses for good is moved aside, one it cannot take now
// stops the flush with the rest still queued.
func TestFlushKeepsOrderAndSetsRefusedAside(t *testing.T) {
	var got []string
	var busy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec Record
		json.NewDecoder(r.Body).Decode(&rec)
		switch {
		case busy.Load():
			w.WriteHeader(http.StatusTooManyRequests)
			json.NewEncoder(w).Encode(ErrorResponse{Error: "slow down"})
		case rec.Step == "bad/step":
			w.WriteHeader(http.StatusBadRequest)
		default:
			got = append(got, rec.Step)
			w.WriteHeader(http.StatusCreated)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := Save(dir, &Membership{Server: srv.URL, Class: "c1", Token: "t"}); err != nil {
		t.Fatal(err)
	}
	steps := []string{"a/one", "bad/step", "a/two", "a/three"}
	for i, s := range steps {
		if err := Enqueue(dir, Record{Seq: int64(10 - i), Step: s}); err != nil { // queued out of time order on purpose
			t.Fatal(err)
		}
	}
	sent, err := Flush(context.Background(), dir)
	if err != nil || sent != 3 {
		t.Fatalf("Flush: sent %d, %v; want 3, nil", sent, err)
	}
	if want := []string{"a/three", "a/two", "a/one"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sent %v, want %v (by seq)", got, want)
	}
	if n := Pending(dir); n != 0 {
		t.Errorf("%d still queued; the refused one should be set aside", n)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, QueueDir, ".*.refused"))
	if len(aside) != 1 {
		t.Errorf("set aside %v, want one file", aside)
	}

	busy.Store(true)
	Enqueue(dir, Record{Step: "a/four"})
	_, err = Flush(context.Background(), dir)
	var fe *FlushError
	if !errors.As(err, &fe) || fe.Status != http.StatusTooManyRequests || !strings.Contains(fe.Msg, "slow down") {
		t.Errorf("Flush to a busy server: %v, want a FlushError with 429 and the server's message", err)
	}
	if Pending(dir) != 1 {
		t.Errorf("the record the server could not take should stay queued")
	}
}

func TestReportIsSilentOutsideAClass(t *testing.T) {
	dir := t.TempDir()
	if r := Report(dir, Record{Step: "a/b"}); r != nil {
		t.Fatal("Report queued results for a learner in no class")
	}
	if _, err := os.Stat(filepath.Join(dir, QueueDir)); !os.IsNotExist(err) {
		t.Errorf("a queue was made outside a class: %v", err)
	}
	var none *Reporter
	if err := none.Wait(time.Second); err != nil {
		t.Errorf("Wait on no reporter: %v", err)
	}
}

func TestReportNeverWaitsLongerThanAsked(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	Save(dir, &Membership{Server: srv.URL, Class: "c1", Token: "t"})
	start := time.Now()
	err := Report(dir, Record{Step: "a/b"}).Wait(200 * time.Millisecond)
	if took := time.Since(start); took > time.Second {
		t.Errorf("Wait took %v with a hung server, want about 200ms", took)
	}
	if err == nil || Pending(dir) != 1 {
		t.Errorf("with a hung server: err %v, %d queued; want a note and the result still queued", err, Pending(dir))
	}
}

func TestLoadDamagedMembership(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); !errors.Is(err, ErrNotJoined) {
		t.Errorf("Load with no file: %v, want ErrNotJoined", err)
	}
	os.WriteFile(filepath.Join(dir, MembershipFile), []byte("{"), 0o600)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "run `lab leave`") {
		t.Errorf("Load of a damaged file: %v, want a hint to leave and join again", err)
	}
}

// TestStaysLight: the learner's side of a class runs inside every lab next;
// it must not pull in the checks, the engine or the server's databases.
func TestStaysLight(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, heavy := range []string{
			"github.com/moby/", "github.com/docker/", "k8s.io/", "sigs.k8s.io/", "github.com/cucumber/godog",
			"github.com/lab-workshop/lab/features", "github.com/lab-workshop/lab/sandbox",
			"github.com/lab-workshop/lab/internal/class", "modernc.org/", "github.com/jackc/",
		} {
			if strings.HasPrefix(dep, heavy) && dep != "github.com/lab-workshop/lab/internal/class/learner" {
				t.Errorf("the learner package depends on %s", dep)
			}
		}
	}
}
