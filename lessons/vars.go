package lessons

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Course variables hold the course's facts in one place (course.yaml's
// vars: image pins, ports, names), so that moving the course to a new
// release of an image is a change to one line. Lesson Markdown, step front
// matter and feature files refer to them as {{ vars.NAME }}; the loader puts
// the values in before it reads the files, so every command, the checks and
// selftest see the same text. The double braces with "vars." never clash
// with the Go templates of docker's --format flags ({{.State.Status}}).
var (
	varName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	varRef  = regexp.MustCompile(`\{\{\s*vars\.([^\s}]*)\s*\}\}`)
	// varLike catches a reference written almost right ({{ var.x }},
	// {{vars x}}), which would otherwise reach the learner as it is.
	varLike = regexp.MustCompile(`\{\{\s*vars?\b[^}]*\}\}`)
)

// checkVars reports variables whose name or value cannot be used.
func (p *parser) checkVars(doc yamlDoc, vars map[string]string) {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		line := doc.line("vars", k)
		v := vars[k]
		switch {
		case !varName.MatchString(k):
			p.problem(courseFile, line, "variable name %q: use lower-case letters, digits and _, starting with a letter", k)
		case strings.TrimSpace(v) == "":
			p.problem(courseFile, line, "variable %q has no value", k)
		case strings.ContainsAny(v, "\r\n"):
			p.problem(courseFile, line, "variable %q holds a line break: a value is put into one line of text", k)
		case strings.HasSuffix(k, portSuffix) && !isPort(v):
			p.problem(courseFile, line, "variable %q is named as a port, but %q is not a port number (1-65535): lab doctor checks every *_port variable's port is free", k, v)
		}
	}
}

// expand puts the course's variables into a file's text. A reference to a
// variable course.yaml does not declare is a problem, with the line it is
// on and the nearest declared name; it is left as written.
func (p *parser) expand(file string, data []byte) []byte {
	text := string(data)
	if !strings.Contains(text, "{{") {
		return data
	}
	spans := varLike.FindAllStringIndex(text, -1)
	refs := make([]string, len(spans))
	exact := true
	for i, loc := range spans {
		ref := text[loc[0]:loc[1]]
		line := func() int { return strings.Count(text[:loc[0]], "\n") + 1 }
		m := varRef.FindStringSubmatch(ref)
		if m == nil || m[0] != ref {
			p.problem(file, line(), "%s is not a variable reference: write {{ vars.NAME }}", ref)
			exact = false
			continue
		}
		refs[i] = m[1]
		if _, ok := p.course.Vars[m[1]]; ok {
			p.used[m[1]] = true
			if p.lessonUsed != nil {
				p.lessonUsed[m[1]] = true
			}
			continue
		}
		msg := fmt.Sprintf("unknown variable %q: declare it under vars: in course.yaml", m[1])
		if near := closest(m[1], slices.Collect(maps.Keys(p.course.Vars))); near != "" {
			msg = fmt.Sprintf("unknown variable %q; did you mean %q?", m[1], near)
		}
		p.problem(file, line(), "%s", msg)
	}
	if !exact {
		// A span that looks like a reference but is none may hold a real
		// reference further in; replace as the reference pattern finds them.
		return []byte(varRef.ReplaceAllStringFunc(text, func(ref string) string {
			if v, ok := p.course.Vars[varRef.FindStringSubmatch(ref)[1]]; ok {
				return v
			}
			return ref
		}))
	}
	// Every span is a whole reference, so the spans are exactly where the
	// reference pattern matches: replace them without matching again.
	var b strings.Builder
	last := 0
	for i, loc := range spans {
		b.WriteString(text[last:loc[0]])
		if v, ok := p.course.Vars[refs[i]]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[loc[0]:loc[1]])
		}
		last = loc[1]
	}
	b.WriteString(text[last:])
	return []byte(b.String())
}

// checkUnusedVars reports variables no lesson file refers to: a fact kept
// in course.yaml that the text no longer uses is one that drifts unseen.
func (p *parser) checkUnusedVars(doc yamlDoc) {
	names := make([]string, 0, len(p.course.Vars))
	for k := range p.course.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !p.used[k] {
			p.problem(courseFile, doc.line("vars", k), "variable %q is declared but no lesson, step or feature uses it", k)
		}
	}
}
