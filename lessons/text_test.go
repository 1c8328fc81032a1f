package lessons

import (
	"strings"
	"testing"
	"time"
)

// TestTextProblems: course text reaches learners' terminals, so escape
// sequences, control and bidirectional characters and invalid UTF-8 in any
// course file are problems, located by file and line.
func TestTextProblems(t *testing.T) {
	for _, tc := range []struct {
		name, file, text, want string
		features               bool
	}{
		{"escape sequence in Markdown", "docker-setup/01-cli.md", "Run \x1b[2Jthis.", "holds an escape sequence (ESC, \\x1b)", false},
		{"OSC hyperlink in a hint", "containers/02-edit-page.md", "\x1b]8;;http://evil\x07x", "escape sequence", false},
		{"bell", "docker-setup/lesson.md", "ding\a", "control character (U+0007)", false},
		{"C1 CSI", "docker-setup/2-hello.md", "c1 \u009b2J", "control character (U+009B)", false},
		{"bidi override", "containers/lesson.md", "read \u202eexe.txt", "bidirectional control character (U+202E)", false},
		{"invalid UTF-8", "docker-setup/01-cli.md", "caf\xe9", "invalid UTF-8 (byte 0xe9)", false},
		{"escape in a feature", "docker-setup.feature", "# \x1b[31mred", "escape sequence", true},
		{"escape in course.yaml", "course.yaml", "# \x1b[31mred", "escape sequence", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content, features := fixture()
			fsys := content
			if tc.features {
				fsys = features
			}
			old := string(fsys[tc.file].Data)
			put(fsys, tc.file, old+tc.text+"\n")
			wantLine := strings.Count(old, "\n") + 1
			_, problems, err := Parse(content, features)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range problems {
				if p.File == tc.file && p.Line == wantLine && strings.Contains(p.Msg, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("got problems %v, want %s:%d with %q", problems, tc.file, wantLine, tc.want)
			}
			if _, err := Load(content, features); err == nil {
				t.Errorf("Load accepted the course")
			}
		})
	}

	// YAML escapes decode to the same characters: they are problems too,
	// at the value's line.
	content, features := fixture()
	edit(t, content, "docker-setup/01-cli.md", "title: ", `title: "\e[2J\u202e" # `)
	_, problems, err := Parse(content, features)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].File != "docker-setup/01-cli.md" || problems[0].Line != 3 ||
		!strings.HasPrefix(problems[0].Msg, "a YAML value holds an escape sequence") {
		t.Errorf("YAML escapes: got %v, want one problem at docker-setup/01-cli.md:3", problems)
	}

	// Windows line endings and tabs are fine.
	content, features = fixture()
	put(content, "containers/lesson.md", strings.ReplaceAll(string(content["containers/lesson.md"].Data), "\n", "\r\n")+"\tindented\r\n")
	if _, err := Load(content, features); err != nil {
		t.Errorf("CRLF and tabs: %v", err)
	}
}

// TestFileSizeLimit: a course file over the limit is a problem naming the
// limit, found quickly and without reading the whole file.
func TestFileSizeLimit(t *testing.T) {
	for _, file := range []string{"docker-setup/01-cli.md", "docker-setup/lesson.md", "course.yaml", "docker-setup.feature"} {
		t.Run(file, func(t *testing.T) {
			content, features := fixture()
			fsys := content
			if strings.HasSuffix(file, ".feature") {
				fsys = features
			}
			put(fsys, file, string(fsys[file].Data)+strings.Repeat("x", 50<<20))
			start := time.Now()
			_, problems, err := Parse(content, features)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("parsing took %s", d)
			}
			want := file + ": the file is larger than 1 MiB, the most a course file may be"
			found := false
			for _, p := range problems {
				if strings.HasPrefix(p.String(), want) {
					found = true
				}
				if strings.Contains(p.Msg, "is missing") {
					t.Errorf("an oversized file is also reported missing: %v", p)
				}
			}
			if !found {
				t.Errorf("got problems %v, want %q", problems, want)
			}
		})
	}
}
