package progress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment of the helper process that TestUpdateConcurrentProcesses starts
// from this test binary.
const (
	helperDirEnv   = "LAB_PROGRESS_TEST_HELPER_DIR"
	helperCountEnv = "LAB_PROGRESS_TEST_HELPER_COUNT"
)

// concurrentStep is the step every concurrent writer increments.
const concurrentStep = "basics/run"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		os.Exit(helperIncrement(dir, os.Getenv(helperCountEnv)))
	}
	os.Exit(m.Run())
}

// helperIncrement is the body of the helper process: it increments the
// shared step's attempts count times, each in its own Update.
func helperIncrement(dir, count string) int {
	n, err := strconv.Atoi(count)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helper: bad %s %q: %v\n", helperCountEnv, count, err)
		return 2
	}
	if err := increment(Open(dir), n); err != nil {
		fmt.Fprintf(os.Stderr, "helper: %v\n", err)
		return 1
	}
	return 0
}

// increment adds n to the shared step's attempts, one Update at a time.
func increment(s *Store, n int) error {
	for range n {
		if err := s.Update(func(st *State) error {
			st.Course("c").Step(concurrentStep).Attempts++
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// listDir returns the sorted names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func TestLoadMissing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
	}{
		{"directory missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "not", "yet") }},
		{"file missing", func(t *testing.T) string { return t.TempDir() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			st, err := Open(dir).Load()
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if want := (&State{Schema: Schema}); !reflect.DeepEqual(st, want) {
				t.Errorf("got %+v, want %+v", st, want)
			}
			if _, err := os.Stat(filepath.Join(dir, fileName)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("got %v from stat of progress file after Load, want not-exist", err)
			}
		})
	}
}

func TestLoadDoesNotCreateDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	if _, err := Open(dir).Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v from stat of %s after Load, want not-exist", err, dir)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "lab")
	s := Open(dir)
	passedAt := time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)
	want := &State{
		Schema:    Schema,
		Workspace: "/home/ann/lab-workspace",
		Courses: map[string]*CourseState{
			"containers-101": {
				Hash:    "sha256:abc",
				Current: "images/build",
				Steps: map[string]*StepState{
					"basics/run":   {Passed: true, PassedAt: passedAt, Hash: "s1", Attempts: 2, HintsShown: 1},
					"images/build": {Attempts: 1},
					"images/skip":  {Skipped: true},
				},
			},
			"other": {Current: "basics/run"},
		},
	}
	if err := s.Update(func(st *State) error {
		st.Workspace = want.Workspace
		c := st.Course("containers-101")
		c.Hash = "sha256:abc"
		c.Current = "images/build"
		c.Pass("basics/run", "s1", passedAt)
		c.Step("basics/run").Attempts = 2
		c.Step("basics/run").HintsShown = 1
		c.Step("images/build").Attempts++
		c.Step("images/skip").Skipped = true
		st.Course("other").Current = "basics/run"
		return nil
	}); err != nil {
		t.Fatalf("Update: got error %v, want none", err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatalf("Load: got error %v, want none", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	if got, want := s.Path(), filepath.Join(dir, "progress.json"); got != want {
		t.Errorf("got path %q, want %q", got, want)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Mode().Perm(), os.FileMode(0o700); got != want {
		t.Errorf("got directory mode %v, want %v", got, want)
	}
	info, err = os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("got file mode %v, want %v", got, want)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("got invalid JSON on disk: %v", err)
	}
	if got, want := raw["schema"], float64(Schema); got != want {
		t.Errorf("got schema %v on disk, want %v", got, want)
	}
	if bytes.Contains(data, []byte("passed_at\": \"0001")) {
		t.Errorf("got a zero passed_at on disk, want it omitted:\n%s", data)
	}
}

func TestUpdateKeepsSchema(t *testing.T) {
	s := Open(t.TempDir())
	if err := s.Update(func(st *State) error { st.Schema = 0; return nil }); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.Schema != Schema {
		t.Errorf("got schema %d, want %d", st.Schema, Schema)
	}
}

func TestUpdateLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	// A temporary file left behind by a writer that crashed.
	if err := os.WriteFile(filepath.Join(dir, "progress.json.tmp-123"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := Open(dir)
	for i := range 3 {
		if err := s.Update(func(st *State) error { st.Course("c").Current = fmt.Sprint("a/", i); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := listDir(t, dir), []string{"progress.json", "progress.lock"}; !slices.Equal(got, want) {
		t.Errorf("got files %q, want %q", got, want)
	}
}

func TestUpdateFnErrorWritesNothing(t *testing.T) {
	errStop := errors.New("stop")
	tests := []struct {
		name    string
		initial []byte // nil: no file
	}{
		{"no file", nil},
		{"valid file", []byte(`{"schema":2,"courses":{"c":{"current":"a/b"}}}`)},
		{"schema 1 file", []byte(`{"schema":1,"course":"c","current":"a/b"}`)},
		{"damaged file", []byte(`{"schema":1,"cour`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, fileName)
			if tt.initial != nil {
				if err := os.WriteFile(path, tt.initial, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before := listDir(t, dir)
			err := Open(dir).Update(func(st *State) error {
				st.Course("c").Current = "changed/step"
				return errStop
			})
			if err != errStop {
				t.Fatalf("got error %v, want fn's error unchanged", err)
			}
			data, err := os.ReadFile(path)
			switch {
			case tt.initial == nil && !errors.Is(err, os.ErrNotExist):
				t.Errorf("got %v reading progress file, want not-exist", err)
			case tt.initial != nil && !bytes.Equal(data, tt.initial):
				t.Errorf("got content %q, want %q", data, tt.initial)
			}
			after := slices.DeleteFunc(listDir(t, dir), func(n string) bool { return n == lockName })
			if !slices.Equal(after, before) {
				t.Errorf("got files %q, want %q", after, before)
			}
		})
	}
}

func TestDamagedFileIsKeptAside(t *testing.T) {
	files := []struct {
		name      string
		content   string
		wantCause string
	}{
		{"garbage", "\x00\x01not json at all", "invalid character"},
		{"truncated", `{"schema":1,"course":"containers-101","steps":{"a/b":{"pas`, "unexpected end of JSON input"},
		{"empty", "", "unexpected end of JSON input"},
		{"schema missing", `{"course":"containers-101"}`, "no schema version"},
		{"schema zero", `{"schema":0,"course":"containers-101"}`, "schema version 0 is not valid"},
		{"schema not a number", `{"schema":"1"}`, "cannot unmarshal"},
		{"wrong types", `{"schema":1,"steps":{"a/b":{"attempts":"three"}}}`, "cannot unmarshal"},
		{"not an object", `[1,2,3]`, "cannot unmarshal"},
		{"null", `null`, "no schema version"},
		{"trailing garbage", `{"schema":1}}`, "invalid character"},
	}
	ops := []struct {
		name string
		// run returns the state as it is after the operation and its error.
		run func(s *Store) (*State, error)
		// wantFile says whether a new progress file exists afterwards.
		wantFile bool
	}{
		{"Load", func(s *Store) (*State, error) { return s.Load() }, false},
		{"Update", func(s *Store) (*State, error) {
			var seen *State
			err := s.Update(func(st *State) error {
				seen = &State{Schema: st.Schema, Workspace: st.Workspace, Courses: st.Courses}
				st.Workspace = "after"
				return nil
			})
			if seen != nil && (seen.Workspace != "" || seen.Courses != nil || seen.Schema != Schema) {
				return nil, fmt.Errorf("fn got %+v, want a fresh state", seen)
			}
			return seen, err
		}, true},
	}
	found := time.Date(2025, 6, 1, 8, 9, 10, 0, time.FixedZone("X", -5*3600))
	for _, op := range ops {
		for _, f := range files {
			t.Run(op.name+"/"+f.name, func(t *testing.T) {
				dir := t.TempDir()
				s := Open(dir)
				s.now = func() time.Time { return found }
				if err := os.WriteFile(s.Path(), []byte(f.content), 0o600); err != nil {
					t.Fatal(err)
				}

				st, err := op.run(s)
				var rec *RecoveredError
				if !errors.As(err, &rec) {
					t.Fatalf("got error %v, want a *RecoveredError", err)
				}
				if want := (&State{Schema: Schema}); !reflect.DeepEqual(st, want) {
					t.Errorf("got state %+v, want %+v", st, want)
				}
				wantMoved := s.Path() + ".damaged-20250601T130910Z"
				if rec.Path != s.Path() || rec.MovedTo != wantMoved {
					t.Errorf("got Path %q MovedTo %q, want %q and %q", rec.Path, rec.MovedTo, s.Path(), wantMoved)
				}
				if rec.Cause == nil || !strings.Contains(rec.Cause.Error(), f.wantCause) {
					t.Errorf("got cause %v, want one containing %q", rec.Cause, f.wantCause)
				}
				wantMsg := fmt.Sprintf("progress file %s was damaged (%v); kept it as %s and started fresh",
					s.Path(), rec.Cause, wantMoved)
				if rec.Error() != wantMsg {
					t.Errorf("got message %q, want %q", rec.Error(), wantMsg)
				}
				kept, err := os.ReadFile(wantMoved)
				if err != nil {
					t.Fatalf("reading the kept file: %v", err)
				}
				if string(kept) != f.content {
					t.Errorf("got kept content %q, want %q", kept, f.content)
				}

				now, err := s.Load()
				if err != nil {
					t.Fatalf("Load after recovery: got error %v, want none", err)
				}
				_, statErr := os.Stat(s.Path())
				if got := statErr == nil; got != op.wantFile {
					t.Errorf("got progress file existing %v, want %v", got, op.wantFile)
				}
				if op.wantFile && now.Workspace != "after" {
					t.Errorf("got workspace %q after Update, want %q", now.Workspace, "after")
				}
			})
		}
	}
}

func TestDamagedFilesNeverReplaceEachOther(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir)
	found := time.Date(2025, 6, 1, 8, 9, 10, 0, time.UTC)
	s.now = func() time.Time { return found }
	contents := []string{"first", "second", "third"}
	for _, c := range contents {
		if err := os.WriteFile(s.Path(), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		var rec *RecoveredError
		if _, err := s.Load(); !errors.As(err, &rec) {
			t.Fatalf("got error %v, want a *RecoveredError", err)
		}
	}
	base := s.Path() + ".damaged-20250601T080910Z"
	for i, name := range []string{base, base + "-2", base + "-3"} {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != contents[i] {
			t.Errorf("got %q in %s, want %q", got, name, contents[i])
		}
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	content := []byte(`{"schema":3,"course":"c","steps":{"a/b":{"attempts":"a new type"}}}`)
	ops := []struct {
		name string
		run  func(s *Store) error
	}{
		{"Load", func(s *Store) error {
			st, err := s.Load()
			if st != nil {
				t.Errorf("got state %+v, want nil", st)
			}
			return err
		}},
		{"Update", func(s *Store) error {
			return s.Update(func(*State) error {
				t.Errorf("fn called, want it not called")
				return nil
			})
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			dir := t.TempDir()
			s := Open(dir)
			if err := os.WriteFile(s.Path(), content, 0o600); err != nil {
				t.Fatal(err)
			}
			err := op.run(s)
			var newer *NewerSchemaError
			if !errors.As(err, &newer) {
				t.Fatalf("got error %v, want a *NewerSchemaError", err)
			}
			if newer.Schema != 3 || newer.Path != s.Path() {
				t.Errorf("got schema %d path %q, want 3 and %q", newer.Schema, newer.Path, s.Path())
			}
			if !strings.Contains(err.Error(), "upgrade lab") {
				t.Errorf("got message %q, want it to say to upgrade lab", err)
			}
			got, err := os.ReadFile(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, content) {
				t.Errorf("got content %q, want it untouched: %q", got, content)
			}
			for _, n := range listDir(t, dir) {
				if strings.Contains(n, damagedInfix) {
					t.Errorf("got %s, want no damaged file", n)
				}
			}
		})
	}
}

// wantAttempts checks the shared step's final count.
func wantAttempts(t *testing.T, dir string, want int) {
	t.Helper()
	st, err := Open(dir).Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Course("c").Step(concurrentStep).Attempts; got != want {
		t.Errorf("got %d attempts, want %d", got, want)
	}
	if got, want := listDir(t, dir), []string{"progress.json", "progress.lock"}; !slices.Equal(got, want) {
		t.Errorf("got files %q, want %q", got, want)
	}
}

func TestUpdateConcurrentGoroutines(t *testing.T) {
	const writers, each = 8, 25
	dir := filepath.Join(t.TempDir(), "lab")
	shared := Open(dir)

	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	done := make(chan struct{})
	// A reader runs alongside the writers: it must never see an error, a
	// damaged file or a count going backwards.
	var readerWG sync.WaitGroup
	readerWG.Go(func() {
		last := 0
		for {
			select {
			case <-done:
				return
			default:
			}
			st, err := Open(dir).Load()
			if err != nil {
				errs <- fmt.Errorf("reader: %w", err)
				return
			}
			n := st.Course("c").Step(concurrentStep).Attempts
			if n < last {
				errs <- fmt.Errorf("reader: got %d attempts after %d, want no decrease", n, last)
				return
			}
			last = n
		}
	})
	for i := range writers {
		// Half share one Store, half open their own.
		s := shared
		if i%2 == 1 {
			s = Open(dir)
		}
		wg.Go(func() {
			if err := increment(s, each); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(done)
	readerWG.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wantAttempts(t, dir, writers*each)
}

func TestUpdateConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts helper processes")
	}
	const procs, each = 4, 25
	dir := filepath.Join(t.TempDir(), "lab")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*bytes.Buffer, procs)
	for i := range procs {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperCountEnv+"="+strconv.Itoa(each))
		outs[i] = &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting helper %d: %v", i, err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	wantAttempts(t, dir, procs*each)
}
