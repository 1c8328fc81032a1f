package features

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recorder is a fake API server that answers /version and /_ping and 404
// to anything else, and remembers the paths it was asked.
type recorder struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.paths = append(r.paths, req.URL.Path)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case req.URL.Path == "/version":
			fmt.Fprint(w, `{"major":"1","minor":"31","gitVersion":"v1.31.0","ApiVersion":"1.47","Version":"27.0.0"}`)
		case strings.HasSuffix(req.URL.Path, "/_ping"):
			w.Header().Set("Api-Version", "1.47")
			fmt.Fprint(w, "OK")
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"not found"}`)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) asked() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.paths, " ")
}

// Two learners checked in one process: each world's checks go to its own
// Docker endpoint and its own cluster namespace, as its environment says,
// and never to the other's or to the process environment's.
func TestEachWorldChecksItsOwnTarget(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	t.Setenv("LAB_KUBE_NAMESPACE", "process")
	cluster := newRecorder(t)
	kubeconfig := filepath.Join(t.TempDir(), "config")
	cfg := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: %q}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: class\n  context: {cluster: c, user: u}\n", cluster.URL)
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	learner := func(name string) (*world, *recorder) {
		engine := newRecorder(t)
		env := []string{"DOCKER_HOST=tcp://" + strings.TrimPrefix(engine.URL, "http://"), "KUBECONFIG=" + kubeconfig,
			"LAB_KUBE_CONTEXT=class", "LAB_KUBE_NAMESPACE=" + name}
		return &world{run: newRun(Options{Env: env}, nil)}, engine
	}
	ada, adaEngine := learner("ada")
	bob, bobEngine := learner("bob")
	defer ada.run.close()
	defer bob.run.close()
	ctx := context.Background()
	for _, l := range []struct {
		name   string
		w      *world
		engine *recorder
	}{{"ada", ada, adaEngine}, {"bob", bob, bobEngine}} {
		_ = l.w.containerPublishes(ctx, "lab-web", "80/tcp", 8080)
		if got := l.engine.asked(); !strings.Contains(got, "/containers/lab-web/json") {
			t.Errorf("%s: its engine was asked %q, want the container lab-web", l.name, got)
		}
		_, err := l.w.kubeDeploymentExists(ctx, "lab-app")
		if want := fmt.Sprintf(`there is no Deployment "lab-app" in the namespace %q`, l.name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", l.name, err, want)
		}
	}
	if a, b := adaEngine.asked(), bobEngine.asked(); strings.Count(a, "lab-web") != 1 || strings.Count(b, "lab-web") != 1 {
		t.Errorf("each engine must be asked once: ada's %q, bob's %q", a, b)
	}
	asked := cluster.asked()
	for _, ns := range []string{"ada", "bob"} {
		if !strings.Contains(asked, "/namespaces/"+ns+"/deployments/lab-app") {
			t.Errorf("the cluster was asked %q, want the Deployment in the namespace %s", asked, ns)
		}
	}
	if strings.Contains(asked, "process") {
		t.Errorf("the cluster was asked %q: a check read the process environment", asked)
	}
}
