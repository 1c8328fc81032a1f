package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// namedPath is a file a command was given, with the flag or argument that
// named it, so a clash can say which two collide.
type namedPath struct {
	path string
	name string // for example "--sign-key class.key"
}

// checkClobber refuses outputs that would overwrite one of the inputs or
// each other. It runs before any output is opened and any check runs, so a
// slip in a command line costs nothing: the class key, a receipt being
// graded or a report written a moment earlier is never replaced by surprise.
func checkClobber(outputs, inputs []namedPath) error {
	for i, out := range outputs {
		for _, in := range inputs {
			if samePath(out.path, in.path) {
				return usageErrorf("%s would overwrite %s (the same file); write the output to another file", out.name, in.name)
			}
		}
		for _, other := range outputs[:i] {
			if samePath(out.path, other.path) {
				return usageErrorf("%s and %s name the same file, so one would overwrite the other; give each output its own file", other.name, out.name)
			}
		}
	}
	return nil
}

// samePath reports whether a and b name one file: the same file where both
// exist (a hard link or symlink counts), else the same path once cleaned,
// made absolute and resolved through the symlinks that exist.
func samePath(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ai, aerr := os.Stat(a)
	bi, berr := os.Stat(b)
	if aerr == nil && berr == nil {
		return os.SameFile(ai, bi)
	}
	return canonical(a) == canonical(b)
}

// canonical is path made absolute and clean, with symlinks resolved in the
// longest part of it that exists.
func canonical(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	rest := ""
	for dir := abs; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest)
		}
		if parent := filepath.Dir(dir); parent == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// outputFile is a file a command will write its result to. It is opened
// before the command does its work, so a path that cannot be written fails
// first, and its old content stays until the new content is written.
type outputFile struct {
	path    string
	what    string // what goes in it, for messages: "junit report"
	f       *os.File
	created bool // lab made the file, so an unused one is removed again
}

// openOutput opens path for writing without truncating it yet.
func openOutput(path, what string) (*outputFile, error) {
	fi, statErr := os.Stat(path)
	if statErr == nil && fi.IsDir() {
		return nil, usageErrorf("%s is a folder; name a file for the %s", path, what)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return nil, &envError{err: fmt.Errorf("opening %s for the %s: %w; choose a file in a folder you can write to", path, what, err)}
	}
	return &outputFile{path: path, what: what, f: f, created: errors.Is(statErr, fs.ErrNotExist)}, nil
}

// write replaces the file's content with what fn writes and closes it. Any
// failed write or close is an error: a full disk is never a written report.
func (o *outputFile) write(fn func(io.Writer) error) error {
	f := o.f
	o.f = nil
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return &envError{err: fmt.Errorf("writing the %s to %s: %w", o.what, o.path, err)}
		}
	}
	w := &stickyWriter{w: f}
	err := fn(w)
	if err == nil {
		err = w.err
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &envError{err: fmt.Errorf("writing the %s to %s: %w; check the disk has room and the file is writable", o.what, o.path, err)}
	}
	return nil
}

// discard closes a file that was never written, removing it if lab made it.
func (o *outputFile) discard() {
	if o == nil || o.f == nil {
		return
	}
	o.f.Close()
	o.f = nil
	if o.created {
		os.Remove(o.path)
	}
}

// stickyWriter remembers the first write error, for writers whose callers
// do not return one.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}
