package app_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/lab-workshop/lab/cmd/lab/app"
	"github.com/lab-workshop/lab/sandbox"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"lab": func() { os.Exit(app.Main()) },
	})
}

// TestScripts runs the CLI behaviour scripts in testdata/script. Scripts
// that need a Docker engine carry the [engine] condition.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			work := env.WorkDir
			env.Setenv("HOME", filepath.Join(work, "home"))
			env.Setenv("LAB_HOME", filepath.Join(work, "state"))
			env.Setenv("LAB_WORKSPACE", filepath.Join(work, "ws"))
			env.Setenv("NO_COLOR", "1")
			for _, k := range []string{"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "XDG_STATE_HOME", "LAB_LESSONS"} {
				if v := os.Getenv(k); v != "" && (k == "DOCKER_HOST" || k == "DOCKER_CONTEXT" || k == "DOCKER_CONFIG") {
					env.Setenv(k, v)
				} else {
					env.Setenv(k, "")
				}
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "engine":
				up := engineUp()
				if !up && os.Getenv("LAB_REQUIRE_ENGINE") != "" {
					return false, errors.New("LAB_REQUIRE_ENGINE is set but no Docker engine answers")
				}
				return up, nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":      exitcode,
			"fakeengine":    fakeengine,
			"engineproxy":   engineproxy,
			"fakeengineapi": fakeEngineCmd,
			"fakekube":      fakeKubeCmd,
			"classstore":    classStoreCmd,
		},
	})
}

// exitcode runs a command and asserts its exit status: exitcode N cmd args...
func exitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: running %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// requireEngine skips an integration test where no engine answers, or
// fails it when LAB_REQUIRE_ENGINE says one must.
func requireEngine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	if !engineUp() {
		if os.Getenv("LAB_REQUIRE_ENGINE") != "" {
			t.Fatal("LAB_REQUIRE_ENGINE is set but no Docker engine answers")
		}
		t.Skip("no Docker engine answers")
	}
}

func engineUp() bool {
	ep, err := sandbox.ResolveEndpoint(os.Getenv)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := sandbox.Connect(ctx, ep)
	if err != nil {
		return false
	}
	e.Close()
	return true
}
