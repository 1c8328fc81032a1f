package lessons

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestClusterBlock(t *testing.T) {
	c, f := withCluster(t, "  cluster_name: drills\n  node_port: \"30080\"\n", "  name: \"{{ vars.cluster_name }}\"\n  node_ports:\n    - \"{{ vars.node_port }}\"\n    - 31000\n")
	course, err := Load(c, f)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if course.Cluster == nil {
		t.Fatal("Cluster: got nil, want the declared cluster")
	}
	if got, want := course.Cluster.Name, "drills"; got != want {
		t.Errorf("Cluster.Name: got %q, want %q", got, want)
	}
	if got, want := course.Cluster.NodePorts, []int{30080, 31000}; !slices.Equal(got, want) {
		t.Errorf("Cluster.NodePorts: got %v, want %v", got, want)
	}
}

// A class's values for a learner are for its shared cluster: the course's
// own kind cluster keeps course.yaml's values.
func TestClusterIgnoresOverrides(t *testing.T) {
	c, f := withCluster(t, "  cluster_name: lab\n", "  name: \"{{ vars.cluster_name }}\"\n")
	course, err := LoadWithVars(c, f, map[string]string{"cluster_name": "class"})
	if err != nil {
		t.Fatalf("LoadWithVars: %v", err)
	}
	if got := course.Cluster.Name; got != "lab" {
		t.Errorf("Cluster.Name: got %q, want lab", got)
	}
}

func TestNoClusterBlock(t *testing.T) {
	c, f := fixture()
	course, err := Load(c, f)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if course.Cluster != nil {
		t.Errorf("Cluster: got %+v, want nil for a course that declares none", course.Cluster)
	}
}

func TestClusterProblems(t *testing.T) {
	// withVars' course.yaml has 8 lines; the block starts on line 9.
	tests := []struct {
		name, block, want string
	}{
		{"no name", "cluster:\n  node_ports: [30001]\n",
			`course.yaml:9: cluster has no name: give the kind cluster the lessons make one, for example name: lab`},
		{"upper-case name", "cluster:\n  name: Lab\n",
			`course.yaml:10: cluster name "Lab" is not one kind accepts: use a-z, 0-9 and -, starting and ending with a letter or digit, at most 63 characters`},
		{"name ending in -", "cluster:\n  name: lab-\n",
			`course.yaml:10: cluster name "lab-" is not one kind accepts: use a-z, 0-9 and -, starting and ending with a letter or digit, at most 63 characters`},
		{"unknown variable", "cluster:\n  name: \"{{ vars.cluster }}\"\n",
			`course.yaml:10: unknown variable "cluster": declare it under vars: in course.yaml`},
		{"misspelt variable", "cluster:\n  name: lab\n  node_ports: [\"{{ vars.web_prt }}\"]\n",
			`course.yaml:11: unknown variable "web_prt"; did you mean "web_port"?`},
		{"port below the range", "cluster:\n  name: lab\n  node_ports:\n    - 8080\n",
			`course.yaml:12: node port 8080 is outside the NodePort range 30000-32767`},
		{"port above the range", "cluster:\n  name: lab\n  node_ports:\n    - 32768\n",
			`course.yaml:12: node port 32768 is outside the NodePort range 30000-32767`},
		{"port not a number", "cluster:\n  name: lab\n  node_ports:\n    - \"{{ vars.web_port }}x\"\n",
			`course.yaml:12: node port "8080x" is not a number`},
		{"duplicate port", "cluster:\n  name: lab\n  node_ports:\n    - 30001\n    - \"30001\"\n",
			`course.yaml:13: node port 30001 is listed twice`},
		{"unknown key", "cluster:\n  name: lab\n  ports: [30001]\n",
			`course.yaml:11: unknown key "ports"`},
		{"config outside the workspace", "cluster:\n  name: lab\n  config: /etc/kind.yaml\n",
			`course.yaml:11: cluster config "/etc/kind.yaml" is not a file in the workspace: give a relative path such as kind/cluster.yaml`},
		{"config above the workspace", "cluster:\n  name: lab\n  config: ../kind.yaml\n",
			`course.yaml:11: cluster config "../kind.yaml" is not a file in the workspace: give a relative path such as kind/cluster.yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := withVars(t)
			c["course.yaml"].Data = append(c["course.yaml"].Data, []byte(tt.block)...)
			wantProblem(t, c, f, tt.want)
		})
	}
}

func TestClusterConfig(t *testing.T) {
	c, f := withCluster(t, "  kind_dir: setup\n", "  name: drills\n  config: \"{{ vars.kind_dir }}/cluster.yaml\"\n")
	course, err := Load(c, f)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := course.Cluster.Config, "setup/cluster.yaml"; got != want {
		t.Errorf("Cluster.Config: got %q, want %q", got, want)
	}
}

// withCluster is the vars fixture with more variables (vars, lines under
// vars:) and a cluster: block (cluster, the lines under it).
func withCluster(t *testing.T, vars, cluster string) (fstest.MapFS, fstest.MapFS) {
	t.Helper()
	c, f := withVars(t)
	edit(t, c, "course.yaml", "vars:\n", "vars:\n"+vars)
	c["course.yaml"].Data = append(c["course.yaml"].Data, []byte("cluster:\n"+cluster)...)
	return c, f
}
