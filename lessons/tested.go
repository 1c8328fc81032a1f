package lessons

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Tool names a tool whose version a course says it was tested with. Tool
// drift is what breaks a course a year after it was written, so lab doctor
// and lab next compare the learner's tools with these ranges.
type Tool string

// The tools a course can declare ranges for, as course.yaml names them.
const (
	// ToolEngineAPI is the Docker engine's API version (docker version:
	// Server API version), "1.41" for Docker 20.10.
	ToolEngineAPI Tool = "engine_api"
	// ToolCompose is the Docker Compose plugin (docker compose version).
	ToolCompose Tool = "compose"
	// ToolKind is the kind CLI (kind version).
	ToolKind Tool = "kind"
	// ToolKubectl is the kubectl CLI (kubectl version --client).
	ToolKubectl Tool = "kubectl"
	// ToolKubernetes is the cluster's Kubernetes, which for kind is the
	// node image's (kubectl version: Server Version).
	ToolKubernetes Tool = "kubernetes"
)

// Tools lists every tool in the order reports show them.
var Tools = []Tool{ToolEngineAPI, ToolCompose, ToolKind, ToolKubectl, ToolKubernetes}

// Tested maps each tool a lesson uses to the versions it was tested with.
// A tool with no range is not checked.
type Tested map[Tool]VersionRange

// testedLessonsKey is the key under tested: that holds per-lesson ranges.
const testedLessonsKey = "lessons"

// VersionRange is a set of versions written as constraints that must all
// hold, separated by spaces or commas: ">=1.41 <=1.56", ">=2.17", "1.37".
// An operator is one of >=, <=, >, <, =; a version without one means =.
// A bound is compared on as many numbers as it is written with, so "<=1.56"
// admits 1.56.3 and "1.37" admits every 1.37.x; suffixes of a tool's
// version (-desktop.1, +dfsg1) are not compared.
type VersionRange struct {
	text  string
	conds []versionCond
}

type versionCond struct {
	op  string
	ver []int
}

var rangeOps = []string{">=", "<=", ">", "<", "="}

// ParseVersionRange reads a range as course.yaml writes it. The error says
// what is wrong with the text and shows the form that works.
func ParseVersionRange(s string) (VersionRange, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return VersionRange{}, fmt.Errorf(`empty range: write the versions tested, as ">=1.41 <=1.56" or "1.37"`)
	}
	r := VersionRange{text: text}
	fields := strings.FieldsFunc(text, func(c rune) bool { return c == ' ' || c == ',' || c == '\t' })
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		op := ""
		for _, o := range rangeOps {
			if strings.HasPrefix(f, o) {
				op = o
				break
			}
		}
		num := strings.TrimPrefix(f, op)
		if num == "" && op != "" && i+1 < len(fields) {
			i++ // ">= 1.41": an operator apart from its version
			num = fields[i]
		}
		if op == "" {
			if strings.ContainsAny(f[:1], "!~^*xX<>=") {
				return VersionRange{}, fmt.Errorf("%q in range %q: use one of >=, <=, >, <, = before a version, as \">=1.41 <=1.56\"", f, text)
			}
			op = "="
		}
		ver, ok := parseBound(num)
		if !ok {
			return VersionRange{}, fmt.Errorf("%q in range %q is not a version: write numbers with dots, as 1.41 or v0.33.0", num, text)
		}
		r.conds = append(r.conds, versionCond{op, ver})
	}
	if lo, hi, ok := r.bounds(); ok && compareNums(lo.ver, hi.ver, max(len(lo.ver), len(hi.ver))) > 0 {
		return VersionRange{}, fmt.Errorf("range %q admits no version: its lower bound %s is above its upper bound %s", text, joinNums(lo.ver), joinNums(hi.ver))
	}
	return r, nil
}

// bounds returns the range's highest lower bound and lowest upper bound
// (an = counts as both), to find a range nothing can satisfy.
func (r VersionRange) bounds() (lo, hi versionCond, ok bool) {
	var hasLo, hasHi bool
	for _, c := range r.conds {
		if strings.HasPrefix(c.op, ">") || c.op == "=" {
			if !hasLo || compareNums(c.ver, lo.ver, max(len(c.ver), len(lo.ver))) > 0 {
				lo, hasLo = c, true
			}
		}
		if strings.HasPrefix(c.op, "<") || c.op == "=" {
			if !hasHi || compareNums(c.ver, hi.ver, max(len(c.ver), len(hi.ver))) < 0 {
				hi, hasHi = c, true
			}
		}
	}
	return lo, hi, hasLo && hasHi
}

// parseBound reads a version as a range writes it: one to three dotted
// numbers with an optional v.
func parseBound(s string) ([]int, bool) {
	s = strings.TrimPrefix(s, "v")
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return nil, false
	}
	nums := make([]int, 0, len(parts))
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" || len(p) > 9 {
			return nil, false
		}
		n, _ := strconv.Atoi(p)
		nums = append(nums, n)
	}
	return nums, true
}

// String is the range as it was written.
func (r VersionRange) String() string { return r.text }

// IsZero reports whether the range was never set.
func (r VersionRange) IsZero() bool { return len(r.conds) == 0 }

