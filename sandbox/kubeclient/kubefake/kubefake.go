// Package kubefake gives tests a fake cluster: a kubeclient.Client over
// client-go's fake dynamic client, holding the objects given.
package kubefake

import (
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// Cluster is the typed client and the fake under it, whose reactors and
// recorded actions a test uses. Objects in reactions are
// *unstructured.Unstructured.
type Cluster struct {
	*kubeclient.Client
	*dynamicfake.FakeDynamicClient
}

// New returns a fake cluster holding objs.
func New(objs ...runtime.Object) *Cluster {
	scheme := runtime.NewScheme()
	if err := kubeclient.AddToScheme(scheme); err != nil {
		panic(err)
	}
	fake := dynamicfake.NewSimpleDynamicClient(scheme, objs...)
	return &Cluster{Client: kubeclient.New(fake), FakeDynamicClient: fake}
}
