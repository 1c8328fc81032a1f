// Package kubefake gives tests a kubeclient.Client over client-go's fake
// dynamic client, holding the objects given.
package kubefake

import (
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// New returns a client of a fake cluster holding objs, and the fake, for
// reactors and the actions it saw. Objects in reactions are
// *unstructured.Unstructured.
func New(objs ...runtime.Object) (*kubeclient.Client, *dynamicfake.FakeDynamicClient) {
	scheme := runtime.NewScheme()
	if err := kubeclient.AddToScheme(scheme); err != nil {
		panic(err)
	}
	fake := dynamicfake.NewSimpleDynamicClient(scheme, objs...)
	return kubeclient.New(fake), fake
}
