package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

const (
	// fileName is the progress file inside the store's directory.
	fileName = "progress.json"
	// lockName is locked instead of the progress file itself, because each
	// write replaces the progress file with a new inode and a lock held on
	// the old one would no longer exclude anybody.
	lockName = "progress.lock"
	// tempPattern names the files a write goes through before the rename.
	tempPattern = fileName + ".tmp-*"
	// damagedInfix joins the progress file's name and the time it was found
	// damaged in the name it is kept under.
	damagedInfix = ".damaged-"
	// damagedTime formats that time: UTC, sortable, free of ':' so the name
	// is valid on every file system.
	damagedTime = "20060102T150405Z"
)

// Store reads and writes the progress file in one directory. Every method
// takes a file lock, so one Store may be shared by goroutines and several
// Stores, in one process or many, may use the same directory at once.
type Store struct {
	dir string
	// now tells the time a damaged file was found; tests replace it.
	now func() time.Time
	// status receives what a wait for the lock is waiting for.
	status io.Writer
	// lockTimeout is how long to wait for the lock.
	lockTimeout time.Duration
	// signals end a wait for the lock; tests use a harmless one.
	signals []os.Signal
	// legacyCourse owns the steps of a schema 1 file that names no course.
	legacyCourse string
}

// Option changes how a Store behaves; see [Open].
type Option func(*Store)

// WithStatus says where to tell the learner what lab waits for when another
// lab holds the lock (usually stderr). Without it nothing is said.
func WithStatus(w io.Writer) Option {
	return func(s *Store) { s.status = w }
}

// WithLockTimeout sets how long to wait for another lab to release the lock
// before giving up with a *[LockError]; the default is [DefaultLockTimeout].
func WithLockTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.lockTimeout = d
		}
	}
}

// LegacyCourse names the course whose steps a schema 1 file holds when it
// names none: files from before progress was kept per course recorded only
// the built-in course's steps.
func LegacyCourse(id string) Option {
	return func(s *Store) { s.legacyCourse = id }
}

