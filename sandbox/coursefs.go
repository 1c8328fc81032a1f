package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CourseFS returns the course folder dir as a file system, as os.DirFS does,
// except that opening or reading anything but a regular file or a folder (a
// FIFO, a socket, a device) fails at once instead of waiting forever or
// reading without end.
func CourseFS(dir string) fs.FS {
	return courseFS{dir: dir, fsys: os.DirFS(dir)}
}

type courseFS struct {
	dir  string
	fsys fs.FS
}

// check refuses a name that is neither a regular file nor a folder.
func (c courseFS) check(op, name string) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fi, err := os.Stat(filepath.Join(c.dir, filepath.FromSlash(name)))
	if err != nil {
		return &fs.PathError{Op: op, Path: name, Err: unwrapPath(err)}
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return &fs.PathError{Op: op, Path: name,
			Err: fmt.Errorf("not a regular file (%s); a course holds only files and folders", fi.Mode().Type())}
	}
	return nil
}

func (c courseFS) Open(name string) (fs.File, error) {
	if err := c.check("open", name); err != nil {
		return nil, err
	}
	return c.fsys.Open(name)
}

func (c courseFS) ReadFile(name string) ([]byte, error) {
	if err := c.check("read", name); err != nil {
		return nil, err
	}
	return fs.ReadFile(c.fsys, name)
}

func (c courseFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(c.fsys, name)
}

func (c courseFS) Stat(name string) (fs.FileInfo, error) {
	return fs.Stat(c.fsys, name)
}

// unwrapPath returns the cause of a *fs.PathError, so that the error names
// the path inside the course once.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
