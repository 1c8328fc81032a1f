package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// requireImage fails the test when ref is not on the engine: no registry is
// pulled from, and the test kit builds a stand-in for every image the
// lessons name.
func requireImage(t *testing.T, e *Engine, ref string) Image {
	t.Helper()
	img, err := e.InspectImage(context.Background(), ref)
	if err != nil {
		t.Fatalf("the %s image must be present (no registry is pulled from; testkit/standins.sh provides a stand-in): %v", ref, err)
	}
	return img
}

// docker runs a docker CLI command line for a test and returns its trimmed
// output.
func docker(t *testing.T, args string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := Run(ctx, "", nil, "docker "+args)
	if err != nil {
		t.Fatalf("docker %s: %v", args, err)
	}
	return strings.TrimSpace(out)
}

// TestIntegrationReadImageFile builds a small image of its own (FROM
// scratch: no command, a file and a symbolic link to it) and reads files
// out of it.
func TestIntegrationReadImageFile(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()

	dir := t.TempDir()
	page := "<h1>Hello, I'm Alex</h1>\n"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "html"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "html", "index.html"), []byte(page), 0o644))
	must(os.Symlink("index.html", filepath.Join(dir, "html", "page.html")))
	must(os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY html /html\n"), 0o644))
	ref := testName(t) + ":v1"
	docker(t, fmt.Sprintf("build -q --label lab.managed=true -t %s %s", ref, dir))
	t.Cleanup(func() { docker(t, "rmi "+ref) })

	for _, p := range []string{"/html/index.html", "/html/page.html"} {
		data, err := e.ReadImageFile(ctx, ref, p, 1<<20)
		if err != nil || string(data) != page {
			t.Errorf("%s: got %q, %v, want %q", p, data, err, page)
		}
	}
	if _, err := e.ReadImageFile(ctx, ref, "/html/index.html", 4); err == nil || !strings.Contains(err.Error(), "more than the 4") {
		t.Errorf("over the limit: got %v, want a too-long error", err)
	}
	_, err := e.ReadImageFile(ctx, ref, "/no/such/file", 1<<20)
	if !IsNotFound(err) || !strings.Contains(err.Error(), `file "/no/such/file" not found`) {
		t.Errorf("missing file: got %v, want a file not-found error", err)
	}
	_, err = e.ReadImageFile(ctx, "lab-test-no-such-image:0", "/hello", 1<<20)
	if !IsNotFound(err) || !strings.Contains(err.Error(), `image "lab-test-no-such-image:0" not found`) {
		t.Errorf("missing image: got %v, want an image not-found error", err)
	}
	_, err = e.ReadImageFile(ctx, ref, "/html", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: got %v, want an is-a-directory error", err)
	}

	left, err := e.Containers(ctx, ContainerQuery{All: true, Labels: map[string]string{"lab.purpose": "read-image-file"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range left {
		if c.Image == ref { // other tests may be reading other images now
			t.Errorf("throwaway container %s left behind, want none", c.Name)
		}
	}
}

// TestIntegrationRegistry pushes an image to a registry:3 container with the
// docker CLI, as a learner does, and reads it back: the catalog lists the
// repository, the tag is there, and the digest the registry serves is the
// one the engine recorded for the push.
func TestIntegrationRegistry(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	requireImage(t, e, "registry:3")
	requireImage(t, e, "hello-world")

	name := testName(t)
	docker(t, fmt.Sprintf("run -d --name %s --label lab.managed=true -p 127.0.0.1::5000 registry:3", name))
	t.Cleanup(func() { docker(t, "rm -fv "+name) })
	port := docker(t, "port "+name+" 5000/tcp")
	port = port[strings.LastIndex(port, ":")+1:]
	host := "127.0.0.1:" + port
	reg := &Registry{Base: "http://" + host}

	deadline := time.Now().Add(10 * time.Second)
	for reg.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the registry on %s did not answer within 10s: %v", host, reg.Ping(ctx))
		}
		time.Sleep(100 * time.Millisecond)
	}
	repos, err := reg.Catalog(ctx)
	if err != nil || len(repos) != 0 {
		t.Fatalf("a new registry: got catalog %v, %v, want an empty one", repos, err)
	}

	ref := host + "/" + name + ":v1"
	docker(t, "tag hello-world "+ref)
	t.Cleanup(func() { docker(t, "rmi "+ref) })
	if _, err := reg.ManifestDigest(ctx, name, "v1"); !IsRegistryNotFound(err) {
		t.Errorf("tagged, not pushed: got %v, want not found", err)
	}
	docker(t, "push "+ref)

	repos, err = reg.Catalog(ctx)
	if err != nil || !slices.Contains(repos, name) {
		t.Errorf("after the push: got catalog %v, %v, want %s in it", repos, err, name)
	}
	tags, err := reg.Tags(ctx, name)
	if err != nil || !slices.Equal(tags, []string{"v1"}) {
		t.Errorf("after the push: got tags %v, %v, want [v1]", tags, err)
	}
	m, err := reg.ManifestDigest(ctx, name, "v1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := e.InspectImage(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if pushed := RepoDigests(img, host+"/"+name); !slices.Contains(pushed, m.Digest) {
		t.Errorf("the registry serves %s (%s), the engine recorded %v for %s/%s", m.Digest, m.MediaType, pushed, host, name)
	}
	if _, err := reg.Tags(ctx, "lab-test-nothing"); !IsRegistryNotFound(err) {
		t.Errorf("tags of a repository never pushed: got %v, want not found", err)
	}
}
