package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/distribution/reference"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

// KindVersion reports the kind CLI's version, e.g. "0.33.0", from `kind
// version` ("kind v0.33.0 go1.26.8 linux/amd64"). A missing kind gives a
// *NotInstalledError.
func KindVersion(ctx context.Context, env []string) (string, error) {
	line, err := ToolVersion(ctx, env, "kind", "version")
	if err != nil {
		return "", err
	}
	// "kind v0.33.0 go1.26.8 linux/amd64"
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, "v") && looksLikeVersion(f) {
			return strings.TrimPrefix(f, "v"), nil
		}
	}
	return "", fmt.Errorf("`kind version` printed no version: %q; check which kind is on PATH with: command -v kind", line)
}

// KubectlVersion reports kubectl's client version, e.g. "1.37.2", from
// `kubectl version --client -o json`, which needs no cluster.
func KubectlVersion(ctx context.Context, env []string) (string, error) {
	if _, err := lookPathIn("kubectl", env); err != nil {
		return "", &NotInstalledError{Tool: "kubectl"}
	}
	res, err := runCommand(ctx, "", env, true, "kubectl", "version", "--client", "-o", "json")
	if err != nil {
		return "", fmt.Errorf("reading the kubectl version: %w", err)
	}
	var out struct {
		ClientVersion struct {
			GitVersion string `json:"gitVersion"`
		} `json:"clientVersion"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || out.ClientVersion.GitVersion == "" {
		if v := versionIn(res.stdout); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("`kubectl version --client -o json` printed no version: %q; check which kubectl is on PATH with: command -v kubectl", firstLine(res.combined))
	}
	v := out.ClientVersion.GitVersion // "v1.37.2", "v1.32.4-dispatcher"
	if !looksLikeVersion(v) {
		return "", fmt.Errorf("kubectl reports the version %q, which lab cannot compare", v)
	}
	return strings.TrimPrefix(v, "v"), nil
}

// KindConfigFile is a kind cluster configuration as a learner wrote it.
type KindConfigFile struct {
	Name  string // empty: kind names the cluster "kind"
	Nodes []KindConfigNode
}

// KindConfigNode is one node of a kind configuration.
type KindConfigNode struct {
	Role  string
	Image string
	Ports []PortMapping
}

// Maps reports whether some node publishes nodePort on hostPort.
func (c KindConfigFile) Maps(hostPort, nodePort int) bool {
	for _, n := range c.Nodes {
		if slices.ContainsFunc(n.Ports, func(p PortMapping) bool { return p.HostPort == hostPort && p.NodePort == nodePort }) {
			return true
		}
	}
	return false
}

// ReadKindConfig reads a kind v1alpha4 cluster configuration strictly: an
// unknown or misspelt field is an error naming it, as kind itself rejects it.
func ReadKindConfig(path string) (KindConfigFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return KindConfigFile{}, err
	}
	var cfg v1alpha4.Cluster
	if err := yaml.UnmarshalStrict(raw, &cfg); err != nil {
		return KindConfigFile{}, fmt.Errorf("%s is not a kind configuration kind can read: %w", path, err)
	}
	if cfg.Kind != "Cluster" || cfg.APIVersion != "kind.x-k8s.io/v1alpha4" {
		return KindConfigFile{}, fmt.Errorf("%s says kind %q, apiVersion %q; a kind cluster configuration says kind: Cluster and apiVersion: kind.x-k8s.io/v1alpha4", path, cfg.Kind, cfg.APIVersion)
	}
	out := KindConfigFile{Name: cfg.Name}
	for _, n := range cfg.Nodes {
		node := KindConfigNode{Role: string(n.Role), Image: n.Image}
		for _, p := range n.ExtraPortMappings {
			node.Ports = append(node.Ports, PortMapping{HostPort: int(p.HostPort), NodePort: int(p.ContainerPort), ListenAddress: p.ListenAddress})
		}
		out.Nodes = append(out.Nodes, node)
	}
	if len(out.Nodes) == 0 {
		// kind makes one control-plane node when none is listed.
		out.Nodes = []KindConfigNode{{Role: string(v1alpha4.ControlPlaneRole)}}
	}
	return out, nil
}

// KindNodes lists the node containers of a kind cluster, running or not.
func (e *Engine) KindNodes(ctx context.Context, cluster string) ([]Container, error) {
	return e.Containers(ctx, ContainerQuery{All: true, Labels: map[string]string{KindClusterLabel: cluster}})
}

// KindClusterNames lists the kind clusters whose nodes exist on the engine.
func (e *Engine) KindClusterNames(ctx context.Context) ([]string, error) {
	cs, err := e.Containers(ctx, ContainerQuery{All: true, Labels: map[string]string{KindClusterLabel: ""}})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cs {
		if n := c.Labels[KindClusterLabel]; n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// NodeImage is an image in a kind node's containerd, as crictl lists it.
type NodeImage struct {
	ID   string   // the image config's digest; Docker's image ID only on its classic store
	Tags []string // e.g. docker.io/lab/app:v1
	// Layers (diff IDs) and Created are filled by NodeImageDetails: with
	// them a node's copy and Docker's image compare equal whatever store
	// Docker keeps images in.
	Layers  []string
	Created time.Time
}

// SameAs reports whether the node's copy is the image Docker has: the same
// layers, made at the same moment.
func (n NodeImage) SameAs(img Image) bool {
	return slices.Equal(n.Layers, img.Layers) && n.Created.Equal(img.Created)
}

// NodeImageDetails reads one image of a kind node's containerd by its full
// reference (see FullImageRef), with its layers; found is false when the
// node does not have it.
func (e *Engine) NodeImageDetails(ctx context.Context, node, ref string) (img NodeImage, found bool, err error) {
	api, ok := e.api.(execAPI)
	if !ok {
		return NodeImage{}, false, fmt.Errorf("inspecting an image of node %q: this engine client cannot run commands in containers", node)
	}
	out, err := e.execOutput(ctx, api, node, []string{"crictl", "inspecti", "-o", "json", ref})
	if err != nil {
		if strings.Contains(err.Error(), "no such image") {
			return NodeImage{}, false, nil
		}
		return NodeImage{}, false, err
	}
	img, err = parseCrictlInspect(out)
	return img, err == nil, err
}

func parseCrictlInspect(out string) (NodeImage, error) {
	var doc struct {
		Status struct {
			ID       string   `json:"id"`
			RepoTags []string `json:"repoTags"`
		} `json:"status"`
		Info struct {
			ImageSpec struct {
				Created time.Time `json:"created"`
				RootFS  struct {
					DiffIDs []string `json:"diff_ids"`
				} `json:"rootfs"`
			} `json:"imageSpec"`
		} `json:"info"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		return NodeImage{}, fmt.Errorf("reading crictl's image details: %w", err)
	}
	return NodeImage{
		ID: doc.Status.ID, Tags: doc.Status.RepoTags,
		Layers: doc.Info.ImageSpec.RootFS.DiffIDs, Created: doc.Info.ImageSpec.Created,
	}, nil
}

