package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kindexec "sigs.k8s.io/kind/pkg/exec"
)

func TestKindConfigIsWhatTheLessonTeaches(t *testing.T) {
	raw, err := KindConfig(NodePortClusterSpec("lab", "lab-standin/kind-node:v1.37.2", []int{30001}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kind: Cluster", "apiVersion: kind.x-k8s.io/v1alpha4", "name: lab", "role: control-plane",
		"image: lab-standin/kind-node:v1.37.2", "containerPort: 30001", "hostPort: 30001", "listenAddress: 127.0.0.1",
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("config lacks %q:\n%s", want, raw)
		}
	}
	// What lab writes, lab (and kind) read back strictly.
	cfg := readBack(t, raw)
	if cfg.Name != "lab" || !cfg.Maps(30001, 30001) || cfg.Maps(30002, 30001) || cfg.Nodes[0].Image != "lab-standin/kind-node:v1.37.2" {
		t.Errorf("read back %+v", cfg)
	}

	noImage, err := KindConfig(NodePortClusterSpec("lab", "", []int{30001}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(noImage), "image:") {
		t.Errorf("without --image the config must leave the node image to kind:\n%s", noImage)
	}
}

// Another course's cluster has its own name and node ports.
func TestNodePortClusterSpec(t *testing.T) {
	spec := NodePortClusterSpec("drills", "", []int{30080, 31000})
	raw, err := KindConfig(spec)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := readBack(t, raw); cfg.Name != "drills" || !cfg.Maps(30080, 30080) || !cfg.Maps(31000, 31000) || cfg.Maps(30001, 30001) {
		t.Errorf("read back %+v from:\n%s", cfg, raw)
	}
	taken := kindexec.RunErrorForError(&kindexec.RunError{Command: []string{"docker", "run"}, Output: []byte("Bind for 127.0.0.1:31000 failed: port is already allocated"), Inner: errors.New("exit status 125")})
	if got, want := classifyCreateError(spec, taken).Error(), "free ports 30080, 31000"; !strings.Contains(got, want) {
		t.Errorf("error does not say %q: %v", want, got)
	}
}

// readBack reads a rendered kind configuration back as lab reads a
// learner's file.
func readBack(t *testing.T, raw []byte) KindConfigFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ReadKindConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestKindConfigRejectsBadSpecs(t *testing.T) {
	if _, err := KindConfig(ClusterSpec{}); err == nil {
		t.Error("a cluster without a name was accepted")
	}
	if _, err := KindConfig(ClusterSpec{Name: "x", Ports: []PortMapping{{HostPort: 70000, NodePort: 30001}}}); err == nil {
		t.Error("host port 70000 was accepted")
	}
}

func TestReadKindConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := ReadKindConfig(write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "" || len(cfg.Nodes) != 1 || cfg.Nodes[0].Role != "control-plane" || cfg.Maps(30001, 30001) {
		t.Errorf("a config without nodes is kind's one control-plane node, unnamed and unmapped; got %+v", cfg)
	}
	_, err = ReadKindConfig(write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraPortMapping:\n  - containerPort: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "extraPortMapping") {
		t.Errorf("a misspelt field must be named in the error; got %v", err)
	}
	_, err = ReadKindConfig(write("kind: Pod\napiVersion: v1\n"))
	if err == nil || !strings.Contains(err.Error(), "kind: Cluster") {
		t.Errorf("a Kubernetes manifest is not a kind configuration; got %v", err)
	}
	if _, err := ReadKindConfig(filepath.Join(dir, "absent.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file must be ErrNotExist; got %v", err)
	}
}

func TestInotifyProblem(t *testing.T) {
	if p := inotifyProblem(524288, 512); p != nil {
		t.Errorf("kind's recommended limits flagged: %v", p)
	}
	if p := inotifyProblem(0, 0); p != nil {
		t.Errorf("unknown limits (no /proc) flagged: %v", p)
	}
	p := inotifyProblem(8192, 128)
	if p == nil || !strings.Contains(p.Fix, "sysctl fs.inotify.max_user_watches=524288") || !strings.Contains(p.What, "8192") {
		t.Errorf("low limits must be reported with the sysctl fix; got %v", p)
	}
}

func TestClassifyCreateError(t *testing.T) {
	spec := NodePortClusterSpec("lab", "", []int{30001})
	run := func(out string) error {
		return kindexec.RunErrorForError(&kindexec.RunError{Command: []string{"docker", "run"}, Output: []byte(out), Inner: errors.New("exit status 125")})
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"exists", errors.New("node(s) already exist for a cluster with the name \"lab\""), "lab cluster down"},
		{"privileged", run("docker: Error response from daemon: privileged mode is incompatible with user namespaces."), "privileged"},
		{"port", run("Bind for 127.0.0.1:30001 failed: port is already allocated"), "free port 30001"},
		{"pull", run("Unable to find image 'kindest/node:v1.37.0' locally\ndocker: Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host"), "--image"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := classifyCreateError(spec, c.err)
			var p *ClusterProblem
			if !errors.As(err, &p) {
				t.Fatalf("not a ClusterProblem: %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not say %q: %v", c.want, err)
			}
		})
	}
	other := classifyCreateError(spec, errors.New("something else"))
	if !strings.Contains(other.Error(), `creating kind cluster "lab": something else`) {
		t.Errorf("unknown failures keep kind's words: %v", other)
	}
}

