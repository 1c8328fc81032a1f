package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

// TestPrettyShowsEngineTextEscaped: what the engine or a learner's file
// said (an observed value, a note, a reason) reaches the terminal with its
// escape sequences made visible, not acted on; lab's own colour stays.
func TestPrettyShowsEngineTextEscaped(t *testing.T) {
	var buf bytes.Buffer
	Pretty(&buf, sampleReport(), false)
	got := buf.String()
	if strings.ContainsRune(got, 0x1b) {
		t.Errorf("pretty output holds a raw escape:\n%q", got)
	}
	if !strings.Contains(got, `observed: \x1b[31mno socket\x1b[0m`) {
		t.Errorf("the observed value is not shown escaped:\n%s", got)
	}

	l := &lessons.Lesson{ID: "l", Index: 1}
	s := &lessons.Step{ID: "s", Title: "T", Lesson: l}
	buf.Reset()
	PrettyResult(&buf, &result.Result{Step: s, Status: result.StatusError,
		Notes: []string{"engine \x1b]0;title\x07"}, Reason: "engine said \u202e\x1b[2J"}, false)
	if strings.ContainsRune(buf.String(), 0x1b) || strings.ContainsRune(buf.String(), 0x202e) {
		t.Errorf("notes or reason reach the terminal raw:\n%q", buf.String())
	}
}
