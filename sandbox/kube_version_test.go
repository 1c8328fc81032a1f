package sandbox

import (
	"testing"

	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
)

func TestKubeServerVersion(t *testing.T) {
	cs := fake.NewClientset()
	cs.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: "v1.37.2"}
	got, err := NewKube(cs, "kind-lab", "").ServerVersion()
	if err != nil || got != "v1.37.2" {
		t.Errorf("got %q, %v; want v1.37.2", got, err)
	}
}
