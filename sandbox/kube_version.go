package sandbox

import (
	"context"
	"fmt"
)

// ServerVersion is the cluster's Kubernetes version as its API server
// reports it ("v1.37.2"), for kubectl's version-skew policy and the
// versions a course was tested with.
func (k *Kube) ServerVersion() (string, error) {
	v, err := k.client.ServerVersion(context.Background())
	if err != nil {
		return "", k.wrap(err, "", "", "reading the Kubernetes version of the context %q", k.context)
	}
	if v.GitVersion == "" {
		return "", fmt.Errorf("reading the Kubernetes version of the context %q: the API server's /version names no version; see: kubectl --context %s version", k.context, k.context)
	}
	return v.GitVersion, nil
}
