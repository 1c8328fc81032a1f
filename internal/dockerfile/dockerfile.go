// Package dockerfile is lab's model of a parsed Dockerfile and the questions
// the image-building lessons ask of one: the lint rules they teach, which
// instruction installs the dependencies, which instructions copy a given
// file. It only computes: sandbox reads and parses the file (with the
// BuildKit parser) and hands the result over, so every rule here is a pure
// function tested with plain values.
package dockerfile

import (
	"path"
	"strconv"
	"strings"
)

// Instruction is one Dockerfile instruction as written.
type Instruction struct {
	// Cmd is the instruction in lower case: from, run, copy, add, cmd, ...
	Cmd string
	// Args are the arguments without flags. For FROM they are the image and,
	// when present, "AS" and the stage name; for COPY and ADD the sources
	// followed by the destination; for RUN, CMD and ENTRYPOINT in shell form
	// the command line as one string.
	Args []string
	// Flags are the instruction's flags as written, like "--from=build" or
	// "--chown=node:node".
	Flags []string
	// JSON is set for the exec (JSON array) form of RUN, CMD and ENTRYPOINT
	// and the JSON form of COPY and ADD.
	JSON bool
	// Heredoc is set when the instruction carries here-documents; Body
	// holds their text.
	Heredoc bool
	Body    string
	// Line and EndLine are the instruction's first and last line, 1-based;
	// EndLine covers continuation lines and here-documents.
	Line, EndLine int
	// Original is the instruction as written on its (joined) line.
	Original string
}

// Stage is one FROM and the instructions after it.
type Stage struct {
	From Instruction
	// Base is the image or earlier stage the stage starts from, as written.
	Base string
	// Name is the stage's AS name, empty when it has none.
	Name string
	// Instructions are the instructions after FROM, in order.
	Instructions []Instruction
}

// File is a parsed Dockerfile.
type File struct {
	// GlobalArgs are the ARG instructions before the first FROM; their
	// defaults can be used in FROM lines.
	GlobalArgs []Instruction
	Stages     []Stage
}

// Final returns the last stage, the one `docker build` produces unless a
// target is given, or nil for a file without FROM.
func (f *File) Final() *Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return &f.Stages[len(f.Stages)-1]
}

// stageIndex finds an earlier stage called name (stage names are case
// insensitive), or -1.
func (f *File) stageIndex(name string, before int) int {
	for i := 0; i < before && i < len(f.Stages); i++ {
		if f.Stages[i].Name != "" && strings.EqualFold(f.Stages[i].Name, name) {
			return i
		}
	}
	return -1
}

// ResolveBase expands the global build arguments in a stage's base image,
// using their defaults. ok is false when a variable has no default, so the
// image is not known until build time.
func (f *File) ResolveBase(i int) (image string, ok bool) {
	defaults := map[string]string{}
	for _, a := range f.GlobalArgs {
		for _, arg := range a.Args {
			name, value, hasValue := strings.Cut(arg, "=")
			if hasValue {
				defaults[name] = unquote(value)
			} else {
				delete(defaults, name)
			}
		}
	}
	return expandVars(f.Stages[i].Base, func(name string) (string, bool) {
		v, found := defaults[name]
		return v, found
	})
}

// expandVars replaces $NAME, ${NAME} and ${NAME:-default} forms. ok is
// false when a variable without a default in the expression has no value.
// The Dockerfile's other modifiers (${NAME:+x}, ${NAME#x}) are rare in FROM
// lines; they are treated like ${NAME}.
func expandVars(s string, lookup func(string) (string, bool)) (string, bool) {
	ok := true
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			expr := s[i+2 : i+end]
			name, def, hasDefault := strings.Cut(expr, ":-")
			if !hasDefault {
				if j := strings.IndexAny(name, ":#%/"); j >= 0 {
					name = name[:j]
				}
			}
			v, found := lookup(name)
			switch {
			case v == "" && hasDefault:
				v = def
			case !found:
				ok = false
			}
			b.WriteString(v)
			i += end
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || isAlnum(s[j])) {
			j++
		}
		if j == i+1 {
			b.WriteByte('$')
			continue
		}
		v, found := lookup(s[i+1 : j])
		if !found {
			ok = false
		}
		b.WriteString(v)
		i = j - 1
	}
	return b.String(), ok
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// ImageRef splits an image reference into its name, tag and digest:
// "node:18-bookworm-slim" has tag "18-bookworm-slim"; "localhost:5000/app"
// has none, the colon belongs to the registry's port.
func ImageRef(ref string) (name, tag, digest string) {
	name = ref
	if at := strings.IndexByte(name, '@'); at >= 0 {
		name, digest = name[:at], name[at+1:]
	}
	slash := strings.LastIndexByte(name, '/')
	if colon := strings.LastIndexByte(name, ':'); colon > slash {
		name, tag = name[:colon], name[colon+1:]
	}
	return name, tag, digest
}

