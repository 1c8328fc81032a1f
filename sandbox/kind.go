package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kind/pkg/cluster"
	kindexec "sigs.k8s.io/kind/pkg/exec"
	kindlog "sigs.k8s.io/kind/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// KindClusterLabel is the label kind puts on every node container, valued
// with the cluster's name.
const KindClusterLabel = "io.x-k8s.kind.cluster"

// KubeContextOf names the kubeconfig context kind writes for a cluster.
func KubeContextOf(cluster string) string { return "kind-" + cluster }

// PortMapping publishes a node port on the host.
type PortMapping struct {
	HostPort      int
	NodePort      int
	ListenAddress string // "127.0.0.1" keeps it off the network
}

func (p PortMapping) String() string {
	return fmt.Sprintf("%s:%d → node %d", p.ListenAddress, p.HostPort, p.NodePort)
}

// ClusterSpec is a kind cluster as lab makes it.
type ClusterSpec struct {
	Name  string
	Image string // node image; empty means kind's default
	Ports []PortMapping
	// Kubeconfig is the file kind writes the cluster's context into;
	// empty means KUBECONFIG or ~/.kube/config, as kind does.
	Kubeconfig string
}

// NodePortClusterSpec is a course's cluster: one control-plane node with
// each of the lessons' NodePorts reachable on the same port of the host's
// loopback address.
func NodePortClusterSpec(name, image string, nodePorts []int) ClusterSpec {
	spec := ClusterSpec{Name: name, Image: image}
	for _, p := range nodePorts {
		spec.Ports = append(spec.Ports, PortMapping{HostPort: p, NodePort: p, ListenAddress: "127.0.0.1"})
	}
	return spec
}

// KindConfig renders spec as kind's v1alpha4 cluster configuration, the
// file a learner writes in lesson 6.
func KindConfig(spec ClusterSpec) ([]byte, error) {
	if spec.Name == "" {
		return nil, errors.New("a cluster needs a name")
	}
	node := v1alpha4.Node{Role: v1alpha4.ControlPlaneRole, Image: spec.Image}
	for _, p := range spec.Ports {
		if p.HostPort < 1 || p.HostPort > 65535 || p.NodePort < 1 || p.NodePort > 65535 {
			return nil, fmt.Errorf("port mapping %d → %d: ports run from 1 to 65535", p.HostPort, p.NodePort)
		}
		node.ExtraPortMappings = append(node.ExtraPortMappings, v1alpha4.PortMapping{
			ContainerPort: int32(p.NodePort), HostPort: int32(p.HostPort),
			ListenAddress: p.ListenAddress, Protocol: v1alpha4.PortMappingProtocolTCP,
		})
	}
	cfg := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:     spec.Name,
		Nodes:    []v1alpha4.Node{node},
	}
	return yaml.Marshal(cfg)
}

// ClusterProblem is a reason a cluster cannot be made or used here, with
// what to do about it.
type ClusterProblem struct {
	What string
	Fix  string
}

func (p *ClusterProblem) Error() string {
	if p.Fix == "" {
		return p.What
	}
	return p.What + "\n  fix: " + p.Fix
}

// Minimum memory for one kind node running the lessons' app and database.
const (
	clusterMinMemory  = 2 << 30
	clusterWarnMemory = 4 << 30
)

// inotify limits below which a kind node's kubelet and systemd run out of
// watches (kind's "known issues" values).
const (
	inotifyMinWatches   = 65536
	inotifyMinInstances = 256
)

