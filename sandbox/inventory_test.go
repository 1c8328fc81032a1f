package sandbox

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"
)

// inventoryAPI is a fake engine holding containers, images, volumes and
// networks, that filters container lists as the engine does. Its ancestor
// filter, like the engine's, also matches containers of derived images.
type inventoryAPI struct {
	fakeAPI
	derived  map[string][]string // image ID → IDs of images built on it
	volumes  map[string]volume.Volume
	networks map[string]network.Inspect
}

func (f *inventoryAPI) ContainerList(_ context.Context, o client.ContainerListOptions) (client.ContainerListResult, error) {
	var out []container.Summary
	for _, c := range f.containers {
		if !f.matches(c, o.Filters) {
			continue
		}
		out = append(out, c)
	}
	return client.ContainerListResult{Items: out}, nil
}

func (f *inventoryAPI) matches(c container.Summary, filters client.Filters) bool {
	for pattern := range filters["name"] {
		if !slices.ContainsFunc(c.Names, regexp.MustCompile(pattern).MatchString) {
			return false
		}
	}
	for label := range filters["label"] {
		k, v, hasValue := strings.Cut(label, "=")
		got, ok := c.Labels[k]
		if !ok || hasValue && got != v {
			return false
		}
	}
	for ancestor := range filters["ancestor"] {
		if c.ImageID != ancestor && !slices.Contains(f.derived[ancestor], c.ImageID) {
			return false
		}
	}
	return true
}

func (f *inventoryAPI) VolumeInspect(_ context.Context, name string, _ client.VolumeInspectOptions) (client.VolumeInspectResult, error) {
	v, err := lookup(f.volumes, "volume", name)
	return client.VolumeInspectResult{Volume: v}, err
}

func (f *inventoryAPI) VolumeRemove(_ context.Context, name string, _ client.VolumeRemoveOptions) (client.VolumeRemoveResult, error) {
	if _, err := lookup(f.volumes, "volume", name); err != nil {
		return client.VolumeRemoveResult{}, err
	}
	delete(f.volumes, name)
	f.removed = append(f.removed, "volume "+name)
	return client.VolumeRemoveResult{}, nil
}

func (f *inventoryAPI) NetworkInspect(_ context.Context, name string, _ client.NetworkInspectOptions) (client.NetworkInspectResult, error) {
	n, err := lookup(f.networks, "network", name)
	return client.NetworkInspectResult{Network: n}, err
}

func (f *inventoryAPI) NetworkRemove(_ context.Context, id string, _ client.NetworkRemoveOptions) (client.NetworkRemoveResult, error) {
	f.removed = append(f.removed, "network "+id)
	return client.NetworkRemoveResult{}, nil
}

var (
	yesterday = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	began     = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	later     = began.Add(5 * time.Minute)
)

// addContainer puts a container into the fake, listed and inspectable.
func (f *inventoryAPI) addContainer(id, name, imageID string, created time.Time, labels map[string]string) {
	f.containers = append(f.containers, container.Summary{
		ID: id, Names: []string{"/" + name}, ImageID: imageID, Created: created.Unix(), Labels: labels,
	})
	if f.inspect == nil {
		f.inspect = map[string]container.InspectResponse{}
	}
	f.inspect[id] = container.InspectResponse{ID: id, Name: "/" + name, Image: imageID, Created: created.Format(time.RFC3339Nano)}
}

func newInventoryAPI() *inventoryAPI {
	f := &inventoryAPI{
		derived: map[string][]string{"sha256:hello": {"sha256:my-hello"}},
		volumes: map[string]volume.Volume{
			"lab-data": {Name: "lab-data", CreatedAt: later.Format(time.RFC3339)},
		},
		networks: map[string]network.Inspect{
			"lab-net": {Network: network.Network{Name: "lab-net", ID: "net1", Created: yesterday}},
		},
	}
	f.images = map[string]image.InspectResponse{
		"hello-world": {ID: "sha256:hello", Created: yesterday.Format(time.RFC3339)},
		// An old image tagged with the lesson's name during the step.
		"lab/profile:v1": {ID: "sha256:profile", Created: yesterday.Format(time.RFC3339), Metadata: image.Metadata{LastTagTime: later}},
	}
	f.addContainer("c-prod", "postgres-prod", "sha256:pg", yesterday, nil)
	f.addContainer("c-web", "lab-web", "sha256:nginx", later, nil)
	f.addContainer("c-hello", "brave_turing", "sha256:hello", later, nil)
	f.addContainer("c-derived", "my_hello", "sha256:my-hello", later, nil)
	f.addContainer("c-node", "lab-control-plane", "sha256:node", later.Add(-time.Minute), map[string]string{KindClusterLabel: "lab"})
	f.addContainer("c-node2", "lab-worker", "sha256:node", later, map[string]string{KindClusterLabel: "lab"})
	return f
}

