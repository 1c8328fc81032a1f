package lessons

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"go.yaml.in/yaml/v3"

	"github.com/lab-workshop/lab/internal/safetext"
)

// MaxFileSize is the largest course file (course.yaml, lesson and step
// Markdown, feature files) lab reads, in bytes. A real step is a few
// kilobytes; the limit keeps a huge file from taking lab's memory and time
// before anything is shown.
const MaxFileSize = 1 << 20

// readFile reads a course file of at most MaxFileSize bytes, reporting
// absence as ok=false and any other failure as an error: a missing file is a
// problem of the course, an unreadable one is a problem of the machine. A
// larger file is a problem of the course too: it is reported, and data is
// nil with ok=true, so the caller skips it without calling it missing. Text
// a terminal would act on (escape sequences, control and bidirectional
// characters, invalid UTF-8) is reported where it is, since course text is
// shown to learners.
func (p *parser) readFile(fsys fs.FS, name string) (data []byte, ok bool, err error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		p.problem(name, 0, "the file is larger than %d MiB, the most a course file may be: split it, or keep large files in %s/", MaxFileSize>>20, AssetsDir)
		return nil, true, nil
	}
	if line, msg, bad := safetext.Problem(string(data)); bad {
		p.problem(name, line, "%s", msg)
	}
	if data == nil {
		data = []byte{}
	}
	return data, true, nil
}

// yamlTextProblems finds YAML values that decode to text a terminal would
// act on although the file's bytes are clean: a double-quoted "\e[2J" or
// "\u202e" is an escape sequence or a bidirectional override once decoded.
// (Raw bytes are readFile's to report, once.)
func yamlTextProblems(file string, data []byte, root *yaml.Node, offset int) []Problem {
	if !safetext.Clean(string(data)) {
		return nil
	}
	var problems []Problem
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			if _, msg, bad := safetext.Problem(n.Value); bad {
				problems = append(problems, Problem{File: file, Line: fileLine(n.Line, offset), Msg: "a YAML value " + msg})
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return problems
}