// ClusterPreflight finds what would stop spec's cluster from being created
// on e's host: too little memory for the engine, the host ports taken,
// inotify limits too low (local Linux engines only). Problems come as
// errors; warnings are things that may still work.
func ClusterPreflight(ctx context.Context, e *Engine, spec ClusterSpec) (warnings []string, err error) {
	info, err := e.ServerInfo(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case info.MemTotal > 0 && info.MemTotal < clusterMinMemory:
		return nil, &ClusterProblem{
			What: fmt.Sprintf("the Docker engine has %s of memory; a kind node needs at least %s", humanBytes(info.MemTotal), humanBytes(clusterMinMemory)),
			Fix:  "give Docker more memory (Docker Desktop: Settings → Resources → Memory, 4 GB or more)",
		}
	case info.MemTotal > 0 && info.MemTotal < clusterWarnMemory:
		warnings = append(warnings, fmt.Sprintf("the Docker engine has %s of memory; 4 GB or more keeps the cluster responsive", humanBytes(info.MemTotal)))
	}
	for _, p := range spec.Ports {
		if e.Endpoint().Local() && !PortFree(p.HostPort) {
			return warnings, &ClusterProblem{
				What: fmt.Sprintf("host port %d is already taken; the cluster maps it to its NodePort %d", p.HostPort, p.NodePort),
				Fix:  fmt.Sprintf("free it: find what listens with `ss -ltnp 'sport = :%d'` or `docker ps --filter publish=%d`, then stop it", p.HostPort, p.HostPort),
			}
		}
	}
	if e.Endpoint().Local() && info.OperatingSystem != "Docker Desktop" {
		if p := InotifyProblem(); p != nil {
			return warnings, p
		}
	}
	return warnings, nil
}

// InotifyProblem reports this host's inotify limits when they are too low
// for a kind node; nil when they are enough or cannot be read.
func InotifyProblem() *ClusterProblem {
	if runtime.GOOS != "linux" {
		return nil
	}
	return inotifyProblem(readSysctl("fs/inotify/max_user_watches"), readSysctl("fs/inotify/max_user_instances"))
}

func inotifyProblem(watches, instances int) *ClusterProblem {
	if (watches == 0 || watches >= inotifyMinWatches) && (instances == 0 || instances >= inotifyMinInstances) {
		return nil
	}
	return &ClusterProblem{
		What: fmt.Sprintf("the host's inotify limits are too low for a kind node (max_user_watches %d, max_user_instances %d; the node needs %d and %d)",
			watches, instances, inotifyMinWatches, inotifyMinInstances),
		Fix: "sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 " +
			"(to keep it: add both to /etc/sysctl.d/99-kind.conf)",
	}
}

