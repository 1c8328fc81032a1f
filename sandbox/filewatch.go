package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultPollInterval is how often a polling file watch looks at the
// workspace: quick enough to feel live, rare enough to cost nothing.
const DefaultPollInterval = time.Second

// skippedDirs are folders a file watch ignores: tools write thousands of
// files there (npm, git) and no check reads them as the learner's work.
var skippedDirs = []string{"node_modules", ".git"}

// FileWatchOptions choose how a file watch learns of changes.
type FileWatchOptions struct {
	// Poll looks at the files every Interval instead of asking the
	// operating system to report changes.
	Poll bool
	// Interval between two looks when polling; DefaultPollInterval when 0.
	Interval time.Duration
}

// FileWatch reports changes to the files under one folder.
type FileWatch struct {
	// Changes receives the path, relative to the folder, of each file or
	// folder that was created, written, removed or renamed. It is closed
	// when the watch ends.
	Changes <-chan string
	// Polling is true when the watch looks at the files on a timer, and
	// PollReason says why it does (the flag, a network file system, or why
	// change notifications could not be had).
	Polling    bool
	PollReason string
}

// WatchFiles reports changes under dir until ctx ends. It asks the
// operating system for change notifications (inotify, FSEvents/kqueue,
// ReadDirectoryChangesW) and falls back to polling when they cannot be
// had, for example when the inotify watch limit is reached, or when dir is
// on a file system that delivers none (network shares, WSL2's /mnt/c).
// node_modules and .git folders are not watched.
func WatchFiles(ctx context.Context, dir string, opts FileWatchOptions) (*FileWatch, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("watching %s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("watching %s: not a folder", dir)
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultPollInterval
	}
	reason := ""
	switch {
	case opts.Poll:
		reason = "asked to poll"
	default:
		if fsName, remote := remoteFileSystem(dir); remote {
			reason = fsName + " file systems deliver no change notifications"
			break
		}
		changes, err := notifyChanges(ctx, dir)
		if err == nil {
			return &FileWatch{Changes: changes}, nil
		}
		reason = "change notifications failed: " + err.Error()
	}
	return &FileWatch{Changes: pollChanges(ctx, dir, opts.Interval), Polling: true, PollReason: reason}, nil
}

// notifyChanges watches dir and every folder below it with fsnotify,
// adding folders as they are created.
func notifyChanges(ctx context.Context, dir string) (<-chan string, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := addTree(w, dir); err != nil {
		w.Close()
		return nil, err
	}
	out := make(chan string)
	go func() {
		defer close(out)
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				rel, err := filepath.Rel(dir, ev.Name)
				if err != nil || skipped(rel) {
					continue
				}
				if ev.Has(fsnotify.Create) {
					if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
						// Files may land in a new folder before it is
						// watched: addTree finds them on the next change.
						_ = addTree(w, ev.Name)
					}
				}
				if ev.Op == fsnotify.Chmod {
					continue // editors and indexers touch modes and times
				}
				if !send(ctx, out, filepath.ToSlash(rel)) {
					return
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				// An overflow lost events: say something changed.
				if errors.Is(err, fsnotify.ErrEventOverflow) && !send(ctx, out, ".") {
					return
				}
			}
		}
	}()
	return out, nil
}

// addTree watches dir and the folders below it, skipping skippedDirs.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && slices.Contains(skippedDirs, d.Name()) {
			return filepath.SkipDir
		}
		return w.Add(path)
	})
}

// fileState is what polling compares between two looks at a file.
type fileState struct {
	size    int64
	modTime time.Time
	mode    fs.FileMode
}

// pollChanges looks at the files under dir every interval and reports
// those that appeared, changed or went away.
func pollChanges(ctx context.Context, dir string, interval time.Duration) <-chan string {
	out := make(chan string)
	// The first look is taken now, so a change made as soon as this returns
	// is seen as one.
	last := snapshot(dir)
	go func() {
		defer close(out)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := snapshot(dir)
			for _, rel := range diffSnapshots(last, now) {
				if !send(ctx, out, rel) {
					return
				}
			}
			last = now
		}
	}()
	return out
}

// snapshot records every file and folder under dir, skipping skippedDirs.
// Files it cannot read are left out: they show as changes once readable.
func snapshot(dir string) map[string]fileState {
	files := map[string]fileState{}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != dir && slices.Contains(skippedDirs, d.Name()) {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = fileState{size: fi.Size(), modTime: fi.ModTime(), mode: fi.Mode()}
		return nil
	})
	return files
}

// diffSnapshots lists, sorted, the paths that differ between two snapshots.
// A folder's own time changes with its entries; only files count for it.
func diffSnapshots(before, after map[string]fileState) []string {
	var changed []string
	for p, a := range after {
		b, ok := before[p]
		if !ok || (!a.mode.IsDir() && a != b) {
			changed = append(changed, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	return changed
}

// skipped reports whether a path relative to the watched folder lies in a
// skipped folder.
func skipped(rel string) bool {
	for dir := filepath.ToSlash(rel); dir != "." && dir != "/" && dir != ""; dir = filepath.ToSlash(filepath.Dir(dir)) {
		if slices.Contains(skippedDirs, filepath.Base(dir)) {
			return true
		}
	}
	return false
}

// send delivers v unless ctx ends first.
func send[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}
