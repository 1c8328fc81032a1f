package lessons

import (
	"os/exec"
	"strings"
	"testing"
)

// forbiddenDeps are the modules that reach Docker, Kubernetes or run checks.
// lessons must stay loadable without any of them: lint, list and show work
// on a machine with no engine, and the model stays cheap to test.
var forbiddenDeps = []string{
	"github.com/moby/",
	"github.com/docker/",
	"sigs.k8s.io/kind",
	"k8s.io/client-go",
	"github.com/cucumber/godog",
}

// forbidden returns the forbidden prefix pkg falls under, or "".
func forbidden(pkg string) string {
	for _, f := range forbiddenDeps {
		if strings.HasSuffix(f, "/") && strings.HasPrefix(pkg, f) {
			return f
		}
		if pkg == f || strings.HasPrefix(pkg, f+"/") {
			return f
		}
	}
	return ""
}

func TestForbidden(t *testing.T) {
	tests := []struct {
		pkg  string
		want string
	}{
		{"github.com/moby/moby/client", "github.com/moby/"},
		{"github.com/docker/go-connections/nat", "github.com/docker/"},
		{"sigs.k8s.io/kind/pkg/cluster", "sigs.k8s.io/kind"},
		{"sigs.k8s.io/kind", "sigs.k8s.io/kind"},
		{"k8s.io/client-go/kubernetes", "k8s.io/client-go"},
		{"github.com/cucumber/godog", "github.com/cucumber/godog"},
		{"github.com/cucumber/godog/colors", "github.com/cucumber/godog"},
		{"github.com/cucumber/gherkin/go/v42", ""},
		{"github.com/cucumber/messages/go/v34", ""},
		{"github.com/cucumber/godogx", ""},
		{"sigs.k8s.io/yaml", ""},
		{"k8s.io/apimachinery/pkg/api", ""},
		{"go.yaml.in/yaml/v3", ""},
	}
	for _, tt := range tests {
		if got := forbidden(tt.pkg); got != tt.want {
			t.Errorf("forbidden(%q): got %q, want %q", tt.pkg, got, tt.want)
		}
	}
}

// TestDependencyBoundary fails when lessons, directly or through another
// package, imports the Docker client, kind, client-go or the godog runner.
func TestDependencyBoundary(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH to list dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) == 0 || pkgs[len(pkgs)-1] != "github.com/lab-workshop/lab/lessons" {
		t.Fatalf("go list -deps printed %d packages ending in %q, want the lessons package last", len(pkgs), pkgs[len(pkgs)-1:])
	}
	for _, pkg := range pkgs {
		if f := forbidden(pkg); f != "" {
			t.Errorf("lessons depends on %s (%s...): keep Docker, kind, client-go and godog out of the pure course model", pkg, f)
		}
	}
}
