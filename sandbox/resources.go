package sandbox

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// ResourceQuery names what lesson steps create, by the exact names the
// lessons tell learners to use. Reset and selftest look for exactly these
// and nothing else.
type ResourceQuery struct {
	Containers     []string // container names
	ContainersFrom []string // images whose every container counts
	Images         []string // image references
	Volumes        []string
	Networks       []string
	Clusters       []string // kind clusters, with their nodes and kubeconfig contexts
}

// Empty reports whether the query names nothing.
func (q ResourceQuery) Empty() bool {
	return len(q.Containers)+len(q.ContainersFrom)+len(q.Images)+len(q.Volumes)+len(q.Networks)+len(q.Clusters) == 0
}

// Resource is one existing Docker object a ResourceQuery matched.
type Resource struct {
	Kind string // kind cluster, container, image, volume, network
	Name string
	ID   string
}

func (r Resource) String() string { return r.Kind + " " + r.Name }

// FindResources lists the objects the query names that exist now, in an
// order that can be removed front to back: kind clusters, containers, then
// images, volumes and networks.
func (e *Engine) FindResources(ctx context.Context, q ResourceQuery) ([]Resource, error) {
	var out []Resource
	for _, name := range q.Clusters {
		nodes, err := e.KindNodes(ctx, name)
		if err != nil {
			return nil, err
		}
		if len(nodes) > 0 {
			out = append(out, Resource{Kind: "kind cluster", Name: name, ID: name})
		}
	}
	seen := map[string]bool{}
	addContainer := func(c Container) {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, Resource{Kind: "container", Name: c.Name, ID: c.ID})
		}
	}
	for _, name := range q.Containers {
		cs, err := e.Containers(ctx, ContainerQuery{All: true, Name: name})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			addContainer(c)
		}
	}
	for _, image := range q.ContainersFrom {
		cs, err := e.Containers(ctx, ContainerQuery{All: true, Ancestor: image})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			addContainer(c)
		}
	}
	for _, ref := range q.Images {
		img, err := e.InspectImage(ctx, ref)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Resource{Kind: "image", Name: ref, ID: img.ID})
	}
	for _, name := range q.Volumes {
		_, err := e.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
		if cerrdefs.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, e.wrap(err, "inspecting volume %q", name)
		}
		out = append(out, Resource{Kind: "volume", Name: name, ID: name})
	}
	for _, name := range q.Networks {
		res, err := e.api.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
		if cerrdefs.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, e.wrap(err, "inspecting network %q", name)
		}
		out = append(out, Resource{Kind: "network", Name: name, ID: res.Network.ID})
	}
	return out, nil
}

// RemoveResources removes what FindResources found. Containers go first so
// their images, volumes and networks are free to go. Something already gone
// is not an error.
func (e *Engine) RemoveResources(ctx context.Context, rs []Resource) error {
	var errs []error
	for _, r := range rs {
		var err error
		switch r.Kind {
		case "kind cluster":
			err = NewClusters(nil).Delete(r.Name)
		case "container":
			err = e.RemoveContainer(ctx, r.ID, true)
		case "image":
			err = e.RemoveImage(ctx, r.Name)
		case "volume":
			_, err = e.api.VolumeRemove(ctx, r.Name, client.VolumeRemoveOptions{})
		case "network":
			_, err = e.api.NetworkRemove(ctx, r.ID, client.NetworkRemoveOptions{})
		default:
			err = fmt.Errorf("unknown kind %q", r.Kind)
		}
		if err != nil && !IsNotFound(err) && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing %s: %w", r, err))
		}
	}
	return errors.Join(errs...)
}