// readSysctl reads an integer under /proc/sys; 0 when it cannot.
func readSysctl(name string) int {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func humanBytes(n int64) string {
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

// Clusters makes, inspects and deletes kind clusters through kind's own
// library, which drives the docker CLI found on PATH.
type Clusters struct {
	provider *cluster.Provider
	// getenv is the environment whose kubeconfig Health reads; nil is the
	// process environment (the lab command's own).
	getenv func(string) string
	// clients holds each cluster's API client once made: reading the
	// kubeconfig runs a command in the node, and health is polled.
	clients map[string]*kubeclient.Client
}

// NewClusters returns a kind cluster manager that reports kind's progress
// lines ("Preparing nodes", "Starting control-plane") to progress.
func NewClusters(progress func(string)) *Clusters {
	l := &kindLogger{progress: progress}
	return &Clusters{provider: cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(l))}
}

// ForTarget makes Health read the target's kubeconfig instead of the
// process environment's, for a check.
func (c *Clusters) ForTarget(t *Target) *Clusters {
	c.getenv = t.Getenv
	return c
}

// Exists reports whether kind knows a cluster of that name.
func (c *Clusters) Exists(name string) (bool, error) {
	names, err := c.provider.List()
	if err != nil {
		return false, fmt.Errorf("listing kind clusters: %w", kindError(err))
	}
	return slices.Contains(names, name), nil
}

// Create makes spec's cluster and merges its context into the kubeconfig
// (KUBECONFIG or ~/.kube/config), making it the current one, as `kind create
// cluster` does. kind waits for the control plane for at most wait; callers
// check readiness themselves (kind only warns when it runs out). kind's
// library takes no context: when ctx ends first, Create waits for kind to
// give up (its docker commands are interrupted with lab) and removes what
// it left.
func (c *Clusters) Create(ctx context.Context, spec ClusterSpec, wait time.Duration) error {
	raw, err := KindConfig(spec)
	if err != nil {
		return err
	}
	opts := []cluster.CreateOption{
		cluster.CreateWithRawConfig(raw),
		cluster.CreateWithWaitForReady(wait),
		cluster.CreateWithDisplayUsage(false),
		cluster.CreateWithDisplaySalutation(false),
	}
	if spec.Image != "" {
		opts = append(opts, cluster.CreateWithNodeImage(spec.Image))
	}
	if spec.Kubeconfig != "" {
		opts = append(opts, cluster.CreateWithKubeconfigPath(spec.Kubeconfig))
	}
	done := make(chan error, 1)
	go func() { done <- c.provider.Create(spec.Name, opts...) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		<-done
		_ = c.provider.Delete(spec.Name, spec.Kubeconfig)
		return ctx.Err()
	}
	if err != nil {
		return classifyCreateError(spec, err)
	}
	return nil
}

// classifyCreateError turns what kind and docker printed into a problem a
// learner can act on, keeping kind's own words.
func classifyCreateError(spec ClusterSpec, err error) error {
	detail := kindError(err).Error()
	low := strings.ToLower(detail)
	switch {
	case strings.Contains(low, "node(s) already exist for a cluster with the name"):
		return &ClusterProblem{
			What: fmt.Sprintf("a kind cluster named %q already exists", spec.Name),
			Fix:  "use it, or delete it first: lab cluster down",
		}
	case strings.Contains(low, "privileged"), strings.Contains(low, "operation not permitted") && strings.Contains(low, "docker run"):
		return &ClusterProblem{
			What: "the Docker engine refused to run the node's privileged container:\n" + indent(detail),
			Fix:  "kind nodes are privileged containers: use Docker Engine 23 or newer (or Docker Desktop), not a restricted or very old engine",
		}
	case strings.Contains(low, "port is already allocated"), strings.Contains(low, "address already in use"):
		return &ClusterProblem{
			What: "a host port the cluster maps is already taken:\n" + indent(detail),
			Fix:  portsFix(spec),
		}
	case strings.Contains(low, "too many open files"):
		return inotifyProblem(readSysctl("fs/inotify/max_user_watches"), 0)
	case strings.Contains(low, "pull access denied"), strings.Contains(low, "failed to pull image"), strings.Contains(low, "error response from daemon: get"):
		return &ClusterProblem{
			What: "the node image could not be pulled:\n" + indent(detail),
			Fix:  "check the network, or name an image already on this machine with --image",
		}
	}
	return fmt.Errorf("creating kind cluster %q: %s", spec.Name, detail)
}

// kindError adds the output of the command kind ran, which kind's errors
// leave out of their message.
func kindError(err error) error {
	if re := kindexec.RunErrorForError(err); re != nil && len(re.Output) > 0 {
		return fmt.Errorf("%v\n%s", err, strings.TrimSpace(string(re.Output)))
	}
	return err
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "...")
	}
	return "  " + strings.Join(lines, "\n  ")
}

// Delete removes a cluster's nodes and its context from the kubeconfig
// (KUBECONFIG or ~/.kube/config).
func (c *Clusters) Delete(name string) error { return c.DeleteFrom(name, "") }

// DeleteFrom removes a cluster's nodes and its context from the kubeconfig
// file given (empty: as Delete).
func (c *Clusters) DeleteFrom(name, kubeconfig string) error {
	delete(c.clients, name)
	if err := c.provider.Delete(name, kubeconfig); err != nil {
		return fmt.Errorf("deleting kind cluster %q: %w", name, kindError(err))
	}
	return nil
}

// kubeClient connects to a cluster with the kubeconfig kind gives for it.
func (c *Clusters) kubeClient(name string) (*kubeclient.Client, error) {
	if client, ok := c.clients[name]; ok {
		return client, nil
	}
	raw, err := c.provider.KubeConfig(name, false)
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig of kind cluster %q: %w", name, kindError(err))
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig of kind cluster %q: %w", name, err)
	}
	cfg.Timeout = 10 * time.Second
	client, err := kubeclient.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if c.clients == nil {
		c.clients = map[string]*kubeclient.Client{}
	}
	c.clients[name] = client
	return client, nil
}

// NodeHealth is one node of a cluster as its container and the API see it.
type NodeHealth struct {
	Name      string
	Container string // the node container's state: running, exited, ...
	Ready     bool
	Reason    string // why it is not Ready
	Version   string // the kubelet's version
}

