// Package lessons is the course model: it reads lesson content (Markdown with
// YAML front matter) and the lessons' Gherkin features from two file systems
// and returns a validated Course. It is pure on purpose: no Docker, no
// network, no test runner, so that every command, lint and the tests can load
// a course cheaply and the same way.
package lessons

import (
	"fmt"
	"strconv"
)

// Course is the whole workshop in order. Everything a command shows or checks
// is reached from here, so there is one source of truth for ids and order.
type Course struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Hash names the exact content the course was loaded from (every file of
	// both file systems), so receipts and reports can say which lessons
	// they were checked against.
	Hash    string    `json:"hash"`
	Lessons []*Lesson `json:"lessons"`
	// Vars are the course's facts (image pins, ports, names) from
	// course.yaml, already put into every lesson, step and feature text.
	Vars map[string]string `json:"vars,omitempty"`
	// Prefix is what the names of the course's resources start with, from
	// course.yaml's prefix: ("" when it has none; see ResourcePrefix).
	Prefix string `json:"prefix,omitempty"`
	// Cluster is the kind cluster the lessons make, from course.yaml's
	// cluster: (nil when the course declares none).
	Cluster *Cluster `json:"cluster,omitempty"`
	// Tested holds the tool versions course.yaml says every lesson was
	// tested with; each lesson's Tested adds its own.
	Tested Tested `json:"tested,omitempty"`
}

// Lesson is one chapter of the course: an intro and its steps, plus the
// feature file whose scenarios check them.
type Lesson struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Intro is the Markdown body of lesson.md, shown before the first step.
	Intro string `json:"intro"`
	// Recap is recap.md beside lesson.md: what the lesson had the learner
	// do and a cheat sheet of its commands, shown when its last step
	// passes. Loading accepts a lesson without one; Lint reports it.
	Recap string  `json:"recap,omitempty"`
	Steps []*Step `json:"steps"`
	// OwnCluster marks a lesson in which learners make and use a cluster
	// of their own (lesson.md's own_cluster: true). A learner working in
	// a class's shared cluster skips it.
	OwnCluster bool `json:"own_cluster,omitempty"`
	// FeaturePath is the feature's path in the features file system
	// ("<lesson-id>.feature"); runners use it as the feature's name so
	// that reports point at the right file.
	FeaturePath string `json:"feature_path"`
	// Feature is the feature file's content, handed to the runner as is.
	Feature []byte `json:"-"`
	// Index is the lesson's 1-based position in the course.
	Index int `json:"index"`
	// Vars names the course variables the lesson's intro, recap, steps
	// and feature refer to, sorted, so a tool can say which lessons need
	// a fact (lab doctor: the lessons that use a port).
	Vars []string `json:"vars,omitempty"`
	// Course is the course the lesson belongs to.
	Course *Course `json:"-"`
	// Tested holds the tool versions the lesson was tested with: the
	// course's ranges with the lesson's own from course.yaml on top. lab
	// doctor and lab next warn about a tool outside them.
	Tested Tested `json:"tested,omitempty"`
}

// Step is one thing a learner does and the lab checks. It carries what every
// command needs: instructions, hints, the reference solution, the known-wrong
// states selftest proves the check rejects, and the resources reset may remove.
type Step struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Body is the step's instructions in Markdown.
	Body string `json:"body"`
	// Lesson is the lesson the step belongs to.
	Lesson *Lesson `json:"-"`
	// Index is the step's 1-based position in its lesson.
	Index int `json:"index"`
	// Disruptive steps break something on purpose (kill a container, delete
	// a pod) to prove it heals; they are announced and can be skipped.
	Disruptive bool `json:"disruptive"`
	// Slow is set when the main scenario is tagged @slow.
	Slow bool `json:"slow"`
	// Hints are shown one at a time, in order.
	Hints []string `json:"hints"`
	// Solution holds the shell commands a learner would type; selftest runs
	// each with sh -c in the workspace directory.
	Solution []string `json:"solution"`
	// Cleanup holds idempotent commands that undo the step, including
	// what Setup made.
	Cleanup []string `json:"cleanup,omitempty"`
	// Setup holds the shell commands lab runs, with sh -c in the
	// learner's workspace, when the learner reaches the step: the
	// broken-on-purpose starting state of a troubleshooting drill.
	// Selftest runs them before proving the unsolved state fails.
	Setup []string `json:"setup,omitempty"`
	// FixAfterHint keeps a failure's fix line from the learner until they
	// have asked for at least one hint (front matter fix: after-hint), so
	// a drill's failure does not print its own answer.
	FixAfterHint bool `json:"fix_after_hint,omitempty"`
	// Wrong lists known-wrong states whose check must fail with a given text.
	Wrong []WrongState `json:"wrong"`
	// Unsolved says how to produce the state before the solution, beyond
	// running Cleanup.
	Unsolved State `json:"unsolved"`
	// Resources are what the solution creates, found by exact name.
	Resources Resources `json:"resources"`
	// Starter lists files and folders of the course's starter assets that
	// are copied into the workspace when the step is shown, under the same
	// relative path, never over a file that is already there.
	Starter []string `json:"starter,omitempty"`
	// Requires names steps of earlier lessons whose outcome this step builds
	// on (an image built in lesson 3, say); selftest solves them first.
	Requires []string `json:"requires,omitempty"`
	// SupersededBy names later steps that undo this step's outcome on
	// purpose (removing the containers it made, say). When lab verify checks
	// both and the later one passes, this one is reported as skipped with
	// that reason instead of failed: its evidence is gone by design.
	SupersededBy []string `json:"superseded_by,omitempty"`
	// Scenario is the name of the step's main scenario, the one `lab next`
	// runs, and ScenarioLine is its line in the lesson's feature file.
	Scenario     string `json:"scenario"`
	ScenarioLine int    `json:"scenario_line"`
	// Grading names the step's hidden @grading scenarios, run only by verify.
	Grading []string `json:"grading,omitempty"`
	// SourcePath is the step file's path in the content file system.
	SourcePath string `json:"source_path"`
	// Hash identifies this step's content (front matter, instructions and
	// the scenarios that check it), so progress can tell a pass of the step
	// as it is now from a pass of an earlier version of it.
	Hash string `json:"hash"`

	// hash gathers what Hash covers while the course is parsed.
	hash stepHasher
}

