package lessons

import (
	"fmt"
	"slices"
	"strings"
)

// lintSetup reports Docker objects a step's learner setup makes by name
// (docker run/create --name, docker volume/network create) that the step's
// resources do not name: reset and selftest's cleanup proof find what a
// step made by those names only, so an unnamed one would be left behind on
// the learner's machine.
func lintSetup(s *Step) []Problem {
	var problems []Problem
	for i, cmd := range s.Setup {
		for _, obj := range namedObjects(cmd) {
			var list []string
			switch obj.kind {
			case "container":
				list = s.Resources.Containers
			case "volume":
				list = s.Resources.Volumes
			case "network":
				list = s.Resources.Networks
			}
			if !slices.Contains(list, obj.name) {
				problems = append(problems, Problem{File: s.SourcePath, Msg: fmt.Sprintf(
					"setup command %d makes the %s %q, which resources does not name: add it to resources: {%ss: [%s]} so reset and selftest's cleanup proof find it",
					i+1, obj.kind, obj.name, obj.kind, obj.name)})
			}
		}
	}
	return problems
}

type namedObject struct{ kind, name string }

// namedObjects finds the Docker objects a shell command names as it makes
// them. It reads words, not shell: a name built by the shell ($NAME) is
// skipped, as lab cannot know it.
func namedObjects(cmd string) []namedObject {
	var out []namedObject
	for _, part := range strings.FieldsFunc(cmd, func(r rune) bool { return r == ';' || r == '&' || r == '|' || r == '\n' }) {
		words := strings.Fields(strings.NewReplacer(`"`, "", `'`, "").Replace(part))
		d := slices.Index(words, "docker")
		if d < 0 || d+1 >= len(words) {
			continue
		}
		w := words[d+1:]
		add := func(kind, name string) {
			if name != "" && !strings.ContainsAny(name, "$`") {
				out = append(out, namedObject{kind, name})
			}
		}
		switch {
		case w[0] == "run" || w[0] == "create" || (len(w) > 1 && w[0] == "container" && (w[1] == "run" || w[1] == "create")):
			for i, a := range w {
				if a == "--name" && i+1 < len(w) {
					add("container", w[i+1])
				} else if name, ok := strings.CutPrefix(a, "--name="); ok {
					add("container", name)
				}
			}
		case len(w) > 2 && (w[0] == "volume" || w[0] == "network") && w[1] == "create":
			// The name is the last word; options come before it.
			for _, a := range slices.Backward(w[2:]) {
				if !strings.ContainsAny(a, "<>") {
					if !strings.HasPrefix(a, "-") {
						add(w[0], a)
					}
					break
				}
			}
		}
	}
	return out
}
