package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSSHArgs(t *testing.T) {
	tests := []struct {
		host    string
		want    string
		wantErr string
	}{
		{host: "ssh://box", want: "-o ConnectTimeout=30 -T -- box docker system dial-stdio"},
		{host: "ssh://me@box.example:2222", want: "-o ConnectTimeout=30 -T -l me -p 2222 -- box.example docker system dial-stdio"},
		{host: "ssh://me@box/run/user/1000/docker.sock", want: "-o ConnectTimeout=30 -T -l me -- box docker --host unix:///run/user/1000/docker.sock system dial-stdio"},
		{host: "ssh://me:secret@box", wantErr: "holds a password"},
		{host: "ssh://box?x=1", wantErr: "has extra parts"},
		{host: "ssh://", wantErr: "names no host"},
	}
	for _, tt := range tests {
		got, err := sshArgs(tt.host)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("sshArgs(%q): got error %v, want one containing %q", tt.host, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("sshArgs(%q): the error repeats the password: %v", tt.host, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("sshArgs(%q): got error %v", tt.host, err)
			continue
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("sshArgs(%q) = %s, want %s", tt.host, s, tt.want)
		}
	}
}

// TestConnectSSHFailureShowsWhatSSHSaid uses a stand-in ssh that fails as a
// real one does for an unknown host.
func TestConnectSSHFailureShowsWhatSSHSaid(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the ssh stand-in is a shell script")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'ssh: Could not resolve hostname nowhere: Name or service not known' >&2\nexit 255\n"
	if err := os.WriteFile(filepath.Join(dir, "ssh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	_, err := Connect(context.Background(), Endpoint{Context: "default", Host: "ssh://me@nowhere", Source: SourceDockerHost})
	if !IsUnreachable(err) {
		t.Fatalf("got %v, want an unreachable error", err)
	}
	for _, want := range []string{"Could not resolve hostname nowhere", "check that `ssh me@nowhere docker version` works", "docker info"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to contain %q", err, want)
		}
	}
}

func TestConnectSSHWithoutClient(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Connect(context.Background(), Endpoint{Context: "default", Host: "ssh://box", Source: SourceDockerHost})
	if !IsUnreachable(err) || !strings.Contains(err.Error(), "install an OpenSSH client") {
		t.Fatalf("got %v, want an unreachable error saying to install ssh", err)
	}
}
