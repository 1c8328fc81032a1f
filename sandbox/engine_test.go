package sandbox

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fakeAPI is a DockerAPI whose answers and failures a test sets. Calls it
// does not implement go to the embedded nil interface and panic.
type fakeAPI struct {
	DockerAPI
	ping        client.PingResult
	pingErr     error
	version     string
	containers  []container.Summary
	inspect     map[string]container.InspectResponse
	logs        []byte
	images      map[string]image.InspectResponse
	listFilters client.Filters
	removed     []string
}

func notFound(kind, id string) error {
	return fmt.Errorf("Error response from daemon: No such %s: %s: %w", kind, id, cerrdefs.ErrNotFound)
}

// lookup finds id in a fake's store of objects of one kind, or fails as the
// engine does when it holds no such object.
func lookup[T any](store map[string]T, kind, id string) (T, error) {
	v, ok := store[id]
	if !ok {
		return v, notFound(kind, id)
	}
	return v, nil
}

func (f *fakeAPI) Ping(ctx context.Context, _ client.PingOptions) (client.PingResult, error) {
	return f.ping, f.pingErr
}
func (f *fakeAPI) ClientVersion() string { return f.version }
func (f *fakeAPI) ServerVersion(context.Context, client.ServerVersionOptions) (client.ServerVersionResult, error) {
	return client.ServerVersionResult{Version: "28.2.2", APIVersion: "1.50", MinAPIVersion: "1.24", Os: "linux", Arch: "amd64"}, nil
}
func (f *fakeAPI) Info(context.Context, client.InfoOptions) (client.SystemInfoResult, error) {
	var r client.SystemInfoResult
	r.Info.KernelVersion = "6.1.0"
	r.Info.OperatingSystem = "Debian GNU/Linux 12 (bookworm)"
	r.Info.Name = "lab-host"
	return r, nil
}
func (f *fakeAPI) ContainerList(_ context.Context, o client.ContainerListOptions) (client.ContainerListResult, error) {
	f.listFilters = o.Filters
	return client.ContainerListResult{Items: f.containers}, nil
}
func (f *fakeAPI) ContainerInspect(_ context.Context, id string, _ client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	c, err := lookup(f.inspect, "container", id)
	return client.ContainerInspectResult{Container: c}, err
}
func (f *fakeAPI) ContainerLogs(_ context.Context, id string, _ client.ContainerLogsOptions) (client.ContainerLogsResult, error) {
	return io.NopCloser(bytes.NewReader(f.logs)), nil
}
func (f *fakeAPI) ContainerRemove(_ context.Context, id string, _ client.ContainerRemoveOptions) (client.ContainerRemoveResult, error) {
	if _, err := lookup(f.inspect, "container", id); err != nil {
		return client.ContainerRemoveResult{}, err
	}
	f.removed = append(f.removed, id)
	return client.ContainerRemoveResult{}, nil
}
func (f *fakeAPI) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	img, err := lookup(f.images, "image", ref)
	return client.ImageInspectResult{InspectResponse: img}, err
}
func (f *fakeAPI) ImageRemove(_ context.Context, ref string, _ client.ImageRemoveOptions) (client.ImageRemoveResult, error) {
	if _, err := lookup(f.images, "image", ref); err != nil {
		return client.ImageRemoveResult{}, err
	}
	f.removed = append(f.removed, ref)
	return client.ImageRemoveResult{}, nil
}
func (f *fakeAPI) Close() error { return nil }

// fakeEngineAPI is fakeAPI, or a fake that embeds it to answer more calls.
type fakeEngineAPI interface {
	DockerAPI
	base() *fakeAPI
}

func (f *fakeAPI) base() *fakeAPI { return f }

// newFakeEngine connects to api; its fakeAPI speaks API 1.50 unless a
// version is set.
func newFakeEngine(t *testing.T, api fakeEngineAPI) *Engine {
	t.Helper()
	if f := api.base(); f.version == "" {
		f.version = "1.50"
	}
	e, err := ConnectWith(context.Background(), Endpoint{Context: "default", Host: "unix:///var/run/docker.sock", Source: SourceDefault}, api)
	if err != nil {
		t.Fatalf("connecting to the fake engine: %v", err)
	}
	return e
}

