package lessons

import (
	"reflect"
	"strings"
	"testing"
)

func TestHostPorts(t *testing.T) {
	// web_port is lesson 2's; db_port is used by both lessons (the second
	// in its feature only); node_port only by course.yaml's cluster:,
	// which also publishes a node port no variable holds. port_note holds
	// a number but is not named as a port.
	c, f := withCluster(t, "  db_port: \"27017\"\n  node_port: \"30080\"\n  port_note: \"9999\"\n",
		"  name: drills\n  node_ports: [\"{{ vars.node_port }}\", 31000]\n")
	edit(t, c, "docker-setup/lesson.md", "Intro of docker-setup.", "Intro of docker-setup on {{ vars.db_port }}, not {{ vars.port_note }}.")
	edit(t, f, "containers.feature", "Then it restarts", "Then it restarts on {{ vars.db_port }}")
	course, err := Load(c, f)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []HostPort{
		{Port: 8080, Vars: []string{"web_port"}, Lessons: []int{2}},
		{Port: 27017, Vars: []string{"db_port"}, Lessons: []int{1, 2}},
		{Port: 30080, Vars: []string{"node_port"}, NodePort: true},
		{Port: 31000, NodePort: true},
	}
	if got := course.HostPorts(); !reflect.DeepEqual(got, want) {
		t.Errorf("HostPorts:\ngot  %+v\nwant %+v", got, want)
	}
	if got, want := course.Lessons[0].Vars, []string{"db_port", "port_note"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Lessons[0].Vars: got %v, want %v", got, want)
	}
}

func TestHostPortsNone(t *testing.T) {
	course, err := Load(fixture())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := course.HostPorts(); len(got) != 0 {
		t.Errorf("HostPorts of a course with no ports: got %+v, want none", got)
	}
}

func TestPortVarNotAPort(t *testing.T) {
	c, f := withVars(t)
	edit(t, c, "course.yaml", "  web_port: \"8080\"\n", "  web_port: eighty\n")
	_, err := Load(c, f)
	if err == nil || !strings.Contains(err.Error(), `variable "web_port" is named as a port, but "eighty" is not a port number`) {
		t.Errorf("Load: got %v, want a problem naming web_port", err)
	}
}
