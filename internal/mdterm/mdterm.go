// Package mdterm renders CommonMark Markdown for a terminal: headings,
// emphasis, code, lists, quotes and links, styled with ANSI escapes and
// wrapped to a width. It parses with goldmark's core parser only, so it
// links no syntax highlighter and costs next to nothing at start-up.
package mdterm

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Style holds the ANSI sequences used for each kind of text. An empty
// field leaves that text unstyled.
type Style struct {
	Heading, Emphasis, Strong, Code, CodeBlock, Link, Quote, Rule string
}

// Dark is the style for a terminal with a dark background.
var Dark = Style{
	Heading:   "\x1b[1;38;5;39m",
	Emphasis:  "\x1b[3m",
	Strong:    "\x1b[1m",
	Code:      "\x1b[38;5;203m",
	CodeBlock: "\x1b[38;5;250m",
	Link:      "\x1b[4;38;5;33m",
	Quote:     "\x1b[38;5;244m",
	Rule:      "\x1b[38;5;240m",
}

// Plain styles nothing: the layout (wrapping, bullets, indents) remains.
var Plain = Style{}

const reset = "\x1b[0m"

var mdParser = parser.NewParser(
	parser.WithBlockParsers(parser.DefaultBlockParsers()...),
	parser.WithInlineParsers(parser.DefaultInlineParsers()...),
	parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
)

// Render renders src wrapped to width columns (0: no wrapping) in style st.
// Control characters in the text are dropped, so Markdown cannot move the
// cursor or change the terminal's state.
func Render(src []byte, width int, st Style) string {
	r := &renderer{src: src, width: width, st: st}
	doc := mdParser.Parse(text.NewReader(src))
	r.blocks(doc, "", "")
	return strings.Join(r.lines, "\n") + "\n"
}

type renderer struct {
	src   []byte
	width int
	st    Style
	lines []string
}

// blocks renders the block children of n, the first line of the first one
// after first, every other line after rest, with a blank line between
// blocks unless n is an item of a tight list.
func (r *renderer) blocks(n ast.Node, first, rest string) {
	tight := false
	if li, ok := n.(*ast.ListItem); ok {
		if l, ok := li.Parent().(*ast.List); ok {
			tight = l.IsTight
		}
	}
	i := 0
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		p := first
		if i > 0 {
			p = rest
			if !tight {
				r.blank(rest)
			}
		}
		r.block(c, p, rest)
		i++
	}
}

func (r *renderer) blank(prefix string) {
	r.lines = append(r.lines, strings.TrimRight(prefix, " "))
}

func (r *renderer) block(n ast.Node, first, rest string) {
	switch n := n.(type) {
	case *ast.Heading:
		style := r.st.Heading
		lead := ""
		if n.Level > 1 {
			lead = strings.Repeat("#", n.Level) + " "
		}
		words := r.inline(n, style, nil)
		if lead != "" {
			words = append([]word{{{lead[:len(lead)-1], style}}}, words...)
		}
		r.wrap(words, first, rest)
	case *ast.Paragraph, *ast.TextBlock:
		r.wrap(r.inline(n, "", nil), first, rest)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			line := strings.TrimRight(clean(string(seg.Value(r.src))), "\n")
			p := rest
			if i == 0 {
				p = first
			}
			r.lines = append(r.lines, strings.TrimRight(p+"    "+r.styled(line, r.st.CodeBlock), " "))
		}
	case *ast.List:
		num := n.Start
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			bullet := "• "
			if n.IsOrdered() {
				bullet = strconv.Itoa(num) + ". "
				num++
			}
			p := first
			if c != n.FirstChild() {
				p = rest
				if !n.IsTight {
					r.blank(rest)
				}
			}
			pad := strings.Repeat(" ", utf8.RuneCountInString(bullet))
			r.blocks(c, p+bullet, rest+pad)
		}
	case *ast.Blockquote:
		bar := r.styled("│", r.st.Quote) + " "
		r.blocks(n, first+bar, rest+bar)
	case *ast.ThematicBreak:
		w := r.width - utf8.RuneCountInString(rest)
		if w <= 0 || r.width == 0 {
			w = 40
		}
		r.lines = append(r.lines, first+r.styled(strings.Repeat("─", w), r.st.Rule))
	case *ast.HTMLBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			p := rest
			if i == 0 {
				p = first
			}
			r.lines = append(r.lines, p+strings.TrimRight(clean(string(seg.Value(r.src))), "\n"))
		}
	default:
		r.blocks(n, first, rest)
	}
}

