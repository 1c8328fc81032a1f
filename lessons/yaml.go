package lessons

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lab-workshop/lab/internal/suggest"
)

// yamlDoc is decoded YAML that still knows where each value was written, so
// problems found after decoding can point at a line.
type yamlDoc struct {
	root *yaml.Node // the top-level mapping
	// offset is added to YAML line numbers to get file line numbers (1 for
	// front matter, which starts after the opening "---" line).
	offset int
}

// line returns the file line of the value at path (mapping keys as strings,
// sequence indexes as ints): the key's line for a mapping entry, the item's
// line for a sequence item. When the path does not exist it returns the line
// of the deepest part that does, so a missing key points at its parent, and
// a missing top-level key at the start of the YAML (line 0, the whole file,
// for a YAML file).
func (d yamlDoc) line(path ...any) int {
	n := d.root
	if n == nil {
		return d.offset
	}
	line := 0
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return fileLine(line, d.offset)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		case int:
			if n.Kind != yaml.SequenceNode || p < 0 || p >= len(n.Content) {
				return fileLine(line, d.offset)
			}
			next = n.Content[p]
			line = next.Line
		}
		if next == nil {
			return fileLine(line, d.offset)
		}
		n = next
	}
	return fileLine(line, d.offset)
}

var (
	yamlLineErr  = regexp.MustCompile(`^(?:yaml: )?line ([0-9]+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (.+) not found in type (\S+)$`)
	badType      = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (.+)$")
)

// decodeYAML strictly decodes data (a whole YAML file or a front matter
// block starting at file line offset+1) into v. Unknown keys and values of
// the wrong type become problems with lines; v is still filled with what
// could be decoded, and ok reports whether it is worth checking further.
//
// The YAML is parsed once: v is decoded from the parsed nodes, which is what
// the decoder does after parsing, and the nodes are checked for keys v has
// no field for. Only YAML with such a key or a value of the wrong type is
// decoded again by the strict decoder, whose messages the problems carry.
func decodeYAML(file string, data []byte, offset int, v any) (doc yamlDoc, problems []Problem, ok bool) {
	doc.offset = offset
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := splitYAMLError(err.Error())
		return doc, []Problem{{File: file, Line: fileLine(line, offset), Msg: "invalid YAML: " + msg}}, false
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return doc, []Problem{{File: file, Line: offset, Msg: "no YAML: want a mapping of keys to values"}}, false
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return doc, []Problem{{File: file, Line: top.Line + offset, Msg: "YAML is not a mapping of keys to values"}}, false
	}
	doc.root = top
	textual := yamlTextProblems(file, data, top, offset)
	if root.Decode(v) == nil && !unknownKey(top, reflect.TypeOf(v)) {
		return doc, textual, true
	}
	reflect.ValueOf(v).Elem().SetZero()
	strict, ok := decodeStrict(file, data, offset, v)
	if !ok {
		return doc, strict, false
	}
	return doc, append(textual, strict...), true
}

// decodeStrict decodes data into v with the strict decoder and turns its
// errors into problems: unknown keys and values of the wrong type.
func decodeStrict(file string, data []byte, offset int, v any) (problems []Problem, ok bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(v)
	var typeErr *yaml.TypeError
	switch {
	case err == nil:
		return nil, true
	case errors.As(err, &typeErr):
		for _, e := range typeErr.Errors {
			line, msg := splitYAMLError(e)
			problems = append(problems, Problem{File: file, Line: fileLine(line, offset), Msg: describeYAMLError(msg)})
		}
		return problems, true
	case errors.Is(err, io.EOF):
		return []Problem{{File: file, Line: offset, Msg: "no YAML: want a mapping of keys to values"}}, false
	default:
		line, msg := splitYAMLError(err.Error())
		return []Problem{{File: file, Line: fileLine(line, offset), Msg: "invalid YAML: " + msg}}, false
	}
}

