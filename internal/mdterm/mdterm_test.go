package mdterm

import (
	"strings"
	"testing"
)

func TestRenderPlain(t *testing.T) {
	tests := []struct {
		name, md string
		width    int
		want     string
	}{
		{"heading and paragraph", "# Title\n\nSome *text* with `code`.\n", 80,
			"Title\n\nSome text with code.\n"},
		{"second-level heading keeps its marks", "## Part\n", 80, "## Part\n"},
		{"wraps at the width", "one two three four five six\n", 10,
			"one two\nthree four\nfive six\n"},
		{"a long word gets its own line", "a verylongwordindeed b\n", 8,
			"a\nverylongwordindeed\nb\n"},
		{"soft breaks join lines", "one\ntwo\n", 80, "one two\n"},
		{"hard break", "one  \ntwo\n", 80, "one\ntwo\n"},
		{"code block is indented, not wrapped", "```sh\ndocker run -d --name lab-web -p 8080:80 nginx:1.27\n```\n", 10,
			"    docker run -d --name lab-web -p 8080:80 nginx:1.27\n"},
		{"tight nested list", "- one\n- two\n  - inner\n- three\n", 80,
			"• one\n• two\n  • inner\n• three\n"},
		{"ordered list wraps under its text", "3. alpha beta gamma\n", 12,
			"3. alpha\n   beta\n   gamma\n"},
		{"loose list", "- one\n\n- two\n", 80, "• one\n\n• two\n"},
		{"list item with code", "- run:\n\n  ```\n  lab next\n  ```\n", 80,
			"• run:\n\n      lab next\n"},
		{"link shows its target", "see [the docs](https://docs.docker.com/) now\n", 80,
			"see the docs (https://docs.docker.com/) now\n"},
		{"autolink", "Reload <http://localhost:8080/>: done\n", 80,
			"Reload http://localhost:8080/: done\n"},
		{"quote", "> careful\n", 80, "│ careful\n"},
		{"punctuation after code stays attached", "file `web/index.html`, then\n", 80,
			"file web/index.html, then\n"},
		{"control characters are dropped", "safe \x1b[2Jtext and `co\x07de`\n", 80,
			"safe [2Jtext and code\n"},
		{"emphasis inside a word", "un**break**able\n", 80, "unbreakable\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render([]byte(tt.md), tt.width, Plain)
			if got != tt.want {
				t.Errorf("Render(%q)\n got: %q\nwant: %q", tt.md, got, tt.want)
			}
		})
	}
}

func TestRenderStyled(t *testing.T) {
	got := Render([]byte("# Title\n\nuse `lab next` and **bold**\n"), 80, Dark)
	for _, want := range []string{Dark.Heading + "Title" + reset, Dark.Code + "lab" + reset, Dark.Code + "next" + reset, Dark.Strong + "bold" + reset} {
		if !strings.Contains(got, want) {
			t.Errorf("styled output %q lacks %q", got, want)
		}
	}
	if strings.Count(got, "\x1b[") != 2*4 {
		t.Errorf("styled output %q has unexpected escapes", got)
	}
}
