// Package classcluster prepares one Kubernetes cluster for a whole class: a
// namespace per learner, a ServiceAccount that RBAC confines to it, a
// quota that fits the Kubernetes lesson, a node port of the learner's own
// and a kubeconfig file that carries all of it to the learner's lab.
package classcluster

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A Learner is one person of the class and the namespace they work in.
type Learner struct {
	Name      string // as the instructor wrote it
	Slug      string // lower-case letters, digits and -, from Name
	Namespace string
}

// maxSlug keeps a namespace (prefix + slug) under Kubernetes' 63
// characters with room for the prefix.
const maxSlug = 40

// Slug turns a name into the part of a namespace that names the learner:
// "Ana Lima" is "ana-lima". A name with no letter or digit has none.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= maxSlug {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// ReadLearners reads one learner name a line; blank lines and lines
// starting with # are skipped. Two names that make the same namespace are
// an error, since they would share it.
func ReadLearners(r io.Reader, prefix string) ([]Learner, error) {
	var names []string
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		name := strings.TrimSpace(sc.Text())
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		if Slug(name) == "" {
			return nil, fmt.Errorf("line %d: %q has no letter or digit to name a namespace after; write the learner's name", line, name)
		}
		names = append(names, name)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return Learners(names, prefix)
}

// Learners makes the class's learners from their names.
func Learners(names []string, prefix string) ([]Learner, error) {
	var out []Learner
	seen := map[string]string{}
	for _, name := range names {
		slug := Slug(name)
		if slug == "" {
			return nil, fmt.Errorf("%q has no letter or digit to name a namespace after", name)
		}
		if other, ok := seen[slug]; ok {
			return nil, fmt.Errorf("%q and %q would share the namespace %s; make the names differ in a letter or digit", other, name, prefix+slug)
		}
		seen[slug] = name
		out = append(out, Learner{Name: name, Slug: slug, Namespace: prefix + slug})
	}
	return out, nil
}

// Numbered is the class of --count N: learner-1 to learner-N.
func Numbered(n int, prefix string) []Learner {
	out := make([]Learner, 0, n)
	for i := 1; i <= n; i++ {
		name := "learner-" + strconv.Itoa(i)
		out = append(out, Learner{Name: name, Slug: name, Namespace: prefix + name})
	}
	return out
}

// PortRange is the node ports a class hands out, one a learner.
type PortRange struct{ First, Last int }

// ParsePortRange reads "30100-30199".
func ParsePortRange(s string) (PortRange, error) {
	a, b, ok := strings.Cut(s, "-")
	first, err1 := strconv.Atoi(strings.TrimSpace(a))
	last, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || first < 1 || last > 65535 || first > last {
		return PortRange{}, fmt.Errorf("node port range %q: write FIRST-LAST, e.g. 30100-30199, inside the cluster's node port range (30000-32767 by default)", s)
	}
	return PortRange{First: first, Last: last}, nil
}

func (r PortRange) String() string { return fmt.Sprintf("%d-%d", r.First, r.Last) }
