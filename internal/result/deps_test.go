package result_test

import (
	"os/exec"
	"strings"
	"testing"
)

// heavy are the module paths that reach Docker, Kubernetes, kind or run
// Gherkin. The result model and everything built only on results (reports,
// receipts, grading) must stay free of them, so that a grading tool or the
// class server does not drag in the whole checking machinery.
var heavy = []string{
	"github.com/moby/", "github.com/docker/", "sigs.k8s.io/kind", "k8s.io/",
	"github.com/cucumber/godog", "go.mongodb.org/", "github.com/compose-spec/",
	"github.com/lab-workshop/lab/features", "github.com/lab-workshop/lab/sandbox",
}

// TestLeafPackagesStayLight lists the full dependency tree (go list -deps),
// not only direct imports, so a heavy package reached through another one
// is caught too.
func TestLeafPackagesStayLight(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, pkg := range []string{".", "../report", "../receipt", "../grade"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 2 {
			t.Fatalf("go list -deps %s printed %d packages; want the package and its dependencies", pkg, len(deps))
		}
		for _, dep := range deps {
			for _, h := range heavy {
				if dep == strings.TrimSuffix(h, "/") || strings.HasPrefix(dep, h) {
					t.Errorf("%s depends on %s: keep Docker, Kubernetes, kind and godog out of the result model and what builds on it", deps[len(deps)-1], dep)
				}
			}
		}
	}
}