func TestClusterHealthProblem(t *testing.T) {
	ready := NodeHealth{Name: "lab-control-plane", Container: "running", Ready: true}
	for _, c := range []struct {
		h    ClusterHealth
		want string
	}{
		{ClusterHealth{}, "no node container"},
		{ClusterHealth{Nodes: []NodeHealth{{Name: "n", Container: "exited"}}}, "node container n is exited"},
		{ClusterHealth{Nodes: []NodeHealth{ready}, APIError: "connection refused"}, "API server does not answer"},
		{ClusterHealth{Nodes: []NodeHealth{{Name: "n", Container: "running", Reason: "KubeletNotReady"}}}, "not Ready: KubeletNotReady"},
		{ClusterHealth{Nodes: []NodeHealth{ready}, DNSReason: "0 of 2 replicas available"}, "CoreDNS is not ready"},
		{ClusterHealth{Nodes: []NodeHealth{ready}, DNSReady: true}, ""},
	} {
		got := c.h.Problem()
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("Problem() = %q, want %q", got, c.want)
		}
	}
	h := ClusterHealth{Ports: []PortMapping{{HostPort: 30001, NodePort: 30001}}}
	if !h.Maps(30001, 30001) || h.Maps(30001, 30002) {
		t.Error("Maps")
	}
}

func TestFullImageRef(t *testing.T) {
	for in, want := range map[string]string{
		"lab/app:v1":                "docker.io/lab/app:v1",
		"nginx:1.27":                "docker.io/library/nginx:1.27",
		"mongo":                     "docker.io/library/mongo:latest",
		"localhost:5000/lab/app:v1": "localhost:5000/lab/app:v1",
		"registry.k8s.io/pause:3.1": "registry.k8s.io/pause:3.1",
		"localhost:5000/app":        "localhost:5000/app:latest",
	} {
		if got := FullImageRef(in); got != want {
			t.Errorf("FullImageRef(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNodeImageComparesLayersAndTime(t *testing.T) {
	out := `{"status":{"id":"sha256:b925","repoTags":["docker.io/lab/app:v1"]},
	"info":{"imageSpec":{"created":"2026-11-26T15:14:18.896108643Z","rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]}}}}`
	n, err := parseCrictlInspect(out)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 26, 15, 14, 18, 896108643, time.UTC)
	same := Image{ID: "sha256:8906", Layers: []string{"sha256:aa", "sha256:bb"}, Created: created}
	if !n.SameAs(same) {
		t.Error("the same layers and creation time are the same image, whatever Docker's ID")
	}
	if n.SameAs(Image{Layers: []string{"sha256:aa", "sha256:cc"}, Created: created}) {
		t.Error("other layers are another build")
	}
	if n.SameAs(Image{Layers: same.Layers, Created: created.Add(time.Second)}) {
		t.Error("another creation time is another build")
	}
	if _, err := parseCrictlInspect("not json"); err == nil {
		t.Error("garbage parsed")
	}
}

func TestKindLoggerPassesStatusLines(t *testing.T) {
	var got []string
	l := &kindLogger{progress: func(s string) { got = append(got, s) }}
	l.V(0).Infof(" • %s  ...\n", "Preparing nodes 📦")
	l.V(1).Info("debug noise")
	l.Warn("cgroup v1 is deprecated")
	if len(got) != 2 || got[0] != "Preparing nodes 📦" || got[1] != "warning: cgroup v1 is deprecated" {
		t.Errorf("got %q", got)
	}
}

func TestWriteKindConfigNeverReplacesTheLearnersFile(t *testing.T) {
	ws := t.TempDir()
	path, written, err := WriteKindConfig(ws, "setup/kind.yaml", NodePortClusterSpec("lab", "lab-standin/kind-node:v1.37.2", []int{30001}))
	if err != nil || !written || path != filepath.Join(ws, "setup", "kind.yaml") {
		t.Fatalf("WriteKindConfig = %q, %v, %v", path, written, err)
	}
	cfg, err := ReadKindConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "lab" || !cfg.Maps(30001, 30001) || cfg.Nodes[0].Image != "" {
		t.Errorf("written config %+v: want cluster lab mapping 30001, no node image", cfg)
	}
	mine := []byte("# my own\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: lab\n")
	if err := os.WriteFile(path, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, written, err := WriteKindConfig(ws, "setup/kind.yaml", NodePortClusterSpec("lab", "", []int{30001})); err != nil || written {
		t.Errorf("with a file there: written %v, %v", written, err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(mine) {
		t.Errorf("the learner's file was changed:\n%s", got)
	}
}
