package progress

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxFileSize is the largest progress file lab reads or writes. A learner's
// progress takes a few kilobytes; a file this big is not lab's.
const MaxFileSize = 8 << 20

// FileError reports a progress file lab refuses to read or replace: a
// symbolic link, something other than a regular file, a read-only file, or
// one over [MaxFileSize]. Nothing is changed; callers treat it as an
// environment problem the learner has to fix.
type FileError struct {
	// Path is the progress file.
	Path string
	// Problem says what is wrong with it and what to do.
	Problem string
}

// Error names the file, the problem and the fix.
func (e *FileError) Error() string {
	return fmt.Sprintf("progress file %s %s", e.Path, e.Problem)
}

const (
	problemSymlink = "is a symbolic link, which lab does not follow or replace; " +
		"put the file itself there (or remove the link to start fresh), or set LAB_HOME to another directory"
	problemIrregular = "is not a regular file; lab neither reads nor replaces it: " +
		"move it away to start fresh, or set LAB_HOME to another directory"
	problemReadOnly = "is read-only; lab will not replace it: make it writable (chmod u+w) " +
		"to let lab record progress, or set LAB_HOME to another directory"
	problemTooBig = "is larger than the %d MiB lab reads, so it is not a progress file lab wrote; " +
		"move it away to start fresh, or set LAB_HOME to another directory"
)

// openRegular opens path for reading without following a symbolic link and
// without waiting on a FIFO, and refuses anything but a regular file.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &FileError{Path: path, Problem: problemSymlink}
	}
	if !fi.Mode().IsRegular() {
		return nil, &FileError{Path: path, Problem: problemIrregular}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow, 0)
	if errors.Is(err, syscall.ELOOP) {
		// Replaced by a link since the Lstat.
		return nil, &FileError{Path: path, Problem: problemSymlink}
	}
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, &FileError{Path: path, Problem: problemIrregular}
	}
	return f, nil
}

// readFile reads the progress file at path, refusing what [openRegular]
// refuses and anything over [MaxFileSize].
func readFile(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &FileError{Path: path, Problem: fmt.Sprintf(problemTooBig, MaxFileSize>>20)}
	}
	return data, nil
}

// checkReplaceable refuses to replace a progress file that is read-only (by
// its mode bits, so root is refused too), a symbolic link or not a regular
// file. A missing file is fine.
func checkReplaceable(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("checking progress file %s: %w", path, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return &FileError{Path: path, Problem: problemSymlink}
	case !fi.Mode().IsRegular():
		return &FileError{Path: path, Problem: problemIrregular}
	case fi.Mode().Perm()&0o200 == 0:
		return &FileError{Path: path, Problem: problemReadOnly}
	}
	return nil
}