// Open returns the store for the progress file in dir, usually the one [Dir]
// names. It touches nothing on disk: the directory is created, with mode 0700,
// by the first [Store.Update], so that commands that only look never leave an
// empty directory behind.
func Open(dir string, opts ...Option) *Store {
	s := &Store{
		dir:         dir,
		now:         time.Now,
		status:      io.Discard,
		lockTimeout: DefaultLockTimeout,
		signals:     []os.Signal{os.Interrupt, syscall.SIGTERM},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Path returns the progress file's path, for messages that tell the learner
// where their progress is kept.
func (s *Store) Path() string {
	return filepath.Join(s.dir, fileName)
}

// RecoveredError reports that the progress file could not be read and was
// kept aside under another name so lab could start again from a fresh state.
//
// It is a warning rather than a failure: [Store.Load] and [Store.Update]
// return it together with a usable result, and callers find it with
// errors.As, print it, and carry on.
type RecoveredError struct {
	// Path is where the damaged file was.
	Path string
	// MovedTo is where it is now, with its content untouched.
	MovedTo string
	// Cause says what was wrong with it.
	Cause error
}

// Error tells the learner that their progress was reset and where the old
// file is, in case they want it back.
func (e *RecoveredError) Error() string {
	return fmt.Sprintf("progress file %s was damaged (%v); kept it as %s and started fresh",
		e.Path, e.Cause, e.MovedTo)
}

// Unwrap lets callers look at the cause, e.g. a *json.SyntaxError.
func (e *RecoveredError) Unwrap() error { return e.Cause }

// NewerSchemaError reports a progress file written by a newer lab. The file
// is left exactly as it is: this lab cannot tell what its fields mean, and
// the learner's progress is safe once they upgrade. Callers treat it as an
// environment problem the learner has to fix.
type NewerSchemaError struct {
	// Path is the progress file.
	Path string
	// Schema is the version the file declares, greater than [Schema].
	Schema int
}

// Error names the file, both versions and the fix.
func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("progress file %s was written by a newer lab (schema %d, this lab reads up to %d); "+
		"upgrade lab to continue, or set LAB_HOME to another directory to start over",
		e.Path, e.Schema, Schema)
}

// damagedError marks a progress file that exists but cannot be used.
type damagedError struct{ cause error }

func (e *damagedError) Error() string { return e.cause.Error() }

// Load returns the learner's progress.
//
// A missing file (or directory) gives a fresh State with only Schema set.
// A file written by a newer lab gives a nil State and a *[NewerSchemaError].
//
// A damaged file (not JSON, truncated, empty, wrong types, schema missing or
// below 1) is renamed to progress.json.damaged-<UTC time> in the same
// directory, never deleted, and Load returns a fresh State together with a
// *[RecoveredError]. That error is a warning: the State is usable. Any other
// error comes with a nil State.
//
// Load holds a shared lock while reading, and an exclusive one while moving a
// damaged file aside.
func (s *Store) Load() (*State, error) {
	st, err := s.loadShared()
	var d *damagedError
	if !errors.As(err, &d) {
		return st, err
	}
	// Moving the file aside is a write: do it under the exclusive lock and
	// look again, as another process may have dealt with it meanwhile.
	lk, err := s.lock(true)
	if err != nil {
		return nil, err
	}
	defer s.unlock(lk)
	st, err = s.read()
	if !errors.As(err, &d) {
		return st, err
	}
	rec, err := s.moveAside(d.cause)
	if err != nil {
		return nil, err
	}
	if err := syncDir(s.dir); err != nil {
		return nil, fmt.Errorf("saving the move of damaged progress file %s: %w", s.Path(), err)
	}
	return newState(), rec
}

// loadShared reads the progress file under a shared lock.
func (s *Store) loadShared() (*State, error) {
	lk, err := s.lock(false)
	if errors.Is(err, fs.ErrNotExist) {
		// The directory does not exist yet: nothing was ever saved.
		return newState(), nil
	}
	if err != nil {
		return nil, err
	}
	defer s.unlock(lk)
	return s.read()
}

// Update changes the learner's progress: under an exclusive lock it loads the
// state, applies fn to it and, if fn returns nil, writes the result
// atomically (temporary file in the same directory, fsync, rename, fsync of
// the directory). Other lab processes see either the old file or the new one.
//
// If fn returns an error, Update returns that error unchanged and nothing on
// disk changes, not even a damaged file. A file written by a newer lab is
// refused with a *[NewerSchemaError] before fn is called.
//
// A damaged file is handled as in [Store.Load]: fn is applied to a fresh
// State, the damaged file is kept aside, the result is written, and Update
// returns a *[RecoveredError] even though the write succeeded. Callers should
// print it as a warning:
//
//	err := store.Update(func(st *progress.State) error { ... })
//	var rec *progress.RecoveredError
//	if errors.As(err, &rec) {
//		warn(rec)
//	} else if err != nil {
//		return err
//	}
//
// Update saves State.Schema as [Schema] whatever fn sets it to.
func (s *Store) Update(fn func(*State) error) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("creating progress directory: %w; set LAB_HOME to a directory lab may write to", err)
	}
	lk, err := s.lock(true)
	if err != nil {
		return err
	}
	defer s.unlock(lk)
	if err := checkReplaceable(s.Path()); err != nil {
		return err
	}
	s.removeStaleTemps()

	st, err := s.read()
	var d *damagedError
	damaged := errors.As(err, &d)
	switch {
	case damaged:
		st = newState()
	case err != nil:
		return err
	}
	if err := fn(st); err != nil {
		return err
	}
	st.Schema = Schema
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding progress: %w", err)
	}
	data = append(data, '\n')
	if len(data) > MaxFileSize {
		return fmt.Errorf("saving progress file %s: it would be larger than the %d MiB lab reads; "+
			"move it away to start fresh, or set LAB_HOME to another directory", s.Path(), MaxFileSize>>20)
	}

	tmp, err := s.writeTemp(data)
	if err != nil {
		return err
	}
	var rec *RecoveredError
	if damaged {
		if rec, err = s.moveAside(d.cause); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, s.Path()); err != nil {
		os.Remove(tmp)
		err = fmt.Errorf("saving progress file %s: %w", s.Path(), err)
		if rec != nil {
			return errors.Join(err, rec)
		}
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("saving progress file %s: %w", s.Path(), err)
	}
	if rec != nil {
		return rec
	}
	return nil
}