func TestFindNamesExactlyWhatTheRefsName(t *testing.T) {
	f := newInventoryAPI()
	e := newFakeEngine(t, f)
	refs := []Ref{
		{KindVolume, "lab-data"}, {KindNetwork, "lab-net"}, {KindImage, "lab/profile:v1"},
		{KindContainer, "lab-web"}, {KindContainersFrom, "hello-world"}, {KindCluster, "lab"},
		{KindContainer, "postgres-prod"}, {KindContainer, "lab-never-made"}, {KindImage, "lab/never:v1"},
		{KindVolume, "lab-none"}, {KindCluster, "other"},
		// Found twice: once by name, once by image.
		{KindContainer, "brave_turing"},
	}
	got, err := e.Find(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range got {
		names = append(names, o.String())
	}
	want := []string{
		"kind cluster lab", "container lab-web", "container brave_turing", "container postgres-prod",
		"image lab/profile:v1", "volume lab-data", "network lab-net",
	}
	if !slices.Equal(names, want) {
		t.Errorf("got %q,\nwant %q (in removal order, each once, no derived image's container)", names, want)
	}
	for _, o := range got {
		switch o.Name {
		case "lab":
			if !o.Created.Equal(later.Add(-time.Minute)) {
				t.Errorf("cluster created %v, want its first node's creation %v", o.Created, later.Add(-time.Minute))
			}
		case "brave_turing":
			if len(o.Refs) != 2 {
				t.Errorf("brave_turing found by %v, want both refs", o.Refs)
			}
		case "lab/profile:v1":
			if !o.Created.Equal(later) {
				t.Errorf("image named at %v, want its tag time %v", o.Created, later)
			}
		case "lab-net":
			if !o.Created.Equal(yesterday) {
				t.Errorf("network created %v, want %v", o.Created, yesterday)
			}
		}
	}
}

func TestFindRefusesAnUnknownKind(t *testing.T) {
	f := newInventoryAPI()
	e := newFakeEngine(t, f)
	if _, err := e.Find(context.Background(), []Ref{{"compose thing", "x"}}); err == nil || !strings.Contains(err.Error(), "no such kind") {
		t.Errorf("got %v, want an error naming the unknown kind", err)
	}
}

func TestRemoveGoesThroughEachKind(t *testing.T) {
	f := newInventoryAPI()
	e := newFakeEngine(t, f)
	var deleted []string
	defer func(old func(string) error) { deleteCluster = old }(deleteCluster)
	deleteCluster = func(name string) error { deleted = append(deleted, name); return nil }

	objs, err := e.Find(context.Background(), []Ref{
		{KindCluster, "lab"}, {KindContainer, "lab-web"}, {KindImage, "lab/profile:v1"}, {KindVolume, "lab-data"}, {KindNetwork, "lab-net"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Something already gone is not an error.
	objs = append(objs, Object{Kind: KindContainer, Name: "gone", ID: "c-gone"})
	if err := e.Remove(context.Background(), objs); err != nil {
		t.Fatal(err)
	}
	if want := []string{"c-web", "lab/profile:v1", "volume lab-data", "network net1"}; !slices.Equal(f.removed, want) {
		t.Errorf("removed %q, want %q", f.removed, want)
	}
	if !slices.Equal(deleted, []string{"lab"}) {
		t.Errorf("deleted clusters %q, want [lab]", deleted)
	}
}

func TestSplitByAge(t *testing.T) {
	web := Ref{KindContainer, "lab-web"}
	prod := Ref{KindContainer, "postgres-prod"}
	untimed := Ref{KindVolume, "lab-old"}
	unbegun := Ref{KindContainer, "lab-later"}
	objs := []Object{
		{Kind: KindContainer, Name: "lab-web", ID: "1", Created: later, Refs: []Ref{web}},
		{Kind: KindContainer, Name: "postgres-prod", ID: "2", Created: yesterday, Refs: []Ref{prod}},
		{Kind: KindVolume, Name: "lab-old", ID: "3", Refs: []Ref{untimed}},
		{Kind: KindContainer, Name: "lab-later", ID: "4", Created: later, Refs: []Ref{unbegun}},
		// Made in the same second the step began, as the list API rounds.
		{Kind: KindContainer, Name: "lab-quick", ID: "5", Created: began.Truncate(time.Second), Refs: []Ref{{KindContainer, "lab-quick"}}},
		// Named by two steps: the earlier start counts.
		{Kind: KindContainer, Name: "lab-app-1", ID: "6", Created: began.Add(time.Minute), Refs: []Ref{{KindContainer, "lab-app-1"}, {KindContainersFrom, "lab/app:v1"}}},
	}
	starts := map[Ref]time.Time{
		web: began, prod: began, untimed: began,
		{KindContainer, "lab-quick"}:       began.Add(300 * time.Millisecond),
		{KindContainer, "lab-app-1"}:       later,
		{KindContainersFrom, "lab/app:v1"}: began,
	}
	get := func(r Ref) time.Time { return starts[r] }

	remove, kept := SplitByAge(objs, get, false)
	var removed []string
	for _, o := range remove {
		removed = append(removed, o.Name)
	}
	if want := []string{"lab-web", "lab-quick", "lab-app-1"}; !slices.Equal(removed, want) {
		t.Errorf("removes %q, want %q", removed, want)
	}
	reasons := map[string]string{}
	for _, k := range kept {
		reasons[k.Name] = k.Reason
	}
	for name, want := range map[string]string{"postgres-prod": KeptOlder, "lab-old": KeptNoTime, "lab-later": KeptNoStart} {
		if reasons[name] != want {
			t.Errorf("%s kept with %q, want %q", name, reasons[name], want)
		}
	}
	if len(kept) != 3 {
		t.Errorf("kept %v, want 3", kept)
	}

	remove, kept = SplitByAge(objs, get, true)
	if len(remove) != len(objs) || len(kept) != 0 {
		t.Errorf("with includeOlder: removes %d, keeps %d; want all %d removed", len(remove), len(kept), len(objs))
	}
}
