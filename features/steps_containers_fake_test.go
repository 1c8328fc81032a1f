package features

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/lab-workshop/lab/sandbox"
)

// fakeEngineAPI answers the inspect calls the lesson 2 steps make from maps a
// test fills; any other call panics on the nil embedded interface.
type fakeEngineAPI struct {
	sandbox.DockerAPI
	containers map[string]container.InspectResponse
	images     map[string]image.InspectResponse
}

func (f *fakeEngineAPI) Ping(context.Context, client.PingOptions) (client.PingResult, error) {
	return client.PingResult{APIVersion: "1.50"}, nil
}
func (f *fakeEngineAPI) ClientVersion() string { return "1.50" }
func (f *fakeEngineAPI) Close() error          { return nil }
func (f *fakeEngineAPI) ContainerInspect(_ context.Context, id string, _ client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	c, ok := f.containers[id]
	if !ok {
		return client.ContainerInspectResult{}, fmt.Errorf("no such container: %s: %w", id, cerrdefs.ErrNotFound)
	}
	return client.ContainerInspectResult{Container: c}, nil
}
func (f *fakeEngineAPI) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	img, ok := f.images[ref]
	if !ok {
		return client.ImageInspectResult{}, fmt.Errorf("no such image: %s: %w", ref, cerrdefs.ErrNotFound)
	}
	return client.ImageInspectResult{InspectResponse: img}, nil
}

const nginxID = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

func webContainer(state container.State, ports network.PortMap) container.InspectResponse {
	return container.InspectResponse{
		ID: "c1", Name: "/lab-web", Image: nginxID, State: &state,
		Config:          &container.Config{Image: "nginx:1.27"},
		NetworkSettings: &container.NetworkSettings{Ports: ports},
	}
}

var published8080 = network.PortMap{network.MustParsePort("80/tcp"): {{HostPort: "8080"}}}