func dialError(netw, addr string, errno syscall.Errno) error {
	return &net.OpError{Op: "dial", Net: netw, Addr: &net.UnixAddr{Name: addr, Net: netw}, Err: os.NewSyscallError("connect", errno)}
}

func TestConnectUnreachableSaysHowToFix(t *testing.T) {
	defaultEP := Endpoint{Context: "default", Host: "unix:///var/run/docker.sock", Source: SourceDefault}
	tcpEP := Endpoint{Context: "default", Host: "tcp://127.0.0.1:2375", Source: SourceDockerHost}
	ctxEP := Endpoint{Context: "colima", Host: "unix:///home/u/.colima/docker.sock", Source: SourceConfigFile}
	sshEP := Endpoint{Context: "default", Host: "ssh://me@box", Source: SourceDockerHost}
	tests := []struct {
		name  string
		ep    Endpoint
		cause error
		want  []string
	}{
		{
			name:  "socket missing",
			ep:    defaultEP,
			cause: dialError("unix", "/var/run/docker.sock", syscall.ENOENT),
			want:  []string{"cannot reach the Docker engine at unix:///var/run/docker.sock (docker context \"default\")", "Docker is not running", "`sudo systemctl start docker` on Linux, start Docker Desktop on macOS/Windows (on WSL enable WSL integration"},
		},
		{
			name:  "socket of a context missing",
			ep:    ctxEP,
			cause: dialError("unix", "/home/u/.colima/docker.sock", syscall.ENOENT),
			want:  []string{`docker context "colima", the current context in config.json`, "Docker is not running", "`docker context use default`"},
		},
		{
			name:  "permission denied",
			ep:    defaultEP,
			cause: dialError("unix", "/var/run/docker.sock", syscall.EACCES),
			want:  []string{"sudo usermod -aG docker $USER", "log out and in again"},
		},
		{
			name:  "permission denied as the SDK words it",
			ep:    defaultEP,
			cause: errors.New("permission denied while trying to connect to the docker API at unix:///var/run/docker.sock"),
			want:  []string{"sudo usermod -aG docker $USER"},
		},
		{
			name:  "stale socket",
			ep:    defaultEP,
			cause: dialError("unix", "/var/run/docker.sock", syscall.ECONNREFUSED),
			want:  []string{"the socket exists but nothing answers", "sudo systemctl start docker"},
		},
		{
			name:  "tcp refused",
			ep:    tcpEP,
			cause: dialError("tcp", "127.0.0.1:2375", syscall.ECONNREFUSED),
			want:  []string{"(set by DOCKER_HOST)", "nothing accepts connections there: check DOCKER_HOST=tcp://127.0.0.1:2375"},
		},
		{
			name:  "timeout",
			ep:    tcpEP,
			cause: context.DeadlineExceeded,
			want:  []string{"did not answer within 3s", "DOCKER_HOST"},
		},
		{
			name:  "dns",
			ep:    Endpoint{Context: "remote", Host: "tcp://nowhere.invalid:2376", Source: SourceDockerContext},
			cause: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true},
			want:  []string{"host name does not resolve", "docker context inspect remote"},
		},
		{
			name:  "tls",
			ep:    tcpEP,
			cause: fmt.Errorf("tls handshake: %w", x509.UnknownAuthorityError{}),
			want:  []string{"TLS handshake failed", "DOCKER_CERT_PATH"},
		},
		{
			name:  "no ssh client",
			ep:    sshEP,
			cause: fmt.Errorf("starting ssh: %w", &exec.Error{Name: "ssh", Err: exec.ErrNotFound}),
			want:  []string{"install an OpenSSH client", "unset DOCKER_HOST"},
		},
		{
			name:  "ssh fails",
			ep:    sshEP,
			cause: errors.New("ssh: Could not resolve hostname box: Name or service not known: unexpected EOF"),
			want:  []string{"check that `ssh me@box docker version` works"},
		},
		{
			name:  "anything else",
			ep:    defaultEP,
			cause: errors.New("something odd"),
			want:  []string{"something odd", "is Docker running?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConnectWith(context.Background(), tt.ep, &fakeAPI{pingErr: tt.cause})
			if !IsUnreachable(err) {
				t.Fatalf("got %v, want an unreachable error", err)
			}
			msg := err.Error()
			for _, w := range append(tt.want, "; to see it yourself, run: docker info") {
				if !strings.Contains(msg, w) {
					t.Errorf("got %q, want it to contain %q", msg, w)
				}
			}
			if !strings.HasSuffix(msg, "docker info") {
				t.Errorf("got %q, want it to end with the docker info hint", msg)
			}
			if !errors.Is(err, tt.cause) {
				t.Errorf("got %v, want it to wrap the cause", err)
			}
		})
	}
}

