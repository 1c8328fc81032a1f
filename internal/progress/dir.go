package progress

import (
	"errors"
	"path/filepath"
)

// Dir says where the progress file lives, so that every lab command, run from
// any directory, reads and writes the same one.
//
// The first of these that is set wins:
//
//	$LAB_HOME                  a directory chosen by the learner or a test
//	$XDG_STATE_HOME/lab        the XDG state directory
//	$HOME/.local/state/lab     the XDG default
//
// A relative XDG_STATE_HOME is ignored, as the XDG Base Directory
// specification asks. getenv is usually os.Getenv; tests pass their own.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("LAB_HOME"); d != "" {
		return filepath.Clean(d), nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "lab"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "lab"), nil
	}
	return "", errors.New("finding where to keep progress: none of LAB_HOME, XDG_STATE_HOME or HOME is set; " +
		"set LAB_HOME to a directory lab may write to, e.g. export LAB_HOME=$PWD/.lab")
}
