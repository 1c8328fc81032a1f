package lessons

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Cluster is the kind cluster a course's lessons make and check
// (course.yaml's cluster:). lab cluster up makes it, and the checks look at
// its kubeconfig context, kind-<Name>, unless told otherwise.
type Cluster struct {
	Name string `json:"name"`
	// NodePorts are the NodePorts the lessons expose, each published on
	// the same port of the host's loopback address.
	NodePorts []int `json:"node_ports,omitempty"`
	// Config is the workspace file, slash-separated, that holds the
	// cluster's kind configuration: lab cluster up writes it there unless
	// the learner has one, and a learner without the cluster is told to
	// make it from that file. Empty when the course keeps none.
	Config string `json:"config,omitempty"`
}

// clusterMeta is course.yaml's cluster: as written. Its values may be
// variable references ({{ vars.cluster_name }}), so a fact the lessons
// also use is still written once.
type clusterMeta struct {
	Name      string   `yaml:"name"`
	NodePorts []string `yaml:"node_ports"`
	Config    string   `yaml:"config"`
}

// The NodePort range a Kubernetes API server allocates from by default.
const (
	minNodePort = 30000
	maxNodePort = 32767
)

// clusterName is what kind accepts as a cluster name and can use in the
// names it derives from it (kind-<name>, <name>-control-plane): a
// lower-case DNS label.
var clusterName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// parseCluster reads course.yaml's cluster:, putting in the course's own
// variables: a class's values for this learner (LoadWithVars) are for the
// class's shared cluster, not for the kind cluster the course makes.
func (p *parser) parseCluster(doc yamlDoc, m *clusterMeta, vars map[string]string) *Cluster {
	if m == nil {
		return nil
	}
	c := &Cluster{Name: strings.TrimSpace(p.expandValue(doc.line("cluster", "name"), m.Name, vars))}
	switch {
	case c.Name == "":
		p.problem(courseFile, doc.line("cluster", "name"), "cluster has no name: give the kind cluster the lessons make one, for example name: lab")
	case len(c.Name) > 63 || !clusterName.MatchString(c.Name):
		p.problem(courseFile, doc.line("cluster", "name"), "cluster name %q is not one kind accepts: use a-z, 0-9 and -, starting and ending with a letter or digit, at most 63 characters", c.Name)
	}
	if m.Config != "" {
		line := doc.line("cluster", "config")
		c.Config = strings.TrimSpace(p.expandValue(line, m.Config, vars))
		if !workspacePath(c.Config) {
			p.problem(courseFile, line, "cluster config %q is not a file in the workspace: give a relative path such as kind/cluster.yaml", c.Config)
		}
	}
	for i, raw := range m.NodePorts {
		line := doc.line("cluster", "node_ports", i)
		v := strings.TrimSpace(p.expandValue(line, raw, vars))
		port, err := strconv.Atoi(v)
		switch {
		case err != nil:
			p.problem(courseFile, line, "node port %q is not a number", v)
			continue
		case port < minNodePort || port > maxNodePort:
			p.problem(courseFile, line, "node port %d is outside the NodePort range %d-%d", port, minNodePort, maxNodePort)
			continue
		}
		if slices.Contains(c.NodePorts, port) {
			p.problem(courseFile, line, "node port %d is listed twice", port)
			continue
		}
		c.NodePorts = append(c.NodePorts, port)
	}
	return c
}

// expandValue puts vars into one value of course.yaml written on line,
// reporting a reference to a variable vars does not declare.
func (p *parser) expandValue(line int, value string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(value, func(ref string) string {
		name := varRef.FindStringSubmatch(ref)[1]
		if v, ok := vars[name]; ok {
			p.used[name] = true
			return v
		}
		names := make([]string, 0, len(vars))
		for k := range vars {
			names = append(names, k)
		}
		if near := closest(name, names); near != "" {
			p.problem(courseFile, line, "unknown variable %q; did you mean %q?", name, near)
		} else {
			p.problem(courseFile, line, "unknown variable %q: declare it under vars: in course.yaml", name)
		}
		return ref
	})
}
