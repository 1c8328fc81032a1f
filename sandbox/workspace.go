package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// CopyStarter copies each path (a file or a folder) of the starter files in
// src into the workspace ws under the same relative path. A file that is
// already in the workspace is never overwritten: it is the learner's work.
// It returns the files it wrote and the ones it kept.
func CopyStarter(src fs.FS, paths []string, ws string) (copied, kept []string, err error) {
	for _, p := range paths {
		err := fs.WalkDir(src, path.Clean(p), func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			dst := filepath.Join(ws, filepath.FromSlash(name))
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			if _, err := os.Lstat(dst); err == nil {
				kept = append(kept, name)
				return nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			data, err := fs.ReadFile(src, name)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			// O_EXCL: never replace a file that appeared in the meantime.
			f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			if _, err := f.Write(data); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			copied = append(copied, name)
			return nil
		})
		if err != nil {
			return copied, kept, fmt.Errorf("copying starter files %q into %s: %w", p, ws, err)
		}
	}
	return copied, kept, nil
}