// unlock releases a lock taken by lock. Closing the descriptor releases the
// lock too, so a failure here leaves nothing held.
func (s *Store) unlock(lk *flock.Flock) {
	_ = lk.Close()
}

// read reads and decodes the progress file; the caller holds the lock. A
// missing file gives a fresh state; a file that cannot be used gives a
// *damagedError.
func (s *Store) read() (*State, error) {
	data, err := readFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("reading progress file: %w", err)
	}
	return decode(s.Path(), data, s.legacyCourse)
}

// decode turns the file's bytes into a State. The version is read on its own
// first, so that a newer file is refused even where its other fields would
// not fit this lab's types. A schema 1 file is read into the course it names,
// or into legacyCourse when it names none; nothing of it is dropped.
func decode(path string, data []byte, legacyCourse string) (*State, error) {
	var v struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, &damagedError{err}
	}
	switch {
	case v.Schema == nil:
		return nil, &damagedError{errors.New("no schema version")}
	case *v.Schema > Schema:
		return nil, &NewerSchemaError{Path: path, Schema: *v.Schema}
	case *v.Schema < 1:
		return nil, &damagedError{fmt.Errorf("schema version %d is not valid", *v.Schema)}
	}
	st := newState()
	if *v.Schema == 1 {
		var old schema1
		if err := json.Unmarshal(data, &old); err != nil {
			return nil, &damagedError{err}
		}
		st.Workspace = old.Workspace
		id := old.Course
		if id == "" {
			id = legacyCourse
		}
		if old.CourseHash != "" || old.Current != "" || len(old.Steps) > 0 {
			st.Courses = map[string]*CourseState{id: {Hash: old.CourseHash, Current: old.Current, Steps: old.Steps}}
		}
	} else if err := json.Unmarshal(data, st); err != nil {
		return nil, &damagedError{err}
	}
	st.Schema = Schema
	for id, c := range st.Courses {
		if c == nil {
			delete(st.Courses, id)
			continue
		}
		for k, step := range c.Steps {
			if step == nil {
				delete(c.Steps, k)
			}
		}
	}
	return st, nil
}

// schema1 is the progress file as labs before schema 2 wrote it: one
// course's progress at the top level.
type schema1 struct {
	Course     string                `json:"course"`
	CourseHash string                `json:"course_hash"`
	Current    string                `json:"current"`
	Workspace  string                `json:"workspace"`
	Steps      map[string]*StepState `json:"steps"`
}

// writeTemp writes data to a new synced temporary file beside the progress
// file, where a rename onto it is atomic, and returns its path.
func (s *Store) writeTemp(data []byte) (string, error) {
	f, err := os.CreateTemp(s.dir, tempPattern)
	if err != nil {
		return "", fmt.Errorf("writing progress file: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing progress file %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

// moveAside renames the damaged progress file to a name that says when it
// was found, never replacing an earlier damaged file.
func (s *Store) moveAside(cause error) (*RecoveredError, error) {
	base := s.Path() + damagedInfix + s.now().UTC().Format(damagedTime)
	to := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		to = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(s.Path(), to); err != nil {
		return nil, fmt.Errorf("keeping damaged progress file %s aside (%v): %w; move it away by hand to start fresh",
			s.Path(), cause, err)
	}
	return &RecoveredError{Path: s.Path(), MovedTo: to, Cause: cause}, nil
}

// removeStaleTemps deletes temporary files left by a writer that died
// between creating and renaming one. The caller holds the exclusive lock, so
// no live writer owns any of them. Failing to remove one is harmless.
func (s *Store) removeStaleTemps() {
	names, _ := filepath.Glob(filepath.Join(s.dir, tempPattern))
	for _, n := range names {
		os.Remove(n)
	}
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory and
// makes renames durable by itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
