package safetext

import (
	"strings"
	"testing"
)

func TestTerminal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"line one\nline\ttwo", "line one\nline\ttwo"},
		{"windows\r\nline", "windows\r\nline"},
		{"héllo wörld ✓", "héllo wörld ✓"},
		{"\x1b[2J\x1b[Hcleared", `\x1b[2J\x1b[Hcleared`},
		{"\x1b]8;;http://evil\x07link\x1b]8;;\x07", `\x1b]8;;http://evil\x07link\x1b]8;;\x07`},
		{"over\rwrite", `over\x0dwrite`},
		{"bell\a del\x7f nul\x00", `bell\x07 del\x7f nul\x00`},
		{"c1 \u009b31m csi", `c1 \x9b31m csi`},
		{"ana\u202enaL", `ana\u202enaL`},
		{"iso\u2066x\u2069", `iso\u2066x\u2069`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"cut \xe2\x9c", `cut \xe2\x9c`},
	} {
		if got := Terminal(tc.in); got != tc.want {
			t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Clean(tc.in); got != (tc.in == tc.want) {
			t.Errorf("Clean(%q) = %v, want %v", tc.in, got, tc.in == tc.want)
		}
	}
}

func TestTerminalLeavesNothingActive(t *testing.T) {
	var all strings.Builder
	for r := rune(0); r < 0x3000; r++ {
		all.WriteRune(r)
	}
	all.WriteString("\xff\xc0")
	got := Terminal(all.String())
	if !Clean(strings.NewReplacer("\n", "", "\t", "").Replace(got)) {
		t.Fatalf("Terminal left something a terminal acts on")
	}
	if got := Terminal(got); got != Terminal(all.String()) && Clean(got) {
		t.Fatalf("Terminal is not stable on its own output")
	}
}

func TestLine(t *testing.T) {
	if got, want := Line("a\nb\tc\x1b"), `a\nb\tc\x1b`; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func TestProblem(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		want string // part of the message; "" for no problem
	}{
		{"all fine\nreally\r\n", 0, ""},
		{"ok\nnot \x1b[31mok", 2, "escape sequence"},
		{"a\nb\nname\u202e", 3, "bidirectional"},
		{"x\xff", 1, "invalid UTF-8"},
		{"\n\n\x07", 3, "control character (U+0007)"},
	} {
		line, msg, ok := Problem(tc.in)
		if ok != (tc.want != "") || line != tc.line || !strings.Contains(msg, tc.want) {
			t.Errorf("Problem(%q) = %d, %q, %v; want line %d with %q", tc.in, line, msg, ok, tc.line, tc.want)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ana Lima", "Ana Lima"},
		{`=HYPERLINK("http://evil","x")`, `'=HYPERLINK("http://evil","x")`},
		{"+1", "'+1"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", `'\x0dx`},
		{"a\x1b[31m", `a\x1b[31m`},
		{"mini/step", "mini/step"},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
