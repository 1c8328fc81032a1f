package features

import "github.com/lab-workshop/lab/internal/result"

// The result model lives in internal/result, a leaf package that reports,
// receipts and grading import without the runner. These names keep the
// step definitions short.
type (
	Status      = result.Status
	Failure     = result.Failure
	EnvError    = result.EnvError
	CheckResult = result.CheckResult
	Result      = result.Result
	Report      = result.Report
)

// The verdicts a step can get; see result.Status.
const (
	StatusPassed  = result.StatusPassed
	StatusFailed  = result.StatusFailed
	StatusError   = result.StatusError
	StatusSkipped = result.StatusSkipped
)

// IsEnvError reports whether err means the environment, not the learner's
// work, stopped the check.
func IsEnvError(err error) bool { return result.IsEnvError(err) }

// ErrNotPassed means a check ran and the learner's work did not pass it.
var ErrNotPassed = result.ErrNotPassed
