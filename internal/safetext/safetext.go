// Package safetext makes text lab did not write safe to show. Course files,
// receipts and the engine's answers may hold terminal escape sequences,
// control characters, bidirectional overrides or invalid UTF-8; shown raw,
// they can rewrite an instructor's screen, hide text, make a name read
// backwards, or turn a spreadsheet cell into a formula. Every such text
// passes through Terminal before it is printed and through CSVCell before it
// is written to a CSV file.
//
// The package is pure and imports nothing but the standard library.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Terminal returns s with everything a terminal would act on made visible:
// ESC, the other C0 and C1 control characters (newline and tab excepted),
// DEL, bidirectional embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) and invalid UTF-8 bytes are written as escapes such as
// `\x1b`, `\u202e` and `\xff`. A carriage return before a newline is kept,
// so text from Windows files reads the same. Text that needs no change is
// returned as it is.
func Terminal(s string) string {
	if Clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteByte('\r')
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Line is Terminal for text that must stay on one line (a name, a step key,
// a reason in a list): newlines and tabs are escaped as well.
func Line(s string) string {
	t := Terminal(s)
	if !strings.ContainsAny(t, "\r\n\t") {
		return t
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", `\t`).Replace(t)
}

// Clean reports whether s is valid UTF-8 and holds nothing Terminal would
// escape.
func Clean(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return false
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
		case unsafeRune(r):
			return false
		}
		i += size
	}
	return true
}

// Problem describes the first thing in s that Terminal would escape, with
// its 1-based line, for an author to find and fix; ok is false when there is
// none.
func Problem(s string) (line int, msg string, ok bool) {
	line = 1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, fmt.Sprintf("invalid UTF-8 (byte 0x%02x): save the file as UTF-8", s[i]), true
		case r == '\n':
			line++
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
		case r == 0x1b:
			return line, "holds an escape sequence (ESC, \\x1b): terminals would act on it; remove it", true
		case IsBidi(r):
			return line, fmt.Sprintf("holds a bidirectional control character (U+%04X) that reorders what a reader sees; remove it", r), true
		case unsafeRune(r):
			return line, fmt.Sprintf("holds a control character (U+%04X); remove it", r), true
		}
		i += size
	}
	return 0, "", false
}

// unsafeRune reports a rune Terminal escapes: C0 controls but newline and
// tab, DEL, C1 controls and the bidirectional controls.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r < 0xa0:
		return true
	}
	return IsBidi(r)
}

// IsBidi reports the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), which make text display in another order
// than it is stored: "txt.exe" can show as "exe.txt".
func IsBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// CSVCell makes a text safe as a spreadsheet cell: Terminal's escapes
// (newlines kept, since CSV quotes them), and a leading =, +, -, @, tab or
// carriage return gets a quote in front, so the spreadsheet shows the text
// instead of evaluating it as a formula (as OWASP advises).
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + Terminal(s)
	}
	return Terminal(s)
}
