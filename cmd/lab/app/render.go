package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/lab-workshop/lab/internal/mdterm"
	"github.com/lab-workshop/lab/internal/safetext"
	"github.com/lab-workshop/lab/lessons"
)

// renderStep writes a step's instructions: rendered Markdown on a terminal,
// the Markdown itself (already readable) when piped or with NO_COLOR.
func renderStep(s *IOStreams, step *lessons.Step) {
	md := fmt.Sprintf("# %s\n\n*Lesson %d (%s), step %d of %d — `%s`*\n\n%s\n",
		step.Title, step.Lesson.Index, step.Lesson.Title, step.Index, len(step.Lesson.Steps), step.Key(), strings.TrimSpace(step.Body))
	writeMarkdown(s, md)
}

// writeMarkdown shows course text. The course is untrusted: its text is made
// safe (escape sequences, control and bidirectional characters shown as
// escapes) before it is rendered or printed, so neither path, nor NO_COLOR,
// passes a sequence of the author's to the terminal.
func writeMarkdown(s *IOStreams, md string) {
	md = safetext.Terminal(md)
	if s.OutTTY {
		io.WriteString(s.Out, mdterm.Render([]byte(md), 88, mdterm.Dark))
		return
	}
	io.WriteString(s.Out, md)
}
