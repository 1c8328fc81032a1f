package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/assets"
	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// session is what most commands start from: the course, the learner's
// progress and where their workspace is.
type session struct {
	s      *IOStreams
	course *lessons.Course
	// starter holds the files steps copy into the workspace.
	starter fs.FS
	store   *progress.Store
	// workspaceFlag is --workspace / LAB_WORKSPACE, empty when not given.
	workspaceFlag string
	// shared is the class's shared cluster the learner works in, if any.
	shared *sharedMode
}

// openSession loads the course (built in, or --lessons DIR) and locates the
// progress store. It does not read progress yet.
func openSession(s *IOStreams, cmd *cli.Command) (*session, error) {
	shared, err := loadSharedMode(s.Getenv)
	if err != nil {
		return nil, err
	}
	course, err := loadCourseWith(cmd.String("lessons"), shared.vars())
	if err != nil {
		return nil, err
	}
	starter := assets.FS()
	if dir := cmd.String("lessons"); dir != "" {
		starter = os.DirFS(filepath.Join(dir, lessons.AssetsDir))
	}
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return nil, &envError{err: err}
	}
	timeout, err := lockTimeout(s.Getenv)
	if err != nil {
		return nil, err
	}
	store := progress.Open(dir,
		progress.WithStatus(s.Err),
		progress.WithLockTimeout(timeout),
		progress.LegacyCourse(builtinCourseID(course, cmd.String("lessons"))))
	return &session{s: s, course: course, starter: starter, store: store, workspaceFlag: cmd.String("workspace"), shared: shared}, nil
}

// lockTimeout is LAB_LOCK_TIMEOUT (a duration such as 30s), or the default.
func lockTimeout(getenv func(string) string) (time.Duration, error) {
	v := getenv("LAB_LOCK_TIMEOUT")
	if v == "" {
		return progress.DefaultLockTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageErrorf("LAB_LOCK_TIMEOUT=%q is not a duration lab can wait: use one such as 30s or 2m", v)
	}
	return d, nil
}

// builtinCourseID is the id of the course built into lab, which owns the
// steps of a progress file from before progress was kept per course.
func builtinCourseID(course *lessons.Course, lessonsDir string) string {
	if lessonsDir == "" {
		return course.ID
	}
	builtin, err := lessons.LoadBuiltin(features.Files())
	if err != nil {
		return ""
	}
	return builtin.ID
}

// loadCourse reads the built-in course, or the one in dir: lesson folders
// beside course.yaml and the feature files in dir/features.
func loadCourse(dir string) (*lessons.Course, error) {
	return loadCourseWith(dir, nil)
}

// loadCourseWith loads the course with other values for some of its
// variables.
func loadCourseWith(dir string, vars map[string]string) (*lessons.Course, error) {
	if dir == "" && len(vars) == 0 {
		return lessons.LoadBuiltin(features.Files())
	}
	if dir == "" {
		return lessons.LoadWithVars(lessons.Content(), features.Files(), vars)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, &envError{err: fmt.Errorf("lessons directory %q not found; give a folder holding course.yaml", dir)}
	}
	feats, err := featuresFS(dir)
	if err != nil {
		return nil, err
	}
	course, err := lessons.LoadWithVars(sandbox.CourseFS(dir), feats, vars)
	if err != nil {
		return nil, fmt.Errorf("loading lessons from %s: %w", dir, err)
	}
	return course, nil
}

// load reads progress, warning once on stderr when a damaged file was kept
// aside, and once when the course changed since lab last saw it.
func (ss *session) load() (*progress.State, error) {
	st, err := ss.store.Load()
	if err := ss.recovered(err); err != nil {
		return nil, err
	}
	if err := ss.noticeCourseChange(st); err != nil {
		return nil, err
	}
	return st, nil
}

// noticeCourseChange says, once, that the course's content changed since
// the learner's progress was last recorded, and how many passed steps it
// touched; then it records the course's new hash. The marks on those steps
// stay until they pass again.
func (ss *session) noticeCourseChange(st *progress.State) error {
	cs := st.Courses[ss.course.ID]
	if cs == nil || cs.Hash == "" || cs.Hash == ss.course.Hash {
		return nil
	}
	var changed []string
	for _, step := range ss.course.Steps() {
		if cs.Changed(step.Key(), step.Hash) {
			changed = append(changed, step.Key())
		}
	}
	msg := fmt.Sprintf("lab: note: course %q changed since lab last recorded your progress", ss.course.ID)
	if len(changed) > 0 {
		msg += fmt.Sprintf("; %d step(s) you passed changed since you passed them: %s (re-check, don't trust; `lab list` marks them)",
			len(changed), strings.Join(changed, ", "))
	}
	fmt.Fprintln(ss.s.Err, msg)
	return ss.update(func(st *progress.State) error {
		st.Course(ss.course.ID).Hash = ss.course.Hash
		return nil
	})
}

// update changes progress under the store's lock: fn gets the state as it
// is on disk at that moment, so a change another lab made since this one
// loaded is seen, never overwritten. Keep fn short; long checks run before.
func (ss *session) update(fn func(*progress.State) error) error {
	return ss.recovered(ss.store.Update(fn))
}

// recovered prints a kept-aside damaged file as a warning and marks the
// progress file and lock problems as environment errors.
func (ss *session) recovered(err error) error {
	var (
		r    *progress.RecoveredError
		file *progress.FileError
		lock *progress.LockError
	)
	switch {
	case errors.As(err, &r):
		fmt.Fprintf(ss.s.Err, "lab: warning: %v\n", r)
		return nil
	case errors.As(err, &file), errors.As(err, &lock):
		return &envError{err: err}
	}
	return err
}

