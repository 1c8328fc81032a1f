package features

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// Steps for lesson 6: the kind and kubectl CLIs, a kind cluster made from
// the learner's configuration, and an image loaded into its nodes.
func (w *world) kindSteps() []stepDef {
	return []stepDef{
		{`^the kind CLI reports version (\S+) or newer$`, w.kindVersionAtLeast,
			`the kind CLI reports version 0.20.0 or newer`, []string{"not-installed", "version-too-old"}},
		{`^kubectl reports client version (\S+) or newer$`, w.kubectlVersionAtLeast,
			`kubectl reports client version 1.29.0 or newer`, []string{"not-installed", "version-too-old"}},
		{`^the workspace file "([^"]+)" is a kind configuration for cluster "([^"]+)"$`, w.kindConfigFor,
			`the workspace file "kind/cluster.yaml" is a kind configuration for cluster "lab"`, []string{"invalid-file", "name-mismatch", "not-found"}},
		{`^that configuration maps host port (\d+) to node port (\d+)$`, w.kindConfigMaps,
			`that configuration maps host port 30001 to node port 30001`, []string{"port-not-published"}},
		{`^the kind cluster "([^"]+)" has a running node$`, w.kindClusterRunning,
			`the kind cluster "lab" has a running node`, []string{"not-found", "not-running"}},
		{`^the kind cluster "([^"]+)" maps host port (\d+) to node port (\d+)$`, w.kindClusterMaps,
			`the kind cluster "lab" maps host port 30001 to node port 30001`, []string{"not-found", "port-not-published"}},
		{`^every node of the kind cluster "([^"]+)" is Ready within (\d+) seconds$`, w.kindNodesReady,
			`every node of the kind cluster "lab" is Ready within 60 seconds`, []string{"no-answer", "not-found", "not-ready", "not-running"}},
		{`^the current kubectl context is "([^"]+)"$`, w.currentKubeContext,
			`the current kubectl context is "kind-lab"`, []string{"invalid-file", "name-mismatch"}},
		{`^every node of the kind cluster "([^"]+)" has the image "([^"]+)" as built$`, w.imageInNodes,
			`every node of the kind cluster "lab" has the image "lab/app:v1" as built`, []string{"image-differs", "not-found"}},
	}
}

// kindState is what the kind steps of one scenario found.
type kindState struct {
	config sandbox.KindConfigFile
	path   string
}

// A cliTool is a command-line tool a step checks the version of.
type cliTool struct {
	name    string // how failures name it: "kind", "the docker CLI"
	command string // the command it runs as: "kind", "docker"
	try     string // how the learner sees its version: "kind version"
	install string // the fix when it is missing
	upgrade string // the fix when it is older than the lessons need
	version func(ctx context.Context, env []string) (string, error)
}

// toolVersionAtLeast checks that t is on PATH and reports version min or
// newer.
func (w *world) toolVersionAtLeast(ctx context.Context, t cliTool, min string) error {
	v, err := t.version(ctx, w.target().Env)
	var missing *sandbox.NotInstalledError
	switch {
	case errors.As(err, &missing):
		return &Failure{
			Code:     "not-installed",
			Message:  fmt.Sprintf("%s was not found on PATH", t.name),
			Expected: "a " + t.command + " command on PATH",
			Observed: "no " + t.command + " command",
			Try:      t.try,
			Fix:      t.install,
		}
	case err != nil:
		return &Failure{Code: "not-installed", Message: t.name + " did not report its version", Observed: err.Error(), Try: t.try}
	}
	w.note("%s %s", strings.TrimPrefix(t.name, "the "), v) // "docker CLI 28.2.2", "kind 0.23.0"
	return orNil(versionAtLeast(t.name, v, min, t.try, t.upgrade))
}

// versionAtLeast is the property "is version MIN or newer" of an installed
// tool, named as name, reporting version v.
func versionAtLeast(name, v, min, try, fix string) *Failure {
	if sandbox.CompareVersions(v, min) >= 0 {
		return nil
	}
	return &Failure{
		Code:     "version-too-old",
		Message:  fmt.Sprintf("%s %s is older than %s", name, v, min),
		Expected: "version " + min + " or newer",
		Observed: "version " + v,
		Try:      try,
		Fix:      fix,
	}
}

// kindTool and kubectlTool are the CLIs lesson 6 needs.
var (
	kindTool = cliTool{name: "kind", command: "kind", try: "kind version",
		install: "install it: https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
		upgrade: "install a current one: https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
		version: sandbox.KindVersion}
	kubectlTool = cliTool{name: "kubectl", command: "kubectl", try: "kubectl version --client",
		install: "install it: https://kubernetes.io/docs/tasks/tools/",
		upgrade: "install a current one: https://kubernetes.io/docs/tasks/tools/",
		version: sandbox.KubectlVersion}
)

func (w *world) kindVersionAtLeast(ctx context.Context, min string) error {
	return w.toolVersionAtLeast(ctx, kindTool, min)
}

func (w *world) kubectlVersionAtLeast(ctx context.Context, min string) error {
	return w.toolVersionAtLeast(ctx, kubectlTool, min)
}

