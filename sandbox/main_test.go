package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) {
	// Probe and image-file answers are kept in a cache of the tests' own,
	// never the user's, and gone afterwards.
	cache, err := os.MkdirTemp("", "lab-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	if shared.name != "" {
		if err := NewClusters(nil).DeleteFrom(shared.name, shared.kubeconfig); err != nil {
			fmt.Fprintf(os.Stderr, "deleting the tests' kind cluster %s: %v\n", shared.name, err)
			code = 1
		}
		os.RemoveAll(filepath.Dir(shared.kubeconfig))
	}
	os.Exit(code)
}
