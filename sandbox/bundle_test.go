package sandbox

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBundle makes a bundle file from image archives (name → content),
// with a manifest edit applied before it is written.
func writeBundle(t *testing.T, images map[string]string, edit func(*BundleManifest), extra ...string) string {
	t.Helper()
	m := BundleManifest{Format: BundleFormat, Course: "docker-workshop"}
	var names []string
	for name := range images {
		names = append(names, name)
	}
	for i, name := range names {
		sum := sha256.Sum256([]byte(images[name]))
		m.Images = append(m.Images, BundleImage{
			Ref: name, ID: "sha256:x", File: "images/" + string(rune('a'+i)) + ".tar",
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(images[name])),
		})
	}
	contents := map[string]string{}
	for i, img := range m.Images {
		contents[img.File] = images[names[i]]
	}
	if edit != nil {
		edit(&m)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	data, _ := json.Marshal(m)
	if err := writeTarFile(tw, bundleManifestName, int64(len(data)), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	for i := range names {
		f := "images/" + string(rune('a'+i)) + ".tar"
		if err := writeTarFile(tw, f, int64(len(contents[f])), strings.NewReader(contents[f])); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range extra {
		if err := writeTarFile(tw, e, 1, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	file := filepath.Join(t.TempDir(), "class.bundle")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestVerifyBundle(t *testing.T) {
	images := map[string]string{"nginx:1.28": "nginx layers", "lab-standin/kind-node:v1": "node layers"}
	if m, err := VerifyBundle(writeBundle(t, images, nil)); err != nil || len(m.Images) != 2 {
		t.Fatalf("a whole bundle: got %d images, %v; want 2, nil", len(m.Images), err)
	}

	tests := []struct {
		name  string
		file  func(t *testing.T) string
		wants string
	}{
		{"changed image", func(t *testing.T) string {
			return writeBundle(t, images, func(m *BundleManifest) { m.Images[0].SHA256 = strings.Repeat("0", 64) })
		}, "the bundle was damaged or changed"},
		{"missing image", func(t *testing.T) string {
			return writeBundle(t, images, func(m *BundleManifest) {
				m.Images = append(m.Images, BundleImage{Ref: "mongo:7.0", File: "images/z.tar", SHA256: strings.Repeat("1", 64)})
			})
		}, "the bundle is incomplete"},
		{"unlisted file", func(t *testing.T) string { return writeBundle(t, images, nil, "images/evil.tar") },
			"which its manifest does not list"},
		{"newer format", func(t *testing.T) string {
			return writeBundle(t, images, func(m *BundleManifest) { m.Format = BundleFormat + 1 })
		}, "upgrade lab"},
		{"not a bundle", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "x.tar")
			os.WriteFile(f, []byte("plain text"), 0o644)
			return f
		}, "is not a lab bundle"},
		{"truncated", func(t *testing.T) string {
			f := writeBundle(t, images, nil)
			data, _ := os.ReadFile(f)
			os.WriteFile(f, data[:len(data)/2], 0o644)
			return f
		}, "the bundle is"},
		{"a folder", func(t *testing.T) string { return t.TempDir() }, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyBundle(tt.file(t))
			var be *BundleError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), tt.wants) || !strings.HasSuffix(err.Error(), "nothing was loaded") {
				t.Errorf("got %v; want a BundleError containing %q that says nothing was loaded", err, tt.wants)
			}
		})
	}
}
