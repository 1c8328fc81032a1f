package lessons

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	messages "github.com/cucumber/messages/go/v34"
)

// stepHasher gathers what a step's content hash covers: the step file's
// front matter and body, and the text of every scenario that checks it
// (main and grading, with the Background each runs after). Positions are
// left out, so moving a scenario or editing another step's scenario does not
// change the hash; anything that changes what the learner reads or what the
// check runs does.
type stepHasher struct {
	front, body string
	scenarios   []string
}

// sum returns the hash as hex, each part framed by its length so that no two
// different sets of parts give the same input.
func (h *stepHasher) sum() string {
	d := sha256.New()
	part := func(kind, s string) {
		d.Write([]byte(kind + "\x00" + strconv.Itoa(len(s)) + "\x00" + s))
	}
	part("front", h.front)
	part("body", h.body)
	for _, sc := range h.scenarios {
		part("scenario", sc)
	}
	return hex.EncodeToString(d.Sum(nil))
}

// renderScenario writes out a scenario's meaning (tags, name, description,
// steps with their arguments, examples) without line numbers or ids.
func renderScenario(background string, sc *messages.Scenario) string {
	var b strings.Builder
	b.WriteString(background)
	for _, t := range sc.Tags {
		b.WriteString(t.Name + "\n")
	}
	b.WriteString(sc.Keyword + ": " + sc.Name + "\n" + sc.Description + "\n")
	renderSteps(&b, sc.Steps)
	for _, ex := range sc.Examples {
		for _, t := range ex.Tags {
			b.WriteString(t.Name + "\n")
		}
		b.WriteString(ex.Keyword + ": " + ex.Name + "\n" + ex.Description + "\n")
		if ex.TableHeader != nil {
			renderRow(&b, ex.TableHeader)
		}
		for _, r := range ex.TableBody {
			renderRow(&b, r)
		}
	}
	return b.String()
}

// renderBackground writes out a Background's steps, "" for none.
func renderBackground(bg *messages.Background) string {
	if bg == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(bg.Keyword + ": " + bg.Name + "\n" + bg.Description + "\n")
	renderSteps(&b, bg.Steps)
	return b.String()
}

func renderSteps(b *strings.Builder, steps []*messages.Step) {
	for _, s := range steps {
		b.WriteString(s.Keyword + s.Text + "\n")
		if d := s.DocString; d != nil {
			b.WriteString(d.Delimiter + d.MediaType + "\n" + strconv.Quote(d.Content) + "\n")
		}
		if t := s.DataTable; t != nil {
			for _, r := range t.Rows {
				renderRow(b, r)
			}
		}
	}
}

func renderRow(b *strings.Builder, r *messages.TableRow) {
	for _, c := range r.Cells {
		b.WriteString("|" + strconv.Quote(c.Value))
	}
	b.WriteString("|\n")
}
