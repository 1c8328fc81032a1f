package lessons

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// portSuffix marks a course variable that holds a port on the learner's
// machine (web_port: "8080"); lab doctor checks that each is free.
const portSuffix = "_port"

// HostPort is a port on the learner's machine that the course uses: the
// value of a variable whose name ends in _port, or a node port the
// course's kind cluster publishes. lab doctor names each with the
// variables that hold it and the lessons that use them.
type HostPort struct {
	Port int
	// Vars are the _port variables whose value is Port, sorted.
	Vars []string
	// Lessons are the 1-based numbers of the lessons whose files refer to
	// one of Vars, in course order.
	Lessons []int
	// NodePort is set when the course's cluster publishes Port.
	NodePort bool
}

// HostPorts lists the ports the course uses on the learner's machine, in
// ascending order. A course with no _port variables and no cluster uses
// none.
func (c *Course) HostPorts() []HostPort {
	byPort := map[int]*HostPort{}
	get := func(port int) *HostPort {
		if byPort[port] == nil {
			byPort[port] = &HostPort{Port: port}
		}
		return byPort[port]
	}
	for name, value := range c.Vars {
		port, ok := portValue(name, value)
		if !ok {
			continue
		}
		hp := get(port)
		hp.Vars = append(hp.Vars, name)
		for _, l := range c.Lessons {
			if slices.Contains(l.Vars, name) && !slices.Contains(hp.Lessons, l.Index) {
				hp.Lessons = append(hp.Lessons, l.Index)
			}
		}
	}
	if c.Cluster != nil {
		for _, port := range c.Cluster.NodePorts {
			get(port).NodePort = true
		}
	}
	ports := make([]HostPort, 0, len(byPort))
	for _, hp := range byPort {
		sort.Strings(hp.Vars)
		sort.Ints(hp.Lessons)
		ports = append(ports, *hp)
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].Port < ports[j].Port })
	return ports
}

// portValue is the port a variable named like a port holds.
func portValue(name, value string) (int, bool) {
	if !strings.HasSuffix(name, portSuffix) || !isPort(value) {
		return 0, false
	}
	port, _ := strconv.Atoi(strings.TrimSpace(value))
	return port, true
}

// isPort tells whether value is a TCP port number.
func isPort(value string) bool {
	port, err := strconv.Atoi(strings.TrimSpace(value))
	return err == nil && port >= 1 && port <= 65535
}