func (w *world) kindConfigFor(ctx context.Context, rel, cluster string) (context.Context, error) {
	ctx, st := scenarioState[kindState](ctx)
	path, err := w.workspacePath(rel)
	if err != nil {
		return ctx, err
	}
	cfg, err := sandbox.ReadKindConfig(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ctx, noSuchFile(fmt.Sprintf("the kind configuration %s does not exist in your workspace", rel), path, "")
	case err != nil:
		return ctx, &Failure{
			Code:     "invalid-file",
			Message:  fmt.Sprintf("%s cannot be read as a kind configuration", rel),
			Expected: "kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4, and only fields kind knows",
			Observed: err.Error(),
			Try:      "kind create cluster --config " + rel + " (kind names the field it rejects)",
		}
	}
	if cfg.Name != cluster {
		name := cfg.Name
		if name == "" {
			name = "(none: kind calls the cluster \"kind\")"
		}
		return ctx, &Failure{
			Code:     "name-mismatch",
			Message:  fmt.Sprintf("%s names the cluster %s, not %q", rel, name, cluster),
			Expected: "name: " + cluster,
			Observed: "name: " + name,
			Fix:      fmt.Sprintf("add `name: %s` at the top of %s", cluster, rel),
		}
	}
	st.config, st.path = cfg, rel
	return ctx, nil
}

func (w *world) kindConfigMaps(ctx context.Context, host, node int) error {
	_, st := scenarioState[kindState](ctx)
	if st.path == "" {
		return errors.New("no kind configuration was read before this step")
	}
	if st.config.Maps(host, node) {
		return nil
	}
	var seen []string
	for _, n := range st.config.Nodes {
		for _, p := range n.Ports {
			seen = append(seen, fmt.Sprintf("hostPort %d → containerPort %d", p.HostPort, p.NodePort))
		}
	}
	observed := "no extraPortMappings"
	if len(seen) > 0 {
		observed = strings.Join(seen, ", ")
	}
	return &Failure{
		Code:     "port-not-published",
		Message:  fmt.Sprintf("%s does not map host port %d to the node's port %d", st.path, host, node),
		Expected: fmt.Sprintf("extraPortMappings with containerPort: %d, hostPort: %d on the control-plane node", node, host),
		Observed: observed,
		Fix:      "add the mapping under the node in " + st.path + " (a cluster's port mappings are fixed when it is created)",
	}
}

// kindNodes returns the cluster's node containers, and the engine that
// runs them, failing at once when it has none.
func (w *world) kindNodes(ctx context.Context, cluster string) (*sandbox.Engine, []sandbox.Container, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, nil, err
	}
	nodes, err := e.KindNodes(ctx, cluster)
	if err != nil {
		return nil, nil, err
	}
	if len(nodes) == 0 {
		others, _ := e.KindClusterNames(ctx)
		observed := "no kind cluster"
		if len(others) > 0 {
			observed = "kind clusters: " + strings.Join(others, ", ")
		}
		return nil, nil, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("there is no kind cluster %q", cluster),
			Expected: fmt.Sprintf("a cluster named %q (node container %s-control-plane)", cluster, cluster),
			Observed: observed,
			Try:      "kind get clusters",
			Fix:      "kind create cluster --name " + cluster + " (or --config FILE, a kind configuration with name: " + cluster + " in it)",
		}
	}
	return e, nodes, nil
}

func (w *world) kindClusterRunning(ctx context.Context, cluster string) error {
	_, nodes, err := w.kindNodes(ctx, cluster)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.State != "running" {
			return &Failure{
				Code:     "not-running",
				Message:  fmt.Sprintf("the node container %s of cluster %q is %s", n.Name, cluster, n.State),
				Expected: "every node container running",
				Observed: n.Name + " " + n.State,
				Try:      "docker ps -a --filter label=" + sandbox.KindClusterLabel + "=" + cluster,
				Fix:      "docker start " + n.Name,
			}
		}
	}
	return nil
}

func (w *world) kindClusterMaps(ctx context.Context, cluster string, host, node int) error {
	e, nodes, err := w.kindNodes(ctx, cluster)
	if err != nil {
		return err
	}
	var seen []string
	for _, n := range nodes {
		d, err := e.InspectContainer(ctx, n.ID)
		if err != nil {
			return err
		}
		for _, b := range d.Ports[fmt.Sprintf("%d/tcp", node)] {
			if b.HostPort == host {
				return nil
			}
		}
		for port, bs := range d.Ports {
			for _, b := range bs {
				seen = append(seen, fmt.Sprintf("%s:%d → %s", n.Name, b.HostPort, port))
			}
		}
	}
	slices.Sort(seen)
	return &Failure{
		Code:     "port-not-published",
		Message:  fmt.Sprintf("the kind cluster %q does not map host port %d to node port %d", cluster, host, node),
		Expected: fmt.Sprintf("host port %d published to port %d of a node", host, node),
		Observed: "published: " + strings.Join(seen, ", "),
		Try:      "docker port " + cluster + "-control-plane",
		Fix:      "a cluster's port mappings are fixed when it is made: kind delete cluster --name " + cluster + ", then create it again from a configuration with the mapping",
	}
}

