package sandbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Kind is a kind of engine object a course may name among a step's
// resources. Each kind has exactly one way to be found by name and one way
// to be removed, in the inventory below; reset, selftest's cleanup proof and
// the listings all go through it.
type Kind string

// The kinds a course may name, as lab prints them.
const (
	KindCluster   Kind = "kind cluster"
	KindContainer Kind = "container"
	// KindContainersFrom names an image; it finds the containers created
	// from that image itself, never those of images built on top of it.
	KindContainersFrom Kind = "containers from"
	KindImage          Kind = "image"
	KindVolume         Kind = "volume"
	KindNetwork        Kind = "network"
)

// Ref is one thing a step's resources name: a kind and the exact name the
// lesson tells the learner to use.
type Ref struct {
	Kind Kind
	Name string
}

func (r Ref) String() string { return string(r.Kind) + " " + r.Name }

// Object is one existing engine object that a Ref found.
type Object struct {
	// Kind is what the object is: a KindContainersFrom ref finds containers.
	Kind Kind
	Name string // for an image, the reference the course names
	ID   string
	// Created is when the object got its name on this engine: a
	// container's, volume's or network's creation, an image's last tag (or
	// its build when the engine keeps no tag time), a kind cluster's first
	// node. Zero when the engine does not say.
	Created time.Time
	// Refs are the references that found it, the first one first.
	Refs []Ref
}

func (o Object) String() string { return string(o.Kind) + " " + o.Name }

// kindOps finds the objects a name of one kind matches and removes one.
type kindOps struct {
	find   func(ctx context.Context, e *Engine, name string) ([]Object, error)
	remove func(ctx context.Context, e *Engine, o Object) error
}

// inventory is every kind a course may name, in the order objects are
// removed: kind clusters, then containers so that the images, volumes and
// networks they use are free to go.
var inventory = []struct {
	kind Kind
	ops  kindOps
}{
	{KindCluster, kindOps{find: findCluster, remove: removeCluster}},
	{KindContainer, kindOps{find: findContainer, remove: removeContainer}},
	{KindContainersFrom, kindOps{find: findContainersFrom, remove: removeContainer}},
	{KindImage, kindOps{find: findImage, remove: removeImage}},
	{KindVolume, kindOps{find: findVolume, remove: removeVolume}},
	{KindNetwork, kindOps{find: findNetwork, remove: removeNetwork}},
}

func opsOf(k Kind) (kindOps, int, bool) {
	for i, entry := range inventory {
		if entry.kind == k {
			return entry.ops, i, true
		}
	}
	return kindOps{}, 0, false
}

// removalRank orders objects for removal by what they are.
func removalRank(k Kind) int {
	if k == KindContainersFrom {
		k = KindContainer
	}
	_, i, _ := opsOf(k)
	return i
}

// Find lists the objects refs name that exist now, each once (an object
// two refs find carries both), in an order that can be removed front to
// back. It looks for exactly these names and nothing else.
func (e *Engine) Find(ctx context.Context, refs []Ref) ([]Object, error) {
	var out []Object
	index := map[string]int{} // kind and ID → position in out
	for _, ref := range refs {
		ops, _, ok := opsOf(ref.Kind)
		if !ok {
			return nil, fmt.Errorf("looking for %s: lab knows no such kind of resource", ref)
		}
		found, err := ops.find(ctx, e, ref.Name)
		if err != nil {
			return nil, err
		}
		for _, o := range found {
			key := string(o.Kind) + "\x00" + o.ID
			if i, ok := index[key]; ok {
				if !slices.Contains(out[i].Refs, ref) {
					out[i].Refs = append(out[i].Refs, ref)
				}
				continue
			}
			o.Refs = []Ref{ref}
			index[key] = len(out)
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b Object) int { return removalRank(a.Kind) - removalRank(b.Kind) })
	return out, nil
}

// Remove removes objects Find found, front to back. Something already gone
// is not an error; every other failure is reported, and the rest are still
// removed.
func (e *Engine) Remove(ctx context.Context, objs []Object) error {
	var errs []error
	for _, o := range objs {
		ops, _, ok := opsOf(o.Kind)
		if !ok {
			errs = append(errs, fmt.Errorf("removing %s: lab knows no such kind of resource", o))
			continue
		}
		if err := ops.remove(ctx, e, o); err != nil && !IsNotFound(err) && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing %s: %w", o, err))
		}
	}
	return errors.Join(errs...)
}

// deleteCluster removes a kind cluster with its nodes and kubeconfig
// contexts; tests replace it, as kind drives the docker CLI.
var deleteCluster = func(name string) error { return NewClusters(nil).Delete(name) }

