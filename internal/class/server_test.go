package class_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/class/learner"
)

// classServer is one run of the server on loopback over a store.
type classServer struct {
	store *class.Store
	base  string
	stop  func()
}

// serve starts the server on addr ("127.0.0.1:0" for any port).
func serve(t *testing.T, store *class.Store, addr string, opts class.Options) *classServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- class.NewServer(store, opts).Serve(ctx, ln) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(stop)
	return &classServer{store: store, base: "http://" + ln.Addr().String(), stop: stop}
}

func openStore(t *testing.T, dsn string) *class.Store {
	t.Helper()
	st, err := class.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var hc = &http.Client{Timeout: 5 * time.Second}

// member joins name to the class with code, in its own LAB_HOME.
func member(t *testing.T, base, code, name string, r learner.Readiness) string {
	t.Helper()
	dir := t.TempDir()
	m, err := learner.Join(context.Background(), base, code, name, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := learner.Save(dir, m); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, learner.MembershipFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600: it holds the learner's token", learner.MembershipFile, fi.Mode().Perm())
	}
	return dir
}

var seq int64 = 1

// rec is a result the way lab would queue it.
func rec(step string, index int, verdict string, codes ...string) learner.Record {
	seq++
	r := learner.Record{
		Seq: seq, Step: step, Index: index, Verdict: verdict, Codes: codes,
		DurationMS: 120, Lab: "test", Course: "mini", CourseHash: "abc123",
		At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Minute),
	}
	if verdict == "failed" {
		r.Summary = "the container is not running"
	}
	return r
}

// send queues records in dir and flushes them, as lab next does.
func send(t *testing.T, dir string, recs ...learner.Record) {
	t.Helper()
	if err := learner.Enqueue(dir, recs...); err != nil {
		t.Fatal(err)
	}
	if _, err := learner.Flush(context.Background(), dir); err != nil {
		t.Fatalf("flush: %v", err)
	}
	if n := learner.Pending(dir); n != 0 {
		t.Fatalf("%d record(s) still queued after a flush to a running server", n)
	}
}

var ready = learner.Readiness{Engine: "28.2.2", Compose: "2.36.0", Kind: "0.29.0", Kubectl: "1.33.1", MemoryBytes: 8 << 30}

