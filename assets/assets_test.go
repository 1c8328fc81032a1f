package assets

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFSHasStarterFiles(t *testing.T) {
	for _, name := range []string{
		"app/app.js",
		"app/seed.js",
		"app/package.json",
		"app/package-lock.json",
		"app/README.md",
		"app/.gitignore",
		"app/test/app.test.js",
		"web/index.html",
	} {
		data, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Errorf("reading %s: %v", name, err)
			continue
		}
		if len(data) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestFSHasNoNodeModules(t *testing.T) {
	err := fs.WalkDir(FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == "node_modules" || strings.Contains(path, "/node_modules/") {
			t.Errorf("embedded %s: node_modules must not be embedded", path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking embedded files: %v", err)
	}
}

func TestFSHasNoDockerfile(t *testing.T) {
	// Learners write the app's Dockerfile themselves.
	if _, err := fs.Stat(FS(), "app/Dockerfile"); err == nil {
		t.Error("app/Dockerfile is embedded; learners write it in the Dockerfile lesson")
	}
}

func TestPackageJSONDependsOnlyOnMongoDB(t *testing.T) {
	data, err := fs.ReadFile(FS(), "app/package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Name            string            `json:"name"`
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
		Engines         map[string]string `json:"engines"`
		Scripts         map[string]string `json:"scripts"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatalf("parsing app/package.json: %v", err)
	}
	if pkg.Name != "lab-sample-app" {
		t.Errorf("name = %q, want lab-sample-app", pkg.Name)
	}
	if len(pkg.Dependencies) != 1 || pkg.Dependencies["mongodb"] == "" {
		t.Errorf("dependencies = %v, want only mongodb", pkg.Dependencies)
	}
	if len(pkg.DevDependencies) != 0 {
		t.Errorf("devDependencies = %v, want none", pkg.DevDependencies)
	}
	if got := pkg.Engines["node"]; got != ">=18" {
		t.Errorf("engines.node = %q, want >=18", got)
	}
	for _, s := range []string{"start", "test", "seed"} {
		if pkg.Scripts[s] == "" {
			t.Errorf("scripts.%s is missing", s)
		}
	}
}

// TestSampleAppNodeTests runs the app's own tests (node --test) on a copy of
// the embedded files, so what learners receive is what passes. The tests need
// no database and no installed dependencies.
func TestSampleAppNodeTests(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node; skipped with -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; install Node.js 18 or newer to run the sample app's tests")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Skipf("node --version: %v", err)
	}
	version := strings.TrimSpace(string(out))
	var major int
	if _, err := fmt.Sscanf(version, "v%d.", &major); err != nil || major < 18 {
		t.Skipf("node %s is older than 18, which the sample app requires", version)
	}

	dir := t.TempDir()
	app, err := fs.Sub(FS(), "app")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, app); err != nil {
		t.Fatalf("copying embedded app: %v", err)
	}
	cmd := exec.Command(node, "--test")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DB_HOST=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test in %s (node %s): %v\n%s", filepath.Base(dir), version, err, out)
	}
}