// ClusterHealth is what `lab cluster status` reports.
type ClusterHealth struct {
	Name           string
	Image          string // the control-plane node's image
	Nodes          []NodeHealth
	Ports          []PortMapping // host ports published by the nodes
	APIError       string        // set when the API server did not answer
	DNSReady       bool
	DNSReason      string
	Context        string // the kubeconfig context kind wrote
	CurrentContext string // the kubeconfig's current context
}

// Problem says what keeps the cluster from serving the lessons; empty when
// nothing does.
func (h ClusterHealth) Problem() string {
	if len(h.Nodes) == 0 {
		return "it has no node container"
	}
	for _, n := range h.Nodes {
		if n.Container != "running" {
			return fmt.Sprintf("its node container %s is %s", n.Name, n.Container)
		}
	}
	if h.APIError != "" {
		return "its API server does not answer: " + h.APIError
	}
	for _, n := range h.Nodes {
		if !n.Ready {
			return fmt.Sprintf("node %s is not Ready: %s", n.Name, n.Reason)
		}
	}
	if !h.DNSReady {
		return "CoreDNS is not ready: " + h.DNSReason
	}
	return ""
}

// Maps reports whether a node port is published on the given host port.
func (h ClusterHealth) Maps(hostPort, nodePort int) bool {
	return slices.ContainsFunc(h.Ports, func(p PortMapping) bool { return p.HostPort == hostPort && p.NodePort == nodePort })
}

// Health inspects an existing cluster: its node containers through e, its
// nodes and CoreDNS through the API, and the kubeconfig's contexts.
func (c *Clusters) Health(ctx context.Context, e *Engine, name string) (ClusterHealth, error) {
	h := ClusterHealth{Name: name, Context: KubeContextOf(name)}
	getenv := c.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg, err := ReadKubeconfig(getenv); err == nil {
		h.CurrentContext = cfg.Current
	}
	cs, err := e.Containers(ctx, ContainerQuery{All: true, Labels: map[string]string{KindClusterLabel: name}})
	if err != nil {
		return h, err
	}
	for _, ct := range cs {
		d, err := e.InspectContainer(ctx, ct.ID)
		if err != nil {
			return h, err
		}
		h.Nodes = append(h.Nodes, NodeHealth{Name: d.Name, Container: d.State.Status, Reason: "not registered with the API server"})
		if d.Labels["io.x-k8s.kind.role"] == "control-plane" || h.Image == "" {
			h.Image = d.Image
		}
		for port, bindings := range d.Ports {
			nodePort, err := strconv.Atoi(strings.TrimSuffix(port, "/tcp"))
			if err != nil {
				continue
			}
			for _, b := range bindings {
				if b.HostPort == 6443 || nodePort == 6443 {
					continue
				}
				h.Ports = append(h.Ports, PortMapping{HostPort: b.HostPort, NodePort: nodePort, ListenAddress: b.HostIP})
			}
		}
	}
	slices.SortFunc(h.Nodes, func(a, b NodeHealth) int { return strings.Compare(a.Name, b.Name) })
	if len(h.Nodes) == 0 {
		return h, nil
	}
	client, err := c.kubeClient(name)
	if err != nil {
		h.APIError = err.Error()
		return h, nil
	}
	nodes, err := client.Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		h.APIError = err.Error()
		return h, nil
	}
	for _, n := range nodes.Items {
		i := slices.IndexFunc(h.Nodes, func(x NodeHealth) bool { return x.Name == n.Name })
		if i < 0 {
			continue
		}
		h.Nodes[i].Version = n.Status.NodeInfo.KubeletVersion
		h.Nodes[i].Ready, h.Nodes[i].Reason = nodeReady(n)
	}
	h.DNSReady, h.DNSReason = coreDNSReady(ctx, client)
	return h, nil
}

func nodeReady(n corev1.Node) (bool, string) {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			if c.Status == corev1.ConditionTrue {
				return true, ""
			}
			return false, strings.TrimSpace(c.Reason + " " + c.Message)
		}
	}
	return false, "no Ready condition yet"
}

