package progress

import "time"

// Schema is the version of the progress file this lab reads and writes. It
// goes up when the file's meaning changes, so that an older lab refuses a file
// it would misread instead of overwriting it.
//
// Schema 1 kept one course's steps at the top level; schema 2 keeps each
// course's steps under its id, so a step passed in one course never counts in
// another that happens to use the same step key. A schema 1 file is read as
// schema 2 (see [LegacyCourse]) and written back as schema 2 by the next
// update.
const Schema = 2

// State is everything lab remembers about one learner, so that the next run
// resumes at the same step with the same workspace.
type State struct {
	// Schema is the file format version; see [Schema].
	Schema int `json:"schema"`
	// Workspace is the directory whose files the checks look at.
	Workspace string `json:"workspace,omitempty"`
	// Courses holds the learner's progress in each course, by course id.
	Courses map[string]*CourseState `json:"courses,omitempty"`
}

// CourseState is the learner's progress in one course.
type CourseState struct {
	// Hash identifies the course content lab last saw, so lab can notice
	// when lessons changed underneath the learner.
	Hash string `json:"course_hash,omitempty"`
	// Current is the key ("lesson/step") of the step the learner is on.
	Current string `json:"current,omitempty"`
	// Steps holds what happened at each step, by step key.
	Steps map[string]*StepState `json:"steps,omitempty"`
	// ToolsChecked lists the lessons on entering which lab compared the
	// learner's tools with the versions the course was tested with, so
	// that a warning about them comes once per lesson.
	ToolsChecked []string `json:"tools_checked,omitempty"`
	// SetupRan is the key of the step whose learner setup (its
	// broken-on-purpose starting state) lab ran when the learner last
	// reached it. It counts only while that step is Current: reaching the
	// step again, from another one, runs the setup again.
	SetupRan string `json:"setup_ran,omitempty"`
}

// SetupDone reports whether the setup of the step with the given key ran
// since the learner reached it, so that checking it again does not undo
// their work by running the setup a second time.
func (c *CourseState) SetupDone(key string) bool {
	return c.Current == key && c.SetupRan == key
}

// StepState is what happened at one step, so lab can show a learner what they
// have done and give hints in order.
type StepState struct {
	// Passed is set once the step's checks have passed.
	Passed bool `json:"passed,omitempty"`
	// PassedAt is when the checks first passed.
	PassedAt time.Time `json:"passed_at,omitzero"`
	// Hash is the step's content hash when its checks last passed, so lab
	// can tell a pass of the step as it is now from a pass of an older
	// version of it. Empty for passes recorded before lab kept it.
	Hash string `json:"step_hash,omitempty"`
	// Attempts counts check runs, passed or not.
	Attempts int `json:"attempts,omitempty"`
	// HintsShown is how many of the step's hints the learner has seen.
	HintsShown int `json:"hints_shown,omitempty"`
	// Skipped is set when the learner moved on without passing.
	Skipped bool `json:"skipped,omitempty"`
	// StartedAt is when the learner first reached the step, so that reset
	// removes only what was made since. Zero in progress written before lab
	// kept it.
	StartedAt time.Time `json:"started_at,omitzero"`
}

// newState returns the state of a learner who has not started yet.
func newState() *State {
	return &State{Schema: Schema}
}

// Course returns the learner's progress in the course with the given id,
// creating an empty record if there is none, so callers can write
// st.Course(id).Step(k).Attempts++ without checking first.
func (s *State) Course(id string) *CourseState {
	if s.Courses == nil {
		s.Courses = make(map[string]*CourseState)
	}
	c := s.Courses[id]
	if c == nil {
		c = &CourseState{}
		s.Courses[id] = c
	}
	return c
}

// Started reports whether the learner has begun this course at all.
func (c *CourseState) Started() bool {
	return c.Current != "" || len(c.Steps) > 0
}

// Step returns the record for the step with the given key, creating an empty
// one if there is none, so callers can write c.Step(k).Attempts++ without
// checking first.
func (c *CourseState) Step(key string) *StepState {
	if c.Steps == nil {
		c.Steps = make(map[string]*StepState)
	}
	st := c.Steps[key]
	if st == nil {
		st = &StepState{}
		c.Steps[key] = st
	}
	return st
}

// Passed reports whether the step with the given key has been passed; it
// never adds an entry, so it is safe on a state that is only being read.
func (c *CourseState) Passed(key string) bool {
	st := c.Steps[key]
	return st != nil && st.Passed
}

// Skipped reports whether the learner skipped the step and has not passed it
// since; like [CourseState.Passed] it never adds an entry.
func (c *CourseState) Skipped(key string) bool {
	st := c.Steps[key]
	return st != nil && st.Skipped && !st.Passed
}

// Changed reports whether the step passed against content other than hash,
// the step's content hash now: its pass says nothing about the step as it
// is, and should be checked again. Passes recorded without a hash are not
// reported, as nothing is known about them.
func (c *CourseState) Changed(key, hash string) bool {
	st := c.Steps[key]
	return st != nil && st.Passed && st.Hash != "" && st.Hash != hash
}

// Pass records that the step's checks passed at the given time, against the
// step content whose hash is given. The first pass time is kept: PassedAt
// does not move when a learner re-runs a passed step, but the hash does, so
// a re-check of a changed step clears its mark. A skipped step that is later
// passed is no longer skipped.
func (c *CourseState) Pass(key, hash string, at time.Time) {
	st := c.Step(key)
	if !st.Passed {
		st.Passed = true
		st.PassedAt = at.UTC()
	}
	st.Hash = hash
	st.Skipped = false
}

// Begin records that the learner reached the step at the given time. The
// first time is kept: going back to a step later does not make what they
// made there the first time look older than the step.
func (c *CourseState) Begin(key string, at time.Time) {
	if key == "" {
		return
	}
	if st := c.Step(key); st.StartedAt.IsZero() {
		st.StartedAt = at.UTC()
	}
}

// StartedAt is when the learner first reached the step, zero when lab has
// no record of it; like [CourseState.Passed] it never adds an entry.
func (c *CourseState) StartedAt(key string) time.Time {
	if st := c.Steps[key]; st != nil {
		return st.StartedAt
	}
	return time.Time{}
}

// MoveOn makes next the current step after a check of step from, but only
// when the learner is still on from (or on no step in particular): a learner
// who went elsewhere while the check ran (lab goto in another terminal) stays
// where they went. An empty next means the course is complete.
func (c *CourseState) MoveOn(from, next string) {
	if c.Current == "" || c.Current == from {
		c.Current = next
	}
}
