package lessons

import (
	"io/fs"
	"os"
	"slices"
	"testing"
)

// TestEmbeddedCourse loads the course built into the binary with the
// feature files beside it, so broken shipped lessons fail here and not in
// front of a learner.
func TestEmbeddedCourse(t *testing.T) {
	if _, err := fs.Stat(Content(), "course.yaml"); err != nil {
		t.Fatalf("embedded content: %v", err)
	}
	features := os.DirFS("../features")
	if matches, _ := fs.Glob(features, "*.feature"); len(matches) == 0 {
		t.Skip("no feature files in ../features yet")
	}
	c, err := Load(Content(), features)
	if err != nil {
		t.Fatalf("loading the built-in course: %v", err)
	}
	if len(c.Steps()) == 0 {
		t.Error("got a built-in course with no steps, want some")
	}
	// The cluster lab cluster up makes and the checks look at (kind-lab).
	if cl := c.Cluster; cl == nil || cl.Name != "lab" || !slices.Equal(cl.NodePorts, []int{30001}) {
		t.Errorf("built-in cluster: got %+v, want lab with node port 30001", cl)
	}
}