// coreDNSReady reports whether the cluster's DNS Deployment has every
// replica available.
func coreDNSReady(ctx context.Context, client *kubeclient.Client) (bool, string) {
	d, err := client.Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		return false, err.Error()
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.AvailableReplicas < want {
		return false, fmt.Sprintf("%d of %d replicas available", d.Status.AvailableReplicas, want)
	}
	return true, ""
}

// WaitHealthy polls the cluster's health until nothing is wrong or timeout
// passes, reporting each new problem to progress.
func (c *Clusters) WaitHealthy(ctx context.Context, e *Engine, name string, timeout time.Duration, progress func(string)) (ClusterHealth, error) {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		h, err := c.Health(ctx, e, name)
		if err != nil {
			return h, err
		}
		p := h.Problem()
		if p == "" {
			return h, nil
		}
		if p != last && progress != nil {
			progress("waiting: " + p)
			last = p
		}
		if time.Now().After(deadline) {
			return h, &ClusterProblem{
				What: fmt.Sprintf("cluster %q is not ready after %s: %s", name, timeout, p),
				Fix:  fmt.Sprintf("look at the node: docker logs %s-control-plane; kubectl --context %s get pods -A", name, KubeContextOf(name)),
			}
		}
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// kindLogger passes kind's user-facing status lines and warnings on;
// debug output is dropped.
type kindLogger struct {
	mu       sync.Mutex
	progress func(string)
}

func (l *kindLogger) emit(s string) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "•✓✗"))
	s = strings.TrimSpace(strings.TrimSuffix(s, "..."))
	if s == "" || l.progress == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.progress(s)
}

func (l *kindLogger) Warn(m string)             { l.emit("warning: " + m) }
func (l *kindLogger) Warnf(f string, a ...any)  { l.Warn(fmt.Sprintf(f, a...)) }
func (l *kindLogger) Error(m string)            { l.emit("error: " + m) }
func (l *kindLogger) Errorf(f string, a ...any) { l.Error(fmt.Sprintf(f, a...)) }
func (l *kindLogger) V(level kindlog.Level) kindlog.InfoLogger {
	return kindInfo{l: l, on: level == 0}
}

type kindInfo struct {
	l  *kindLogger
	on bool
}

func (i kindInfo) Info(m string) {
	if i.on {
		i.l.emit(m)
	}
}

func (i kindInfo) Infof(f string, a ...any) {
	if i.on {
		// kind's status lines end in emoji and spinners' padding.
		i.l.emit(string(bytes.TrimRight([]byte(fmt.Sprintf(f, a...)), " \n")))
	}
}
func (i kindInfo) Enabled() bool { return i.on }

// WriteKindConfig writes spec's configuration (without its node image, as
// a learner writes it) to rel, a slash-separated path in the workspace ws
// (the course's cluster config), unless a file is there already: the
// learner's own is never replaced. It returns the file's path and whether
// it wrote it.
func WriteKindConfig(ws, rel string, spec ClusterSpec) (path string, written bool, err error) {
	path = filepath.Join(ws, filepath.FromSlash(rel))
	spec.Image, spec.Kubeconfig = "", ""
	raw, err := KindConfig(spec)
	if err != nil {
		return path, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return path, false, fmt.Errorf("writing %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return path, false, nil
	}
	if err != nil {
		return path, false, fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return path, false, fmt.Errorf("writing %s: %w", path, err)
	}
	return path, true, f.Close()
}

// portsFix says how to free the host ports spec maps.
func portsFix(spec ClusterSpec) string {
	switch len(spec.Ports) {
	case 0:
		return "free the host ports the cluster maps, then run this again"
	case 1:
		p := spec.Ports[0].HostPort
		return fmt.Sprintf("free port %d (`docker ps --filter publish=%d` shows a container holding it), then run this again", p, p)
	}
	ports := make([]string, len(spec.Ports))
	for i, p := range spec.Ports {
		ports[i] = strconv.Itoa(p.HostPort)
	}
	return fmt.Sprintf("free ports %s (`docker ps --filter publish=PORT` shows a container holding one), then run this again", strings.Join(ports, ", "))
}
