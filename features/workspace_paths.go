package features

import (
	"path/filepath"

	"github.com/lab-workshop/lab/sandbox"
)

// workspacePath resolves a workspace path a step names inside the learner's
// workspace. A path that leaves it (through "..", as an absolute path or a
// symbolic link) is an error of the course or the machine, never read: a
// check must not carry a file from elsewhere into a report or a receipt.
func (w *world) workspacePath(rel string) (string, error) {
	ws, err := w.workspaceDir()
	if err != nil {
		return "", err
	}
	p, err := sandbox.WorkspacePath(ws, rel)
	if err != nil {
		return "", &EnvError{Err: err}
	}
	return p, nil
}

// noSuchFile is the failure of a workspace file a check needs that is not
// there; fix, when set, says how to get it.
func noSuchFile(msg, path, fix string) *Failure {
	return &Failure{
		Code:     "not-found",
		Message:  msg,
		Expected: "the file " + path,
		Observed: "no such file",
		Try:      "ls -a " + filepath.Dir(path),
		Fix:      fix,
	}
}