// NodeImages lists the images in a kind node's containerd (`crictl images`
// in the node container).
func (e *Engine) NodeImages(ctx context.Context, node string) ([]NodeImage, error) {
	api, ok := e.api.(execAPI)
	if !ok {
		return nil, fmt.Errorf("listing the images of node %q: this engine client cannot run commands in containers", node)
	}
	out, err := e.execOutput(ctx, api, node, []string{"crictl", "images", "-o", "json"})
	if err != nil {
		return nil, err
	}
	return parseCrictlImages(out)
}

func parseCrictlImages(out string) ([]NodeImage, error) {
	var doc struct {
		Images []struct {
			ID       string   `json:"id"`
			RepoTags []string `json:"repoTags"`
		} `json:"images"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		return nil, fmt.Errorf("reading crictl's image list: %w", err)
	}
	imgs := make([]NodeImage, 0, len(doc.Images))
	for _, i := range doc.Images {
		imgs = append(imgs, NodeImage{ID: i.ID, Tags: i.RepoTags})
	}
	return imgs, nil
}

// FullImageRef spells a reference the way containerd stores it: lab/app:v1
// becomes docker.io/lab/app:v1, nginx:1.27 docker.io/library/nginx:1.27. A
// reference that cannot be parsed is returned as it is.
func FullImageRef(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}
