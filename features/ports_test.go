package features

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

func TestSolutionPorts(t *testing.T) {
	tests := []struct {
		name string
		cmds []string
		want []string
	}{
		{"docker run -p", []string{"docker run -d --name lab-app -p 127.0.0.1:3000:3000 lab/app:v1"}, []string{"127.0.0.1:3000"}},
		{"--publish and --publish=", []string{"docker run --publish 8080:80 nginx", "docker create --publish=0.0.0.0:5353:53/udp dns"}, []string{"8080", "5353/udp"}},
		{"IPv6", []string{"docker run -p [::1]:8081:80 nginx"}, []string{"::1:8081"}},
		{"not a publish", []string{"mkdir -p kind", "docker compose -p lab up -d", "docker run -p 80 nginx"}, nil},
		{"compose file written by the solution", []string{"cat > compose/compose.yaml <<'EOF'\nservices:\n  app:\n    ports:\n      - \"127.0.0.1:3000:3000\"\n      - 8443:443\n    environment:\n      - DB=mongodb:27017\nEOF"}, []string{"127.0.0.1:3000", "8443"}},
		{"kind and long syntax", []string{"cat > kind/cluster.yaml <<'EOF'\n  extraPortMappings:\n  - containerPort: 30001\n    hostPort: 30001\nEOF", "cat > c.yaml <<EOF\n      - target: 80\n        published: \"8088\"\nEOF"}, []string{"30001", "8088"}},
		{"each once", []string{"docker run -p 8080:80 a", "docker run -p 8080:80 b"}, []string{"8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range SolutionPorts(tt.cmds) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// portsAPI answers container lists filtered by published port.
type portsAPI struct {
	sandbox.DockerAPI
	containers []container.Summary
	inspect    map[string]container.InspectResponse
}

func (f *portsAPI) Ping(context.Context, client.PingOptions) (client.PingResult, error) {
	return client.PingResult{APIVersion: "1.50"}, nil
}
func (f *portsAPI) ClientVersion() string { return "1.50" }
func (f *portsAPI) Close() error          { return nil }
func (f *portsAPI) ContainerList(_ context.Context, o client.ContainerListOptions) (client.ContainerListResult, error) {
	var out []container.Summary
	for _, c := range f.containers {
		ok := true
		for pub := range o.Filters["publish"] {
			ok = ok && slices.ContainsFunc(c.Ports, func(p container.PortSummary) bool {
				return pub == strconv.Itoa(int(p.PublicPort))+"/"+p.Type
			})
		}
		for a := range o.Filters["ancestor"] {
			ok = ok && c.ImageID == a
		}
		if ok {
			out = append(out, c)
		}
	}
	return client.ContainerListResult{Items: out}, nil
}
func (f *portsAPI) ContainerInspect(_ context.Context, id string, _ client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	return client.ContainerInspectResult{Container: f.inspect[id]}, nil
}

func portsCourse() *lessons.Course {
	c := &lessons.Course{}
	compose := &lessons.Lesson{ID: "compose", Index: 5, Course: c}
	up := &lessons.Step{ID: "up", Lesson: compose, Index: 2, Resources: lessons.Resources{Containers: []string{"lab-app-1", "lab-mongodb-1"}}}
	compose.Steps = []*lessons.Step{up}
	volumes := &lessons.Lesson{ID: "volumes", Index: 4, Course: c}
	named := &lessons.Step{ID: "named-volume", Lesson: volumes, Index: 1, Resources: lessons.Resources{Containers: []string{"lab-db"}}}
	volumes.Steps = []*lessons.Step{named}
	kind := &lessons.Lesson{ID: "kind", Index: 6, Course: c}
	kind.Steps = []*lessons.Step{{ID: "cluster", Lesson: kind, Index: 2, Resources: lessons.Resources{Clusters: []string{"lab"}}}}
	c.Lessons = []*lessons.Lesson{volumes, compose, kind}
	return c
}

func portsEngine(t *testing.T) *sandbox.Engine {
	t.Helper()
	api := &portsAPI{
		containers: []container.Summary{
			{ID: "a1", Names: []string{"/lab-app-1"}, ImageID: "sha256:app", Labels: map[string]string{sandbox.ComposeProjectLabel: "lab", sandbox.ComposeServiceLabel: "app"},
				Ports: []container.PortSummary{{IP: netip.MustParseAddr("127.0.0.1"), PublicPort: 3000, PrivatePort: 3000, Type: "tcp"}}},
			{ID: "o1", Names: []string{"/someone-else"}, ImageID: "sha256:x",
				Ports: []container.PortSummary{{IP: netip.MustParseAddr("0.0.0.0"), PublicPort: 8080, PrivatePort: 80, Type: "tcp"}}},
			{ID: "s1", Names: []string{"/elsewhere"}, ImageID: "sha256:x",
				Ports: []container.PortSummary{{IP: netip.MustParseAddr("192.168.1.5"), PublicPort: 5000, PrivatePort: 5000, Type: "tcp"}}},
			{ID: "d1", Names: []string{"/lab-db"}, ImageID: "sha256:mongo"},
			{ID: "k1", Names: []string{"/lab-control-plane"}, ImageID: "sha256:node", Labels: map[string]string{sandbox.KindClusterLabel: "lab"},
				Ports: []container.PortSummary{{IP: netip.MustParseAddr("127.0.0.1"), PublicPort: 30001, PrivatePort: 30001, Type: "tcp"}}},
		},
		inspect: map[string]container.InspectResponse{},
	}
	e, err := sandbox.ConnectWith(context.Background(), sandbox.Endpoint{Host: "unix:///fake.sock"}, api)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPortHoldersNameTheHolderTheStepAndTheWayOut(t *testing.T) {
	e := portsEngine(t)
	ports := SolutionPorts([]string{
		"docker run -d --name lab-app -p 127.0.0.1:3000:3000 lab/app:v1",
		"docker run -d -p 127.0.0.1:8080:80 nginx",
		"docker run -d -p 127.0.0.1:5000:5000 registry", // held on another address only
		"docker run -d -p 127.0.0.1:9999:80 nginx",      // free
		"cat > kind/cluster.yaml <<'EOF'\n  - containerPort: 30001\n    hostPort: 30001\nEOF",
	})
	holders, err := PortHolders(context.Background(), e, portsCourse(), ports, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range holders {
		got = append(got, h.Explain())
	}
	want := []string{
		`host port 127.0.0.1:3000 is held by container "lab-app-1" of Compose project "lab", which step compose/up made; free it with: lab reset compose`,
		`host port 127.0.0.1:8080 is held by container "someone-else"; free it with: docker stop someone-else`,
		`host port 30001 is held by container "lab-control-plane" of kind cluster "lab", which step kind/cluster made; free it with: lab reset kind`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A step's own container is not in its way.
	holders, err = PortHolders(context.Background(), e, portsCourse(), ports[:1], func(u sandbox.PortUser) bool { return u.Container == "lab-app-1" })
	if err != nil || len(holders) != 0 {
		t.Errorf("own container: got %v, %v; want none", holders, err)
	}
	// On selftest's machine the way out resets whatever the age.
	h := PortHolder{Port: ports[0], User: sandbox.PortUser{Container: "lab-app-1"}, MadeBy: portsCourse().Lessons[1].Steps[0], IncludeOlder: true}
	if got := h.WayOut(); got != "lab reset compose --include-older" {
		t.Errorf("selftest way out %q", got)
	}
}

func TestHeldImageNamesTheContainerAndItsStep(t *testing.T) {
	e := portsEngine(t)
	got := heldImage(context.Background(), e, portsCourse(), sandbox.Object{Kind: sandbox.KindImage, Name: "lab/mongo:v1", ID: "sha256:mongo"})
	want := " (used by container lab-db of step volumes/named-volume (free it with: lab reset volumes --include-older))"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := heldImage(context.Background(), e, portsCourse(), sandbox.Object{Kind: sandbox.KindImage, Name: "lab/free:v1", ID: "sha256:free"}); got != "" {
		t.Errorf("an image no container uses: got %q", got)
	}
}
