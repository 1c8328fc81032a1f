package classcluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/runtime"
	clientcmdv1 "k8s.io/client-go/tools/clientcmd/api/v1"
	"sigs.k8s.io/yaml"
)

// ExtensionName is the name of the kubeconfig context extension that marks
// a learner's context of a class's shared cluster and says what lab needs
// beyond the context: where the learner's node port answers.
const ExtensionName = "lab.class"

// Marker is what the extension holds.
type Marker struct {
	Learner   string `json:"learner"`
	Namespace string `json:"namespace"`
	NodeHost  string `json:"nodeHost"`
	NodePort  int    `json:"nodePort"`
}

// Vars are the course variables shared mode gives other values.
func (m Marker) Vars() map[string]string {
	return map[string]string{"app_node_host": m.NodeHost, "app_node_port": strconv.Itoa(m.NodePort)}
}

// Server is how learners reach the cluster's API server.
type Server struct {
	URL      string
	CA       []byte // PEM; nil with Insecure
	Insecure bool
	// ClusterName names the cluster in the learner's kubeconfig.
	ClusterName string
}

// Kubeconfig is the learner's kubeconfig file: one cluster, one user (the
// learner's ServiceAccount token) and one context, current, in their
// namespace, carrying the lab.class extension.
func Kubeconfig(p Prepared, srv Server, nodeHost string) ([]byte, error) {
	marker, err := json.Marshal(Marker{Learner: p.Name, Namespace: p.Namespace, NodeHost: nodeHost, NodePort: p.NodePort})
	if err != nil {
		return nil, err
	}
	name := p.Namespace
	cfg := clientcmdv1.Config{
		Kind:       "Config",
		APIVersion: "v1",
		Clusters: []clientcmdv1.NamedCluster{{Name: srv.ClusterName, Cluster: clientcmdv1.Cluster{
			Server: srv.URL, CertificateAuthorityData: srv.CA, InsecureSkipTLSVerify: srv.Insecure,
		}}},
		AuthInfos: []clientcmdv1.NamedAuthInfo{{Name: name, AuthInfo: clientcmdv1.AuthInfo{Token: p.Token}}},
		Contexts: []clientcmdv1.NamedContext{{Name: name, Context: clientcmdv1.Context{
			Cluster: srv.ClusterName, AuthInfo: name, Namespace: p.Namespace,
			Extensions: []clientcmdv1.NamedExtension{{Name: ExtensionName, Extension: runtime.RawExtension{Raw: marker}}},
		}}},
		CurrentContext: name,
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# lab class: %s's access to the class's shared cluster, namespace %s.\n"+
		"# Keep it private: it holds their token. Use it with: lab class use-cluster FILE\n", p.Name, p.Namespace)
	return append([]byte(header), out...), nil
}

// ClassContext is what lab reads back from a learner's kubeconfig.
type ClassContext struct {
	Context string
	Marker
}

// ReadKubeconfig finds the class context in a learner's kubeconfig: the
// current context, which must carry the lab.class extension.
func ReadKubeconfig(data []byte) (ClassContext, error) {
	var cfg clientcmdv1.Config
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return ClassContext{}, fmt.Errorf("not a kubeconfig file: %w", err)
	}
	if cfg.CurrentContext == "" {
		return ClassContext{}, errors.New("the file has no current-context: it is not a file lab class cluster wrote")
	}
	for _, c := range cfg.Contexts {
		if c.Name != cfg.CurrentContext {
			continue
		}
		for _, e := range c.Context.Extensions {
			if e.Name != ExtensionName {
				continue
			}
			var m Marker
			if err := json.Unmarshal(e.Extension.Raw, &m); err != nil {
				return ClassContext{}, fmt.Errorf("the context %q has a %s extension lab cannot read: %w", c.Name, ExtensionName, err)
			}
			if m.Namespace == "" || m.NodeHost == "" || m.NodePort < 1 || m.NodePort > 65535 {
				return ClassContext{}, fmt.Errorf("the context %q's %s extension lacks the namespace, node address or node port", c.Name, ExtensionName)
			}
			if c.Context.Namespace != m.Namespace {
				return ClassContext{}, fmt.Errorf("the context %q works in the namespace %q, but the class gave the learner %q", c.Name, c.Context.Namespace, m.Namespace)
			}
			return ClassContext{Context: c.Name, Marker: m}, nil
		}
		return ClassContext{}, fmt.Errorf("the current context %q has no %s extension: it is not a file lab class cluster wrote", c.Name, ExtensionName)
	}
	return ClassContext{}, fmt.Errorf("the current context %q is not in the file", cfg.CurrentContext)
}
