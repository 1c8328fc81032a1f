package features

import (
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// Refs turns a step's declared engine resources into the inventory's
// references, the one form reset, selftest's cleanup proof and the
// listings look for. Workspace files and Kubernetes objects are not engine
// objects and are handled on their own.
func Refs(r lessons.Resources) []sandbox.Ref {
	var out []sandbox.Ref
	for _, kind := range []struct {
		kind  sandbox.Kind
		names []string
	}{
		{sandbox.KindCluster, r.Clusters},
		{sandbox.KindContainer, r.Containers},
		{sandbox.KindContainersFrom, r.ContainersFrom},
		{sandbox.KindImage, r.Images},
		{sandbox.KindVolume, r.Volumes},
		{sandbox.KindNetwork, r.Networks},
	} {
		for _, name := range kind.names {
			out = append(out, sandbox.Ref{Kind: kind.kind, Name: name})
		}
	}
	return out
}
