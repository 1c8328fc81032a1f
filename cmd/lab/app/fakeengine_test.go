package app_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptEngine is a Docker engine API that answers from a JSON file, for
// scripts that check what lab lists and removes without a real engine:
//
//	fakeengine state.json
//
// serves the containers, images, volumes and networks the file holds on a
// unix socket and points DOCKER_HOST at it for the rest of the script.
// What lab removes is gone from then on, and its name is appended to
// $WORK/removed.txt.
type scriptEngine struct {
	mu      sync.Mutex
	state   fakeState
	removed string // file that lists what was removed
}

type fakeState struct {
	Containers []fakeContainer `json:"containers"`
	Images     []fakeImage     `json:"images"`
	Volumes    []fakeNamed     `json:"volumes"`
	Networks   []fakeNamed     `json:"networks"`
}

type fakeContainer struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Image   string            `json:"image"`
	ImageID string            `json:"image_id"`
	Created time.Time         `json:"created"`
	Labels  map[string]string `json:"labels"`
	// Ports are host bindings, "127.0.0.1:3000->3000/tcp".
	Ports []string `json:"ports"`
}

type fakeImage struct {
	Ref     string    `json:"ref"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
}

type fakeNamed struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

func fakeengine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakeengine state.json")
	}
	f := &scriptEngine{removed: ts.MkAbs("removed.txt")}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &f.state))
	// A short path: a unix socket's path has a small length limit.
	dir, err := os.MkdirTemp("", "fe")
	ts.Check(err)
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	ts.Check(err)
	srv := &http.Server{Handler: f}
	go srv.Serve(l)
	ts.Defer(func() {
		srv.Close()
		os.RemoveAll(dir)
	})
	ts.Setenv("DOCKER_HOST", "unix://"+sock)
}

var apiPrefix = regexp.MustCompile(`^/v[0-9.]+`)

func (f *scriptEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := apiPrefix.ReplaceAllString(r.URL.Path, "")
	w.Header().Set("Api-Version", "1.50")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case p == "/_ping":
		w.Write([]byte("OK"))
	case p == "/containers/json":
		f.list(w, r.URL.Query())
	case strings.HasPrefix(p, "/containers/"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/containers/"), "/json")
		i := f.container(id)
		if i < 0 {
			notFoundJSON(w, "container", id)
			return
		}
		if r.Method == http.MethodDelete {
			f.remove("container " + f.state.Containers[i].Name)
			f.state.Containers = append(f.state.Containers[:i], f.state.Containers[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, f.inspect(f.state.Containers[i]))
	case strings.HasPrefix(p, "/images/"):
		ref := strings.TrimSuffix(strings.TrimPrefix(p, "/images/"), "/json")
		for i, img := range f.state.Images {
			if img.Ref != ref && img.ID != ref {
				continue
			}
			if r.Method == http.MethodDelete {
				f.remove("image " + img.Ref)
				f.state.Images = append(f.state.Images[:i], f.state.Images[i+1:]...)
				writeJSON(w, []map[string]string{{"Untagged": img.Ref}})
				return
			}
			writeJSON(w, map[string]any{"Id": img.ID, "RepoTags": []string{img.Ref}, "Created": img.Created.Format(time.RFC3339Nano),
				"RootFS": map[string]any{"Type": "layers"}, "Config": map[string]any{}})
			return
		}
		notFoundJSON(w, "image", ref)
	case strings.HasPrefix(p, "/volumes/"):
		f.named(w, r, "volume", &f.state.Volumes, strings.TrimPrefix(p, "/volumes/"), func(v fakeNamed) any {
			return map[string]any{"Name": v.Name, "Driver": "local", "CreatedAt": v.Created.Format(time.RFC3339)}
		})
	case strings.HasPrefix(p, "/networks/"):
		f.named(w, r, "network", &f.state.Networks, strings.TrimPrefix(p, "/networks/"), func(n fakeNamed) any {
			return map[string]any{"Name": n.Name, "Id": "net-" + n.Name, "Created": n.Created.Format(time.RFC3339Nano)}
		})
	default:
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, map[string]string{"message": "the fake engine does not answer " + r.Method + " " + p})
	}
}

func (f *scriptEngine) named(w http.ResponseWriter, r *http.Request, kind string, list *[]fakeNamed, name string, view func(fakeNamed) any) {
	for i, n := range *list {
		if n.Name != name && "net-"+n.Name != name {
			continue
		}
		if r.Method == http.MethodDelete {
			f.remove(kind + " " + n.Name)
			*list = append((*list)[:i], (*list)[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, view(n))
		return
	}
	notFoundJSON(w, kind, name)
}

func (f *scriptEngine) container(id string) int {
	for i, c := range f.state.Containers {
		if c.ID == id || c.Name == id {
			return i
		}
	}
	return -1
}

func (f *scriptEngine) remove(what string) {
	out, err := os.OpenFile(f.removed, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		out.WriteString(what + "\n")
		out.Close()
	}
}

// list answers a container list, with the engine's name, label and
// ancestor filters (the ancestor matched by image ID or reference only).
func (f *scriptEngine) list(w http.ResponseWriter, q url.Values) {
	var filters map[string]map[string]bool
	if s := q.Get("filters"); s != "" {
		json.Unmarshal([]byte(s), &filters)
	}
	out := []map[string]any{}
	for _, c := range f.state.Containers {
		ok := true
		for pattern := range filters["name"] {
			ok = ok && regexp.MustCompile(pattern).MatchString("/"+c.Name)
		}
		for label := range filters["label"] {
			k, v, hasValue := strings.Cut(label, "=")
			got, found := c.Labels[k]
			ok = ok && found && (!hasValue || got == v)
		}
		for a := range filters["ancestor"] {
			ok = ok && (c.ImageID == a || c.Image == a)
		}
		for pub := range filters["publish"] {
			ok = ok && c.publishes(pub)
		}
		if !ok {
			continue
		}
		out = append(out, map[string]any{
			"Id": c.ID, "Names": []string{"/" + c.Name}, "Image": c.Image, "ImageID": c.ImageID,
			"Created": c.Created.Unix(), "Labels": c.Labels, "State": "running", "Ports": c.portsJSON(),
		})
	}
	writeJSON(w, out)
}

func (c fakeContainer) publishes(port string) bool {
	for _, p := range c.Ports {
		hostPart, _, _ := strings.Cut(p, "->")
		if strings.HasSuffix(hostPart, ":"+strings.TrimSuffix(port, "/tcp")) {
			return true
		}
	}
	return false
}

func (c fakeContainer) portsJSON() []map[string]any {
	var out []map[string]any
	for _, p := range c.Ports {
		hostPart, ctr, _ := strings.Cut(p, "->")
		ip, hostPort, _ := net.SplitHostPort(hostPart)
		private, proto, _ := strings.Cut(ctr, "/")
		out = append(out, map[string]any{"IP": ip, "PublicPort": atoi(hostPort), "PrivatePort": atoi(private), "Type": proto})
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func (f *scriptEngine) inspect(c fakeContainer) map[string]any {
	return map[string]any{
		"Id": c.ID, "Name": "/" + c.Name, "Image": c.ImageID, "Created": c.Created.Format(time.RFC3339Nano),
		"State":  map[string]any{"Status": "running", "Running": true, "StartedAt": c.Created.Format(time.RFC3339Nano)},
		"Config": map[string]any{"Image": c.Image, "Labels": c.Labels},
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	json.NewEncoder(w).Encode(v)
}

func notFoundJSON(w http.ResponseWriter, kind, name string) {
	w.WriteHeader(http.StatusNotFound)
	writeJSON(w, map[string]string{"message": "No such " + kind + ": " + name})
}