func findCluster(ctx context.Context, e *Engine, name string) ([]Object, error) {
	nodes, err := e.KindNodes(ctx, name)
	if err != nil || len(nodes) == 0 {
		return nil, err
	}
	created := nodes[0].Created
	for _, n := range nodes[1:] {
		if n.Created.Before(created) {
			created = n.Created
		}
	}
	return []Object{{Kind: KindCluster, Name: name, ID: name, Created: created}}, nil
}

func removeCluster(_ context.Context, _ *Engine, o Object) error { return deleteCluster(o.Name) }

func findContainer(ctx context.Context, e *Engine, name string) ([]Object, error) {
	cs, err := e.Containers(ctx, ContainerQuery{All: true, Name: name})
	if err != nil {
		return nil, err
	}
	out := make([]Object, 0, len(cs))
	for _, c := range cs {
		out = append(out, Object{Kind: KindContainer, Name: c.Name, ID: c.ID, Created: c.Created})
	}
	return out, nil
}

// findContainersFrom finds the containers created from the image the
// reference names now, by the image ID each was created from. The engine's
// ancestor filter narrows the list, but it also matches images built on top
// of the named one, which are not the step's to remove.
func findContainersFrom(ctx context.Context, e *Engine, ref string) ([]Object, error) {
	img, err := e.InspectImage(ctx, ref)
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cs, err := e.Containers(ctx, ContainerQuery{All: true, Ancestor: img.ID})
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, c := range cs {
		if c.ImageID == img.ID {
			out = append(out, Object{Kind: KindContainer, Name: c.Name, ID: c.ID, Created: c.Created})
		}
	}
	return out, nil
}

func removeContainer(ctx context.Context, e *Engine, o Object) error {
	return e.RemoveContainer(ctx, o.ID, true)
}

// lookUp runs the inspect call of an object of kind k named name. found is
// false, with no error, when nothing has that name.
func lookUp[T any](e *Engine, k Kind, name string, inspect func() (T, error)) (res T, found bool, err error) {
	res, err = inspect()
	if cerrdefs.IsNotFound(err) {
		return res, false, nil
	}
	if err != nil {
		return res, false, e.wrap(err, "inspecting %s %q", k, name)
	}
	return res, true, nil
}

func findImage(ctx context.Context, e *Engine, ref string) ([]Object, error) {
	res, found, err := lookUp(e, KindImage, ref, func() (client.ImageInspectResult, error) {
		return e.api.ImageInspect(ctx, ref)
	})
	if !found {
		return nil, err
	}
	// The name is what the course names, so its age is the tag's: an old
	// image tagged with the lesson's name today was named today.
	created := res.Metadata.LastTagTime
	if created.Year() <= 1 {
		created = parseTime(res.Created)
	}
	return []Object{{Kind: KindImage, Name: ref, ID: res.ID, Created: created}}, nil
}

// removeImage removes the name the course gave, as `docker rmi NAME`
// does: an image that carries other names keeps them.
func removeImage(ctx context.Context, e *Engine, o Object) error { return e.RemoveImage(ctx, o.Name) }

func findVolume(ctx context.Context, e *Engine, name string) ([]Object, error) {
	res, found, err := lookUp(e, KindVolume, name, func() (client.VolumeInspectResult, error) {
		return e.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	})
	if !found {
		return nil, err
	}
	return []Object{{Kind: KindVolume, Name: name, ID: name, Created: parseTime(res.Volume.CreatedAt)}}, nil
}

func removeVolume(ctx context.Context, e *Engine, o Object) error {
	_, err := e.api.VolumeRemove(ctx, o.Name, client.VolumeRemoveOptions{})
	return err
}

func findNetwork(ctx context.Context, e *Engine, name string) ([]Object, error) {
	res, found, err := lookUp(e, KindNetwork, name, func() (client.NetworkInspectResult, error) {
		return e.api.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	})
	if !found {
		return nil, err
	}
	// NetworkInspect also answers to an ID prefix; only the exact name
	// counts.
	if res.Network.Name != "" && res.Network.Name != name {
		return nil, nil
	}
	created := time.Time(res.Network.Created)
	if created.Year() <= 1 {
		created = time.Time{}
	}
	return []Object{{Kind: KindNetwork, Name: name, ID: res.Network.ID, Created: created}}, nil
}

func removeNetwork(ctx context.Context, e *Engine, o Object) error {
	_, err := e.api.NetworkRemove(ctx, o.ID, client.NetworkRemoveOptions{})
	return err
}