// exercise drives a whole class against the store at dsn: three learners
// join and post passes and failures, an offline learner's queue arrives
// once the server is back with no duplicates, and every kind of bad post
// is refused with its status.
func exercise(t *testing.T, dsn string) {
	store := openStore(t, dsn)
	ctx := context.Background()
	c, created, err := store.CreateClass(ctx, "Docker 101")
	if err != nil || !created {
		t.Fatalf("CreateClass: %v, created %v", err, created)
	}
	if again, created, _ := store.CreateClass(ctx, "Docker 101"); created || again.Code != c.Code {
		t.Errorf("creating a class twice gave a new one (%v), want the same class back", again)
	}
	other, _, err := store.CreateClass(ctx, "Other class")
	if err != nil {
		t.Fatal(err)
	}
	opts := class.Options{Rate: 0.01, Burst: 20, Stuck: class.Stuck{Failures: 3, After: time.Hour},
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}
	srv := serve(t, store, "127.0.0.1:0", opts)

	ana := member(t, srv.base, strings.ToLower(c.Code), "Ana", ready)
	small := ready
	small.Kind, small.MemoryBytes = "", 2<<30
	bo := member(t, srv.base, c.Code, "Bo", small)
	cy := member(t, srv.base, c.Code, "Cy", ready)
	if _, err := learner.Join(ctx, srv.base, "NOPE99", "Dee", ready); err == nil || !strings.Contains(err.Error(), "no class has the join code") {
		t.Errorf("joining with a wrong code: %v, want a refusal naming the code", err)
	}

	send(t, ana, rec("mini/tools", 1, "passed"), rec("mini/run", 2, "failed", "not-running"))
	send(t, ana, rec("mini/run", 2, "passed"))
	send(t, bo, rec("mini/tools", 1, "failed", "cli-missing"))
	send(t, bo, rec("mini/tools", 1, "failed", "cli-missing"), rec("mini/tools", 1, "failed", "cli-missing"))
	send(t, cy, rec("mini/tools", 1, "passed"), rec("mini/run", 2, "failed"))

	// Cy goes offline: the server stops, results wait on disk.
	addr := strings.TrimPrefix(srv.base, "http://")
	srv.stop()
	offline := []learner.Record{rec("mini/run", 2, "failed", "port-mismatch"), rec("mini/run", 2, "passed")}
	if err := learner.Enqueue(cy, offline...); err != nil {
		t.Fatal(err)
	}
	_, err = learner.Flush(ctx, cy)
	var fe *learner.FlushError
	if !errors.As(err, &fe) || fe.Status != 0 {
		t.Fatalf("flush to a stopped server: %v, want a FlushError with no status", err)
	}
	if n := learner.Pending(cy); n != 2 {
		t.Fatalf("%d queued after a failed flush, want 2", n)
	}
	// A copy of a queued record, as if a flush had reached the server but
	// died before removing it: sent twice, stored once.
	dup := offline[0]
	dupKey := "dup-" + learner.NewKey()
	dup.Key = dupKey
	if err := learner.Enqueue(cy, dup); err != nil {
		t.Fatal(err)
	}
	srv = serve(t, store, addr, opts)
	send(t, cy)
	dup.Seq++
	send(t, cy, dup)

	rs, err := store.Results(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 11 {
		t.Errorf("store holds %d results, want 11 (each sent once, the duplicate stored once)", len(rs))
	}
	keys := map[string]int{}
	for _, r := range rs {
		keys[r.Record.Key]++
	}
	for k, n := range keys {
		if n > 1 {
			t.Errorf("key %s stored %d times", k, n)
		}
	}

	// The grid.
	want := strings.Join([]string{
		"learner,mini/tools,mini/run,current,readiness",
		"Ana,passed,passed,,ready",
		"Bo,\"stuck, failed ×3\",,mini/tools,no kind (lessons 6–7); under 4 GiB memory (lessons 6–7)",
		"Cy,passed,passed,,ready",
		"most common failure,cli-missing (3),port-mismatch (2)",
		"",
	}, "\n")
	if got := exportCSV(t, srv.base, c.ID); got != want {
		t.Errorf("export.csv:\n%s\nwant:\n%s", got, want)
	}

	// The instructor checks two learners themselves (lab class verify):
	// their verdicts win over the learners' reports, and the page marks them.
	verify := func(name, step string, index int, verdict string, codes ...string) {
		t.Helper()
		l, err := store.LearnerNamed(ctx, c.ID, name)
		if err != nil {
			t.Fatalf("LearnerNamed(%q): %v", name, err)
		}
		if err := store.AddVerified(ctx, l, rec(step, index, verdict, codes...), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	verify("bo", "mini/tools", 1, "passed") // names match without regard to case
	verify("Cy", "mini/run", 2, "failed", "not-ready")
	for _, miss := range []struct{ class, name string }{{c.ID, "Zed"}, {other.ID, "Ana"}} {
		if l, err := store.LearnerNamed(ctx, miss.class, miss.name); !errors.Is(err, class.ErrNotFound) {
			t.Errorf("LearnerNamed(%q) in class %s: %v, %v; want ErrNotFound", miss.name, miss.class, l, err)
		}
	}
	want = strings.Join([]string{
		"learner,mini/tools,mini/run,current,readiness",
		"Ana,passed,passed,,ready",
		"Bo,\"passed, verified\",,,no kind (lessons 6–7); under 4 GiB memory (lessons 6–7)",
		"Cy,passed,\"failed, verified\",,ready",
		"most common failure,cli-missing (3),port-mismatch (2)",
		"",
	}, "\n")
	if got := exportCSV(t, srv.base, c.ID); got != want {
		t.Errorf("export.csv after lab class verify:\n%s\nwant:\n%s", got, want)
	}
	body := get(t, srv.base+"/classes/"+c.ID)
	for _, want := range []string{
		`<p id="legend">Results are self-reported by each learner's lab, except cells marked <span class="mark">✔</span>: those are verified by the instructor`,
		`<tr data-learner="Ana"><th>Ana</th><td class="passed" data-state="passed" title="self-reported, 1 attempt(s)`,
		`<tr data-learner="Bo"><th>Bo</th><td class="passed verified" data-state="passed" data-verified="yes" title="verified by the instructor: passed"><span class="mark">✔</span> passed</td>`,
		`<td class="failed verified" data-state="failed" data-verified="yes" title="verified by the instructor: failed; last failure: not-ready"><span class="mark">✔</span> failed</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}

	// Refusals, each with its status and a message.
	anaM, _ := learner.Load(ana)
	goodRec := rec("mini/tools", 1, "passed")
	goodRec.Key = learner.NewKey()
	good, _ := json.Marshal(goodRec)
	refusals := []struct {
		name   string
		class  string
		token  string
		body   []byte
		status int
		msg    string
	}{
		{"no token", c.ID, "", good, 401, "no learner token"},
		{"unknown token", c.ID, "not-a-token", good, 401, "unknown learner token"},
		{"other class", other.ID, anaM.Token, good, 403, "another class"},
		{"oversized", c.ID, anaM.Token, bytes.Repeat([]byte(" "), learner.MaxPostBytes+1), 413, "larger than"},
		{"not JSON", c.ID, anaM.Token, []byte(`{"key":`), 400, "not a JSON result"},
		{"bad verdict", c.ID, anaM.Token, []byte(`{"key":"abcdefgh1234","seq":1,"step":"a/b","verdict":"great","at":"2026-12-01T09:00:00Z"}`), 400, "verdict must be one of"},
		{"two lines", c.ID, anaM.Token, []byte(`{"key":"abcdefgh1234","seq":1,"step":"a/b","verdict":"failed","summary":"a\nb","at":"2026-12-01T09:00:00Z"}`), 400, "summary must be one line"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			status, msg := postRaw(t, srv.base, r.class, r.token, r.body)
			if status != r.status || !strings.Contains(msg, r.msg) {
				t.Errorf("got %d %q, want %d with %q", status, msg, r.status, r.msg)
			}
		})
	}

	// A flood from one token is cut off; other learners still get through.
	floodM, _ := learner.Load(bo)
	limited := 0
	for i := 0; i < 30; i++ {
		body, _ := json.Marshal(rec("mini/tools", 1, "failed", "cli-missing"))
		status, msg := postRaw(t, srv.base, c.ID, floodM.Token, body)
		if status == http.StatusTooManyRequests {
			limited++
			if !strings.Contains(msg, "too many results") {
				t.Errorf("429 says %q", msg)
			}
		}
	}
	if limited == 0 {
		t.Error("30 posts at once from one token were all accepted, want 429 once past the burst")
	}
	status, _ := postRaw(t, srv.base, c.ID, anaM.Token, good)
	if status != http.StatusCreated {
		t.Errorf("another learner's post during a flood got %d, want 201", status)
	}
}

// get is the body of a page of the server.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// exportCSV is the class's CSV export with plain line ends.
func exportCSV(t *testing.T, base, classID string) string {
	t.Helper()
	return strings.ReplaceAll(get(t, base+"/classes/"+classID+"/export.csv"), "\r\n", "\n")
}

func postRaw(t *testing.T, base, classID, token string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/classes/"+classID+"/results", bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e learner.ErrorResponse
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Error
}

func TestIntegrationClassSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole class; skipped with -short")
	}
	exercise(t, filepath.Join(t.TempDir(), "class.db"))
}

// The PostgreSQL store starts as one made before results had a verified
// column: opening it adds the column, and the class runs on it.
func TestIntegrationClassPostgres(t *testing.T) {
	dsn := startPostgres(t)
	oldStore(t, dsn)
	exercise(t, dsn)
}

// An SQLite store made before results had a verified column keeps its
// results, marked self-reported, and takes verified ones once opened.
func TestOpenAddsTheVerifiedColumn(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "class.db")
	db := oldStore(t, dsn)
	for _, q := range []string{
		`INSERT INTO classes VALUES ('c1', 'Old class', 'ABCDEF', 1)`,
		`INSERT INTO learners VALUES ('l1', 'c1', 'Ana', 'hash', '{}', 2)`,
		`INSERT INTO results VALUES ('l1', 'key-one-1', 'c1', 1, 'mini/tools', 1, 'passed', '', '', 5, 'lab', 'mini', 'h', 3, 4)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	ctx := context.Background()
	for range 2 { // and a second time, with the column there
		store, err := class.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		store.Close()
	}
	store := openStore(t, dsn)
	l, err := store.LearnerNamed(ctx, "c1", "Ana")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddVerified(ctx, l, rec("mini/run", 2, "failed", "not-running"), time.Now()); err != nil {
		t.Fatal(err)
	}
	rs, err := store.Results(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Verified || rs[0].Record.Step != "mini/tools" || !rs[1].Verified || rs[1].Record.Step != "mini/run" {
		t.Errorf("results %+v, want the old one self-reported and the new one verified", rs)
	}
}

// oldStore makes the class store's tables as they were before results had
// a verified column, and returns the database.
func oldStore(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if class.IsPostgres(dsn) {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`CREATE TABLE classes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, code TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)`,
		`CREATE TABLE learners (id TEXT PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id), name TEXT NOT NULL,
			token_hash TEXT NOT NULL UNIQUE, readiness TEXT NOT NULL, joined_at BIGINT NOT NULL)`,
		`CREATE TABLE results (learner_id TEXT NOT NULL REFERENCES learners(id), idem_key TEXT NOT NULL,
			class_id TEXT NOT NULL REFERENCES classes(id), seq BIGINT NOT NULL, step TEXT NOT NULL, step_index INTEGER NOT NULL,
			verdict TEXT NOT NULL, codes TEXT NOT NULL, summary TEXT NOT NULL, duration_ms BIGINT NOT NULL, lab TEXT NOT NULL,
			course TEXT NOT NULL, course_hash TEXT NOT NULL, at BIGINT NOT NULL, received_at BIGINT NOT NULL,
			PRIMARY KEY (learner_id, idem_key))`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("making the old tables: %v", err)
		}
	}
	return db
}

// startPostgres runs a throwaway PostgreSQL server in a temporary folder
// on loopback and returns its URL; it skips when PostgreSQL is not
// installed, unless LAB_REQUIRE_POSTGRES is set.
func startPostgres(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a PostgreSQL server; skipped with -short")
	}
	bin := ""
	for _, dir := range []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"} {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			bin = dir
			break
		}
	}
	if bin == "" {
		if p, err := exec.LookPath("initdb"); err == nil {
			bin = filepath.Dir(p)
		}
	}
	if bin == "" {
		if os.Getenv("LAB_REQUIRE_POSTGRES") != "" {
			t.Fatal("LAB_REQUIRE_POSTGRES is set but initdb is not installed (apt-get install -y postgresql)")
		}
		t.Skip("PostgreSQL is not installed (apt-get install -y postgresql); skipping the PostgreSQL store")
	}
	// PostgreSQL refuses to run as root: run it as the postgres user then.
	var runAs []string
	if os.Geteuid() == 0 {
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	dir, err := os.MkdirTemp("", "lab-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if runAs != nil {
		if err := exec.Command("chown", "-R", "postgres", dir).Run(); err != nil {
			t.Fatalf("chown %s: %v", dir, err)
		}
	}
	run := func(name string, args ...string) {
		t.Helper()
		argv := append(append(runAs, filepath.Join(bin, name)), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "lab", "--auth=trust", "--no-sync", "-E", "UTF8")
	run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir), "start")
	t.Cleanup(func() { run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop") })
	return "postgres://lab@127.0.0.1:" + port + "/postgres?sslmode=disable"
}

// readEvent reads one server-sent event's data.
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if line == "" && data != nil {
			return strings.Join(data, "\n")
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			data = append(data, d)
		}
	}
}

// TestEventsUpdateWithoutReload reads the page's event stream: a result
// posted after the page opened arrives on the stream as a new grid.
func TestEventsUpdateWithoutReload(t *testing.T) {
	store := openStore(t, filepath.Join(t.TempDir(), "class.db"))
	c, _, err := store.CreateClass(context.Background(), "Live")
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, store, "127.0.0.1:0", class.Options{})
	ana := member(t, srv.base, c.Code, "Ana", ready)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/classes/"+c.ID+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q, want text/event-stream", ct)
	}
	r := bufio.NewReader(resp.Body)
	first := readEvent(t, r)
	if !strings.Contains(first, `data-learner="Ana"`) || strings.Contains(first, "mini/tools") {
		t.Fatalf("first event should show Ana with no step yet:\n%s", first)
	}
	send(t, ana, rec("mini/tools", 1, "passed"))
	next := readEvent(t, r)
	if !strings.Contains(next, `data-step="mini/tools"`) || !strings.Contains(next, `data-state="passed"`) {
		t.Fatalf("the event after a pass should show it:\n%s", next)
	}
}

