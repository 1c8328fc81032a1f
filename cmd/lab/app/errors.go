package app

import (
	"errors"
	"fmt"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// usageError is a mistake in how lab was called: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// envError is an environment problem lab found itself: exit 3.
type envError struct{ err error }

func (e *envError) Error() string { return e.err.Error() }
func (e *envError) Unwrap() error { return e.err }

// silentError carries an exit code for a failure the command has already
// explained on its own.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitCode maps every error kind to lab's exit codes, in one place.
func exitCode(err error) int {
	var (
		usage    *usageError
		env      *envError
		silent   *silentError
		invalid  *lessons.ValidationError
		checkEnv *result.EnvError
		newer    *progress.NewerSchemaError
	)
	switch {
	case errors.As(err, &silent):
		return silent.code
	case errors.As(err, &usage):
		return exitUsage
	case errors.As(err, &env), errors.As(err, &invalid), errors.As(err, &checkEnv),
		errors.As(err, &newer), sandbox.IsUnreachable(err):
		return exitEnvError
	case errors.Is(err, result.ErrNotPassed):
		return exitNotPass
	}
	return exitEnvError
}
