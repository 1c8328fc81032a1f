package progress

import "time"

// Schema is the version of the progress file this lab reads and writes. It
// goes up when the file's meaning changes, so that an older lab refuses a file
// it would misread instead of overwriting it.
const Schema = 1

// State is everything lab remembers about one learner, so that the next run
// resumes at the same step with the same workspace.
type State struct {
	// Schema is the file format version; see [Schema].
	Schema int `json:"schema"`
	// Course is the id of the course being taken.
	Course string `json:"course"`
	// CourseHash identifies the course content the steps were passed
	// against, so lab can notice when lessons changed underneath them.
	CourseHash string `json:"course_hash,omitempty"`
	// Current is the key ("lesson/step") of the step the learner is on.
	Current string `json:"current,omitempty"`
	// Workspace is the directory whose files the checks look at.
	Workspace string `json:"workspace,omitempty"`
	// Steps holds what happened at each step, by step key.
	Steps map[string]*StepState `json:"steps,omitempty"`
}

// StepState is what happened at one step, so lab can show a learner what they
// have done and give hints in order.
type StepState struct {
	// Passed is set once the step's checks have passed.
	Passed bool `json:"passed,omitempty"`
	// PassedAt is when the checks first passed.
	PassedAt time.Time `json:"passed_at,omitzero"`
	// Attempts counts check runs, passed or not.
	Attempts int `json:"attempts,omitempty"`
	// HintsShown is how many of the step's hints the learner has seen.
	HintsShown int `json:"hints_shown,omitempty"`
	// Skipped is set when the learner moved on without passing.
	Skipped bool `json:"skipped,omitempty"`
}

// newState returns the state of a learner who has not started yet.
func newState() *State {
	return &State{Schema: Schema}
}

// Step returns the record for the step with the given key, creating an empty
// one if there is none, so callers can write st.Step(k).Attempts++ without
// checking first.
func (s *State) Step(key string) *StepState {
	if s.Steps == nil {
		s.Steps = make(map[string]*StepState)
	}
	st := s.Steps[key]
	if st == nil {
		st = &StepState{}
		s.Steps[key] = st
	}
	return st
}

// Passed reports whether the step with the given key has been passed; it
// never adds an entry, so it is safe on a state that is only being read.
func (s *State) Passed(key string) bool {
	st := s.Steps[key]
	return st != nil && st.Passed
}

// Pass records that the step's checks passed at the given time. The first
// pass is kept: PassedAt does not move when a learner re-runs a passed step.
// A skipped step that is later passed is no longer skipped.
func (s *State) Pass(key string, at time.Time) {
	st := s.Step(key)
	if !st.Passed {
		st.Passed = true
		st.PassedAt = at.UTC()
	}
	st.Skipped = false
}
