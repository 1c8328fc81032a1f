package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
}

// openSession loads the course (built in, or --lessons DIR) and locates the
// progress store. It does not read progress yet.
func openSession(s *IOStreams, cmd *cli.Command) (*session, error) {
	course, err := loadCourse(cmd.String("lessons"))
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
	return &session{s: s, course: course, starter: starter, store: progress.Open(dir), workspaceFlag: cmd.String("workspace")}, nil
}

// loadCourse reads the built-in course, or the one in dir: lesson folders
// beside course.yaml and the feature files in dir/features.
func loadCourse(dir string) (*lessons.Course, error) {
	if dir == "" {
		return lessons.Load(lessons.Content(), features.Files())
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, &envError{err: fmt.Errorf("lessons directory %q not found; give a folder holding course.yaml", dir)}
	}
	feats, err := featuresFS(dir)
	if err != nil {
		return nil, err
	}
	course, err := lessons.Load(os.DirFS(dir), feats)
	if err != nil {
		return nil, fmt.Errorf("loading lessons from %s: %w", dir, err)
	}
	return course, nil
}

// load reads progress, warning once on stderr when a damaged file was kept
// aside.
func (ss *session) load() (*progress.State, error) {
	st, err := ss.store.Load()
	return st, ss.recovered(err)
}

// update changes progress under the store's lock.
func (ss *session) update(fn func(*progress.State) error) error {
	return ss.recovered(ss.store.Update(fn))
}

func (ss *session) recovered(err error) error {
	var r *progress.RecoveredError
	if errors.As(err, &r) {
		fmt.Fprintf(ss.s.Err, "lab: warning: %v\n", r)
		return nil
	}
	return err
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
	if st.Current != "" {
		if step, err := ss.course.Find(st.Current); err == nil {
			return step
		}
	}
	for _, step := range ss.course.Steps() {
		if !st.Passed(step.Key()) {
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
