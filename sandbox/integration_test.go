package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// integrationEngine connects to the engine the docker CLI would use, and
// skips the test only when no engine answers.
func integrationEngine(t *testing.T) *Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	ep, err := ResolveEndpoint(nil)
	if err != nil {
		t.Fatalf("resolving the Docker endpoint: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := Connect(ctx, ep)
	if IsUnreachable(err) {
		if os.Getenv("LAB_REQUIRE_ENGINE") != "" {
			t.Fatalf("LAB_REQUIRE_ENGINE is set but no Docker engine answers: %v", err)
		}
		t.Skipf("no Docker engine: %v", err)
	}
	if err != nil {
		t.Fatalf("connecting to the Docker engine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// testName is a container name no other test run uses.
func testName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "lab-test-" + hex.EncodeToString(b)
}

// createTestContainer creates a container from cfg and host, named by
// testName and labelled lab.managed and lab.test, and removes it with its
// anonymous volumes when the test ends.
func createTestContainer(ctx context.Context, t *testing.T, e *Engine, cfg container.Config, host *container.HostConfig) (id, name string) {
	t.Helper()
	name = testName(t)
	cfg.Labels = map[string]string{"lab.managed": "true", "lab.test": t.Name()}
	created, err := e.api.(*client.Client).ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: &cfg, HostConfig: host})
	if err != nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.RemoveContainer(ctx, created.ID, true); err != nil && !IsNotFound(err) {
			t.Errorf("cleaning up %s: %v", name, err)
		}
	})
	return created.ID, name
}

// runHelloWorld creates and runs a labelled hello-world container to its
// end, and removes it when the test ends.
func runHelloWorld(t *testing.T, e *Engine) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	requireImage(t, e, "hello-world")
	api := e.api.(*client.Client)
	id, name := createTestContainer(ctx, t, e, container.Config{Image: "hello-world"}, nil)
	wait := api.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	select {
	case res := <-wait.Result:
		if res.StatusCode != 0 {
			t.Fatalf("%s exited with %d, want 0", name, res.StatusCode)
		}
	case err := <-wait.Error:
		t.Fatalf("waiting for %s: %v", name, err)
	}
	return name
}

func TestIntegrationServerInfo(t *testing.T) {
	e := integrationEngine(t)
	info, err := e.ServerInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Version == "" || info.OS == "" || info.Arch == "" {
		t.Errorf("got %+v, want version, OS and arch", info)
	}
	if CompareVersions(info.APIVersion, MinAPIVersion) < 0 {
		t.Errorf("got negotiated API %s, want %s or newer", info.APIVersion, MinAPIVersion)
	}
	if CompareVersions(info.APIVersion, info.MaxAPIVersion) > 0 {
		t.Errorf("got negotiated API %s above the engine's %s", info.APIVersion, info.MaxAPIVersion)
	}
	t.Logf("engine %s, API %s (engine max %s, min %s), %s/%s, %s via %s", info.Version, info.APIVersion, info.MaxAPIVersion, info.MinAPIVersion, info.OS, info.Arch, info.OperatingSystem, e.Endpoint().Host)
}

