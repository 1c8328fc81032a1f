package sandbox

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestIntegrationBundleRoundTrip saves an image into a bundle, removes it
// from the engine and loads it back: the same image ID returns. A bundle with
// one byte changed is refused before anything is loaded.
func TestIntegrationBundleRoundTrip(t *testing.T) {
	e := integrationEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const ref = "lab-test/bundle:v1"
	if out, err := exec.CommandContext(ctx, "docker", "tag", "hello-world", ref).CombinedOutput(); err != nil {
		t.Fatalf("docker tag: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", ref).Run() })
	want, err := e.InspectImage(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "class.bundle")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.SaveBundle(ctx, f, BundleManifest{Course: "test"}, []string{ref}, "", func(string) {})
	f.Close()
	if err != nil {
		t.Fatalf("SaveBundle: %v", err)
	}
	if len(m.Images) != 1 || m.Images[0].ID != want.ID {
		t.Fatalf("manifest: got %+v, want one image %s", m.Images, want.ID)
	}
	if _, err := e.SaveBundle(ctx, new(discard), BundleManifest{}, []string{"lab-test/absent:v9"}, "", func(string) {}); err == nil {
		t.Error("SaveBundle of an absent image: got no error")
	}

	rmi := func() {
		if out, err := exec.CommandContext(ctx, "docker", "rmi", ref).CombinedOutput(); err != nil {
			t.Fatalf("docker rmi: %v\n%s", err, out)
		}
	}
	rmi()
	if _, err := e.LoadBundle(ctx, file, func(string) {}); err != nil {
		t.Fatalf("LoadBundle: %v", err)
	}
	got, err := e.InspectImage(ctx, ref)
	if err != nil {
		t.Fatalf("after loading: %v", err)
	}
	if got.ID != want.ID {
		t.Errorf("loaded image ID %s, want %s", got.ID, want.ID)
	}

	// One byte changed in the middle: the image archive, or a header.
	rmi()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), "bad.bundle")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = e.LoadBundle(ctx, bad, func(string) {})
	var be *BundleError
	if !errors.As(err, &be) {
		t.Fatalf("LoadBundle of a changed bundle: got %v, want a BundleError", err)
	}
	if _, err := e.InspectImage(ctx, ref); !IsNotFound(err) {
		t.Errorf("after a refused bundle, %s: got %v, want not found (nothing loaded)", ref, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
