package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Run needs sh")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "here.txt"), []byte("in dir\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "LAB_TEST_VALUE=from-env")
	tests := []struct {
		name     string
		script   string
		want     string
		wantCode int // -2: no error
		wantErr  string
	}{
		{name: "output", script: "echo hello", want: "hello\n", wantCode: -2},
		{name: "runs in dir", script: "cat here.txt", want: "in dir\n", wantCode: -2},
		{name: "gets env", script: `echo "$LAB_TEST_VALUE"`, want: "from-env\n", wantCode: -2},
		{name: "stdout and stderr combined", script: "echo out; echo err >&2", want: "out\nerr\n", wantCode: -2},
		{
			name:     "exit code and output in the error",
			script:   "echo broken >&2; exit 3",
			want:     "broken\n",
			wantCode: 3,
			wantErr:  `sh -c 'echo broken >&2; exit 3' failed with exit code 3: broken`,
		},
		{
			name:     "silent failure says so",
			script:   "false",
			wantCode: 1,
			wantErr:  "sh -c false failed with exit code 1 and printed nothing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Run(context.Background(), dir, env, tt.script)
			if got != tt.want {
				t.Errorf("got output %q, want %q", got, tt.want)
			}
			if tt.wantCode == -2 {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("got error %v, want a *CommandError", err)
			}
			if ce.ExitCode != tt.wantCode {
				t.Errorf("got exit code %d, want %d", ce.ExitCode, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestRunCancelStopsChildren(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Run needs sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The background sleep keeps the output pipe open; only killing the
	// process group ends it before waitDelay.
	_, err := Run(ctx, "", nil, "sleep 30 & sleep 30")
	if err == nil {
		t.Fatal("got no error, want the cancellation")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got error %v, want it to wrap context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Run took %s after cancellation, want it to stop at once", d)
	}
}

func TestLookPathInUsesTheGivenPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("executable bits")
	}
	first, second := t.TempDir(), t.TempDir()
	for _, d := range []string{first, second} {
		if err := os.WriteFile(filepath.Join(d, "tool"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(first, "plain"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, tool, path, want string
		wantErr                bool
	}{
		{name: "first on PATH wins", tool: "tool", path: first + ":" + second, want: filepath.Join(first, "tool")},
		{name: "order matters", tool: "tool", path: second + ":" + first, want: filepath.Join(second, "tool")},
		{name: "not executable is skipped", tool: "plain", path: first, wantErr: true},
		{name: "relative entries are ignored", tool: "tool", path: ".:relative", wantErr: true},
		{name: "absent", tool: "nothing-here", path: first, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lookPathIn(tt.tool, []string{"PATH=/ignored", "PATH=" + tt.path})
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQuoteArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"docker", "version"}, "docker version"},
		{[]string{"docker", "version", "--format", "{{.Client.Version}}"}, "docker version --format '{{.Client.Version}}'"},
		{[]string{"sh", "-c", "it's"}, `sh -c 'it'\''s'`},
		{[]string{"echo", ""}, "echo ''"},
	}
	for _, tt := range tests {
		if got := quoteArgs(tt.args); got != tt.want {
			t.Errorf("quoteArgs(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}
