package lessons

import (
	"fmt"
	"regexp"
	"strings"
)

// resourcePrefix is what course.yaml's prefix: may hold.
var resourcePrefix = regexp.MustCompile(`^[a-z0-9]+([-_./][a-z0-9]+)*[-_./]?$`)

// nameSeparators end a prefix inside a name: lab-web, lab_default, lab/app.
const nameSeparators = "-_./:"

// ResourcePrefix is what the names of the course's resources start with:
// course.yaml's prefix: when it sets one, else the first word most of the
// names share, more than half of them (the built-in course's is "lab": lab-web, lab/app:v1,
// lab_default). A name with the prefix is unlikely to be one a learner
// already uses for something of their own, which reset could then be asked
// to remove. derived is true when the prefix was not set but found; the
// prefix is "" when neither gives one.
func (c *Course) ResourcePrefix() (prefix string, derived bool) {
	if c.Prefix != "" {
		return strings.TrimRight(c.Prefix, nameSeparators), false
	}
	count := map[string]int{}
	total := 0
	for _, name := range c.resourceNames() {
		word := name.local
		if i := strings.IndexAny(word, nameSeparators); i > 0 {
			word = word[:i]
		}
		count[word]++
		total++
	}
	best := ""
	for w, n := range count {
		if n > count[best] || n == count[best] && w < best {
			best = w
		}
	}
	// More than half of the names must share it.
	if best == "" || count[best]*2 <= total && total > 1 {
		return "", false
	}
	return best, true
}

type resourceName struct {
	step  *Step
	kind  string
	name  string // as the course writes it
	local string // without an image's registry host
}

// resourceNames lists the names the course gives things it makes: its
// containers, images, volumes, networks and kind clusters. containers_from
// names an image the course uses, not one it makes, and Kubernetes objects
// live in the lab's own cluster.
func (c *Course) resourceNames() []resourceName {
	var out []resourceName
	for _, l := range c.Lessons {
		for _, s := range l.Steps {
			r := s.Resources
			for _, k := range []struct {
				kind  string
				names []string
			}{
				{"container", r.Containers}, {"image", r.Images}, {"volume", r.Volumes},
				{"network", r.Networks}, {"cluster", r.Clusters},
			} {
				for _, n := range k.names {
					local := n
					if k.kind == "image" {
						local = withoutRegistry(n)
					}
					out = append(out, resourceName{step: s, kind: k.kind, name: n, local: local})
				}
			}
		}
	}
	return out
}

// withoutRegistry drops the registry host from an image reference
// (localhost:5000/lab/app:v1 → lab/app:v1), which Docker recognises by a
// dot or a colon in the first path component, or by its being localhost.
func withoutRegistry(ref string) string {
	first, rest, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return rest
	}
	return ref
}

// hasPrefix reports whether name is the prefix or starts with it followed
// by a separator.
func hasPrefix(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	rest := name[len(prefix):]
	return rest == "" || strings.ContainsRune(nameSeparators, rune(rest[0]))
}

// LintPrefix warns about resource names without the course's prefix: reset
// removes what a step names when the learner made it during the step, and a
// name like "postgres" is more likely than "lab-postgres" to be one the
// learner also uses for their own things. These are warnings, not errors.
func LintPrefix(c *Course) []Problem {
	prefix, derived := c.ResourcePrefix()
	names := c.resourceNames()
	if prefix == "" {
		if len(names) == 0 {
			return nil
		}
		return []Problem{{File: courseFile, Msg: "the resources' names share no common prefix: give them one (lab-web, lab/app:v1) and set it with prefix: in course.yaml, so they do not collide with the learner's own"}}
	}
	how := fmt.Sprintf("the prefix %q most of its names start with", prefix)
	if !derived {
		how = fmt.Sprintf("prefix: %q in course.yaml", prefix)
	}
	var out []Problem
	for _, n := range names {
		if hasPrefix(n.local, prefix) {
			continue
		}
		out = append(out, Problem{File: n.step.SourcePath, Msg: fmt.Sprintf(
			"resources: %s %q does not start with the course's prefix (%s): a learner may have one of that name of their own; rename it, for example %q",
			n.kind, n.name, how, suggestPrefixed(n, prefix))})
	}
	return out
}

func suggestPrefixed(n resourceName, prefix string) string {
	sep := "-"
	if n.kind == "image" {
		sep = "/"
	}
	return strings.TrimSuffix(n.name, n.local) + prefix + sep + n.local
}