// The values of a step's front matter key fix: when a failure's fix line
// is shown to the learner.
const (
	FixShown     = "shown"
	FixAfterHint = "after-hint"
)

// WrongState is a state a learner might plausibly reach that is not a
// solution. Selftest produces it and demands that the check fails with the
// failure code Code and with Expect in its message, so checks are proven to
// reject the mistakes they name. A code names the kind of mistake and
// survives rewording; Expect is for when the message must say more.
type WrongState struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
	// Setup commands run after the step's cleanup; may be empty when Env
	// alone produces the state.
	Setup []string `yaml:"setup" json:"setup,omitempty"`
	// Env overrides the environment of the setup commands and the check.
	// Values may refer to $LAB_SELFTEST_DIR and $LAB_WORKSPACE.
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// Code is the failure code a failing check must carry
	// ("restart-loop"); `lab lessons steps` lists the codes.
	Code string `yaml:"code" json:"code,omitempty"`
	// Expect must appear in the failing check's message.
	Expect string `yaml:"expect" json:"expect,omitempty"`
}

// State is a way to bring the machine into a state: commands to run and the
// environment to run them and the check in.
type State struct {
	Setup []string          `yaml:"setup" json:"setup,omitempty"`
	Env   map[string]string `yaml:"env" json:"env,omitempty"`
}

// Resources name what a step creates, by exact name, so that reset removes
// exactly those and nothing the learner made for themselves.
type Resources struct {
	Containers []string `yaml:"containers" json:"containers,omitempty"`
	// ContainersFrom selects every container whose image is one of these.
	ContainersFrom []string `yaml:"containers_from" json:"containers_from,omitempty"`
	Images         []string `yaml:"images" json:"images,omitempty"`
	Volumes        []string `yaml:"volumes" json:"volumes,omitempty"`
	Networks       []string `yaml:"networks" json:"networks,omitempty"`
	// Files are relative to the learner's workspace.
	Files []string `yaml:"files" json:"files,omitempty"`
	// Kubernetes names objects in the lessons' cluster as kubectl writes
	// them, "kind/name" (deployment/lab-app), with kind one of
	// KubernetesKinds. They live in the namespace the checks use.
	Kubernetes []string `yaml:"kubernetes" json:"kubernetes,omitempty"`
	// Clusters are kind clusters, removed with their nodes and kubeconfig
	// contexts.
	Clusters []string `yaml:"clusters" json:"clusters,omitempty"`
}

// KubernetesKinds are the kinds of object a step may name among its
// resources: the ones lab can look for and that a lesson makes.
var KubernetesKinds = []string{"deployment", "service", "pod", "configmap", "secret", "persistentvolumeclaim", "statefulset"}

// Empty reports whether the step declares no resources, so reset can say
// there is nothing to remove without asking the engine.
func (r Resources) Empty() bool {
	return len(r.Containers)+len(r.ContainersFrom)+len(r.Images)+
		len(r.Volumes)+len(r.Networks)+len(r.Files)+len(r.Kubernetes)+len(r.Clusters) == 0
}

// Key names the step uniquely in the course ("lesson-id/step-id"); progress
// files, receipts and reports use it.
func (s *Step) Key() string {
	return s.Lesson.ID + "/" + s.ID
}

// Tag is the Gherkin tag that ties scenarios to the step ("@step-id").
func (s *Step) Tag() string {
	return "@" + s.ID
}

// Number is the step's short position ("2.3": lesson 2, step 3), which Find
// accepts, so the course map can show a handle that is quick to type.
func (s *Step) Number() string {
	return strconv.Itoa(s.Lesson.Index) + "." + strconv.Itoa(s.Index)
}

// String is the step's key, so a step prints the way it is referred to.
func (s *Step) String() string {
	return s.Key()
}

// Step returns the lesson's step with the given id, or nil.
func (l *Lesson) Step(id string) *Step {
	for _, s := range l.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Steps returns every step in course order, the order learners follow.
func (c *Course) Steps() []*Step {
	var steps []*Step
	for _, l := range c.Lessons {
		steps = append(steps, l.Steps...)
	}
	return steps
}

// Lesson returns the lesson with the given id, or nil.
func (c *Course) Lesson(id string) *Lesson {
	for _, l := range c.Lessons {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// Next returns the step after the given one in course order, nil at the end.
// Next(nil) is the first step, where a new learner starts.
func (c *Course) Next(after *Step) *Step {
	steps := c.Steps()
	if after == nil {
		if len(steps) == 0 {
			return nil
		}
		return steps[0]
	}
	for i, s := range steps {
		if s == after || (s.Lesson != nil && after.Lesson != nil && s.Key() == after.Key()) {
			if i+1 < len(steps) {
				return steps[i+1]
			}
			return nil
		}
	}
	return nil
}

// String names the course and its content hash, for logs and receipts.
func (c *Course) String() string {
	return fmt.Sprintf("%s@%.12s", c.ID, c.Hash)
}