func TestConnectRejectsOldEngines(t *testing.T) {
	tests := []struct {
		name    string
		f       *fakeAPI
		wantOld bool
	}{
		{name: "1.41 negotiated", f: &fakeAPI{ping: client.PingResult{APIVersion: "1.41"}, version: "1.41"}},
		{name: "newest", f: &fakeAPI{ping: client.PingResult{APIVersion: "1.56"}, version: "1.56"}},
		{name: "1.40 negotiated", f: &fakeAPI{ping: client.PingResult{APIVersion: "1.40"}, version: "1.40"}, wantOld: true},
		{name: "below the SDK's minimum", f: &fakeAPI{ping: client.PingResult{APIVersion: "1.39"}, pingErr: cerrdefs.ErrInvalidArgument, version: "1.56"}, wantOld: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConnectWith(context.Background(), Endpoint{Host: "unix:///var/run/docker.sock"}, tt.f)
			if got := errors.Is(err, ErrEngineTooOld); got != tt.wantOld {
				t.Fatalf("got error %v, want too old %v", err, tt.wantOld)
			}
			if tt.wantOld {
				if IsUnreachable(err) {
					t.Errorf("got an unreachable error for an old engine: %v", err)
				}
				if !strings.Contains(err.Error(), "upgrade Docker") {
					t.Errorf("got %q, want it to say upgrade Docker", err)
				}
			}
		})
	}
}

func TestConnectCancelledIsNotUnreachable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ConnectWith(ctx, Endpoint{Host: "unix:///var/run/docker.sock"}, &fakeAPI{pingErr: context.Canceled})
	if IsUnreachable(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a cancellation that is not an unreachable error", err)
	}
}

