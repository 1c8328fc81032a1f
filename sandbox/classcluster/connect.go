package classcluster

import (
	"fmt"
	"os"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// Connect connects to the class's cluster with the instructor's
// kubeconfig and says how learners reach its API server.
func Connect(kubeconfig, contextName string) (*kubeclient.Client, Server, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: contextName})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, Server{}, fmt.Errorf("reading the kubeconfig: %w; give the instructor's with --kubeconfig FILE", err)
	}
	name := contextName
	if name == "" {
		name = raw.CurrentContext
	}
	kctx, ok := raw.Contexts[name]
	if name == "" || !ok {
		return nil, Server{}, fmt.Errorf("the kubeconfig has no context %q; name the class's cluster with --context (kubectl config get-contexts lists them)", name)
	}
	kc := raw.Clusters[kctx.Cluster]
	if kc == nil {
		return nil, Server{}, fmt.Errorf("the context %q names the cluster %q, which the kubeconfig does not have", name, kctx.Cluster)
	}
	srv := Server{URL: kc.Server, CA: kc.CertificateAuthorityData, Insecure: kc.InsecureSkipTLSVerify, ClusterName: kctx.Cluster}
	if len(srv.CA) == 0 && kc.CertificateAuthority != "" {
		if srv.CA, err = os.ReadFile(kc.CertificateAuthority); err != nil {
			return nil, Server{}, fmt.Errorf("reading the cluster's CA certificate: %w", err)
		}
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, Server{}, fmt.Errorf("reading the context %q: %w", name, err)
	}
	cfg.QPS, cfg.Burst = 20, 40
	client, err := kubeclient.NewForConfig(cfg)
	if err != nil {
		return nil, Server{}, fmt.Errorf("connecting to the cluster of the context %q: %w", name, err)
	}
	return client, srv, nil
}
