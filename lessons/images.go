package lessons

import (
	"slices"
	"strings"
)

// Images lists the published images the given steps use: the values of the
// course's variables whose names end in _image, for each one the steps'
// instructions, solutions or scenarios mention. A classroom bundle holds
// exactly these, so it is as small as the lessons chosen allow.
func (c *Course) Images(steps []*Step) []string {
	return c.imagesNamed(steps, "_image")
}

// BuiltImages lists the images the learner builds that the given steps
// use: the values of the course's variables whose names end in _build, for
// each one the steps mention.
func (c *Course) BuiltImages(steps []*Step) []string {
	return c.imagesNamed(steps, "_build")
}

// ClusterSteps are the course's steps that work in a kind cluster.
func (c *Course) ClusterSteps() []*Step {
	var out []*Step
	for _, s := range c.Steps() {
		if NeedsCluster([]*Step{s}) {
			out = append(out, s)
		}
	}
	return out
}

func (c *Course) imagesNamed(steps []*Step, suffix string) []string {
	var out []string
	var names []string
	for k := range c.Vars {
		if strings.HasSuffix(k, suffix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		ref := c.Vars[k]
		for _, s := range steps {
			if s.mentions(ref) {
				out = append(out, ref)
				break
			}
		}
	}
	return out
}

// NeedsCluster reports whether any of the steps works in a kind cluster
// (names one among its resources, or requires a step that does).
func NeedsCluster(steps []*Step) bool {
	for _, s := range steps {
		if len(s.Resources.Clusters) > 0 || len(s.Resources.Kubernetes) > 0 {
			return true
		}
	}
	return false
}

func (s *Step) mentions(text string) bool {
	if strings.Contains(s.Body, text) || slices.ContainsFunc(s.Solution, func(c string) bool { return strings.Contains(c, text) }) {
		return true
	}
	return s.Lesson != nil && strings.Contains(string(s.Lesson.Feature), text)
}