func TestIntegrationHelloWorld(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	name := runHelloWorld(t, e)

	byAncestor, err := e.Containers(ctx, ContainerQuery{All: true, Ancestor: "hello-world", Labels: map[string]string{"lab.managed": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	var found *Container
	for i := range byAncestor {
		if byAncestor[i].Name == name {
			found = &byAncestor[i]
		}
	}
	if found == nil {
		t.Fatalf("listing by ancestor hello-world: %s not among %d containers", name, len(byAncestor))
	}
	if found.State != "exited" || found.ExitCode != 0 || found.FinishedAt.IsZero() || found.StartedAt.IsZero() {
		t.Errorf("got %+v, want exited with code 0 and both times set", *found)
	}

	byName, err := e.Containers(ctx, ContainerQuery{All: true, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if len(byName) != 1 || byName[0].Name != name {
		t.Errorf("got %d containers by name %s, want exactly it", len(byName), name)
	}
	prefix, err := e.Containers(ctx, ContainerQuery{All: true, Name: name[:len(name)-2]})
	if err != nil {
		t.Fatal(err)
	}
	if len(prefix) != 0 {
		t.Errorf("got %d containers for a prefix of %s, want none (names match exactly)", len(prefix), name)
	}
	running, err := e.Containers(ctx, ContainerQuery{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if len(running) != 0 {
		t.Errorf("got %d running containers named %s, want none without All", len(running), name)
	}

	details, err := e.InspectContainer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if details.State.Status != "exited" || details.State.ExitCode != 0 || details.State.Running {
		t.Errorf("got state %+v, want exited with code 0", details.State)
	}
	if details.Labels["lab.managed"] != "true" || details.Image != "hello-world" {
		t.Errorf("got labels %v and image %q, want lab.managed=true from hello-world", details.Labels, details.Image)
	}

	stdout, stderr, err := e.ContainerLogs(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "Hello from Docker!") {
		t.Errorf("got stdout %q (stderr %q), want it to contain Hello from Docker!", stdout, stderr)
	}

	if err := e.RemoveContainer(ctx, name, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.InspectContainer(ctx, name); !IsNotFound(err) {
		t.Errorf("got %v after removing %s, want not found", err, name)
	}
	if err := e.RemoveContainer(ctx, name, false); !IsNotFound(err) {
		t.Errorf("got %v removing %s twice, want not found", err, name)
	}
}

func TestIntegrationImages(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	img, err := e.InspectImage(ctx, "hello-world")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(img.ID, "sha256:") || len(img.Layers) == 0 || img.Size <= 0 {
		t.Errorf("got %+v, want an ID, layers and a size", img)
	}
	if _, err := e.InspectImage(ctx, "lab-test-no-such-image:0"); !IsNotFound(err) {
		t.Errorf("got %v, want not found", err)
	}
	if err := e.RemoveImage(ctx, "lab-test-no-such-image:0"); !IsNotFound(err) {
		t.Errorf("got %v, want not found", err)
	}
	if _, err := e.InspectContainer(ctx, "lab-test-no-such-container"); !IsNotFound(err) {
		t.Errorf("got %v, want not found", err)
	}
}

// TestIntegrationCLIAgreesWithEngine checks that lab resolves the same engine
// the docker CLI uses.
func TestIntegrationCLIAgreesWithEngine(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	v, err := CLIVersion(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if CompareVersions(v, "1") < 0 {
		t.Errorf("got CLI version %q, want a version", v)
	}
	out, err := Run(ctx, "", nil, `docker version --format '{{.Server.Version}}'`)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.ServerInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != info.Version {
		t.Errorf("docker CLI talks to engine %q, lab to %q", got, info.Version)
	}
	out, err = Run(ctx, "", nil, "docker context show")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != e.Endpoint().Context {
		t.Errorf("docker context show says %q, lab resolved %q", got, e.Endpoint().Context)
	}
}

// TestIntegrationSSH reaches the local engine through the ssh:// path with a
// stand-in ssh that runs `docker system dial-stdio` here instead of on a
// remote host.
func TestIntegrationSSH(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the ssh stand-in is a shell script")
	}
	local := integrationEngine(t)
	want, err := local.ServerInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	script := "#!/bin/sh\necho \"$@\" >> " + argsFile + "\nexec docker system dial-stdio\n"
	if err := os.WriteFile(filepath.Join(dir, "ssh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	ep := Endpoint{Context: "default", Host: "ssh://tester@lab-ssh-test:2222", Source: SourceDockerHost}
	e, err := Connect(context.Background(), ep)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.ServerInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if got.Version != want.Version {
		t.Errorf("got engine %s over ssh, want %s", got.Version, want.Version)
	}
	recorded, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := "-o ConnectTimeout=30 -T -l tester -p 2222 -- lab-ssh-test docker system dial-stdio"
	if line := strings.SplitN(strings.TrimSpace(string(recorded)), "\n", 2)[0]; line != wantArgs {
		t.Errorf("got ssh %s, want ssh %s", line, wantArgs)
	}
}

// TestIntegrationAPI141 talks to the engine as a Docker 20.10 client would,
// with API 1.41, to show the Engine reads the older answers too.
func TestIntegrationAPI141(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	name := runHelloWorld(t, e)

	ep := e.Endpoint()
	if ep.TLS != nil || strings.HasPrefix(ep.Host, "ssh://") {
		t.Skipf("pins the API over plain %s only", ep.Host)
	}
	api, err := client.New(client.WithHost(ep.Host), client.WithAPIVersion("1.41"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := ConnectWith(ctx, ep, api)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	info, err := old.ServerInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.APIVersion != "1.41" {
		t.Errorf("got API %s, want 1.41", info.APIVersion)
	}
	cs, err := old.Containers(ctx, ContainerQuery{All: true, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].State != "exited" || cs[0].ExitCode != 0 {
		t.Fatalf("got %+v, want %s exited with code 0", cs, name)
	}
	details, err := old.InspectContainer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if details.State.ExitCode != 0 || details.State.FinishedAt.IsZero() {
		t.Errorf("got state %+v, want exited with code 0", details.State)
	}
	stdout, _, err := old.ContainerLogs(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "Hello from Docker!") {
		t.Errorf("got stdout %q, want Hello from Docker!", stdout)
	}
	img, err := old.InspectImage(ctx, "hello-world")
	if err != nil || len(img.Layers) == 0 {
		t.Errorf("got %+v, %v inspecting hello-world, want its layers", img, err)
	}
}
