package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/lessons"
)

// TestRenderStepNeutralisesCourseText: escape sequences, control and
// bidirectional characters in a course's text reach neither the plain
// output (piped, NO_COLOR) nor the rendered one as something a terminal
// would act on.
func TestRenderStepNeutralisesCourseText(t *testing.T) {
	course := &lessons.Course{ID: "c"}
	lesson := &lessons.Lesson{Course: course, ID: "l", Index: 1, Title: "Lesson \x1b[2J"}
	step := &lessons.Step{ID: "s", Lesson: lesson, Index: 1, Title: "Title\x1b]0;pwned\x07",
		Body: "Run \x1b[31mthis\x1b[0m.\n\nSee \x1b]8;;http://evil\x1b\\here\x1b]8;;\x1b\\ and \u202etxt.exe \x9b2J \xff"}
	lesson.Steps = []*lessons.Step{step}
	for _, tty := range []bool{false, true} {
		var out bytes.Buffer
		renderStep(&IOStreams{Out: &out, OutTTY: tty}, step)
		got := out.String()
		for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\x1b[31m", "\x1b]8;;", "\u202e", "\x9b", "\xff"} {
			if strings.Contains(got, bad) {
				t.Errorf("tty=%v: output holds %q:\n%q", tty, bad, got)
			}
		}
		if !strings.Contains(got, `Run \x1b`) {
			t.Errorf("tty=%v: the escape is not shown escaped:\n%q", tty, got)
		}
	}
}
