package features

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lab-workshop/lab/assets"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// requireEngine skips an integration test, saying why, when no engine
// answers — unless LAB_REQUIRE_ENGINE is set (as the test command sets it
// after provisioning one), where a missing engine is a failure.
func requireEngine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	ep, err := sandbox.ResolveEndpoint(os.Getenv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var e *sandbox.Engine
		if e, err = sandbox.Connect(ctx, ep); err == nil {
			e.Close()
			return
		}
	}
	if os.Getenv("LAB_REQUIRE_ENGINE") != "" {
		t.Fatalf("LAB_REQUIRE_ENGINE is set but no Docker engine answers: %v", err)
	}
	t.Skipf("no Docker engine: %v", err)
}

// TestIntegrationSelftest proves lessons against the real engine: every
// step fails unsolved, passes solved, fails for each wrong state with its
// message, and cleanup leaves nothing. (lab selftest, run by the test
// command, proves the whole course; these lessons need nothing but the
// hello-world, nginx and registry images and host ports 8080 and 5000.)
func TestIntegrationSelftest(t *testing.T) {
	for _, lesson := range []string{"docker-setup", "containers"} {
		t.Run(lesson, func(t *testing.T) {
			requireEngine(t)
			proveLesson(t, lesson)
		})
	}
}

func proveLesson(t *testing.T, lesson string) {
	t.Helper()
	course, err := lessons.Load(lessons.Content(), Files())
	if err != nil {
		t.Fatal(err)
	}
	steps, err := course.Select(lesson)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	results, err := Selftest(context.Background(), steps, SelftestOptions{
		Workspace: filepath.Join(dir, "ws"), Scratch: filepath.Join(dir, "scratch"), Starter: assets.FS(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(steps) {
		t.Fatalf("got %d results, want %d", len(results), len(steps))
	}
	for _, r := range results {
		// unsolved, solved, every wrong state, cleanup
		if want := 3 + len(r.Step.Wrong); len(r.Phases) != want {
			t.Errorf("%s: got %d proofs, want %d", r.Step.Key(), len(r.Phases), want)
		}
		for _, p := range r.Phases {
			if !p.OK {
				t.Errorf("%s %s: %s", r.Step.Key(), p.Name, p.Detail)
			}
		}
	}
}
