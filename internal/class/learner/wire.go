// Package learner is the learner's side of a live class: joining, the
// membership kept beside progress.json, and the on-disk queue that carries
// each check result to the instructor's server. It imports nothing of
// Docker, Kubernetes or the check runner, and what it sends is only what
// the Record and Readiness types name: no paths, no environment values, no
// file contents.
package learner

import (
	"regexp"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

// Limits both sides agree on. The server rejects a post larger than
// MaxPostBytes; the client cuts a summary to MaxSummary runes first.
const (
	MaxPostBytes = 16 << 10
	MaxSummary   = 200
	MaxName      = 80
	MaxCodes     = 16
)

// Verdicts a Record may carry, the result package's statuses.
var Verdicts = []string{
	string(result.StatusPassed), string(result.StatusFailed),
	string(result.StatusError), string(result.StatusSkipped),
}

// Record is one check result as it travels to the class: everything the
// instructor's page needs and nothing else.
type Record struct {
	// Key is the idempotency key: unique per result, so a record sent twice
	// is stored once.
	Key string `json:"key"`
	// Seq orders a learner's records: the time the result was queued, in
	// nanoseconds.
	Seq        int64     `json:"seq"`
	Step       string    `json:"step"`
	Index      int       `json:"index"` // the step's place in the course, from 1
	Verdict    string    `json:"verdict"`
	Codes      []string  `json:"codes,omitempty"`
	Summary    string    `json:"summary,omitempty"` // the first failure's first line
	DurationMS int64     `json:"duration_ms"`
	Lab        string    `json:"lab"`
	Course     string    `json:"course"`
	CourseHash string    `json:"course_hash"`
	At         time.Time `json:"at"`
}

// FromResult turns a check result into the record sent to the class.
func FromResult(res *result.Result, course *lessons.Course, lab string, at time.Time) Record {
	r := Record{
		Step:       res.Step.Key(),
		Index:      stepIndex(course, res.Step),
		Verdict:    string(res.Status),
		DurationMS: res.Duration.Milliseconds(),
		Lab:        lab,
		Course:     course.ID,
		CourseHash: course.Hash,
		At:         at.UTC(),
	}
	if res.Status == result.StatusFailed || res.Status == result.StatusError {
		r.Codes = res.Codes()
		if len(r.Codes) > MaxCodes {
			r.Codes = r.Codes[:MaxCodes]
		}
		if f := res.Failures(); len(f) > 0 {
			r.Summary = Scrub(FirstLine(f[0]))
		}
	}
	return r
}

func stepIndex(course *lessons.Course, step *lessons.Step) int {
	for i, s := range course.Steps() {
		if s.Key() == step.Key() {
			return i + 1
		}
	}
	return 0
}

// FirstLine is the first non-blank line of a failure text, cut to
// MaxSummary runes: a failure's headline, never its observed values or the
// commands below it.
func FirstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if r := []rune(line); len(r) > MaxSummary {
			line = string(r[:MaxSummary-1]) + "…"
		}
		return line
	}
	return ""
}

// scrubbed are the parts of a failure's text that can name this machine:
// URLs and socket addresses (DOCKER_HOST, kube contexts), IP addresses,
// and file paths (the workspace, the home folder, KUBECONFIG).
var scrubbed = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'()]*`), "<address>"},
	{regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`), "<address>"},
	{regexp.MustCompile(`\[[0-9A-Fa-f:]*:[0-9A-Fa-f:]*\](:\d+)?`), "<address>"},
	{regexp.MustCompile(`(^|[\s"'(=])~?(/[^\s/"'():;,]+)+/?`), "$1<path>"},
	{regexp.MustCompile(`\b[A-Za-z]:\\[^\s"'()]*`), "<path>"},
}

// Scrub replaces what in a failure's line could name this machine (paths,
// addresses) with placeholders, so the class sees the kind of mistake and
// nothing of where it happened.
func Scrub(line string) string {
	for _, s := range scrubbed {
		line = s.re.ReplaceAllString(line, s.with)
	}
	return line
}

// Readiness is what `lab doctor` found on the learner's machine, as a
// summary the instructor's page can judge: versions and sizes, no paths,
// no host names.
type Readiness struct {
	Engine      string `json:"engine,omitempty"`  // engine version; empty: no engine answered
	Compose     string `json:"compose,omitempty"` // Compose v2 version; empty: missing
	Kind        string `json:"kind,omitempty"`
	Kubectl     string `json:"kubectl,omitempty"`
	MemoryBytes int64  `json:"memory_bytes,omitempty"` // memory available; 0: unknown
	DiskBytes   int64  `json:"disk_bytes,omitempty"`   // free disk; 0: unknown
	BusyPorts   []int  `json:"busy_ports,omitempty"`   // lesson ports already taken
	OS          string `json:"os,omitempty"`
	Arch        string `json:"arch,omitempty"`
}

// KubeMemory is the memory a kind cluster needs for lessons 6 and 7.
const KubeMemory = 4 << 30

// Problems are the reasons the machine will not manage the lessons, the
// Kubernetes ones (6–7) marked as such; none means ready.
func (r Readiness) Problems() []string {
	var out []string
	if r.Engine == "" {
		out = append(out, "no Docker engine")
	}
	if r.Compose == "" {
		out = append(out, "no Compose v2")
	}
	if r.Kind == "" {
		out = append(out, "no kind (lessons 6–7)")
	}
	if r.Kubectl == "" {
		out = append(out, "no kubectl (lessons 6–7)")
	}
	if r.MemoryBytes > 0 && r.MemoryBytes < KubeMemory {
		out = append(out, "under 4 GiB memory (lessons 6–7)")
	}
	return out
}

// JoinRequest is what `lab join` sends.
type JoinRequest struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Readiness Readiness `json:"readiness"`
}

// JoinResponse is the server's answer to a join: the learner's token and
// the class it belongs to.
type JoinResponse struct {
	Class     string `json:"class"`
	ClassName string `json:"class_name"`
	Learner   string `json:"learner"`
	Token     string `json:"token"`
}

// PostResponse is the server's answer to a posted record.
type PostResponse struct {
	Stored    bool `json:"stored"`    // false: a record with that key was already stored
	Duplicate bool `json:"duplicate"` // true when the key was seen before
}

// ErrorResponse is the body of every refusal: a message a person can act on.
type ErrorResponse struct {
	Error string `json:"error"`
}
