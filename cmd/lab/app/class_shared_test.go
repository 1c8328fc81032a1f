package app

import (
	"testing"

	cluster "github.com/lab-workshop/lab/sandbox/classcluster"
)

// In shared mode what follows the cluster (lab watch) sees the learner's
// context and namespace; outside it, the environment as it is.
func TestSharedModeGetenv(t *testing.T) {
	base := func(k string) string { return map[string]string{"HOME": "/h", "LAB_KUBE_CONTEXT": "kind-lab"}[k] }
	var none *sharedMode
	if got := none.getenv(base)("LAB_KUBE_CONTEXT"); got != "kind-lab" {
		t.Errorf("no shared mode: %q", got)
	}
	m := &sharedMode{file: "/state/class-cluster.kubeconfig", ClassContext: cluster.ClassContext{Context: "lab-ana", Marker: cluster.Marker{Namespace: "lab-ana"}}}
	get := m.getenv(base)
	for k, want := range map[string]string{"LAB_KUBE_CONTEXT": "lab-ana", "LAB_KUBE_NAMESPACE": "lab-ana", "KUBECONFIG": "/state/class-cluster.kubeconfig", "HOME": "/h"} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestSharedModeSkipsOwnClusterLessons(t *testing.T) {
	course, err := loadCourse("")
	if err != nil {
		t.Fatal(err)
	}
	m := &sharedMode{ClassContext: cluster.ClassContext{Marker: cluster.Marker{Namespace: "lab-ana"}}}
	var none *sharedMode
	for _, s := range course.Steps() {
		own := s.Lesson.ID == "kind"
		if got := m.skipReason(s) != ""; got != own {
			t.Errorf("%s skipped in shared mode: %v", s.Key(), got)
		}
		if none.skipReason(s) != "" {
			t.Errorf("%s skipped without shared mode", s.Key())
		}
	}
}
