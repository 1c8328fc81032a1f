package sandbox

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProbeCacheKeyFollowsTheContext(t *testing.T) {
	root := t.TempDir()
	c := probeCache{dir: t.TempDir()}
	file := filepath.Join(root, "app.js")
	if err := os.WriteFile(file, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	k1, err := c.key(root, "rebuild", "FROM x")
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := c.key(root, "rebuild", "FROM x"); k != k1 {
		t.Error("the same context and words gave another key")
	}
	if k, _ := c.key(root, "rebuild", "FROM y"); k == k1 {
		t.Error("another Dockerfile gave the same key")
	}
	// Same size, new time: an edit the key must see.
	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(file, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	k2, _ := c.key(root, "rebuild", "FROM x")
	if k2 == k1 {
		t.Error("an edited file gave the same key")
	}
	if err := os.WriteFile(filepath.Join(root, ".dockerignore"), []byte("node_modules\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if k, _ := c.key(root, "rebuild", "FROM x"); k == k2 {
		t.Error("a new file gave the same key")
	}

	var got RebuildResult
	if c.get(k2, &got) {
		t.Fatal("a key never stored was found")
	}
	want := RebuildResult{Before: []string{"a", "b"}, After: []string{"a", "c"}}
	c.put(k2, want)
	if !c.get(k2, &got) || len(got.After) != 2 || got.After[1] != "c" {
		t.Errorf("stored %v, read %v", want, got)
	}
	off := probeCache{}
	if _, err := off.key(root); err == nil {
		t.Error("a disabled cache gave a key")
	}
}

func TestProbeCacheKeyOfWords(t *testing.T) {
	c := probeCache{dir: t.TempDir()}
	a := c.keyOf("image file", "sha256:1", "/etc/passwd", "100")
	if a == "" || a != c.keyOf("image file", "sha256:1", "/etc/passwd", "100") {
		t.Error("the same words must give the same key")
	}
	if a == c.keyOf("image file", "sha256:2", "/etc/passwd", "100") || a == c.keyOf("image file", "sha256:1/etc/passwd", "", "100") {
		t.Error("other words (or the same text split otherwise) must give another key")
	}
	if (probeCache{}).keyOf("x") != "" {
		t.Error("a disabled cache gave a key")
	}
}