// TestConnectRealFailures reaches for engines that are not there; no engine
// is needed to produce these.
func TestConnectRealFailures(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets")
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()

	tests := []struct {
		name string
		host string
		want string
	}{
		{name: "missing socket", host: "unix://" + filepath.Join(dir, "missing.sock"), want: "nothing serves that socket, so Docker is not running"},
		{name: "stale socket", host: "unix://" + stale, want: "the socket exists but nothing answers on it"},
		{name: "closed tcp port", host: "tcp://127.0.0.1:1", want: "nothing accepts connections there: check DOCKER_HOST=tcp://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := Endpoint{Context: "default", Host: tt.host, Source: SourceDockerHost}
			e, err := Connect(context.Background(), ep)
			if err == nil {
				e.Close()
				t.Fatal("got a connection, want an unreachable error")
			}
			var u *UnreachableError
			if !errors.As(err, &u) {
				t.Fatalf("got %v, want *UnreachableError", err)
			}
			if u.Endpoint != ep {
				t.Errorf("got endpoint %+v, want %+v", u.Endpoint, ep)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestConnectTimesOutOnASilentEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the ping timeout")
	}
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets")
	}
	sock := filepath.Join(t.TempDir(), "silent.sock")
	serveConns(t, "unix", sock, func(c net.Conn) {
		t.Cleanup(func() { c.Close() }) // accept, never answer
	})
	start := time.Now()
	_, err := Connect(context.Background(), Endpoint{Context: "default", Host: "unix://" + sock, Source: SourceDockerHost})
	if !IsUnreachable(err) || !strings.Contains(err.Error(), "did not answer within 3s") {
		t.Fatalf("got %v, want an unreachable error about the timeout", err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("Connect took %s, want about %s", d, pingTimeout)
	}
}

// fakeEngineServer answers the few engine API calls ServerInfo makes, as an
// engine speaking apiVersion would.
func fakeEngineServer(t *testing.T, apiVersion string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/_ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", apiVersion)
		w.Header().Set("Ostype", "linux")
		fmt.Fprint(w, "OK")
	})
	mux.HandleFunc("/v"+apiVersion+"/version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"Platform":{"Name":"Docker Engine - Community"},"Version":"20.10.24","ApiVersion":%q,"MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}`, apiVersion)
	})
	mux.HandleFunc("/v"+apiVersion+"/info", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"Name":"old-host","KernelVersion":"5.10.0","OperatingSystem":"Debian GNU/Linux 11 (bullseye)"}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectNegotiatesWithAnAPI141Engine(t *testing.T) {
	srv := fakeEngineServer(t, "1.41")
	ep := Endpoint{Context: "default", Host: "tcp://" + srv.Listener.Addr().String(), Source: SourceDockerHost}
	e, err := Connect(context.Background(), ep)
	if err != nil {
		t.Fatalf("got error %v, want a connection", err)
	}
	defer e.Close()
	got, err := e.ServerInfo(context.Background())
	if err != nil {
		t.Fatalf("got error %v, want server info", err)
	}
	want := ServerInfo{
		Version: "20.10.24", Platform: "Docker Engine - Community", APIVersion: "1.41", MaxAPIVersion: "1.41", MinAPIVersion: "1.12",
		OS: "linux", Arch: "amd64", KernelVersion: "5.10.0", OperatingSystem: "Debian GNU/Linux 11 (bullseye)", Name: "old-host",
	}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if e.Endpoint() != ep {
		t.Errorf("got endpoint %+v, want %+v", e.Endpoint(), ep)
	}

	// An engine that goes away afterwards is reported as unreachable, not as
	// a failed call.
	srv.Close()
	_, err = e.ServerInfo(context.Background())
	if !IsUnreachable(err) {
		t.Errorf("got %v after the engine stopped, want an unreachable error", err)
	}
}

func TestConnectRejectsAnAPI140Engine(t *testing.T) {
	srv := fakeEngineServer(t, "1.40")
	_, err := Connect(context.Background(), Endpoint{Host: "tcp://" + srv.Listener.Addr().String(), Source: SourceDockerHost})
	if !errors.Is(err, ErrEngineTooOld) {
		t.Fatalf("got %v, want ErrEngineTooOld", err)
	}
}

func TestServerInfo(t *testing.T) {
	e := newFakeEngine(t, &fakeAPI{version: "1.49"})
	got, err := e.ServerInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := ServerInfo{Version: "28.2.2", APIVersion: "1.49", MaxAPIVersion: "1.50", MinAPIVersion: "1.24", OS: "linux", Arch: "amd64",
		KernelVersion: "6.1.0", OperatingSystem: "Debian GNU/Linux 12 (bookworm)", Name: "lab-host"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func exitedState(code int) *container.State {
	return &container.State{Status: container.StateExited, ExitCode: code,
		StartedAt: "2025-01-02T03:04:05.123456789Z", FinishedAt: "2025-01-02T03:04:06Z"}
}

func TestContainers(t *testing.T) {
	f := &fakeAPI{
		containers: []container.Summary{
			{ID: "c2", Names: []string{"/web-2"}, Image: "hello-world", State: container.StateExited, Status: "Exited (1) 2 seconds ago", Created: 1735787045},
			{ID: "c1", Names: []string{"/other/alias", "/web"}, Image: "hello-world", ImageID: "sha256:abc", State: container.StateExited, Status: "Exited (0) 5 seconds ago", Created: 1735787040, Labels: map[string]string{"lab.managed": "true"}},
			{ID: "gone", Names: []string{"/gone"}, Image: "hello-world", State: container.StateExited},
		},
		inspect: map[string]container.InspectResponse{
			"c1": {ID: "c1", State: exitedState(0)},
			"c2": {ID: "c2", State: exitedState(1)},
		},
	}
	e := newFakeEngine(t, f)

	t.Run("exact name", func(t *testing.T) {
		got, err := e.Containers(context.Background(), ContainerQuery{All: true, Name: "web", Ancestor: "hello-world", Labels: map[string]string{"lab.managed": "true", "lab.step": ""}})
		if err != nil {
			t.Fatal(err)
		}
		want := []Container{{
			ID: "c1", Name: "web", Image: "hello-world", ImageID: "sha256:abc", State: "exited", Status: "Exited (0) 5 seconds ago",
			ExitCode: 0, Created: time.Unix(1735787040, 0),
			StartedAt:  time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC),
			FinishedAt: time.Date(2025, 1, 2, 3, 4, 6, 0, time.UTC),
			Labels:     map[string]string{"lab.managed": "true"},
		}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		wantFilters := client.Filters{
			"name":     {`^/web$`: true},
			"ancestor": {"hello-world": true},
			"label":    {"lab.managed=true": true, "lab.step": true},
		}
		if !reflect.DeepEqual(f.listFilters, wantFilters) {
			t.Errorf("got filters %v, want %v", f.listFilters, wantFilters)
		}
	})

	t.Run("exit codes come from inspect, removed ones are skipped", func(t *testing.T) {
		got, err := e.Containers(context.Background(), ContainerQuery{All: true})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range got {
			names = append(names, fmt.Sprintf("%s:%d", c.Name, c.ExitCode))
		}
		if want := "web-2:1 web:0"; strings.Join(names, " ") != want {
			t.Errorf("got %v, want %s", names, want)
		}
	})
}

func TestInspectContainer(t *testing.T) {
	f := &fakeAPI{inspect: map[string]container.InspectResponse{
		"web": {
			ID: "c1", Name: "/web", Image: "sha256:img", Created: "2025-01-02T03:04:00Z", RestartCount: 2,
			State: &container.State{Status: container.StateRunning, Running: true, StartedAt: "2025-01-02T03:04:05Z", FinishedAt: "0001-01-01T00:00:00Z",
				Health: &container.Health{Status: container.Healthy}},
			Config: &container.Config{Image: "nginx:1.27", User: "101", Env: []string{"A=1"}, Labels: map[string]string{"lab.managed": "true"}, Cmd: []string{"nginx"}},
			Mounts: []container.MountPoint{{Type: mount.TypeBind, Source: "/home/u/site", Destination: "/usr/share/nginx/html", RW: false}},
			NetworkSettings: &container.NetworkSettings{
				Ports: network.PortMap{
					network.MustParsePort("80/tcp"):   {{HostIP: netip.MustParseAddr("0.0.0.0"), HostPort: "8080"}, {HostIP: netip.MustParseAddr("::"), HostPort: "8080"}},
					network.MustParsePort("443/tcp"):  nil,
					network.MustParsePort("5353/udp"): {{HostPort: "5353"}},
				},
				Networks: map[string]*network.EndpointSettings{"bridge": {NetworkID: "n1", IPAddress: netip.MustParseAddr("172.17.0.2"), Gateway: netip.MustParseAddr("172.17.0.1")}},
			},
		},
	}}
	e := newFakeEngine(t, f)
	got, err := e.InspectContainer(context.Background(), "web")
	if err != nil {
		t.Fatal(err)
	}
	want := ContainerDetails{
		ID: "c1", Name: "web", Image: "nginx:1.27", ImageID: "sha256:img", Created: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC),
		State:  ContainerState{Status: "running", Running: true, StartedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), RestartCount: 2, Health: "healthy"},
		Labels: map[string]string{"lab.managed": "true"}, Env: []string{"A=1"}, User: "101", Cmd: []string{"nginx"},
		Ports: map[string][]PortBinding{
			"80/tcp":   {{HostIP: "0.0.0.0", HostPort: 8080}, {HostIP: "::", HostPort: 8080}},
			"5353/udp": {{HostIP: "", HostPort: 5353}},
		},
		Mounts:   []Mount{{Type: "bind", Source: "/home/u/site", Destination: "/usr/share/nginx/html"}},
		Networks: map[string]NetworkEndpoint{"bridge": {NetworkID: "n1", IPAddress: "172.17.0.2", Gateway: "172.17.0.1"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestNotFound(t *testing.T) {
	e := newFakeEngine(t, &fakeAPI{})
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"inspect container", func() error { _, err := e.InspectContainer(ctx, "lab-web"); return err }, `container "lab-web" not found; list containers with: docker ps -a`},
		{"container logs", func() error { _, _, err := e.ContainerLogs(ctx, "lab-web"); return err }, `container "lab-web" not found`},
		{"remove container", func() error { return e.RemoveContainer(ctx, "lab-web", true) }, `container "lab-web" not found`},
		{"inspect image", func() error { _, err := e.InspectImage(ctx, "lab-nginx:1"); return err }, `image "lab-nginx:1" not found; list images with: docker images`},
		{"remove image", func() error { return e.RemoveImage(ctx, "lab-nginx:1") }, `image "lab-nginx:1" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !IsNotFound(err) {
				t.Fatalf("got %v, want a not-found error", err)
			}
			if err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %q, want %q", err, tt.want)
			}
		})
	}
	if IsNotFound(errors.New("other")) || IsNotFound(nil) {
		t.Error("IsNotFound is true for an unrelated error")
	}
}