// unknownKey reports whether n, decoded into a value of type t, has a
// mapping key anywhere that the strict decoder refuses: a key of a struct
// with no field of that name. An alias value is followed to its anchor's
// node. A key that is an alias, a merge key, an inline field or a type that
// decodes itself gives true, so the strict decoder has the last word on
// what it would make of them.
// n must be YAML that decoded without error, so no alias refers to itself.
func unknownKey(n *yaml.Node, t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case t == yamlNodeType:
		return false // holds the YAML as written
	case reflect.PointerTo(t).Implements(yamlUnmarshaler):
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Kind != yaml.ScalarNode {
				return true // an alias's Value is its anchor's name, not its text
			}
			f, ok := yamlField(t, n.Content[i].Value)
			if !ok || unknownKey(n.Content[i+1], f.Type) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				if unknownKey(item, t.Elem()) {
					return true
				}
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Kind != yaml.ScalarNode || n.Content[i].Value == "<<" || unknownKey(n.Content[i+1], t.Elem()) {
					return true
				}
			}
		}
	}
	return false
}

var (
	yamlNodeType    = reflect.TypeFor[yaml.Node]()
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
)

// yamlField returns the field of struct type t that YAML key names, as the
// decoder matches them: the tag's name, or the field's name in lower case.
// ok is false for a key with no field, and for any struct with an inline
// field, which unknownKey leaves to the strict decoder.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(","+opts+",", ",inline,") {
			return f, false
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// fileLine converts a YAML line to a file line; an error without a line
// points at the start of the YAML (the "---" of front matter, or the whole
// file for a YAML file).
func fileLine(yamlLine, offset int) int {
	if yamlLine > 0 {
		return yamlLine + offset
	}
	return offset
}

func splitYAMLError(s string) (int, string) {
	s = strings.TrimPrefix(s, "yaml: unmarshal errors:\n  ")
	if m := yamlLineErr.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, strings.TrimPrefix(s, "yaml: ")
}

// describeYAMLError turns the YAML decoder's Go-flavoured messages into ones
// an author can act on.
func describeYAMLError(msg string) string {
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		out := fmt.Sprintf("unknown key %q", m[1])
		if keys, ok := knownKeys[m[2]]; ok {
			if near := closest(m[1], keys); near != "" {
				out += fmt.Sprintf("; did you mean %q?", near)
			} else {
				out += " (known keys: " + strings.Join(keys, ", ") + ")"
			}
		}
		return out
	}
	if m := badType.FindStringSubmatch(msg); m != nil {
		want, ok := goTypeNames[m[3]]
		if !ok {
			want = m[3]
		}
		got := map[string]string{"str": "a string", "int": "a number", "float": "a number", "bool": "true or false",
			"seq": "a list", "map": "a mapping", "null": "nothing"}[m[1]]
		if got == "" {
			got = m[1]
		}
		return fmt.Sprintf("want %s, got %s", want, got)
	}
	return msg
}

var goTypeNames = map[string]string{
	"string":            "a string",
	"bool":              "true or false",
	"[]string":          "a list of strings",
	"map[string]string": "a mapping of names to strings",
}

// knownKeys maps each front matter type, as the YAML decoder names it, to
// its keys, so a typo gets a suggestion.
var knownKeys = func() map[string][]string {
	m := map[string][]string{}
	for _, v := range []any{courseMeta{}, lessonMeta{}, stepMeta{}, WrongState{}, State{}, Resources{}} {
		t := reflect.TypeOf(v)
		var keys []string
		for i := range t.NumField() {
			if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" && k != "-" {
				keys = append(keys, k)
			}
		}
		m[t.String()] = keys
	}
	return m
}()

// closest returns the name within two edits of s, or "".
func closest(s string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := suggest.Distance(s, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// splitFrontMatter separates the YAML front matter (between a first line
// "---" and the next line "---") from the Markdown body.
func splitFrontMatter(data []byte) (front []byte, body string, err error) {
	text := strings.TrimPrefix(string(data), "\ufeff")
	// CRLF (Windows) and a lone CR (classic Mac) both end a line.
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], " \t") != "---" {
		return nil, "", errors.New(`no front matter: the file must start with a "---" line, then YAML, then "---"`)
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == "---" {
			front = []byte(strings.Join(lines[1:i], "\n"))
			body = strings.TrimSpace(strings.Join(lines[i+1:], "\n"))
			return front, body, nil
		}
	}
	return nil, "", errors.New(`front matter is not closed: add a "---" line after the YAML`)
}