// piece is a run of text in one style; a word is the pieces between spaces.
type piece struct{ text, style string }
type word []piece

// newline is the word a hard line break becomes.
var newline = word{{"\n", ""}}

// inline flattens the inline children of n into words, the text of each in
// style (and the styles of the spans around it).
func (r *renderer) inline(n ast.Node, style string, words []word) []word {
	cur := word{}
	if len(words) > 0 {
		// Continue the last word when text follows without a space.
		cur, words = words[len(words)-1], words[:len(words)-1]
	}
	add := func(s, style string) {
		for i, part := range strings.Split(s, " ") {
			if i > 0 {
				words = append(words, cur)
				cur = word{}
			}
			if part != "" {
				cur = append(cur, piece{part, style})
			}
		}
	}
	flush := func() { words = append(words, cur); cur = word{} }
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			add(clean(string(c.Segment.Value(r.src))), style)
			switch {
			case c.HardLineBreak():
				flush()
				words = append(words, newline)
			case c.SoftLineBreak():
				add(" ", style)
			}
		case *ast.String:
			add(clean(string(c.Value)), style)
		case *ast.CodeSpan:
			var b bytes.Buffer
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				switch t := t.(type) {
				case *ast.Text:
					b.Write(t.Segment.Value(r.src))
				case *ast.String:
					b.Write(t.Value)
				}
			}
			add(clean(strings.ReplaceAll(b.String(), "\n", " ")), style+r.st.Code)
		case *ast.Emphasis:
			s := r.st.Emphasis
			if c.Level >= 2 {
				s = r.st.Strong
			}
			words = append(words, cur)
			words = r.inline(c, style+s, words)
			cur, words = words[len(words)-1], words[:len(words)-1]
		case *ast.Link:
			words = append(words, cur)
			words = r.inline(c, style+r.st.Link, words)
			cur, words = words[len(words)-1], words[:len(words)-1]
			if dest := clean(string(c.Destination)); dest != "" && dest != plainText(c, r.src) {
				add(" ("+dest+")", style)
			}
		case *ast.AutoLink:
			add(clean(string(c.URL(r.src))), style+r.st.Link)
		case *ast.Image:
			add(clean(plainText(c, r.src))+" ("+clean(string(c.Destination))+")", style)
		case *ast.RawHTML:
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				add(clean(strings.ReplaceAll(string(seg.Value(r.src)), "\n", " ")), style)
			}
		default:
			words = append(words, cur)
			words = r.inline(c, style, words)
			cur, words = words[len(words)-1], words[:len(words)-1]
		}
	}
	return append(words, cur)
}

// plainText is the text of n's inline children, unstyled.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
		case *ast.String:
			b.Write(c.Value)
		default:
			b.WriteString(plainText(c, src))
		}
	}
	return b.String()
}

// wrap lays words out in lines of at most r.width columns; a word longer
// than a line gets a line of its own.
func (r *renderer) wrap(words []word, first, rest string) {
	var line strings.Builder
	prefix, col, empty, emitted := first, utf8.RuneCountInString(first), true, false
	emit := func() {
		emitted = true
		r.lines = append(r.lines, prefix+line.String())
		line.Reset()
		prefix, col, empty = rest, utf8.RuneCountInString(rest), true
	}
	for _, w := range words {
		if len(w) == 0 {
			continue
		}
		if len(w) == 1 && w[0].text == "\n" {
			emit()
			continue
		}
		n := 0
		for _, p := range w {
			n += utf8.RuneCountInString(p.text)
		}
		if !empty && r.width > 0 && col+1+n > r.width {
			emit()
		}
		if !empty {
			line.WriteByte(' ')
			col++
		}
		for _, p := range w {
			line.WriteString(r.styled(p.text, p.style))
		}
		col += n
		empty = false
	}
	if !empty || !emitted {
		emit()
	}
}

func (r *renderer) styled(s, style string) string {
	if style == "" || s == "" {
		return s
	}
	return style + s + reset
}

// clean drops control characters (escape sequences among them) and turns
// tabs into spaces.
func clean(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\t':
			b.WriteString("    ")
		case c == '\n':
			b.WriteRune(c)
		case isControl(c):
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func isControl(c rune) bool {
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
}
