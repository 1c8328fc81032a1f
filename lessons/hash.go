package lessons

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
)

// hashContent returns the sha256 (hex) of every regular file of both file
// systems, skipping hidden names (".git", "_draft") as go:embed does, so a
// course hashes the same from a directory and from the binary. Files are taken in path order, content ones as "content/<path>"
// and feature ones as "features/<path>"; each contributes its path, a NUL,
// its length in decimal, a NUL and its bytes. The framing means no two
// different sets of files can produce the same input.
func hashContent(content, features fs.FS) (string, error) {
	type file struct {
		path string
		fsys fs.FS
		name string
	}
	var files []file
	for _, root := range []struct {
		prefix string
		fsys   fs.FS
	}{{"content/", content}, {"features/", features}} {
		err := fs.WalkDir(root.fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if name != "." && hidden(d.Name()) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, file{root.prefix + name, root.fsys, name})
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("listing %s files: %w", root.prefix[:len(root.prefix)-1], err)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })

	h := sha256.New()
	for _, f := range files {
		if err := hashFile(h, f.fsys, f.name, f.path); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashFile streams one file into h, framed as hashContent describes, so a
// large file costs time but not memory.
func hashFile(h io.Writer, fsys fs.FS, name, label string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", label, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", label, err)
	}
	size := info.Size()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(size, 10)))
	h.Write([]byte{0})
	n, err := io.Copy(h, io.LimitReader(f, size))
	if err != nil {
		return fmt.Errorf("reading %s: %w", label, err)
	}
	if n != size {
		return fmt.Errorf("reading %s: it changed while lab read it; try again", label)
	}
	return nil
}
