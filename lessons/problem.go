package lessons

import (
	"fmt"
	"strconv"
	"strings"
)

// Problem is one thing wrong with the lesson files, located precisely
// enough that an author can jump to it.
type Problem struct {
	// File is the path in the content file system ("docker-setup/lesson.md")
	// or in the features file system ("docker-setup.feature").
	File string `json:"file"`
	// Line is 1-based; 0 when the problem is about the file as a whole.
	Line int    `json:"line,omitempty"`
	Msg  string `json:"msg"`
}

// String renders the problem the way compilers do ("file:line: msg"), which
// editors and CI annotate.
func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line <= 0:
		return p.File + ": " + p.Msg
	default:
		return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Msg
	}
}

// ValidationError reports every problem in the lesson files at once, so an
// author fixes them in one pass rather than one run per mistake.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	switch n := len(e.Problems); n {
	case 1:
		b.WriteString("invalid lesson files: 1 problem")
	default:
		fmt.Fprintf(&b, "invalid lesson files: %d problems", n)
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}
