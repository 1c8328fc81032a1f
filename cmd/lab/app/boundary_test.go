package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlySandboxTouchesTheMachine guards the layering: the commands, the
// step definitions and the small internal packages reach Docker, Kubernetes
// and MongoDB only through sandbox, so every outside call has one home.
func TestOnlySandboxTouchesTheMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	outside := []string{
		"github.com/moby/", "github.com/docker/", "sigs.k8s.io/kind", "k8s.io/client-go",
		"go.mongodb.org/", "os/exec", "net/http",
	}
	// net/http and os/exec are allowed in tests and in the test kit only.
	pkgs := []string{"../../../cmd/...", "../../../features", "../../../lessons", "../../../internal/..."}
	out, err := exec.Command("go", append([]string{"list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			// The live class is a web server and its client: HTTP, and
			// nothing of Docker or Kubernetes, is its job.
			if imp == "net/http" && strings.HasPrefix(pkg, "github.com/lab-workshop/lab/internal/class") {
				continue
			}
			for _, o := range outside {
				if imp == strings.TrimSuffix(o, "/") || strings.HasPrefix(imp, o) {
					t.Errorf("%s imports %s; only sandbox may reach the outside world", pkg, imp)
				}
			}
		}
	}
}

// TestLabLinksNoTypedKubernetesClient keeps client-go's typed clientset and
// its discovery client out of the lab binary: they link a client for every
// API group and register them all at start-up, which costs lab megabytes
// and milliseconds at every run. sandbox/kubeclient covers the kinds lab
// uses.
func TestLabLinksNoTypedKubernetesClient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "../../../cmd/lab").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || deps[len(deps)-1] != "github.com/lab-workshop/lab/cmd/lab" {
		t.Fatalf("go list -deps printed %d packages, want the lab command's last", len(deps))
	}
	for _, dep := range deps {
		for _, heavy := range []string{"k8s.io/client-go/kubernetes", "k8s.io/client-go/discovery"} {
			if dep == heavy || strings.HasPrefix(dep, heavy+"/") {
				t.Errorf("lab depends on %s; use sandbox/kubeclient instead of client-go's typed clientset", dep)
			}
		}
	}
}
