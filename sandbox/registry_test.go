package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// memRegistry is an in-memory registry that speaks the part of the
// distribution API lab reads: catalog and tag pagination, manifests by tag
// with Accept negotiation, and the spec's error bodies. Its switches
// reproduce registries that leave out optional parts of the protocol.
type memRegistry struct {
	mu    sync.Mutex
	repos map[string]map[string]memManifest // repo -> tag -> manifest

	noDigestHeader bool // omit Docker-Content-Digest (older or minimal registries)
	noHead         bool // answer HEAD with 405
	requests       []string
}

type memManifest struct {
	mediaType string
	body      []byte
}

func newMemRegistry() *memRegistry {
	return &memRegistry{repos: map[string]map[string]memManifest{}}
}

// put stores a manifest under repo:tag and returns its digest.
func (m *memRegistry) put(repo, tag, mediaType, body string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.repos[repo] == nil {
		m.repos[repo] = map[string]memManifest{}
	}
	m.repos[repo][tag] = memManifest{mediaType: mediaType, body: []byte(body)}
	return digestOf([]byte(body))
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func regError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q}]}`, code, msg)
}

// paginate serves items a page of at most n after last, with a Link header
// to the next page, as distribution does.
func paginate(w http.ResponseWriter, r *http.Request, key string, items []string) {
	slices.Sort(items)
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 || n > 2 {
		n = 2 // small pages, so every test crosses a page boundary
	}
	if last := r.URL.Query().Get("last"); last != "" {
		i, _ := slices.BinarySearch(items, last)
		for i < len(items) && items[i] <= last {
			i++
		}
		items = items[i:]
	}
	if len(items) > n {
		items = items[:n]
		w.Header().Set("Link", fmt.Sprintf(`<%s?last=%s&n=%d>; rel="next"`, r.URL.Path, items[n-1], n))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{key: items})
}

func (m *memRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, r.Method+" "+r.URL.RequestURI())
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	p := r.URL.Path
	switch {
	case p == "/v2/":
		w.Write([]byte("{}"))
	case p == "/v2/_catalog":
		var names []string
		for name := range m.repos {
			names = append(names, name)
		}
		paginate(w, r, "repositories", names)
	case strings.HasSuffix(p, "/tags/list"):
		repo := strings.TrimSuffix(strings.TrimPrefix(p, "/v2/"), "/tags/list")
		tags, ok := m.repos[repo]
		if !ok {
			regError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
			return
		}
		var names []string
		for t := range tags {
			names = append(names, t)
		}
		paginate(w, r, "tags", names)
	case strings.Contains(p, "/manifests/"):
		if r.Method == http.MethodHead && m.noHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		repo, ref, _ := strings.Cut(strings.TrimPrefix(p, "/v2/"), "/manifests/")
		man, ok := m.repos[repo][ref]
		if !ok || !strings.Contains(r.Header.Get("Accept"), man.mediaType) {
			regError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		w.Header().Set("Content-Type", man.mediaType)
		w.Header().Set("Content-Length", strconv.Itoa(len(man.body)))
		if !m.noDigestHeader {
			w.Header().Set("Docker-Content-Digest", digestOf(man.body))
		}
		if r.Method == http.MethodGet {
			w.Write(man.body)
		}
	default:
		regError(w, http.StatusNotFound, "UNSUPPORTED", "not served by this test registry")
	}
}

func TestRegistryCatalogAndTags(t *testing.T) {
	mem := newMemRegistry()
	for _, repo := range []string{"profile", "lab-profile", "app", "db", "web"} {
		mem.put(repo, "v1", "application/vnd.oci.image.manifest.v1+json", `{"repo":"`+repo+`"}`)
	}
	for _, tag := range []string{"v2", "v3", "latest"} {
		mem.put("profile", tag, "application/vnd.oci.image.manifest.v1+json", `{"tag":"`+tag+`"}`)
	}
	srv := httptest.NewServer(mem)
	defer srv.Close()
	reg := &Registry{Base: srv.URL, HTTP: srv.Client()}
	ctx := context.Background()

	if err := reg.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	repos, err := reg.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app", "db", "lab-profile", "profile", "web"}; !slices.Equal(repos, want) {
		t.Errorf("catalog: got %v, want %v (every page)", repos, want)
	}
	tags, err := reg.Tags(ctx, "profile")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"latest", "v1", "v2", "v3"}; !slices.Equal(tags, want) {
		t.Errorf("tags: got %v, want %v", tags, want)
	}
	_, err = reg.Tags(ctx, "nothing")
	if !IsRegistryNotFound(err) || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("tags of a missing repository: got %v, want a not-found NAME_UNKNOWN error", err)
	}
}

func TestRegistryEmptyCatalog(t *testing.T) {
	srv := httptest.NewServer(newMemRegistry())
	defer srv.Close()
	repos, err := (&Registry{Base: srv.URL, HTTP: srv.Client()}).Catalog(context.Background())
	if err != nil || len(repos) != 0 {
		t.Errorf("got %v, %v, want no repositories and no error", repos, err)
	}
}

func TestRegistryManifestDigest(t *testing.T) {
	kinds := []string{
		"application/vnd.docker.distribution.manifest.v2+json",
		"application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.oci.image.manifest.v1+json",
		"application/vnd.oci.image.index.v1+json",
	}
	for _, mode := range []string{"head", "no-digest-header", "no-head"} {
		for _, kind := range kinds {
			t.Run(mode+"/"+kind, func(t *testing.T) {
				mem := newMemRegistry()
				mem.noDigestHeader = mode == "no-digest-header"
				mem.noHead = mode == "no-head"
				want := mem.put("profile", "v1", kind, `{"schemaVersion":2,"mediaType":"`+kind+`"}`)
				srv := httptest.NewServer(mem)
				defer srv.Close()
				m, err := (&Registry{Base: srv.URL, HTTP: srv.Client()}).ManifestDigest(context.Background(), "profile", "v1")
				if err != nil {
					t.Fatal(err)
				}
				if m.Digest != want || m.MediaType != kind {
					t.Errorf("got %s %s, want %s %s", m.Digest, m.MediaType, want, kind)
				}
			})
		}
	}
}

func TestRegistryManifestMissing(t *testing.T) {
	mem := newMemRegistry()
	mem.put("profile", "v1", "application/vnd.oci.image.manifest.v1+json", "{}")
	srv := httptest.NewServer(mem)
	defer srv.Close()
	reg := &Registry{Base: srv.URL, HTTP: srv.Client()}
	for _, ref := range [][2]string{{"profile", "v2"}, {"other", "v1"}} {
		_, err := reg.ManifestDigest(context.Background(), ref[0], ref[1])
		if !IsRegistryNotFound(err) {
			t.Errorf("%s:%s: got %v, want a not-found error", ref[0], ref[1], err)
		}
	}
}

func TestRegistryNotARegistry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<h1>Welcome to nginx!</h1>"))
	}))
	defer srv.Close()
	reg := &Registry{Base: srv.URL, HTTP: srv.Client()}
	if _, err := reg.Catalog(context.Background()); err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Errorf("catalog of a web server: got %v, want a decoding error", err)
	}
	srv.Close()
	if err := reg.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "requesting") {
		t.Errorf("ping of a closed server: got %v, want a requesting error", err)
	}
}

func TestRegistryEndlessPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `</v2/_catalog?last=a&n=1>; rel="next"`)
		w.Write([]byte(`{"repositories":["a"]}`))
	}))
	defer srv.Close()
	_, err := (&Registry{Base: srv.URL, HTTP: srv.Client()}).Catalog(context.Background())
	if err == nil || !strings.Contains(err.Error(), "pages") {
		t.Errorf("got %v, want a too-many-pages error", err)
	}
}

func TestNextPage(t *testing.T) {
	tests := []struct{ link, want string }{
		{"", ""},
		{`</v2/_catalog?last=b&n=2>; rel="next"`, "/v2/_catalog?last=b&n=2"},
		{`<http://127.0.0.1:5000/v2/p/tags/list?last=v2&n=2>; rel=next`, "/v2/p/tags/list?last=v2&n=2"},
		{`</v2/_catalog?last=b>; rel="prev"`, ""},
	}
	for _, tt := range tests {
		if got := nextPage(tt.link); got != tt.want {
			t.Errorf("nextPage(%q): got %q, want %q", tt.link, got, tt.want)
		}
	}
}

