package lessons

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestRenderedCourse holds the built-in course as learners, the checks and
// selftest see it: every lesson's intro, recap and feature and every step's
// instructions and front matter, with the course variables put in. Moving
// a fact into course.yaml's vars must leave this text as it was; a change
// to it is a change to what the course says or checks, made on purpose
// with -update.
func TestRenderedCourse(t *testing.T) {
	c, err := Load(Content(), os.DirFS("../features"))
	if err != nil {
		t.Fatalf("loading the built-in course: %v", err)
	}
	got := renderCourse(t, c)
	golden := filepath.Join("testdata", "rendered-course.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading %s (write it with -update): %v", golden, err)
	}
	if !bytes.Equal(got, want) {
		gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < max(len(gotLines), len(wantLines)); i++ {
			var g, w []byte
			if i < len(gotLines) {
				g = gotLines[i]
			}
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if !bytes.Equal(g, w) {
				t.Fatalf("rendered course differs from %s at line %d:\ngot:  %s\nwant: %s\n(run go test ./lessons -run TestRenderedCourse -update if the change is meant)", golden, i+1, g, w)
			}
		}
	}
}

// renderCourse writes out the course's text in course order: prose and
// Gherkin as they are, every other field of a step as indented JSON. The
// course's content hash and its vars are left out: they name how the text
// is written, not what it says. Each step's hash stays in, since it covers
// the step's expanded front matter, instructions and scenarios.
func renderCourse(t *testing.T, c *Course) []byte {
	t.Helper()
	jsonText := func(v any) string {
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false) // keep shell text (>, &) as written
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	var b bytes.Buffer
	section := func(name, text string) {
		b.WriteString("--- " + name + "\n" + text)
		if len(text) > 0 && text[len(text)-1] != '\n' {
			b.WriteString("\n")
		}
	}
	b.WriteString("=== course " + c.ID + ": " + c.Title + " (prefix " + c.Prefix + ")\n")
	// The images a classroom bundle of the whole course holds: the
	// *_image variables the steps mention.
	section("bundle images", strings.Join(c.Images(c.Steps()), "\n"))
	for _, l := range c.Lessons {
		b.WriteString("\n=== lesson " + l.ID + ": " + l.Title + "\n")
		section("fields", jsonText(struct {
			OwnCluster bool   `json:"own_cluster"`
			Tested     Tested `json:"tested"`
		}{l.OwnCluster, l.Tested}))
		section("intro", l.Intro)
		section("recap", l.Recap)
		section("feature "+l.FeaturePath, string(l.Feature))
		for _, s := range l.Steps {
			b.WriteString("\n=== step " + s.Key() + " (" + s.Number() + "): " + s.Title + "\n")
			section("body", s.Body)
			fields := *s
			fields.Body = ""
			section("fields", jsonText(&fields))
		}
	}
	return b.Bytes()
}
