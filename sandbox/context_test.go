package sandbox

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeContext stores a context the way `docker context create` does.
func writeContext(t *testing.T, configDir, name, meta string, tlsFiles ...string) {
	t.Helper()
	id := contextID(name)
	dir := filepath.Join(configDir, "contexts", "meta", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	if len(tlsFiles) > 0 {
		tdir := filepath.Join(configDir, "contexts", "tls", id, "docker")
		if err := os.MkdirAll(tdir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range tlsFiles {
			if err := os.WriteFile(filepath.Join(tdir, f), []byte("pem"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestContextIDIsSHA256OfName(t *testing.T) {
	// The docker CLI stores "desktop-linux" under this directory name.
	got := contextID("desktop-linux")
	want := "fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e"
	if got != want {
		t.Errorf("contextID(desktop-linux) = %s, want %s", got, want)
	}
}

func TestResolveEndpoint(t *testing.T) {
	defaultSock := defaultHost(runtime.GOOS)
	colimaMeta := `{"Name":"colima","Metadata":{"Description":"colima"},"Endpoints":{"docker":{"Host":"unix:///home/u/.colima/default/docker.sock","SkipTLSVerify":false}}}`
	remoteMeta := `{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":false}}}`
	insecureMeta := `{"Name":"insecure","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.0.0.6:2376","SkipTLSVerify":true}}}`
	sshMeta := `{"Name":"box","Metadata":{},"Endpoints":{"docker":{"Host":"ssh://me@box.example"}}}`

	tests := []struct {
		name    string
		env     map[string]string // DOCKER_CONFIG is set to the temp dir
		setup   func(t *testing.T, dir string)
		want    Endpoint
		wantTLS *TLSFiles // file names relative to the temp dir
		wantErr string
	}{
		{
			name: "nothing set gives the default socket",
			want: Endpoint{Context: "default", Host: defaultSock, Source: SourceDefault},
		},
		{
			name: "DOCKER_HOST wins over DOCKER_CONTEXT and config",
			env:  map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2375", "DOCKER_CONTEXT": "colima"},
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"currentContext":"colima"}`)
				writeContext(t, dir, "colima", colimaMeta)
			},
			want: Endpoint{Context: "default", Host: "tcp://127.0.0.1:2375", Source: SourceDockerHost},
		},
		{
			name: "DOCKER_HOST without scheme or port is tcp on 2375",
			env:  map[string]string{"DOCKER_HOST": "10.1.2.3"},
			want: Endpoint{Context: "default", Host: "tcp://10.1.2.3:2375", Source: SourceDockerHost},
		},
		{
			name: "DOCKER_HOST unix:// alone is the default socket path",
			env:  map[string]string{"DOCKER_HOST": "unix://"},
			want: Endpoint{Context: "default", Host: "unix:///var/run/docker.sock", Source: SourceDockerHost},
		},
		{
			name: "DOCKER_HOST ssh is kept as given",
			env:  map[string]string{"DOCKER_HOST": "ssh://me@box:2222"},
			want: Endpoint{Context: "default", Host: "ssh://me@box:2222", Source: SourceDockerHost},
		},
		{
			name:    "DOCKER_HOST with an unknown scheme",
			env:     map[string]string{"DOCKER_HOST": "http://box:2375"},
			wantErr: `reading DOCKER_HOST: address "http://box:2375" has an unsupported scheme "http"`,
		},
		{
			name: "DOCKER_TLS_VERIFY uses certificates from DOCKER_CERT_PATH and port 2376",
			env:  map[string]string{"DOCKER_HOST": "tcp://box", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "{dir}/certs"},
			setup: func(t *testing.T, dir string) {
				for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
					writeFile(t, filepath.Join(dir, "certs", f), "pem")
				}
			},
			want:    Endpoint{Context: "default", Host: "tcp://box:2376", Source: SourceDockerHost},
			wantTLS: &TLSFiles{CAFile: "certs/ca.pem", CertFile: "certs/cert.pem", KeyFile: "certs/key.pem"},
		},
		{
			name: "DOCKER_TLS without verify skips verification and reads the config dir",
			env:  map[string]string{"DOCKER_HOST": "tcp://box:2376", "DOCKER_TLS": "1"},
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "ca.pem"), "pem")
			},
			want:    Endpoint{Context: "default", Host: "tcp://box:2376", Source: SourceDockerHost, SkipTLSVerify: true},
			wantTLS: &TLSFiles{CAFile: "ca.pem"},
		},
		{
			name: "DOCKER_CONTEXT names a context in the store",
			env:  map[string]string{"DOCKER_CONTEXT": "colima"},
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"currentContext":"other"}`)
				writeContext(t, dir, "colima", colimaMeta)
			},
			want: Endpoint{Context: "colima", Host: "unix:///home/u/.colima/default/docker.sock", Source: SourceDockerContext},
		},
		{
			name: "DOCKER_CONTEXT=default is the default socket",
			env:  map[string]string{"DOCKER_CONTEXT": "default"},
			want: Endpoint{Context: "default", Host: defaultSock, Source: SourceDockerContext},
		},
		{
			name:    "DOCKER_CONTEXT names a missing context",
			env:     map[string]string{"DOCKER_CONTEXT": "x"},
			wantErr: `docker context "x" not found (set by DOCKER_CONTEXT); list contexts with: docker context ls`,
		},
		{
			name: "currentContext in config.json",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"auths":{},"currentContext":"colima"}`)
				writeContext(t, dir, "colima", colimaMeta)
			},
			want: Endpoint{Context: "colima", Host: "unix:///home/u/.colima/default/docker.sock", Source: SourceConfigFile},
		},
		{
			name: "currentContext default in config.json",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"currentContext":"default"}`)
			},
			want: Endpoint{Context: "default", Host: defaultSock, Source: SourceConfigFile},
		},
		{
			name: "config.json without currentContext",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"auths":{"https://index.docker.io/v1/":{}}}`)
			},
			want: Endpoint{Context: "default", Host: defaultSock, Source: SourceDefault},
		},
		{
			name: "empty config.json is no config",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), "")
			},
			want: Endpoint{Context: "default", Host: defaultSock, Source: SourceDefault},
		},
		{
			name: "damaged config.json is named",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"currentContext": `)
			},
			wantErr: "reading docker config {dir}/config.json: the file is damaged",
		},
		{
			name: "currentContext names a missing context",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "config.json"), `{"currentContext":"gone"}`)
			},
			wantErr: `docker context "gone" not found (set by currentContext in {dir}/config.json); list contexts with: docker context ls`,
		},
		{
			name: "damaged meta.json is named",
			env:  map[string]string{"DOCKER_CONTEXT": "bad"},
			setup: func(t *testing.T, dir string) {
				writeContext(t, dir, "bad", `{"Name":`)
			},
			wantErr: `reading docker context "bad" from {dir}/contexts/meta/` + contextID("bad") + `/meta.json: the file is damaged`,
		},
		{
			name: "context without a docker endpoint",
			env:  map[string]string{"DOCKER_CONTEXT": "k8s"},
			setup: func(t *testing.T, dir string) {
				writeContext(t, dir, "k8s", `{"Name":"k8s","Endpoints":{"kubernetes":{}}}`)
			},
			wantErr: `docker context "k8s" has no docker endpoint`,
		},
		{
			name: "tcp context with TLS material",
			env:  map[string]string{"DOCKER_CONTEXT": "remote"},
			setup: func(t *testing.T, dir string) {
				writeContext(t, dir, "remote", remoteMeta, "ca.pem", "cert.pem", "key.pem")
			},
			want: Endpoint{Context: "remote", Host: "tcp://10.0.0.5:2376", Source: SourceDockerContext},
			wantTLS: &TLSFiles{
				CAFile:   "contexts/tls/" + contextID("remote") + "/docker/ca.pem",
				CertFile: "contexts/tls/" + contextID("remote") + "/docker/cert.pem",
				KeyFile:  "contexts/tls/" + contextID("remote") + "/docker/key.pem",
			},
		},
		{
			name: "tcp context with SkipTLSVerify and no files",
			env:  map[string]string{"DOCKER_CONTEXT": "insecure"},
			setup: func(t *testing.T, dir string) {
				writeContext(t, dir, "insecure", insecureMeta)
			},
			want:    Endpoint{Context: "insecure", Host: "tcp://10.0.0.6:2376", Source: SourceDockerContext, SkipTLSVerify: true},
			wantTLS: &TLSFiles{},
		},
		{
			name: "ssh context",
			env:  map[string]string{"DOCKER_CONTEXT": "box"},
			setup: func(t *testing.T, dir string) {
				writeContext(t, dir, "box", sshMeta)
			},
			want: Endpoint{Context: "box", Host: "ssh://me@box.example", Source: SourceDockerContext},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"DOCKER_CONFIG": dir}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "{dir}", dir)
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			got, err := ResolveEndpoint(envMap(env))
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "{dir}", dir)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("got error %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			want := tt.want
			if tt.wantTLS != nil {
				abs := func(p string) string {
					if p == "" {
						return ""
					}
					return filepath.Join(dir, p)
				}
				want.TLS = &TLSFiles{CAFile: abs(tt.wantTLS.CAFile), CertFile: abs(tt.wantTLS.CertFile), KeyFile: abs(tt.wantTLS.KeyFile)}
			}
			if (got.TLS == nil) != (want.TLS == nil) || (got.TLS != nil && *got.TLS != *want.TLS) {
				t.Errorf("got TLS %+v, want %+v", got.TLS, want.TLS)
			}
			got.TLS, want.TLS = nil, nil
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestResolveEndpointUsesHomeWithoutDockerConfig(t *testing.T) {
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"colima"}`)
	writeContext(t, filepath.Join(home, ".docker"), "colima", `{"Name":"colima","Endpoints":{"docker":{"Host":"unix:///colima.sock"}}}`)
	got, err := ResolveEndpoint(envMap(map[string]string{"HOME": home, "USERPROFILE": home}))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if got.Context != "colima" || got.Host != "unix:///colima.sock" {
		t.Errorf("got %+v, want context colima on unix:///colima.sock", got)
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct {
		in      string
		tls     bool
		want    string
		wantErr bool
	}{
		{in: "unix:///run/user/1000/docker.sock", want: "unix:///run/user/1000/docker.sock"},
		{in: "tcp://127.0.0.1:2375", want: "tcp://127.0.0.1:2375"},
		{in: "tcp://box", tls: true, want: "tcp://box:2376"},
		{in: "tcp://:2375", want: "tcp://localhost:2375"},
		{in: "tcp://[::1]:2375", want: "tcp://[::1]:2375"},
		{in: "tcp://[::1]", want: "tcp://[::1]:2375"},
		{in: "tcp://box:2375/prefix", want: "tcp://box:2375/prefix"},
		{in: "box:2375", want: "tcp://box:2375"},
		{in: "npipe://", want: "npipe:////./pipe/docker_engine"},
		{in: "ssh://", wantErr: true},
		{in: "fd://", wantErr: true},
		{in: "tcp://::1", wantErr: true},
	}
	for _, tt := range tests {
		got, err := normalizeHost(tt.in, tt.tls)
		if (err != nil) != tt.wantErr {
			t.Errorf("normalizeHost(%q): got error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("normalizeHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