// progress is the learner's progress in the session's course, an empty one
// if they have not begun it. A course seen for the first time is recorded
// with its current hash.
func (ss *session) progress(st *progress.State) *progress.CourseState {
	if st == nil {
		return &progress.CourseState{}
	}
	cs := st.Course(ss.course.ID)
	if cs.Hash == "" {
		cs.Hash = ss.course.Hash
	}
	return cs
}

// changed reports whether the learner passed step against content it no
// longer has: the pass says nothing about the step as it is.
func (ss *session) changed(st *progress.State, step *lessons.Step) bool {
	return ss.progress(st).Changed(step.Key(), step.Hash)
}

// changedMark is how commands mark a step whose pass is of older content.
const changedMark = "changed since you passed it: re-check, don't trust"

// recordCheck records a check of step that passed or not, against the
// progress as it is on disk when the check has finished: the learner moves on
// (or stays on a failed step) only when they are still on step, and a `lab
// goto` made while the check ran is kept. It reports whether they moved, or
// with hold set (the caller moves them once the next step is set up),
// whether they are still on step.
func (ss *session) recordCheck(step *lessons.Step, passed bool, ws string, hold bool) (moved bool, err error) {
	err = ss.update(func(st *progress.State) error {
		st.Workspace = ws
		cs := ss.progress(st)
		cs.Step(step.Key()).Attempts++
		next := step.Key()
		if passed {
			cs.Pass(step.Key(), step.Hash, time.Now())
			next = ""
			if nxt := ss.course.Next(step); nxt != nil {
				next = nxt.Key()
			}
		}
		moved = cs.Current == "" || cs.Current == step.Key()
		if !hold {
			cs.MoveOn(step.Key(), next)
			if moved && next != step.Key() {
				cs.Begin(next, time.Now())
			}
		}
		return nil
	})
	return moved, err
}

// skipCurrent marks the learner's current step skipped and makes the next
// one current, deciding which step that is under the lock, so that labs
// skipping at the same time skip one step each. It returns the step
// skipped and the new current step (nil at the end of the course).
func (ss *session) skipCurrent() (skipped, next *lessons.Step, err error) {
	err = ss.update(func(st *progress.State) error {
		skipped = ss.current(st)
		if skipped == nil {
			return usageErrorf("every step has passed: nothing to skip")
		}
		next = ss.course.Next(skipped)
		cs := ss.progress(st)
		cs.Step(skipped.Key()).Skipped = true
		cs.Current = ""
		if next != nil {
			cs.Current = next.Key()
			cs.Begin(next.Key(), time.Now())
		}
		return nil
	})
	return skipped, next, err
}

// workspace is the learner's workspace: the flag, else what progress
// remembers, else ~/lab-workspace.
func (ss *session) workspace(st *progress.State) (string, error) {
	if ss.workspaceFlag != "" {
		return filepath.Abs(ss.workspaceFlag)
	}
	if st != nil && st.Workspace != "" {
		return st.Workspace, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", &envError{err: fmt.Errorf("finding the home directory for the workspace: %w; set --workspace or LAB_WORKSPACE", err)}
	}
	return filepath.Join(home, "lab-workspace"), nil
}

// current is the step the learner is on: the remembered one, else the first
// step not yet passed.
func (ss *session) current(st *progress.State) *lessons.Step {
	cs := ss.progress(st)
	if cs.Current != "" {
		if step, err := ss.course.Find(cs.Current); err == nil {
			return step
		}
	}
	for _, step := range ss.course.Steps() {
		if !cs.Passed(step.Key()) {
			return step
		}
	}
	return nil
}

// step resolves an optional STEP argument, defaulting to the current step.
func (ss *session) step(st *progress.State, ref string) (*lessons.Step, error) {
	if ref == "" {
		step := ss.current(st)
		if step == nil {
			return nil, usageErrorf("every step has passed; name a step (see: lab list)")
		}
		return step, nil
	}
	step, err := ss.course.Find(ref)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return step, nil
}

// checkEnv is the environment checks and solution commands run with: the
// process's, plus the workspace.
func checkEnv(workspace string) []string {
	return append(os.Environ(), "LAB_WORKSPACE="+workspace)
}

// checkOptions are the options of a run of the session's checks: its
// environment, and in a class's shared cluster that cluster's context and
// namespace and the steps skipped there.
func (ss *session) checkOptions(workspace string) features.Options {
	opts := features.Options{Env: append(checkEnv(workspace), ss.shared.env()...), Workspace: workspace, Status: ss.s.Err}
	if ss.shared != nil {
		opts.Skip = ss.shared.skipReason
	}
	return opts
}

// prepare copies the step's starter files into the workspace, keeping any
// file the learner already has, and says what it did.
func (ss *session) prepare(ws string, step *lessons.Step) error {
	if len(step.Starter) == 0 {
		return nil
	}
	copied, kept, err := sandbox.CopyStarter(ss.starter, step.Starter, ws)
	if err != nil {
		return &envError{err: err}
	}
	if len(copied) > 0 {
		fmt.Fprintf(ss.s.Err, "copied %d starter file(s) into %s\n", len(copied), ws)
	}
	if len(kept) > 0 {
		fmt.Fprintf(ss.s.Err, "kept your own %s (starter versions not copied over them)\n", strings.Join(kept, ", "))
	}
	return nil
}

// show prepares the step's files and prints its instructions.
func (ss *session) show(st *progress.State, step *lessons.Step) error {
	ws, err := ss.workspace(st)
	if err != nil {
		return err
	}
	if err := ss.prepare(ws, step); err != nil {
		return err
	}
	renderStep(ss.s, step)
	return nil
}
