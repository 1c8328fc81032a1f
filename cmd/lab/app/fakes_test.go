package app_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeEngineCmd serves, on a unix socket, the few engine API calls lab doctor
// and lab next make to learn the engine's version, answering as an engine
// whose newest API is the given one, and points DOCKER_HOST at it:
// fakeengineapi API-VERSION [containerd]. With containerd, docker info says
// the engine keeps its images in containerd's image store. It lists no
// containers and knows nothing else.
func fakeEngineCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "containerd") {
		ts.Fatalf("usage: fakeengineapi API-VERSION [containerd]")
	}
	api := args[0]
	driverStatus := `[]`
	if len(args) == 2 {
		driverStatus = `[["driver-type","io.containerd.snapshotter.v1"]]`
	}
	dir, err := os.MkdirTemp("", "lab-engine")
	ts.Check(err)
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	ts.Check(err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", api)
		w.Header().Set("Ostype", "linux")
		w.Header().Set("Content-Type", "application/json")
		switch apiPrefix.ReplaceAllString(r.URL.Path, "") {
		case "/_ping":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "OK")
		case "/version":
			fmt.Fprintf(w, `{"Version":"29.9.0","ApiVersion":%q,"MinAPIVersion":"1.24","Os":"linux","Arch":"amd64","Platform":{"Name":"fake engine"}}`, api)
		case "/info":
			fmt.Fprintf(w, `{"Name":"fake","OperatingSystem":"fake engine","OSType":"linux","Architecture":"x86_64","NCPU":2,"MemTotal":8589934592,"DriverStatus":%s}`, driverStatus)
		case "/containers/json":
			fmt.Fprint(w, `[]`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"message":"the fake engine does not serve %s"}`, r.URL.Path)
		}
	})}
	go srv.Serve(l)
	ts.Defer(func() {
		srv.Close()
		os.RemoveAll(dir)
	})
	ts.Setenv("DOCKER_HOST", "unix://"+sock)
}

// fakeKubeCmd serves a Kubernetes API server's /version as the given
// Kubernetes release and writes a kubeconfig whose context kind-lab, the
// one the checks use, points at it: fakekube GIT-VERSION (v1.37.2)
// [OBJECTS]. OBJECTS is a file of the objects it holds, one a line:
// "RESOURCE NAME CREATED" (deployments lab-app 2026-12-02T10:05:00Z), in
// any namespace. It answers reads of them by name and deletes them, each
// deletion written to kube-deleted.txt in the script's directory as
// "RESOURCE/NAME".
func fakeKubeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: fakekube GIT-VERSION [OBJECTS]")
	}
	v := regexp.MustCompile(`^v([0-9]+)\.([0-9]+)\.`).FindStringSubmatch(args[0])
	if v == nil {
		ts.Fatalf("fakekube: %q is not a version like v1.37.2", args[0])
	}
	var mu sync.Mutex
	created := map[string]string{} // "resource/name" → creationTimestamp
	if len(args) == 2 {
		for _, line := range strings.Split(strings.TrimSpace(ts.ReadFile(args[1])), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				ts.Fatalf("fakekube: %q is not RESOURCE NAME CREATED", line)
			}
			created[f[0]+"/"+f[1]] = f[2]
		}
	}
	deleted := ts.MkAbs("kube-deleted.txt")
	object := regexp.MustCompile(`^/(?:api/(v1)|apis/(apps/v1))/namespaces/([^/]+)/([^/]+)/([^/]+)$`)
	// An API server names every object's apiVersion and kind.
	kinds := map[string]string{
		"deployments": "Deployment", "statefulsets": "StatefulSet", "services": "Service", "pods": "Pod",
		"configmaps": "ConfigMap", "secrets": "Secret", "persistentvolumeclaims": "PersistentVolumeClaim",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/version" {
			fmt.Fprintf(w, `{"major":%q,"minor":%q,"gitVersion":%q,"platform":"linux/amd64"}`, v[1], v[2], args[0])
			return
		}
		mu.Lock()
		defer mu.Unlock()
		m := object.FindStringSubmatch(r.URL.Path)
		var key, at string
		if m != nil {
			key = m[4] + "/" + m[5]
			at = created[key]
		}
		switch {
		case at != "" && r.Method == http.MethodGet:
			fmt.Fprintf(w, `{"apiVersion":%q,"kind":%q,"metadata":{"name":%q,"namespace":%q,"uid":%q,"creationTimestamp":%q}}`,
				m[1]+m[2], kinds[m[4]], m[5], m[3], key, at)
		case at != "" && r.Method == http.MethodDelete:
			delete(created, key)
			f, err := os.OpenFile(deleted, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
			if err == nil {
				fmt.Fprintln(f, key)
				err = f.Close()
			}
			if err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Success"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
		}
	}))
	ts.Defer(srv.Close)
	kubeconfig := ts.MkAbs("kubeconfig")
	ts.Check(os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: kind-lab
  cluster:
    server: `+srv.URL+`
contexts:
- name: kind-lab
  context:
    cluster: kind-lab
    user: kind-lab
users:
- name: kind-lab
  user: {}
current-context: kind-lab
`), 0o600))
	ts.Setenv("KUBECONFIG", kubeconfig)
}
