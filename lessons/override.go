package lessons

import (
	"io/fs"
	"maps"
	"strings"
)

// LoadWithVars loads a course as Load does, with some of its variables
// given other values (a value that is empty or holds a line break is
// ignored): a learner in a class's shared cluster sees and is
// checked against the node address and port the class assigned them. A
// name the course does not declare is ignored, so the same values can be
// given to any course. The course's hash stays that of its files.
func LoadWithVars(content, features fs.FS, vars map[string]string) (*Course, error) {
	c, problems, err := parse(content, features, vars)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return c, nil
}

// withOverrides is vars with the values of the declared names in
// overrides put in.
func withOverrides(vars, overrides map[string]string) map[string]string {
	if len(overrides) == 0 || vars == nil {
		return vars
	}
	out := maps.Clone(vars)
	for k, v := range overrides {
		if _, ok := out[k]; ok && strings.TrimSpace(v) != "" && !strings.ContainsAny(v, "\r\n") {
			out[k] = v
		}
	}
	return out
}
