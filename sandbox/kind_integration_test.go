package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// integrationKind returns the engine and the node image for a test that
// makes a kind cluster. It skips, saying why, when kind cannot run here,
// unless LAB_REQUIRE_CLUSTER is set: then that is a failure.
func integrationKind(t *testing.T) (*Engine, string) {
	t.Helper()
	e := integrationEngine(t)
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("LAB_REQUIRE_CLUSTER") != "" {
			t.Fatalf("LAB_REQUIRE_CLUSTER is set, but "+format, args...)
		}
		t.Skipf(format, args...)
	}
	image := os.Getenv("LAB_NODE_IMAGE")
	if image == "" {
		skip("no node image: set LAB_NODE_IMAGE to a kind node image on this machine (make test builds one offline)")
	}
	if _, err := e.InspectImage(context.Background(), image); err != nil {
		skip("the node image %s is not on this machine: %v", image, err)
	}
	return e, image
}

// The cluster the Kubernetes integration tests share: made once, on first
// use, with its own name, no host port and a kubeconfig file of its own,
// and deleted when the package's tests end.
var shared struct {
	once       sync.Once
	name       string
	kubeconfig string
	err        error
}

func testCluster(t *testing.T, e *Engine, image string) (kubeconfig, name string) {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "lab-test-cluster-")
		if err != nil {
			shared.err = err
			return
		}
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		shared.name = "lab-it-" + hex.EncodeToString(b)
		shared.kubeconfig = filepath.Join(dir, "kubeconfig")
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
		defer cancel()
		clusters := NewClusters(nil)
		spec := ClusterSpec{Name: shared.name, Image: image, Kubeconfig: shared.kubeconfig}
		if shared.err = clusters.Create(ctx, spec, 2*time.Minute); shared.err != nil {
			return
		}
		_, shared.err = clusters.WaitHealthy(ctx, e, shared.name, 3*time.Minute, nil)
	})
	if shared.err != nil {
		t.Fatalf("making the tests' kind cluster: %v", shared.err)
	}
	return shared.kubeconfig, shared.name
}

// TestClusterLifecycle makes a cluster of its own (its own name and host
// port, so it never meets the lessons' cluster), judges it healthy, finds an
// existing cluster again, and deletes it without a trace.
func TestClusterLifecycle(t *testing.T) {
	e, image := integrationKind(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	spec := ClusterSpec{
		Name: testName(t), Image: image, Kubeconfig: filepath.Join(t.TempDir(), "kubeconfig"),
		Ports: []PortMapping{{HostPort: 30091, NodePort: 30001, ListenAddress: "127.0.0.1"}},
	}
	var lines []string
	clusters := NewClusters(func(s string) { lines = append(lines, s) })
	t.Cleanup(func() { _ = clusters.DeleteFrom(spec.Name, spec.Kubeconfig) })

	if err := clusters.Create(ctx, spec, 2*time.Minute); err != nil {
		t.Fatalf("creating %s: %v", spec.Name, err)
	}
	if !slices.ContainsFunc(lines, func(s string) bool { return strings.Contains(s, "Starting control-plane") }) {
		t.Errorf("kind's progress lines were not passed on: %q", lines)
	}
	h, err := clusters.WaitHealthy(ctx, e, spec.Name, 3*time.Minute, nil)
	if err != nil {
		t.Fatalf("cluster not healthy: %v", err)
	}
	if len(h.Nodes) != 1 || !h.Nodes[0].Ready || h.Nodes[0].Version == "" || !h.DNSReady {
		t.Errorf("health = %+v", h)
	}
	if !h.Maps(30091, 30001) || h.Image != image {
		t.Errorf("ports %v, image %q; want 30091 → 30001 from %s", h.Ports, h.Image, image)
	}
	if ok, err := clusters.Exists(spec.Name); err != nil || !ok {
		t.Errorf("Exists = %v, %v", ok, err)
	}
	names, err := e.KindClusterNames(ctx)
	if err != nil || !slices.Contains(names, spec.Name) {
		t.Errorf("KindClusterNames = %v, %v", names, err)
	}

	// A second cluster of the same name is refused with the way out.
	err = clusters.Create(ctx, spec, 0)
	if err == nil || !strings.Contains(err.Error(), "lab cluster down") {
		t.Errorf("creating it twice: %v", err)
	}

	// The node has crictl; an image lab never loaded is not found.
	node := spec.Name + "-control-plane"
	if _, found, err := e.NodeImageDetails(ctx, node, "docker.io/lab/never-loaded:v1"); err != nil || found {
		t.Errorf("NodeImageDetails of an absent image = %v, %v", found, err)
	}
	imgs, err := e.NodeImages(ctx, node)
	if err != nil || !slices.ContainsFunc(imgs, func(i NodeImage) bool {
		return slices.ContainsFunc(i.Tags, func(s string) bool { return strings.Contains(s, "coredns") })
	}) {
		t.Errorf("NodeImages = %v, %v", imgs, err)
	}

	// Reset removes it as a resource: found by its nodes, deleted by kind.
	found, err := e.Find(ctx, []Ref{{KindCluster, spec.Name}, {KindCluster, "lab-never-made"}})
	if err != nil || len(found) != 1 || found[0].String() != "kind cluster "+spec.Name || found[0].Created.IsZero() {
		t.Fatalf("Find = %v, %v", found, err)
	}
	if err := e.Remove(ctx, found); err != nil {
		t.Fatal(err)
	}
	if nodes, err := e.KindNodes(ctx, spec.Name); err != nil || len(nodes) != 0 {
		t.Errorf("after Delete: nodes %v, %v", nodes, err)
	}
	if ok, err := clusters.Exists(spec.Name); err != nil || ok {
		t.Errorf("after Delete: Exists = %v, %v", ok, err)
	}
}

// TestClusterPreflightFindsTakenPort holds the host port a cluster would
// map and expects the preflight to name it.
func TestClusterPreflightFindsTakenPort(t *testing.T) {
	e := integrationEngine(t)
	spec := ClusterSpec{Name: "x", Ports: []PortMapping{{HostPort: 30092, NodePort: 30001, ListenAddress: "127.0.0.1"}}}
	if _, err := ClusterPreflight(context.Background(), e, spec); err != nil {
		t.Fatalf("preflight with the port free: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:30092")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = ClusterPreflight(context.Background(), e, spec)
	if err == nil || !strings.Contains(err.Error(), "host port 30092 is already taken") {
		t.Errorf("preflight with the port taken: %v", err)
	}
}
