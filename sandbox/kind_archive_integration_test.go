package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestIntegrationKindLoadImageArchive proves the way around kind's load
// failure with Docker's containerd image store that lesson 6 teaches:
// docker save, then kind load image-archive. The node's copy is then the
// image Docker has, by layers and creation time, as the load-image check
// compares it.
func TestIntegrationKindLoadImageArchive(t *testing.T) {
	e, image := integrationKind(t)
	if _, err := exec.LookPath("kind"); err != nil {
		if os.Getenv("LAB_REQUIRE_CLUSTER") != "" {
			t.Fatal("LAB_REQUIRE_CLUSTER is set, but the kind CLI is not on PATH")
		}
		t.Skip("the kind CLI is not on PATH")
	}
	_, cluster := testCluster(t, e, image)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const ref = "lab-test/archive:v1"
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("docker", "tag", "hello-world", ref)
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", ref).Run() })
	tar := filepath.Join(t.TempDir(), "archive.tar")
	run("docker", "save", ref, "-o", tar)
	run("kind", "load", "image-archive", tar, "--name", cluster)

	img, err := e.InspectImage(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	node := cluster + "-control-plane"
	got, found, err := e.NodeImageDetails(ctx, node, FullImageRef(ref))
	if err != nil {
		t.Fatalf("reading the node's image: %v", err)
	}
	if !found {
		t.Fatalf("%s is not in node %s after kind load image-archive", FullImageRef(ref), node)
	}
	if !got.SameAs(img) {
		t.Errorf("the node's %s is not Docker's: layers %v created %s, want layers %v created %s",
			ref, got.Layers, got.Created, img.Layers, img.Created)
	}
}