// DependencyInstall finds the first RUN instruction that installs the Node
// dependencies (npm ci, npm install or npm i). It returns the stage index
// and the instruction index within that stage; ok is false when there is
// none.
func (f *File) DependencyInstall() (stage, index int, ok bool) {
	for si, s := range f.Stages {
		for ii, in := range s.Instructions {
			if in.Cmd == "run" && installsNodeDeps(strings.Join(in.Args, " ")+"\n"+in.Body) {
				return si, ii, true
			}
		}
	}
	return 0, 0, false
}

// installsNodeDeps reports whether a shell command line runs npm ci or npm
// install (or its short form npm i).
func installsNodeDeps(cmd string) bool {
	fields := strings.FieldsFunc(cmd, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == ';' || r == '&' || r == '|' || r == '"' || r == ',' || r == '[' || r == ']'
	})
	for i := 0; i+1 < len(fields); i++ {
		if fields[i] != "npm" {
			continue
		}
		switch fields[i+1] {
		case "ci", "install", "i", "clean-install", "add":
			return true
		}
	}
	return false
}

// CopiesBefore lists the COPY and ADD instructions that run before the
// instruction at (stage, index) in that stage and in the stages it is built
// on, and that would copy the build-context file name (a slash-separated
// path relative to the context) into the image: their sources name the file,
// a folder holding it, or a pattern matching either. Copies from other
// stages or images (--from) are not from the context and are left out.
func (f *File) CopiesBefore(stage, index int, name string) []Instruction {
	var out []Instruction
	for _, si := range f.lineage(stage) {
		s := f.Stages[si]
		end := len(s.Instructions)
		if si == stage {
			end = index
		}
		for _, in := range s.Instructions[:end] {
			if (in.Cmd == "copy" || in.Cmd == "add") && !hasFlag(in.Flags, "--from") && copiesFile(in, name) {
				out = append(out, in)
			}
		}
	}
	return out
}

// lineage lists the stages stage is built on, oldest first, ending with
// stage itself.
func (f *File) lineage(stage int) []int {
	chain := []int{stage}
	for cur := stage; ; {
		base := f.stageIndex(f.Stages[cur].Base, cur)
		if base < 0 || containsInt(chain, base) {
			break
		}
		chain = append([]int{base}, chain...)
		cur = base
	}
	return chain
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func hasFlag(flags []string, name string) bool {
	for _, fl := range flags {
		if fl == name || strings.HasPrefix(fl, name+"=") {
			return true
		}
	}
	return false
}

// copiesFile reports whether a COPY or ADD's sources take in name.
func copiesFile(in Instruction, name string) bool {
	if in.Heredoc || len(in.Args) < 2 {
		return false
	}
	for _, src := range in.Args[:len(in.Args)-1] {
		if sourceCovers(src, name) {
			return true
		}
	}
	return false
}

// sourceCovers reports whether a COPY source (a path or pattern relative to
// the build context) takes in the file name: it names the file itself or
// one of its parent folders, or matches one of them as a pattern.
func sourceCovers(src, name string) bool {
	src = strings.TrimPrefix(path.Clean("/"+src), "/")
	if src == "" {
		return true // ".", "./" or "/": the whole context
	}
	for p := name; p != "." && p != ""; p = path.Dir(p) {
		if ok, _ := path.Match(src, p); ok || src == p {
			return true
		}
	}
	return false
}

// Truncate returns the lines of src up to and including line (1-based),
// each ending in a newline. Building the result builds the Dockerfile up to
// that instruction, so the image's top layer is the layer that instruction
// made.
func Truncate(src []byte, line int) []byte {
	lines := strings.SplitAfter(string(src), "\n")
	if line < len(lines) {
		lines = lines[:line]
	}
	out := strings.Join(lines, "")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return []byte(out)
}

// Describe renders an instruction for a message: its original text, cut
// short when long, and its line.
func Describe(in Instruction) string {
	text := strings.Join(strings.Fields(in.Original), " ")
	if len(text) > 60 {
		text = text[:57] + "..."
	}
	return text + " (line " + strconv.Itoa(in.Line) + ")"
}
