package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// WorkspacePathError reports a workspace path lab refuses: one that leaves
// the workspace by itself ("..", an absolute path) or through a symbolic
// link. Lab reads and writes nothing outside the workspace, so a course
// cannot make a check read (and a receipt carry) a file from elsewhere.
type WorkspacePathError struct {
	// Path is the path as the course named it.
	Path string
	// Reason says why it is refused.
	Reason string
}

// Error names the path and the reason.
func (e *WorkspacePathError) Error() string {
	return fmt.Sprintf("workspace path %q %s", e.Path, e.Reason)
}

// ValidWorkspacePath reports why rel, a slash-separated path a course names,
// cannot name a file inside the workspace, or "" when it can: it must be
// relative, must not climb out with "..", and must not use backslashes,
// which mean a separator on Windows and nothing on other systems.
func ValidWorkspacePath(rel string) string {
	switch {
	case rel == "":
		return "is empty"
	case strings.Contains(rel, `\`):
		return `uses a backslash: write paths with "/"`
	case path.IsAbs(rel) || filepath.IsAbs(rel) || filepath.VolumeName(rel) != "":
		return "is absolute: name a path relative to the workspace"
	}
	for _, elem := range strings.Split(rel, "/") {
		if elem == ".." {
			return `climbs out of the workspace with ".."`
		}
	}
	return ""
}

// WorkspacePath resolves rel, a slash-separated path a course names, inside
// the workspace ws and returns it as a path on this system. It refuses paths
// that leave the workspace (absolute ones, "..") and paths whose existing
// part goes through a symbolic link to somewhere outside the workspace, and
// a FIFO, socket or device, which lab would wait on forever. A path that
// does not exist yet is fine: callers report it missing.
func WorkspacePath(ws, rel string) (string, error) {
	if why := ValidWorkspacePath(rel); why != "" {
		return "", &WorkspacePathError{Path: rel, Reason: why}
	}
	p := filepath.Join(ws, filepath.FromSlash(rel))
	root, err := filepath.EvalSymlinks(ws)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil // no workspace yet: nothing in it to follow
	}
	if err != nil {
		return "", fmt.Errorf("resolving the workspace %s: %w", ws, err)
	}
	// Resolve the longest part of the path that exists; p is inside ws
	// by name, and ws exists, so the walk up ends there at the latest.
	for existing := p; ; existing = filepath.Dir(existing) {
		real, err := filepath.EvalSymlinks(existing)
		switch {
		case err == nil:
			if !within(root, real) {
				return "", &WorkspacePathError{Path: rel,
					Reason: fmt.Sprintf("goes through a symbolic link to %s, outside the workspace %s; lab reads nothing outside it", real, ws)}
			}
			if existing == p {
				// Reading a FIFO or a device would wait forever or
				// never end.
				if fi, err := os.Stat(real); err == nil && !fi.IsDir() && !fi.Mode().IsRegular() {
					return "", &WorkspacePathError{Path: rel,
						Reason: fmt.Sprintf("is not a regular file (%s); lab reads only files and folders", fi.Mode().Type())}
				}
			}
			return p, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("resolving %s: %w", p, err)
		case filepath.Dir(existing) == existing:
			return p, nil
		}
	}
}

// within reports whether p is dir or inside it; both are cleaned absolute
// or both relative.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// CopyStarter copies each path (a file or a folder) of the starter files in
// src into the workspace ws under the same relative path. A file that is
// already in the workspace is never overwritten: it is the learner's work.
// It returns the files it wrote and the ones it kept.
//
// Only regular files and folders are copied: a symbolic link among the
// starter files (which could point at any file of the machine) or anything
// else, a FIFO say, is refused, as is a destination that leads out of the
// workspace through a symbolic link.
func CopyStarter(src fs.FS, paths []string, ws string) (copied, kept []string, err error) {
	for _, p := range paths {
		err := copyStarter(src, p, ws, &copied, &kept)
		if err != nil {
			return copied, kept, fmt.Errorf("copying starter files %q into %s: %w", p, ws, err)
		}
	}
	return copied, kept, nil
}

func copyStarter(src fs.FS, p, ws string, copied, kept *[]string) error {
	if why := ValidWorkspacePath(p); why != "" {
		return &WorkspacePathError{Path: p, Reason: why}
	}
	root := path.Clean(p)
	// WalkDir follows a link at its root and links among the folders
	// above it, so look at every part of the path first.
	for prefix := root; ; prefix = path.Dir(prefix) {
		if err := checkStarterEntry(src, prefix); err != nil {
			return err
		}
		if !strings.Contains(prefix, "/") {
			break
		}
	}
	return fs.WalkDir(src, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := checkStarterType(name, d.Type()); err != nil {
			return err
		}
		dst, err := WorkspacePath(ws, name)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if _, err := os.Lstat(dst); err == nil {
			*kept = append(*kept, name)
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
		// O_EXCL: never replace a file that appeared in the meantime, and
		// never write through a link put in its place.
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
		*copied = append(*copied, name)
		return nil
	})
}

// checkStarterEntry looks at one starter path without following a link,
// where the file system can (os.DirFS can; embedded files have no links).
func checkStarterEntry(src fs.FS, name string) error {
	rl, ok := src.(fs.ReadLinkFS)
	if !ok {
		return nil
	}
	fi, err := rl.Lstat(name)
	if err != nil {
		return err
	}
	return checkStarterType(name, fi.Mode().Type())
}

// checkStarterType refuses anything but a regular file or a folder.
func checkStarterType(name string, mode fs.FileMode) error {
	switch {
	case mode&fs.ModeSymlink != 0:
		return fmt.Errorf("starter file %s is a symbolic link; lab copies only regular files and folders: "+
			"put the file itself in the course's assets", name)
	case mode.IsDir(), mode.IsRegular():
		return nil
	}
	return fmt.Errorf("starter file %s is not a regular file (%s); lab copies only regular files and folders", name, mode)
}