func TestRepoDigests(t *testing.T) {
	img := Image{RepoDigests: []string{
		"lab/profile@sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"localhost:5000/profile@sha256:2222222222222222222222222222222222222222222222222222222222222222",
		"localhost:5000/lab-profile@sha256:3333333333333333333333333333333333333333333333333333333333333333",
		"nginx@sha256:4444444444444444444444444444444444444444444444444444444444444444",
	}}
	tests := []struct {
		repo string
		want []string
	}{
		{"localhost:5000/profile", []string{"sha256:2222222222222222222222222222222222222222222222222222222222222222"}},
		{"docker.io/library/nginx", []string{"sha256:4444444444444444444444444444444444444444444444444444444444444444"}},
		{"localhost:5000/profile:v1", []string{"sha256:2222222222222222222222222222222222222222222222222222222222222222"}},
		{"localhost:5001/profile", nil},
		{"NOT A NAME", nil},
	}
	for _, tt := range tests {
		if got := RepoDigests(img, tt.repo); !slices.Equal(got, tt.want) {
			t.Errorf("RepoDigests(%q): got %v, want %v", tt.repo, got, tt.want)
		}
	}
}

func TestPublishedURL(t *testing.T) {
	tests := []struct{ host, raw, want string }{
		{"unix:///var/run/docker.sock", "http://localhost:8080/", "http://localhost:8080/"},
		{"npipe:////./pipe/docker_engine", "http://localhost:8080/", "http://localhost:8080/"},
		{"tcp://192.0.2.10:2376", "http://localhost:8080/", "http://192.0.2.10:8080/"},
		{"ssh://me@build.example:22", "http://localhost:5000/v2/", "http://build.example:5000/v2/"},
		{"tcp://[2001:db8::1]:2375", "http://localhost:8080/x", "http://[2001:db8::1]:8080/x"},
		{"tcp://[2001:db8::1]:2375", "http://localhost/x", "http://[2001:db8::1]/x"},
		{"tcp://192.0.2.10:2376", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/"},
	}
	for _, tt := range tests {
		got, err := PublishedURL(Endpoint{Host: tt.host}, tt.raw)
		if err != nil || got != tt.want {
			t.Errorf("PublishedURL(%s, %s): got %q, %v, want %q", tt.host, tt.raw, got, err, tt.want)
		}
	}
}

func TestSameReference(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"nginx:1.27", "docker.io/library/nginx:1.27", true},
		{"nginx", "nginx:latest", true},
		{"nginx:1.27", "nginx:1.26", false},
		{"localhost:5000/profile:v1", "profile:v1", false},
		{"sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41", "nginx:1.27", false},
	}
	for _, tt := range tests {
		if got := SameReference(tt.a, tt.b); got != tt.want {
			t.Errorf("SameReference(%q, %q): got %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPinAtLeast(t *testing.T) {
	const digest = "sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41"
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"mongo:7.0", "mongo:7.0", true},
		{"mongo:7.0.14", "mongo:7.0", true},
		{"mongo@" + digest, "mongo:7.0", true},
		{"mongo:7.0@" + digest, "mongo:7.0", true},
		{"docker.io/library/mongo:7.0", "mongo:7.0", true},
		{"docker.io/library/mongo:7.0.14", "mongo:7.0", true},
		{"registry:3", "registry:3", true},
		{"registry:3.0.0", "registry:3", true},
		{"nginx", "nginx", true},
		{"mongo", "mongo:7.0", false},
		{"mongo:latest", "mongo:7.0", false},
		{"mongo:7", "mongo:7.0", false},
		{"mongo:8.0", "mongo:7.0", false},
		{"mongo:7.01", "mongo:7.0", false},
		{"mongo:7.0-rc", "mongo:7.0", false},
		{"mongo:8.0@" + digest, "mongo:7.0", false},
		{"mymongo:7.0", "mongo:7.0", false},
		{"ghcr.io/library/mongo:7.0", "mongo:7.0", false},
		{"", "mongo:7.0", false},
		{"Mongo:7.0", "mongo:7.0", false},
	}
	for _, tt := range tests {
		if got := PinAtLeast(tt.got, tt.want); got != tt.ok {
			t.Errorf("PinAtLeast(%q, %q): got %v, want %v", tt.got, tt.want, got, tt.ok)
		}
	}
}