// frame is one chunk of the engine's multiplexed log stream.
func frame(stream byte, s string) []byte {
	h := make([]byte, 8)
	h[0] = stream
	binary.BigEndian.PutUint32(h[4:], uint32(len(s)))
	return append(h, s...)
}

func TestContainerLogs(t *testing.T) {
	var muxed []byte
	muxed = append(muxed, frame(1, "Hello from Docker!\n")...)
	muxed = append(muxed, frame(2, "a warning\n")...)
	muxed = append(muxed, frame(1, "bye\n")...)
	tests := []struct {
		name       string
		tty        bool
		logs       []byte
		wantStdout string
		wantStderr string
	}{
		{name: "no tty: demultiplexed", logs: muxed, wantStdout: "Hello from Docker!\nbye\n", wantStderr: "a warning\n"},
		{name: "tty: one raw stream", tty: true, logs: []byte("Hello from Docker!\r\n"), wantStdout: "Hello from Docker!\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEngine(t, &fakeAPI{
				inspect: map[string]container.InspectResponse{"c1": {ID: "c1", Config: &container.Config{Tty: tt.tty}}},
				logs:    tt.logs,
			})
			stdout, stderr, err := e.ContainerLogs(context.Background(), "c1")
			if err != nil {
				t.Fatal(err)
			}
			if stdout != tt.wantStdout || stderr != tt.wantStderr {
				t.Errorf("got stdout %q stderr %q, want %q and %q", stdout, stderr, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

func TestInspectImage(t *testing.T) {
	f := &fakeAPI{images: map[string]image.InspectResponse{
		"lab-nginx:1": {
			ID: "sha256:img", RepoTags: []string{"lab-nginx:1"}, Size: 1234, Created: "2025-01-02T03:04:05Z", Os: "linux", Architecture: "amd64",
			RootFS: image.RootFS{Type: "layers", Layers: []string{"sha256:base", "sha256:top"}},
			Config: &dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{
				User: "nginx", Labels: map[string]string{"lab.managed": "true"}, WorkingDir: "/srv",
				ExposedPorts: map[string]struct{}{"80/tcp": {}, "443/tcp": {}},
				Cmd:          []string{"nginx", "-g", "daemon off;"},
			}},
		},
	}}
	e := newFakeEngine(t, f)
	got, err := e.InspectImage(context.Background(), "lab-nginx:1")
	if err != nil {
		t.Fatal(err)
	}
	want := Image{
		ID: "sha256:img", RepoTags: []string{"lab-nginx:1"}, Labels: map[string]string{"lab.managed": "true"},
		Layers: []string{"sha256:base", "sha256:top"}, User: "nginx", ExposedPorts: []string{"443/tcp", "80/tcp"},
		Cmd: []string{"nginx", "-g", "daemon off;"}, WorkingDir: "/srv", Size: 1234,
		Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), OS: "linux", Architecture: "amd64",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if err := e.RemoveImage(context.Background(), "lab-nginx:1"); err != nil {
		t.Errorf("got %v removing the image, want none", err)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2025-01-02T03:04:05.5Z", time.Date(2025, 1, 2, 3, 4, 5, 500000000, time.UTC)},
		{"0001-01-01T00:00:00Z", time.Time{}},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
	}
	for _, tt := range tests {
		if got := parseTime(tt.in); !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUsesContainerdStore(t *testing.T) {
	tests := []struct {
		name   string
		status [][2]string
		want   bool
	}{
		{"containerd snapshotter", [][2]string{{"driver-type", "io.containerd.snapshotter.v1"}}, true},
		{"overlay2", [][2]string{{"Backing Filesystem", "extfs"}, {"Supports d_type", "true"}}, false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		if got := usesContainerdStore(tt.status); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