// fakeEngineWorld is a world whose engine is f and whose workspace holds
// web/index.html with page.
func fakeEngineWorld(t *testing.T, f *fakeEngineAPI, page string) *world {
	t.Helper()
	e, err := sandbox.ConnectWith(context.Background(), sandbox.Endpoint{Host: "unix:///var/run/docker.sock"}, f)
	if err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	if page != "" {
		if err := os.MkdirAll(filepath.Join(ws, "web"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, "web", "index.html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &world{run: &run{opts: Options{Workspace: ws}, dialed: true, engine: e}}
}

// wantFailure checks that err is a learner's failure saying want, or nil
// when want is empty.
func wantFailure(t *testing.T, name string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: got %v, want a pass", name, err)
		}
		return
	}
	f, ok := err.(*Failure)
	if !ok {
		t.Errorf("%s: got %v (%T), want a *Failure saying %q", name, err, err, want)
		return
	}
	if !strings.Contains(f.Error(), want) {
		t.Errorf("%s: got\n%s\nwant it to say %q", name, f.Error(), want)
	}
}

func TestContainerRunsImage(t *testing.T) {
	images := map[string]image.InspectResponse{
		"nginx:1.27": {ID: nginxID},
		"nginx":      {ID: "sha256:2222222222222222222222222222222222222222222222222222222222222222"},
	}
	tests := []struct {
		name string
		c    *container.InspectResponse
		want string
	}{
		{"running", ptr(webContainer(container.State{Status: container.StateRunning, Running: true}, published8080)), ""},
		{"missing", nil, `no container named "lab-web" exists`},
		{"created", ptr(webContainer(container.State{Status: container.StateCreated}, nil)), "was created but never started"},
		{"exited", ptr(webContainer(container.State{Status: container.StateExited, ExitCode: 137}, nil)), "is not running: it exited with code 137"},
		{"paused", ptr(webContainer(container.State{Status: container.StatePaused, Running: true, Paused: true}, nil)), "is paused"},
		{"restarting", ptr(webContainer(container.State{Status: container.StateRestarting, Running: true, Restarting: true, ExitCode: 1}, nil)), "keeps restarting"},
		{"other image", func() *container.InspectResponse {
			c := webContainer(container.State{Status: container.StateRunning, Running: true}, nil)
			c.Image, c.Config.Image = images["nginx"].ID, "nginx"
			return &c
		}(), `container "lab-web" was created from image nginx, not nginx:1.27`},
		{"tag moved on", func() *container.InspectResponse {
			c := webContainer(container.State{Status: container.StateRunning, Running: true}, nil)
			c.Image = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
			c.Config.Image = "docker.io/library/nginx:1.27"
			return &c
		}(), ""},
	}
	// from is a container created from ref, a pin other than the text's.
	from := func(ref string, state container.State) *container.InspectResponse {
		c := webContainer(state, nil)
		c.Image = "sha256:4444444444444444444444444444444444444444444444444444444444444444"
		c.Config.Image = ref
		return &c
	}
	running := container.State{Status: container.StateRunning, Running: true}
	const digest = "@sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41"
	tests = append(tests, []struct {
		name string
		c    *container.InspectResponse
		want string
	}{
		{"patch version", from("nginx:1.27.5", running), ""},
		{"digest", from("nginx"+digest, running), ""},
		{"tag and digest", from("nginx:1.27"+digest, running), ""},
		{"registry prefix, patch version", from("docker.io/library/nginx:1.27.5", running), ""},
		{"patch version, exited", from("nginx:1.27.5", container.State{Status: container.StateExited, ExitCode: 1}), "is not running"},
		{"less strict", from("nginx:1", running), "was created from image nginx:1, not nginx:1.27"},
		{"other release", from("nginx:1.28", running), "was created from image nginx:1.28, not nginx:1.27"},
		{"latest", from("nginx:latest", running), "was created from image nginx:latest, not nginx:1.27"},
		{"other release, digest", from("nginx:1.28"+digest, running), "not nginx:1.27"},
	}...)
	for _, tt := range tests {
		f := &fakeEngineAPI{containers: map[string]container.InspectResponse{}, images: images}
		if tt.c != nil {
			f.containers["lab-web"] = *tt.c
		}
		w := fakeEngineWorld(t, f, "")
		wantFailure(t, tt.name, w.containerRunsImage(context.Background(), "lab-web", "nginx:1.27"), tt.want)
	}
	f := &fakeEngineAPI{containers: map[string]container.InspectResponse{"lab-web": webContainer(container.State{Status: container.StateRunning, Running: true}, nil)}}
	err := fakeEngineWorld(t, f, "").containerRunsImage(context.Background(), "lab-web", "nginx:1.27")
	wantFailure(t, "no base image", err, "docker pull nginx:1.27")
	// A stricter pin needs no copy of the text's tag on the machine.
	f = &fakeEngineAPI{containers: map[string]container.InspectResponse{"lab-web": *from("nginx:1.27.5", running)}}
	err = fakeEngineWorld(t, f, "").containerRunsImage(context.Background(), "lab-web", "nginx:1.27")
	wantFailure(t, "patch version, no nginx:1.27", err, "")
}

func ptr[T any](v T) *T { return &v }

func TestContainerPublishes(t *testing.T) {
	tests := []struct {
		name  string
		ports network.PortMap
		want  string
	}{
		{"right", published8080, ""},
		{"on two addresses", network.PortMap{network.MustParsePort("80/tcp"): {{HostPort: "8080"}, {HostPort: "8080"}}}, ""},
		{"other host port", network.PortMap{network.MustParsePort("80/tcp"): {{HostPort: "8089"}}}, "publishes port 80/tcp on host port 8089, not 8080"},
		{"other container port", network.PortMap{network.MustParsePort("8080/tcp"): {{HostPort: "8080"}}}, "publishes host port 8080 to its port 8080/tcp, not to its port 80/tcp"},
		{"not that port", network.PortMap{network.MustParsePort("443/tcp"): {{HostPort: "8443"}}}, "does not publish its port 80/tcp on host port 8080"},
		{"nothing", nil, "observed: no port published"},
	}
	for _, tt := range tests {
		f := &fakeEngineAPI{containers: map[string]container.InspectResponse{"lab-web": webContainer(container.State{Status: container.StateRunning, Running: true}, tt.ports)}}
		err := fakeEngineWorld(t, f, "").containerPublishes(context.Background(), "lab-web", "80/tcp", 8080)
		wantFailure(t, tt.name, err, tt.want)
	}
}

const (
	myPage      = "<h1>Hello, I'm Alex</h1>\n"
	welcomePage = "<title>Welcome to nginx!</title>\n"
)

func TestPages(t *testing.T) {
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	url := srv.URL + "/"
	tests := []struct {
		name        string
		status      int
		body        string
		wantWelcome string // pageContainsOrIs
		wantMine    string // servesWorkspaceFile
	}{
		{"welcome page", 200, welcomePage, "", "still serves nginx's welcome page, not your workspace file web/index.html"},
		{"my page", 200, myPage, "", ""},
		{"an edited page", 200, "<h1>Hello, I'm Sam</h1>\n", `does not contain "Welcome to nginx!"`, `line 1 differs: served has "<h1>Hello, I'm Sam</h1>"`},
		{"not found", 404, "not found", "answers 404, not 200", "answers 404, not 200"},
	}
	for _, tt := range tests {
		status, body = tt.status, tt.body
		w := fakeEngineWorld(t, &fakeEngineAPI{}, myPage)
		wantFailure(t, tt.name+" (welcome)", w.pageContainsOrIs(context.Background(), url, 200, "Welcome to nginx!", "web/index.html"), tt.wantWelcome)
		wantFailure(t, tt.name+" (mine)", w.servesWorkspaceFile(context.Background(), url, "web/index.html"), tt.wantMine)
	}
	status, body = 200, myPage
	err := fakeEngineWorld(t, &fakeEngineAPI{}, "").servesWorkspaceFile(context.Background(), url, "web/index.html")
	wantFailure(t, "no workspace file", err, "your workspace has no web/index.html")
}

func TestImageSteps(t *testing.T) {
	f := &fakeEngineAPI{images: map[string]image.InspectResponse{
		"nginx:1.27":                {ID: nginxID, RootFS: image.RootFS{Layers: []string{"a", "b"}}, Config: imageConfig("nginx", "-g", "daemon off;")},
		"lab/profile:v1":            {ID: "sha256:p1", RootFS: image.RootFS{Layers: []string{"a", "b", "c"}}, Config: imageConfig("nginx", "-g", "daemon off;")},
		"lab/tagged:v1":             {ID: nginxID, RootFS: image.RootFS{Layers: []string{"a", "b"}}, Config: imageConfig("nginx", "-g", "daemon off;")},
		"lab/shell:v1":              {ID: "sha256:s1", RootFS: image.RootFS{Layers: []string{"a", "b", "c"}}, Config: imageConfig("sh")},
		"localhost:5000/profile:v1": {ID: "sha256:p1"},
	}}
	w := fakeEngineWorld(t, f, "")
	ctx := context.Background()
	wantFailure(t, "exists", w.imageExists(ctx, "lab/profile:v1"), "")
	wantFailure(t, "missing", w.imageExists(ctx, "lab/none:v1"), `image "lab/none:v1" does not exist`)
	wantFailure(t, "one layer more", w.imageOneLayerOver(ctx, "lab/profile:v1", "nginx:1.27"), "")
	wantFailure(t, "tagged base", w.imageOneLayerOver(ctx, "lab/tagged:v1", "nginx:1.27"), "adds no layer to nginx:1.27")
	wantFailure(t, "same command", w.imageRunsCommandOf(ctx, "lab/profile:v1", "nginx:1.27"), "")
	wantFailure(t, "other command", w.imageRunsCommandOf(ctx, "lab/shell:v1", "nginx:1.27"), `image "lab/shell:v1" runs ["sh"], not nginx:1.27's ["nginx" "-g" "daemon off;"]`)
	wantFailure(t, "same image", w.sameImage(ctx, "localhost:5000/profile:v1", "lab/profile:v1"), "")
	wantFailure(t, "other image", w.sameImage(ctx, "localhost:5000/profile:v1", "lab/shell:v1"), `image "localhost:5000/profile:v1" is not image "lab/shell:v1"`)
}

// imageConfig is an image's run configuration with the command cmd.
func imageConfig(cmd ...string) *dockerspec.DockerOCIImageConfig {
	c := &dockerspec.DockerOCIImageConfig{}
	c.Cmd = cmd
	return c
}

// registryServer answers like a registry holding repos (repository ->
// tag -> manifest digest), or like a web server when repos is nil.
func registryServer(t *testing.T, repos map[string]map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if repos == nil {
			http.NotFound(w, r)
			return
		}
		p := strings.TrimPrefix(r.URL.Path, "/v2/")
		switch {
		case p == "":
			fmt.Fprint(w, "{}")
		case p == "_catalog":
			names := []string{}
			for name := range repos {
				names = append(names, name)
			}
			json.NewEncoder(w).Encode(map[string]any{"repositories": names})
		case strings.HasSuffix(p, "/tags/list"):
			tags := []string{}
			for tag := range repos[strings.TrimSuffix(p, "/tags/list")] {
				tags = append(tags, tag)
			}
			json.NewEncoder(w).Encode(map[string]any{"tags": tags})
		case strings.Contains(p, "/manifests/"):
			repo, tag, _ := strings.Cut(p, "/manifests/")
			d, ok := repos[repo][tag]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.Header().Set("Docker-Content-Digest", d)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestRegistrySteps(t *testing.T) {
	const pushed = "sha256:4444444444444444444444444444444444444444444444444444444444444444"
	const older = "sha256:5555555555555555555555555555555555555555555555555555555555555555"
	ctx := context.Background()
	tests := []struct {
		name     string
		repos    map[string]map[string]string
		digests  []string // RepoDigests of the local image, for the registry's repository
		wantList string   // registryHasTag
		wantSame string   // registryServesImage
	}{
		{"pushed", map[string]map[string]string{"profile": {"v1": pushed}}, []string{pushed}, "", ""},
		{"tagged, not pushed", map[string]map[string]string{}, nil,
			"an empty catalog: nothing was pushed; image REGISTRY/profile:v1 is on this machine but was not pushed", "does not serve profile:v1"},
		{"another name", map[string]map[string]string{"lab-profile": {"v1": pushed}}, []string{pushed}, "catalog: lab-profile", ""},
		{"another tag", map[string]map[string]string{"profile": {"latest": pushed}}, []string{pushed}, `has no tag "v1"`, ""},
		{"changed since the push", map[string]map[string]string{"profile": {"v1": older}}, []string{pushed}, "",
			"the registry's profile:v1 is not the image REGISTRY/profile:v1 on this machine"},
		{"never pushed from here", map[string]map[string]string{"profile": {"v1": older}}, nil, "", "was never pushed"},
		{"a web server", nil, nil, "is not a registry", "does not serve profile:v1"},
	}
	for _, tt := range tests {
		addr := registryServer(t, tt.repos)
		local := addr + "/profile:v1"
		img := image.InspectResponse{ID: "sha256:p1"}
		for _, d := range tt.digests {
			img.RepoDigests = append(img.RepoDigests, addr+"/profile@"+d)
		}
		f := &fakeEngineAPI{images: map[string]image.InspectResponse{local: img}}
		w := fakeEngineWorld(t, f, "")
		fix := func(s string) string { return strings.ReplaceAll(s, "REGISTRY", addr) }
		wantFailure(t, tt.name+" (list)", w.registryHasTag(ctx, addr, "profile", "v1"), fix(tt.wantList))
		if tt.wantList == "" || tt.wantSame != "" {
			wantFailure(t, tt.name+" (digest)", w.registryServesImage(ctx, addr, "profile:v1", local), fix(tt.wantSame))
		}
	}
}

func TestContainerRunsOnHostPort(t *testing.T) {
	running := container.State{Status: container.StateRunning, Running: true}
	registry := func(img string, state container.State, ports network.PortMap) *container.InspectResponse {
		c := webContainer(state, ports)
		c.Name, c.Config.Image = "/lab-registry", img
		return &c
	}
	on := func(port string, hostPort string) network.PortMap {
		return network.PortMap{network.MustParsePort(port): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: hostPort}}}
	}
	tests := []struct {
		name string
		c    *container.InspectResponse
		want string
	}{
		{"registry:3", registry("registry:3", running, on("5000/tcp", "5000")), ""},
		{"another registry image", registry("registry:2.8.3", running, on("5000/tcp", "5000")), ""},
		{"a registry on another container port", registry("ghcr.io/project-zot/zot-linux-amd64:v2.1.0", running, on("8080/tcp", "5000")), ""},
		{"missing", nil, `no container named "lab-registry" exists`},
		{"other host port", registry("registry:3", running, on("5000/tcp", "5001")), `container "lab-registry" publishes port 5000/tcp on host port 5001, not 5000`},
		{"not published", registry("registry:3", running, nil), `container "lab-registry" publishes no port on host port 5000`},
		{"exited", registry("registry:3", container.State{Status: container.StateExited, ExitCode: 2}, nil), `container "lab-registry" is not running: it exited with code 2`},
	}
	for _, tt := range tests {
		f := &fakeEngineAPI{containers: map[string]container.InspectResponse{}}
		if tt.c != nil {
			f.containers["lab-registry"] = *tt.c
		}
		w := fakeEngineWorld(t, f, "")
		wantFailure(t, tt.name, w.containerRunsOnHostPort(context.Background(), "lab-registry", 5000), tt.want)
	}
}

func TestLayersStartWithAStricterFrom(t *testing.T) {
	const digest = "@sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41"
	images := map[string]image.InspectResponse{
		"lab/profile:v2":                 {ID: "sha256:p2", RootFS: image.RootFS{Layers: []string{"a", "b", "c"}}},
		"nginx:1.27.5":                   {ID: nginxID, RootFS: image.RootFS{Layers: []string{"a", "b"}}},
		"nginx" + digest:                 {ID: nginxID, RootFS: image.RootFS{Layers: []string{"a", "b"}}},
		"docker.io/library/nginx:1.27.5": {ID: nginxID, RootFS: image.RootFS{Layers: []string{"a", "b"}}},
		"nginx:1.28":                     {ID: "sha256:n28", RootFS: image.RootFS{Layers: []string{"x", "y"}}},
		"nginx:1":                        {ID: nginxID, RootFS: image.RootFS{Layers: []string{"a", "b"}}},
	}
	tests := []struct{ from, want string }{
		{"nginx:1.27.5", ""},
		{"nginx" + digest, ""},
		{"docker.io/library/nginx:1.27.5", ""},
		// Not at least as strict as nginx:1.27: the check looks for
		// nginx:1.27 itself, which is not on this machine.
		{"nginx:1", "the base image nginx:1.27 is not on this machine"},
		{"nginx:1.28", "the base image nginx:1.27 is not on this machine"},
	}
	for _, tt := range tests {
		w := fakeEngineWorld(t, &fakeEngineAPI{images: images}, "")
		dir := filepath.Join(w.run.opts.Workspace, "profile")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+tt.from+"\nEXPOSE 80\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, err := w.imageBuiltFrom(context.Background(), "lab/profile:v2", "profile")
		if err != nil {
			t.Fatalf("FROM %s: %v", tt.from, err)
		}
		wantFailure(t, "FROM "+tt.from, w.layersStartWith(ctx, "nginx:1.27"), tt.want)
	}
}
