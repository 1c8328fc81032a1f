package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKubeconfigPaths(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	sep := string(filepath.ListSeparator)
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"home", map[string]string{"HOME": "/home/ada"}, []string{"/home/ada/.kube/config"}},
		{"KUBECONFIG", map[string]string{"HOME": "/home/ada", "KUBECONFIG": "/tmp/k"}, []string{"/tmp/k"}},
		{"list", map[string]string{"KUBECONFIG": "/a" + sep + sep + "/b" + sep + "/a"}, []string{"/a", "/b"}},
		{"only separators", map[string]string{"HOME": "/h", "KUBECONFIG": sep}, []string{"/h/.kube/config"}},
	}
	for _, tt := range tests {
		if got := KubeconfigPaths(env(tt.vars)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// writeKubeconfig writes a kubeconfig with one context per server (named
// by the map's keys) and returns an environment lookup pointing at it.
func writeKubeconfig(t *testing.T, current string, servers map[string]string, namespaces map[string]string) func(string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\ncurrent-context: " + current + "\nclusters:\n")
	for name, server := range servers {
		fmt.Fprintf(&b, "- name: %s\n  cluster:\n    server: %s\n", name, server)
	}
	b.WriteString("users:\n- name: u\n  user: {}\ncontexts:\n")
	for name := range servers {
		fmt.Fprintf(&b, "- name: %s\n  context:\n    cluster: %s\n    user: u\n", name, name)
		if ns := namespaces[name]; ns != "" {
			fmt.Fprintf(&b, "    namespace: %s\n", ns)
		}
	}
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(k string) string {
		if k == "KUBECONFIG" {
			return path
		}
		return ""
	}
}

// versionServer answers /version like an API server.
func versionServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"major":"1","minor":"37","gitVersion":"v1.37.2"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestConnectKube(t *testing.T) {
	ctx := context.Background()
	up := versionServer(t)

	t.Run("no kubeconfig", func(t *testing.T) {
		home := t.TempDir()
		_, err := ConnectKube(ctx, func(k string) string {
			if k == "HOME" {
				return home
			}
			return ""
		}, "kind-lab", "")
		var ke *KubeError
		if !errors.As(err, &ke) || ke.Reason != KubeNoKubeconfig {
			t.Fatalf("got %v, want a KubeError for no kubeconfig", err)
		}
		for _, want := range []string{"no kubeconfig", filepath.Join(home, ".kube", "config"), "create the cluster: lab cluster up"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("got %q, want it to say %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "--config") {
			t.Errorf("got %q, want no configuration file named when the course keeps none", err)
		}
		// The course's kind configuration file is named in the fix.
		err = WithKindConfig(err, "setup/kind.yaml")
		if want := "kind create cluster --config setup/kind.yaml (or: lab cluster up)"; !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to say %q", err, want)
		}
		if !IsKubeAbsent(err) || !IsKubeUnavailable(err) {
			t.Errorf("IsKubeAbsent/IsKubeUnavailable false for %v", err)
		}
	})

	t.Run("no such context", func(t *testing.T) {
		getenv := writeKubeconfig(t, "other", map[string]string{"other": up, "kind-dev": up}, nil)
		_, err := ConnectKube(ctx, getenv, "kind-lab", "")
		var ke *KubeError
		if !errors.As(err, &ke) || ke.Reason != KubeNoContext {
			t.Fatalf("got %v, want a KubeError for no context", err)
		}
		for _, want := range []string{`has no context "kind-lab"`, "it has: kind-dev, other", "create the cluster: lab cluster up"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("got %q, want it to say %q", err, want)
			}
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		down := "http://" + closedPort(t)
		getenv := writeKubeconfig(t, "kind-lab", map[string]string{"kind-lab": down}, nil)
		start := time.Now()
		_, err := ConnectKube(ctx, getenv, "kind-lab", "")
		var ke *KubeError
		if !errors.As(err, &ke) || ke.Reason != KubeUnreachable {
			t.Fatalf("got %v, want a KubeError for an unreachable cluster", err)
		}
		if IsKubeAbsent(err) {
			t.Errorf("an unreachable cluster is not an absent one: %v", err)
		}
		for _, want := range []string{`the cluster of the context "kind-lab" does not answer at ` + down, "connection refused", "docker ps -a --filter label=io.x-k8s.kind.cluster=lab", "docker start lab-control-plane"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("got %q, want it to say %q", err, want)
			}
		}
		if d := time.Since(start); d > kubePingTimeout+time.Second {
			t.Errorf("took %s to say the cluster is down", d)
		}
	})

	t.Run("connects with namespaces", func(t *testing.T) {
		getenv := writeKubeconfig(t, "other", map[string]string{"other": up, "kind-lab": up}, map[string]string{"kind-lab": "learner-7"})
		k, err := ConnectKube(ctx, getenv, "kind-lab", "")
		if err != nil {
			t.Fatal(err)
		}
		if k.Context() != "kind-lab" || k.Namespace() != "learner-7" || k.Server() != up || k.CurrentContext() != "other" {
			t.Errorf("got context %q namespace %q server %q current %q", k.Context(), k.Namespace(), k.Server(), k.CurrentContext())
		}
		k, err = ConnectKube(ctx, getenv, "kind-lab", "team-a")
		if err != nil {
			t.Fatal(err)
		}
		if k.Namespace() != "team-a" {
			t.Errorf("got namespace %q, want the one asked for", k.Namespace())
		}
		k, err = ConnectKube(ctx, getenv, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if k.Context() != "other" || k.Namespace() != DefaultNamespace {
			t.Errorf("got context %q namespace %q, want the current context in default", k.Context(), k.Namespace())
		}
	})
}

func TestReadKubeconfig(t *testing.T) {
	getenv := writeKubeconfig(t, "kind-lab", map[string]string{"kind-lab": "http://127.0.0.1:1", "b": "http://127.0.0.1:2"}, nil)
	kc, err := ReadKubeconfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if !kc.HasContext("kind-lab") || kc.Current != "kind-lab" || !slices.Equal(kc.Contexts, []string{"b", "kind-lab"}) {
		t.Errorf("got %+v", kc)
	}
	none, err := ReadKubeconfig(func(k string) string {
		if k == "KUBECONFIG" {
			return filepath.Join(t.TempDir(), "missing")
		}
		return ""
	})
	if err != nil || len(none.Contexts) != 0 || len(none.Found) != 0 {
		t.Errorf("no file: got %+v, %v; want no contexts and no error", none, err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("contexts: [: nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKubeconfig(func(string) string { return bad }); err == nil {
		t.Error("a broken kubeconfig read without error")
	}
}

func TestKindClusterOf(t *testing.T) {
	for ctx, want := range map[string]string{"kind-lab": "lab", "kind-": "", "prod": "", "kind-a-b": "a-b"} {
		got, ok := KindClusterOf(ctx)
		if got != want && ok || ok != (want != "") {
			t.Errorf("KindClusterOf(%q) = %q, %v; want %q", ctx, got, ok, want)
		}
	}
}