// versionIn finds the first version in a tool's output: "v0.33.0" in
// "kind v0.33.0 go1.26.1 linux/amd64", "2.29.1" in "2.29.1-desktop.1".
var versionIn = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])v?([0-9]+(?:\.[0-9]+){1,2})`)

// FindVersion returns the first version written in s (a tool's version
// line) without its v, or "" when there is none.
func FindVersion(s string) string {
	if m := versionIn.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// Contains reports whether version, as a tool prints it ("v1.37.2",
// "2.29.1-desktop.1", "Client Version: v1.37.2"), is in the range. ok is
// false when no version can be read from it.
func (r VersionRange) Contains(version string) (in, ok bool) {
	where, ok := r.Where(version)
	return ok && where == 0, ok
}

// Where places version against the range: -1 below it (an upgrade is the
// fix), 0 in it, 1 above it (newer than tested). ok is false when no
// version can be read from it.
func (r VersionRange) Where(version string) (where int, ok bool) {
	v := FindVersion(version)
	if v == "" {
		return 0, false
	}
	nums, _ := parseBound(v)
	for _, c := range r.conds {
		d := compareNums(nums, c.ver, len(c.ver))
		switch {
		case (c.op == ">=" && d < 0) || (c.op == ">" && d <= 0) || (c.op == "=" && d < 0):
			return -1, true
		case (c.op == "<=" && d > 0) || (c.op == "<" && d >= 0) || (c.op == "=" && d > 0):
			return 1, true
		}
	}
	return 0, true
}

// compareNums compares the first n numbers of a and b, a missing number
// counting as 0.
func compareNums(a, b []int, n int) int {
	for i := range n {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func joinNums(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ".")
}

// Merge returns t with the ranges of over put on top, so a lesson's own
// ranges replace the course's for the same tool.
func (t Tested) Merge(over Tested) Tested {
	if len(t) == 0 && len(over) == 0 {
		return nil
	}
	m := make(Tested, len(t)+len(over))
	for k, v := range t {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

// parseTested reads course.yaml's tested: mapping: a range per tool for the
// whole course, and under lessons: a mapping per lesson whose ranges add to
// or replace the course's. Every bad key and range is a problem with its
// line; what is good is kept.
func (p *parser) parseTested(doc yamlDoc, node *yaml.Node, listed []string) (course Tested, lessons map[string]Tested) {
	if node == nil || node.Kind == 0 {
		return nil, nil
	}
	if node.Kind != yaml.MappingNode {
		p.problem(courseFile, doc.line("tested"), "tested: want a mapping of tools to version ranges (engine_api, compose, kind, kubectl, kubernetes) and lessons:")
		return nil, nil
	}
	course = p.parseRanges(doc, node, true, "tested")
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value != testedLessonsKey {
			continue
		}
		ln := node.Content[i+1]
		if ln.Kind != yaml.MappingNode {
			p.problem(courseFile, doc.line("tested", testedLessonsKey), "tested.lessons: want a mapping of lesson ids to their tools' version ranges")
			continue
		}
		for j := 0; j+1 < len(ln.Content); j += 2 {
			id := ln.Content[j].Value
			line := doc.line("tested", testedLessonsKey, id)
			if !slices.Contains(listed, id) {
				msg := fmt.Sprintf("tested.lessons: %q is not a lesson course.yaml lists", id)
				if near := closest(id, listed); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				}
				p.problem(courseFile, line, "%s", msg)
				continue
			}
			rn := ln.Content[j+1]
			if rn.Kind != yaml.MappingNode {
				p.problem(courseFile, line, "tested.lessons.%s: want a mapping of tools to version ranges, as kind: \">=0.33\"", id)
				continue
			}
			if r := p.parseRanges(doc, rn, false, "tested", testedLessonsKey, id); len(r) > 0 {
				if lessons == nil {
					lessons = map[string]Tested{}
				}
				lessons[id] = r
			}
		}
	}
	return course, lessons
}

// parseRanges reads one mapping of tools to ranges at path in course.yaml.
func (p *parser) parseRanges(doc yamlDoc, node *yaml.Node, top bool, path ...any) Tested {
	var t Tested
	names := make([]string, len(Tools))
	for i, tool := range Tools {
		names[i] = string(tool)
	}
	where := ""
	for _, s := range path {
		where += fmt.Sprint(s) + "."
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, val := node.Content[i].Value, node.Content[i+1]
		if top && key == testedLessonsKey {
			continue
		}
		line := doc.line(append(slices.Clone(path), key)...)
		if !slices.Contains(names, key) {
			msg := fmt.Sprintf("%s%s: unknown tool", where, key)
			if near := closest(key, names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			} else {
				msg += " (known: " + strings.Join(names, ", ") + ")"
			}
			p.problem(courseFile, line, "%s", msg)
			continue
		}
		if val.Kind != yaml.ScalarNode {
			p.problem(courseFile, line, "%s%s: want a version range as text, as \">=1.41 <=1.56\"", where, key)
			continue
		}
		r, err := ParseVersionRange(val.Value)
		if err != nil {
			p.problem(courseFile, line, "%s%s: %v", where, key, err)
			continue
		}
		if t == nil {
			t = Tested{}
		}
		t[Tool(key)] = r
	}
	return t
}

// MarshalText writes the range as course.yaml has it, for JSON output.
func (r VersionRange) MarshalText() ([]byte, error) { return []byte(r.text), nil }

// UnmarshalText reads a range MarshalText wrote.
func (r *VersionRange) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*r = VersionRange{}
		return nil
	}
	v, err := ParseVersionRange(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
