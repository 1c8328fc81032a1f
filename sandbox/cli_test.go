package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTool writes an executable shell script named name into a new directory
// and returns an environment whose PATH holds only that directory.
func fakeTool(t *testing.T, name, script string) []string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("fake tools are shell scripts")
	}
	dir := t.TempDir()
	if script != "" {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"PATH=" + dir, "HOME=" + dir}
}

func TestCLIVersion(t *testing.T) {
	tests := []struct {
		name    string
		script  string // empty: no docker on PATH
		want    string
		wantErr string
	}{
		{
			name: "format answers",
			script: `case "$*" in
"version --format {{.Client.Version}}") echo 28.2.2 ;;
*) echo "unexpected: $*" >&2; exit 9 ;;
esac`,
			want: "28.2.2",
		},
		{
			name: "engine down still prints the client version",
			script: `case "$*" in
"version --format {{.Client.Version}}") echo 27.5.1; echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;
*) exit 9 ;;
esac`,
			want: "27.5.1",
		},
		{
			name: "format unsupported falls back to --version",
			script: `case "$*" in
"--version") echo "Docker version 20.10.24+dfsg1, build 297e128" ;;
*) echo "unknown flag: --format" >&2; exit 125 ;;
esac`,
			want: "20.10.24+dfsg1",
		},
		{
			name: "format prints a template error, --version answers",
			script: `case "$*" in
"--version") echo "Docker version 28.2.2, build e6534b4" ;;
*) echo "template: :1:9: executing \"\" at <.Client.Version>: nil pointer" ; exit 1 ;;
esac`,
			want: "28.2.2",
		},
		{
			name:    "both fail: the error carries command line and output",
			script:  `echo "segfault in $1" >&2; exit 139`,
			wantErr: "docker --version failed with exit code 139: segfault in --version",
		},
		{
			name:    "a docker that prints no version",
			script:  `echo hello`,
			wantErr: "`docker --version` printed no version",
		},
		{
			name:    "no docker on PATH",
			wantErr: "docker not found on PATH; install Docker: https://docs.docker.com/get-docker/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeTool(t, "docker", tt.script)
			got, err := CLIVersion(context.Background(), env)
			if tt.script == "" && !isNotInstalled(err, "docker") {
				t.Fatalf("got %v, want *NotInstalledError for docker", err)
			}
			wantVersion(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestComposeVersion(t *testing.T) {
	tests := []struct {
		name        string
		script      string
		want        string
		wantErr     string
		wantMissing bool // a *NotInstalledError
	}{
		{
			name: "short answers",
			script: `case "$*" in
"compose version --short") echo 2.29.1 ;;
*) exit 9 ;;
esac`,
			want: "2.29.1",
		},
		{
			name: "short with a v prefix",
			script: `case "$*" in
"compose version --short") echo v2.20.0 ;;
*) exit 9 ;;
esac`,
			want: "2.20.0",
		},
		{
			name: "no --short falls back to the banner",
			script: `case "$*" in
"compose version") echo "Docker Compose version v2.0.1" ;;
*) echo "unknown flag: --short" >&2; exit 1 ;;
esac`,
			want: "2.0.1",
		},
		{
			name: "desktop build suffix is kept",
			script: `case "$*" in
"compose version --short") echo 5.0.1-desktop.1 ;;
*) exit 9 ;;
esac`,
			want: "5.0.1-desktop.1",
		},
		{
			name:    "plugin missing, old CLI",
			script:  `echo "docker: 'compose' is not a docker command." >&2; echo "See 'docker --help'" >&2; exit 1`,
			wantErr: "docker compose is not installed (docker compose version failed with exit code 1: docker: 'compose' is not a docker command.",
		},
		{
			name:    "plugin missing, new CLI",
			script:  `echo "docker: unknown command: docker compose" >&2; exit 1`,
			wantErr: "install the Compose v2 plugin: https://docs.docker.com/compose/install/",
		},
		{
			name:    "compose fails for another reason",
			script:  `echo "permission denied reading plugin" >&2; exit 2`,
			wantErr: "reading the docker compose version: docker compose version failed with exit code 2: permission denied reading plugin",
		},
		{
			name:        "no docker on PATH",
			wantMissing: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeTool(t, "docker", tt.script)
			got, err := ComposeVersion(context.Background(), env)
			if got := isNotInstalled(err, "docker"); got != tt.wantMissing {
				t.Fatalf("got error %v (NotInstalledError %v), want NotInstalledError %v", err, got, tt.wantMissing)
			}
			if tt.wantMissing {
				return
			}
			wantVersion(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"28.2.2", "28.2.2", 0},
		{"20.10.24", "28.2.2", -1},
		{"28.2.2", "20.10.24", 1},
		{"20.10.9", "20.10.24", -1}, // numeric, not lexical
		{"v2.29.1", "2.29.1", 0},
		{"v2.29.1", "2.3.0", 1},
		{"5.0.1-desktop.1", "5.0.1", 0},
		{"5.0.1-desktop.1", "5.0.2", -1},
		{"20.10.24+dfsg1", "20.10.24", 0},
		{"1.41", "1.41.0", 0},
		{"1.40", "1.41", -1},
		{"1.52", "1.41", 1},
		{"28.0.0-rc.1", "27.5.1", 1},
		{"", "1.0", -1},
		{"garbage", "0", 0},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestVersionIn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Docker version 28.2.2, build e6534b4", "28.2.2"},
		{"Docker version 20.10.24+dfsg1, build 297e128", "20.10.24+dfsg1"},
		{"Docker Compose version v2.29.1", "2.29.1"},
		{"Docker Compose version v2.40.3-desktop.1", "2.40.3-desktop.1"},
		{"podman version 4.9.3", "4.9.3"},
		{"no numbers here", ""},
	}
	for _, tt := range tests {
		if got := versionIn(tt.in); got != tt.want {
			t.Errorf("versionIn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNotInstalledErrorNamesTheFix(t *testing.T) {
	tests := []struct{ tool, want string }{
		{"docker", "docker not found on PATH; install Docker: https://docs.docker.com/get-docker/"},
		{"kind", "kind not found on PATH; install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"},
		{"kubectl", "kubectl not found on PATH; install kubectl: https://kubernetes.io/docs/tasks/tools/"},
		{"jq", "jq not found on PATH; install jq and put it on PATH"},
	}
	for _, tt := range tests {
		if got := (&NotInstalledError{Tool: tt.tool}).Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// wantVersion checks a version lookup's answer: the version want, or an
// error containing wantErr when that is set.
func wantVersion(t *testing.T, got string, err error, want, wantErr string) {
	t.Helper()
	switch {
	case wantErr != "":
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got error %v, want one containing %q", err, wantErr)
		}
	case err != nil:
		t.Fatalf("got error %v, want none", err)
	case got != want:
		t.Errorf("got version %q, want %q", got, want)
	}
}
