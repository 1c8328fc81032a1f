package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
)

// probeCache remembers what a build experiment (ProbeRebuild, ProbeIgnore)
// found, and files read out of images (by image ID), keyed by everything its answer depends on: the kind of probe and
// its parameters, the engine, the Dockerfile, and every file of the build
// context by path, mode, size and modification time. Edit, add or remove any
// file and the key changes, so a cached answer is the answer the builds
// would give again; checking a solved step a second time then costs a walk
// of the context instead of two builds. Only successful probes are kept.
type probeCache struct {
	dir string // empty: no cache
}

// probeCacheVersion is part of every key; bump it when a probe's answer
// changes meaning.
const probeCacheVersion = "1"

func newProbeCache() probeCache {
	if os.Getenv("LAB_NO_PROBE_CACHE") != "" {
		return probeCache{}
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return probeCache{}
	}
	return probeCache{dir: filepath.Join(base, "lab", "probes")}
}

// keyOf is the key of an answer that depends only on words, such as an
// image's ID: an image's content never changes under one ID.
func (c probeCache) keyOf(words ...string) string {
	if c.dir == "" {
		return ""
	}
	return hex.EncodeToString(c.hashWords(words).Sum(nil))
}

func (c probeCache) hashWords(words []string) hash.Hash {
	h := sha256.New()
	for _, w := range append([]string{probeCacheVersion}, words...) {
		fmt.Fprintf(h, "%d:%s\n", len(w), w)
	}
	return h
}

// key fingerprints the build context at root plus the given words. An error
// (an unreadable file) means the probe runs uncached.
func (c probeCache) key(root string, words ...string) (string, error) {
	if c.dir == "" {
		return "", fmt.Errorf("no probe cache")
	}
	h := c.hashWords(words)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00%d\n", filepath.ToSlash(rel), info.Mode(), info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// get reads the answer stored under key into v.
func (c probeCache) get(key string, v any) bool {
	if c.dir == "" || key == "" {
		return false
	}
	data, err := os.ReadFile(filepath.Join(c.dir, key+".json"))
	return err == nil && json.Unmarshal(data, v) == nil
}

// put stores v under key, atomically; a cache that cannot be written is
// only slower.
func (c probeCache) put(key string, v any) {
	if c.dir == "" || key == "" {
		return
	}
	data, err := json.Marshal(v)
	if err != nil || os.MkdirAll(c.dir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, "tmp-")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), filepath.Join(c.dir, key+".json")) != nil {
		os.Remove(tmp.Name())
	}
}