func (w *world) kindNodesReady(ctx context.Context, cluster string, seconds int) error {
	e, _, err := w.kindNodes(ctx, cluster)
	if err != nil {
		return err
	}
	clusters := sandbox.NewClusters(nil).ForTarget(w.target())
	var h sandbox.ClusterHealth
	err = eventually(ctx, time.Duration(seconds)*time.Second, time.Second, func(ctx context.Context) (bool, error) {
		h, err = clusters.Health(ctx, e, cluster)
		if err != nil {
			return true, err
		}
		for _, n := range h.Nodes {
			if n.Container != "running" || h.APIError != "" || !n.Ready {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	for _, n := range h.Nodes {
		switch {
		case n.Container != "running":
			return &Failure{Code: "not-running", Message: fmt.Sprintf("node %s is not running", n.Name), Observed: n.Container, Fix: "docker start " + n.Name}
		case h.APIError != "":
			return &Failure{
				Code:     "no-answer",
				Message:  fmt.Sprintf("the API server of cluster %q does not answer", cluster),
				Observed: h.APIError,
				Try:      "kubectl --context " + sandbox.KubeContextOf(cluster) + " cluster-info",
				Fix:      "look at the node's log: docker logs " + n.Name,
			}
		case !n.Ready:
			return &Failure{
				Code:     "not-ready",
				Message:  fmt.Sprintf("node %s is not Ready after %d seconds", n.Name, seconds),
				Expected: "Ready",
				Observed: n.Reason,
				Try:      "kubectl --context " + sandbox.KubeContextOf(cluster) + " describe node " + n.Name,
			}
		}
		w.note("node %s Ready, kubelet %s", n.Name, n.Version)
	}
	return nil
}

func (w *world) currentKubeContext(ctx context.Context, want string) error {
	cfg, err := w.target().Kubeconfig()
	if err != nil {
		return &Failure{Code: "invalid-file", Message: "the kubeconfig cannot be read", Observed: err.Error(), Try: "kubectl config view"}
	}
	current, names := cfg.Current, cfg.Contexts
	if current == want {
		return nil
	}
	fix := "kubectl config use-context " + want
	if !slices.Contains(names, want) {
		fix = "the context appears when kind creates the cluster; if the cluster exists: kind export kubeconfig --name " + strings.TrimPrefix(want, "kind-")
	}
	observed := current
	if observed == "" {
		observed = "(none)"
	}
	return &Failure{
		Code:     "name-mismatch",
		Message:  fmt.Sprintf("the current kubectl context is %q, not %q", observed, want),
		Expected: want,
		Observed: fmt.Sprintf("%s (contexts: %s)", observed, strings.Join(names, ", ")),
		Try:      "kubectl config get-contexts",
		Fix:      fix,
	}
}

func (w *world) imageInNodes(ctx context.Context, cluster, ref string) error {
	e, nodes, err := w.kindNodes(ctx, cluster)
	if err != nil {
		return err
	}
	img, err := e.InspectImage(ctx, ref)
	if sandbox.IsNotFound(err) {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the image %s does not exist in Docker, so there is nothing to load", ref),
			Expected: "the image " + ref + " in Docker, to load into the cluster",
			Observed: "no such image",
			Try:      "docker image ls",
			Fix:      "build " + ref + " again (docker build -t " + ref + " FOLDER), then: kind load docker-image " + ref + " --name " + cluster,
		}
	}
	if err != nil {
		return err
	}
	full := sandbox.FullImageRef(ref)
	load := fmt.Sprintf("kind load docker-image %s --name %s", ref, cluster)
	for _, n := range nodes {
		got, found, err := e.NodeImageDetails(ctx, n.Name, full)
		if err != nil {
			return err
		}
		if !found {
			imgs, err := e.NodeImages(ctx, n.Name)
			if err != nil {
				return err
			}
			var app []string
			for _, x := range imgs {
				for _, t := range x.Tags {
					if !strings.HasPrefix(t, "registry.k8s.io/") {
						app = append(app, t)
					}
				}
			}
			observed := "no images besides Kubernetes' own"
			if len(app) > 0 {
				observed = strings.Join(app, ", ")
			}
			return &Failure{
				Code:     "not-found",
				Message:  fmt.Sprintf("%s is not in the containerd of node %s", ref, n.Name),
				Expected: full + " in the node's image store",
				Observed: observed,
				Try:      "docker exec " + n.Name + " crictl images",
				Fix:      load,
			}
		}
		if !got.SameAs(img) {
			return &Failure{
				Code:     "image-differs",
				Message:  fmt.Sprintf("node %s has another build of %s than Docker has", n.Name, ref),
				Expected: fmt.Sprintf("the build of %s (%d layers)", img.Created.Format(time.RFC3339), len(img.Layers)),
				Observed: fmt.Sprintf("the build of %s (%d layers) in the node", got.Created.Format(time.RFC3339), len(got.Layers)),
				Try:      "docker exec " + n.Name + " crictl images",
				Fix:      "load the current build again: " + load,
			}
		}
	}
	return nil
}
