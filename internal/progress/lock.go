package progress

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

const (
	// DefaultLockTimeout is how long lab waits for another lab to release
	// the progress lock. Every holder keeps it for a few milliseconds (checks
	// run outside it), so a longer wait means a stuck or stopped process.
	DefaultLockTimeout = 10 * time.Second
	// lockNotice is how long a wait lasts before lab says what it waits for.
	lockNotice = 300 * time.Millisecond
)

// LockError reports that lab could not take the progress lock: another lab
// held it for too long, the learner interrupted the wait, or the lock file
// cannot be used. Callers treat it as an environment problem.
type LockError struct {
	// Path is the lock file.
	Path string
	// Holder is the process id last written into the lock file, 0 when
	// unknown. It may be stale: a process that has since exited.
	Holder int
	// Waited is how long lab waited.
	Waited time.Duration
	// Interrupted is set when a signal (Ctrl-C, SIGTERM) ended the wait.
	Interrupted bool
	// Cause is set when the lock file itself could not be used.
	Cause error
}

// Error says what lab waited for and what the learner can do.
func (e *LockError) Error() string {
	switch {
	case e.Cause != nil:
		return fmt.Sprintf("locking progress file: %v", e.Cause)
	case e.Interrupted:
		return fmt.Sprintf("interrupted while waiting for %s; nothing was changed", holderText(e.Holder, e.Path))
	}
	return fmt.Sprintf("gave up after %s waiting for %s; "+
		"let that lab finish or stop it, then try again (set LAB_LOCK_TIMEOUT to wait longer)",
		e.Waited, holderText(e.Holder, e.Path))
}

// Unwrap gives the cause, if any.
func (e *LockError) Unwrap() error { return e.Cause }

// holderText names the lock and, when known, the process that last held it.
func holderText(pid int, path string) string {
	if pid > 0 {
		return fmt.Sprintf("another lab (pid %d?) holding %s", pid, path)
	}
	return fmt.Sprintf("another lab holding %s", path)
}

// lock takes the directory's lock file, exclusive or shared. An error
// wrapping fs.ErrNotExist means the directory does not exist.
//
// The lock file is never followed if it is a symbolic link (that could
// create a file anywhere the link points), and must be a regular file. When
// the lock is busy, lock says on the status writer what it waits for, and
// gives up with a *[LockError] after the store's timeout or on SIGINT or
// SIGTERM.
func (s *Store) lock(exclusive bool) (*flock.Flock, error) {
	path := filepath.Join(s.dir, lockName)
	if err := checkLockFile(path); err != nil {
		return nil, err
	}
	lk := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR|openNoFollow), flock.SetPermissions(0o600))
	try := lk.TryRLock
	if exclusive {
		try = lk.TryLock
	}
	ok, err := try()
	if err != nil {
		return nil, lockOpenError(path, err)
	}
	if !ok {
		if err := s.wait(lk, path, exclusive); err != nil {
			return nil, err
		}
	}
	// Say who holds the lock, for the message of a lab that waits for it.
	// With shared holders the last one wins; it is a hint, never trusted.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|openNoFollow, 0o600); err == nil {
		fmt.Fprintf(f, "%d\n", os.Getpid())
		f.Close()
	}
	return lk, nil
}

// wait blocks on the lock until it is taken, the timeout passes or a signal
// arrives. The blocking call queues this lab behind the holder, where
// polling could starve behind a stream of other labs; a wait that is given
// up leaves it running, and the lock it may still get is released at once.
func (s *Store) wait(lk *flock.Flock, path string, exclusive bool) error {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), s.signals...)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, s.lockTimeout)
	defer cancel()
	take := lk.RLock
	if exclusive {
		take = lk.Lock
	}
	done := make(chan error, 1)
	go func() { done <- take() }()
	notice := time.NewTimer(lockNotice)
	defer notice.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return lockOpenError(path, err)
			}
			return nil
		case <-notice.C:
			fmt.Fprintf(s.status, "waiting for %s... (Ctrl-C to stop)\n", holderText(lockHolder(path), path))
		case <-ctx.Done():
			go func() {
				if err := <-done; err == nil {
					lk.Close()
				}
			}()
			e := &LockError{
				Path:        path,
				Holder:      lockHolder(path),
				Waited:      time.Since(start),
				Interrupted: !errors.Is(ctx.Err(), context.DeadlineExceeded),
			}
			if !e.Interrupted {
				e.Waited = s.lockTimeout // as configured, not as measured
			}
			return e
		}
	}
}

// lockHolder reads the process id the last holder wrote into the lock file,
// 0 when there is none.
func lockHolder(path string) int {
	f, err := openRegular(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 32)).ReadString('\n')
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// checkLockFile refuses a lock file that is a symbolic link or not a regular
// file, touching nothing. A missing one is fine: lock creates it.
func checkLockFile(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &LockError{Path: path, Cause: err}
	case fi.Mode()&fs.ModeSymlink != 0:
		return &LockError{Path: path, Cause: fmt.Errorf("%s is a symbolic link, which lab does not follow; remove it (lab makes a new one)", path)}
	case !fi.Mode().IsRegular():
		return &LockError{Path: path, Cause: fmt.Errorf("%s is not a regular file; remove it (lab makes a new one)", path)}
	}
	return nil
}

// lockOpenError explains a failure to open or lock the lock file. A missing
// directory is passed through as fs.ErrNotExist for Load.
func lockOpenError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("locking progress file: %w", err)
	}
	if errors.Is(err, syscall.ELOOP) {
		err = fmt.Errorf("%s is a symbolic link, which lab does not follow; remove it (lab makes a new one)", path)
	}
	return &LockError{Path: path, Cause: err}
}