// TestPageInChromium opens the live page in headless Chromium: the DOM
// holds the grid with each learner's cells, stuck and readiness marked.
func TestPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium; skipped with -short")
	}
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("LAB_REQUIRE_CHROMIUM") != "" {
			t.Fatal("LAB_REQUIRE_CHROMIUM is set but Chromium is not installed (apt-get install -y chromium)")
		}
		t.Skip("Chromium is not installed (apt-get install -y chromium); skipping the browser check of the class page")
	}
	store := openStore(t, filepath.Join(t.TempDir(), "class.db"))
	c, _, err := store.CreateClass(context.Background(), "Browser <b>class</b>")
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, store, "127.0.0.1:0", class.Options{Stuck: class.Stuck{Failures: 2, After: time.Hour},
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }})
	small := ready
	small.Kubectl = ""
	ana := member(t, srv.base, c.Code, "Ana", ready)
	bo := member(t, srv.base, c.Code, "Bo <script>", small)
	send(t, ana, rec("mini/tools", 1, "passed"), rec("mini/run", 2, "failed", "not-running"))
	send(t, bo, rec("mini/tools", 1, "failed", "cli-missing"), rec("mini/tools", 1, "failed", "cli-missing"))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--dump-dom", srv.base+"/classes/"+c.ID)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	dom := out.String()
	for _, want := range []string{
		`<h1>Browser &lt;b&gt;class&lt;/b&gt;</h1>`,
		`<code>lab join ` + srv.base + ` --code ` + c.Code,
		`data-learners="2" data-stuck="1" data-notready="1"`,
		`<th data-step="mini/tools">mini/tools</th><th data-step="mini/run">mini/run</th>`,
		`<tr data-learner="Ana"><th>Ana</th><td class="passed" data-state="passed"`,
		`<td class="current" data-state="current"`,
		`<tr data-learner="Bo &lt;script&gt;"><th>Bo &lt;script&gt;</th><td class="stuck" data-state="stuck"`,
		`<td class="notready" data-ready="no">no kubectl (lessons 6–7)</td>`,
		`data-top="cli-missing"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}
