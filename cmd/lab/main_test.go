package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/internal/startenv"
)

// TestMain runs lab's own main when LAB_TEST_MAIN is set, so a test can
// start the whole program, package initialisation included, as a learner's
// shell does. The tests themselves run with PATH and the collector as
// main would have them.
func TestMain(m *testing.M) {
	if os.Getenv("LAB_TEST_MAIN") == "1" {
		os.Args = append([]string{"lab"}, os.Args[1:]...)
		main()
	}
	startenv.Restore()
	os.Exit(m.Run())
}

// TestStartRunsNoGoButKeepsPath starts lab with stand-in tools on PATH that
// log their calls. Start-up must not run go (godog's package init would run
// `go env GOTOOLDIR`), and lab doctor must still find docker, kind and
// kubectl on PATH, so PATH is back once main runs.
func TestStartRunsNoGoButKeepsPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in tools are shell scripts")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	for _, tool := range []string{"go", "docker", "kind", "kubectl"} {
		script := "#!/bin/sh\necho \"" + tool + " $*\" >> \"$CALLS\"\necho v1.0.0\n"
		if err := os.WriteFile(filepath.Join(dir, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "doctor")
	cmd.Env = append(os.Environ(), "LAB_TEST_MAIN=1", "CALLS="+log, "PATH="+dir,
		"DOCKER_HOST=unix://"+filepath.Join(dir, "no-engine.sock"), "HOME="+dir)
	out, _ := cmd.CombinedOutput() // doctor fails without an engine; the calls are what counts
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("lab doctor ran none of the tools on PATH (%v); PATH was not given back:\n%s", err, out)
	}
	calls := string(data)
	if strings.Contains(calls, "go ") {
		t.Errorf("starting lab ran go:\n%s", calls)
	}
	for _, want := range []string{"docker version", "kind version", "kubectl version"} {
		if !strings.Contains(calls, want) {
			t.Errorf("lab doctor did not run %q from PATH; calls:\n%s\noutput:\n%s", want, calls, out)
		}
	}
}
